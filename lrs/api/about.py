"""The About resource: which xAPI versions this LRS speaks. Needs no credentials."""
from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from lrs.api.headers import HEADER
from lrs.xapi.versions import about_versions, from_header

bp = Blueprint("about", __name__, url_prefix="/xapi/about")


@bp.get("")
def about() -> ResponseReturnValue:
    listed = about_versions(from_header(request.headers.get(HEADER)))
    return {"version": listed, "extensions": {"https://jejak.example/xapi/ext/lrs": "Jejak LRS"}}
