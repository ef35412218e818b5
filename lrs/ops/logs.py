"""Logs an operator can search: each request gets an id (the client's X-Request-ID when it is a
sane token, else a new one), returned in the X-Request-ID response header and carried by every
log record of the request; one access record per request (logger `lrs.access`: method, path,
status, duration, request id, credential key); and, in a server, every record as one JSON line
on stderr at LRS_LOG_LEVEL."""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
# What a proxy or client may send as its id: a UUID, hex, or a short token of URL-safe
# characters; anything else (too long, spaces, control characters) is replaced, never logged.
SANE = re.compile(r"[A-Za-z0-9._:@+=-]{1,128}")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

access = logging.getLogger("lrs.access")
# The record attributes every LogRecord has; anything else was passed with `extra=` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


def request_id() -> str:
    """The current request's id, chosen once: the client's when sane, else a new one."""
    found: str | None = g.get("request_id")
    if found is None:
        sent = request.headers.get(HEADER, "")
        found = sent if SANE.fullmatch(sent) else uuid.uuid4().hex
        g.request_id = found
    return found


def _started() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finished(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    started = g.get("request_started")
    access.info("%s %s %d", request.method, request.path, response.status_code, extra={
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": None if started is None else round((time.perf_counter() - started) * 1000, 1),
        "credential": _credential_key(),
        "request_id": request_id(),
    })
    return response


def _credential_key() -> str | None:
    """The credential of the request: HTTP Basic's (lrs/api/auth.py), else the web session's."""
    credential = g.get("credential")
    if credential is None and (viewer := g.get("viewer")) is not None:
        credential = viewer.credential
    return None if credential is None else str(credential.key)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record logged while it is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() if has_request_context() else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, the `extra=` fields,
    and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def check_level(level: str) -> str:
    """LRS_LOG_LEVEL as logging knows it, or ValueError naming the setting."""
    if str(level).upper() not in LEVELS:
        raise ValueError(f"LRS_LOG_LEVEL must be one of {', '.join(LEVELS)}, not {level!r}")
    return str(level).upper()


def configure(level: str) -> None:
    """A server process's logging: every record as a JSON line on stderr from `level` up.
    Called again, it changes the level and keeps the one handler."""
    root = logging.getLogger()
    root.setLevel(check_level(level))
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)


def register(app: Flask) -> None:
    check_level(app.config["LOG_LEVEL"])
    # First of all the hooks: a request refused by an earlier one (a NUL, no credentials) has
    # its id and its start time too.
    app.before_request_funcs.setdefault(None, []).insert(0, _started)
    app.after_request(_finished)
