"""The one place that maps errors to HTTP status codes and xAPI-style JSON error bodies."""
from __future__ import annotations

import logging

from flask import Flask
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from lrs.errors import (
    BadRequest, DocumentConflict, LrsError, NotAuthorized, NotFound, PayloadTooLarge,
    PreconditionFailed, StatementConflict, Unauthenticated,
)

STATUS: dict[type[LrsError], int] = {
    BadRequest: 400,
    Unauthenticated: 401,
    NotAuthorized: 403,
    NotFound: 404,
    StatementConflict: 409,
    DocumentConflict: 409,
    PreconditionFailed: 412,
    PayloadTooLarge: 413,
}

log = logging.getLogger(__name__)


def status_of(exc: LrsError) -> int:
    return next((STATUS[t] for t in type(exc).__mro__ if t in STATUS), 500)


def register(app: Flask) -> None:
    @app.errorhandler(LrsError)
    def lrs_error(exc: LrsError) -> ResponseReturnValue:
        status = status_of(exc)
        headers = {}
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="Jejak LRS"'
        return {"error": type(exc).__name__, "message": str(exc)}, status, headers

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        name = (exc.name or "Error").replace(" ", "")
        return {"error": name, "message": exc.description}, exc.code or 500

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("unhandled error")
        return {"error": "InternalServerError", "message": "the LRS failed; see its log"}, 500
