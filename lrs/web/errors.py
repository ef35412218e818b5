"""Error pages of the web app: HTML in the person's language, never the JSON of the APIs. The
status comes from the same map as xAPI's (lrs/api/errors.py)."""
from __future__ import annotations

import logging

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l  # type: ignore[import-untyped]
from flask_wtf.csrf import CSRFError  # type: ignore[import-untyped]
from werkzeug.exceptions import HTTPException

from lrs.api.errors import status_of
from lrs.errors import LrsError
from lrs.web.blueprint import bp

log = logging.getLogger(__name__)

TITLES = {
    400: _l("This request cannot be handled"),
    401: _l("Please log in"),
    403: _l("You may not open this page"),
    404: _l("Page not found"),
    405: _l("This request cannot be handled"),
    413: _l("The upload is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}
HINTS = {
    400: _l("Check what you entered and try again."),
    403: _l("This page belongs to someone else. Your own pages are in the menu."),
    404: _l("Check the address, or go back to your home page."),
    500: _l("The error is in the server's log. Try again later."),
}


class PageProblem(Exception):
    """A page cannot be shown, with a message for the person (already translated)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def page(status: int, message: str | None = None) -> ResponseReturnValue:
    title = TITLES.get(status, TITLES[500 if status >= 500 else 400])
    hint = message or HINTS.get(status) or HINTS[500 if status >= 500 else 400]
    return render_template("error.html", status=status, title=title, hint=hint), status


@bp.errorhandler(PageProblem)
def problem(exc: PageProblem) -> ResponseReturnValue:
    return page(exc.status, exc.message)


@bp.errorhandler(CSRFError)
def csrf_refused(exc: CSRFError) -> ResponseReturnValue:
    return page(400, str(_l("The form has expired or did not come from this site. Reload the page and send it again.")))


@bp.errorhandler(LrsError)
def lrs_error(exc: LrsError) -> ResponseReturnValue:
    return page(status_of(exc))


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> ResponseReturnValue:
    return page(exc.code or 500)


@bp.errorhandler(Exception)
def unexpected(exc: Exception) -> ResponseReturnValue:
    log.exception("unhandled error on a web page")
    return page(500)
