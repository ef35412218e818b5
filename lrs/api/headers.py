"""Headers every xAPI response carries: version, consistency, CORS; and the version check."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from flask import Flask, Response, request

from lrs.errors import UnsupportedVersion
from lrs.store.chain import format_stored

VERSION = "1.0.3"
ACCEPTED_VERSION = re.compile(r"^1\.0(\.\d+)?$")
# Resources a client may call without the version header (xAPI Communication 2.7: About).
VERSIONLESS = ("about",)

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
        "X-Requested-With"
    ),
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through"
    ),
    "Access-Control-Max-Age": "86400",
}


def check_version() -> None:
    """xAPI Communication 3.3: every request but About names the version it speaks."""
    if request.method == "OPTIONS" or request.blueprint in VERSIONLESS:
        return
    version = request.headers.get("X-Experience-API-Version")
    if version is None:
        raise UnsupportedVersion("the X-Experience-API-Version header is required")
    if not ACCEPTED_VERSION.match(version.strip()):
        raise UnsupportedVersion(
            f"X-Experience-API-Version {version!r} is not supported; this LRS speaks 1.0.x"
        )


def consistent_through() -> str:
    # Statements are indexed in the transaction that appends them, so everything stored
    # before this moment is already visible to queries.
    return format_stored(datetime.now(timezone.utc))


def add_headers(response: Response) -> Response:
    response.headers["X-Experience-API-Version"] = VERSION
    response.headers.setdefault("X-Experience-API-Consistent-Through", consistent_through())
    for name, value in CORS.items():
        response.headers.setdefault(name, value)
    return response


def register(app: Flask) -> None:
    app.before_request(check_version)
    app.after_request(add_headers)
