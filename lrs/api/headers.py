"""Headers every xAPI response carries: version, consistency, CORS; and the version check."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Flask, Response, current_app, g, request

from lrs.api import routing
from lrs.errors import UnsupportedVersion
from lrs.store.chain import format_stored
from lrs.xapi import versions

HEADER = "X-Experience-API-Version"
# Resources a client may call without the version header (xAPI Communication 2.7: About).
# /api/v1/ (and its documentation), /profiles/, /app/, the front page (/), /health, /ready and
# /metrics are not xAPI.
VERSIONLESS = ("about", "reports", "audit", "profile", "web", "front", "health", "metrics", "api_docs")
# Pages for people and probes for operators, not xAPI clients: no xAPI or CORS headers (no other
# site reads them).
PAGES = ("web", "front", "health", "metrics", "api_docs")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # consistent through, of a replica without events

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
        "X-Requested-With, X-Jejak-Read-After"
    ),
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through, "
        "X-Jejak-Seq, X-Jejak-Read-From"
    ),
    "Access-Control-Max-Age": "86400",
}


def check_version() -> None:
    """xAPI Communication 3.3 (IEEE 9274.1.1 likewise): every request but About names the version
    it speaks; 1.0.x requests get 1.0.3 rules, 2.0.x requests 2.0 rules (`xapi_version()`)."""
    header = request.headers.get(HEADER)
    version = versions.from_header(header)
    g.xapi_version = version or current_app.config["XAPI_DEFAULT_VERSION"]
    if request.method == "OPTIONS" or request.blueprint in VERSIONLESS:
        return
    refuse_unsupported(header)


def refuse_unsupported(header: str | None) -> None:
    """400 unless the version header names a version this LRS speaks."""
    if header is None:
        raise UnsupportedVersion(f"the {HEADER} header is required")
    if versions.from_header(header) is None:
        raise UnsupportedVersion(
            f"{HEADER} {header!r} is not supported; this LRS speaks 1.0.x (1.0.3) and 2.0.x (2.0.0)"
        )


def xapi_version() -> str:
    """The version of the current request's rules: versions.V1 or versions.V2. A request refused
    before check_version ran (alternate syntax) still gets the version its header names."""
    version: str = (
        g.get("xapi_version") or versions.from_header(request.headers.get(HEADER))
        or current_app.config["XAPI_DEFAULT_VERSION"]
    )
    return version


def consistent_through() -> str:
    # Statements are indexed in the transaction that appends them, so on the primary everything
    # stored before this moment is already visible to queries. A replica holds what was stored
    # before the event it replayed last (a millisecond before: the next may share its stored time).
    at = routing.read_position()
    if at is None:
        return format_stored(datetime.now(timezone.utc))
    return format_stored((at.stored or EPOCH) - timedelta(milliseconds=1 if at.stored else 0))


def add_headers(response: Response) -> Response:
    if request.blueprint in PAGES:
        return response
    return xapi_headers(response)


def xapi_headers(response: Response) -> Response:
    """The xAPI and CORS headers, on any response."""
    # The latest patch of the version the request asked for (Communication 3.3).
    response.headers[HEADER] = xapi_version()
    response.headers.setdefault("X-Experience-API-Consistent-Through", consistent_through())
    for name, value in CORS.items():
        response.headers.setdefault(name, value)
    return response


def register(app: Flask) -> None:
    if app.config["XAPI_DEFAULT_VERSION"] not in (versions.V1, versions.V2):
        raise ValueError(
            f"XAPI_DEFAULT_VERSION must be {versions.V1} or {versions.V2}, "
            f"not {app.config['XAPI_DEFAULT_VERSION']!r}"
        )
    app.before_request(check_version)
    app.after_request(add_headers)
