"""The one place that maps errors to HTTP status codes and xAPI-style JSON error bodies."""
from __future__ import annotations

import logging

from flask import Flask
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from lrs.errors import (
    BadRequest, DocumentConflict, InsufficientStorage, LrsError, NotAuthorized, NotFound,
    PayloadTooLarge, PreconditionFailed, ServiceUnavailable, StatementConflict, TooManyRequests,
    Unauthenticated,
)
from lrs.store import failures

STATUS: dict[type[LrsError], int] = {
    BadRequest: 400,
    Unauthenticated: 401,
    NotAuthorized: 403,
    NotFound: 404,
    StatementConflict: 409,
    DocumentConflict: 409,
    PreconditionFailed: 412,
    PayloadTooLarge: 413,
    TooManyRequests: 429,
    ServiceUnavailable: 503,
    InsufficientStorage: 507,
}

log = logging.getLogger(__name__)


def status_of(exc: LrsError) -> int:
    return next((STATUS[t] for t in type(exc).__mro__ if t in STATUS), 500)


def _body(error: str, message: str) -> dict[str, str]:
    # A message may quote what the client sent; a lone surrogate there could not be encoded.
    return {"error": error, "message": message.encode("utf-8", "backslashreplace").decode("utf-8")}


def register(app: Flask) -> None:
    @app.errorhandler(LrsError)
    def lrs_error(exc: LrsError) -> ResponseReturnValue:
        status = status_of(exc)
        headers = {}
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="Jejak LRS"'
        if isinstance(exc, (TooManyRequests, ServiceUnavailable)):
            headers["Retry-After"] = str(exc.retry_after)
        return _body(type(exc).__name__, str(exc)), status, headers

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError) -> ResponseReturnValue:
        typed = failures.typed(exc)
        if typed is None:
            return unexpected(exc)
        log.warning("database error answered %d: %s", status_of(typed), failures.first_line(exc))
        return lrs_error(typed)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        name = (exc.name or "Error").replace(" ", "")
        return _body(name, exc.description or ""), exc.code or 500

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        log.error("unhandled error", exc_info=exc)
        return _body("InternalServerError", "the LRS failed; see its log"), 500
