"""The front page (/): what a browser opening the server's root sees, in Bahasa Indonesia first,
with links to the web app, About and the xAPI Profile. An xAPI client sending the version header
here gets what it always got: a JSON 404 (or 400 for a version this LRS does not speak)."""
from __future__ import annotations

from flask import Blueprint, after_this_request, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from lrs.api.headers import HEADER, refuse_unsupported, xapi_headers
from lrs.web import language, session, templating

bp = Blueprint("front", __name__, template_folder="templates")
bp.before_request(language.remember_choice)
bp.context_processor(templating.helpers)
bp.context_processor(session.page_globals)


@bp.get("/")
def index() -> ResponseReturnValue:
    header = request.headers.get(HEADER)
    if header is not None:
        after_this_request(xapi_headers)
        refuse_unsupported(header)
        raise NotFound()
    return render_template("front.html", xapi_base=request.url_root + "xapi/")
