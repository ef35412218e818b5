"""Request and response bodies the resources share: a size-limited body, JSON replies with an
ETag and Last-Modified."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask import Response, current_app, request

from lrs.errors import PayloadTooLarge


def read_body() -> bytes:
    """The raw request body; PayloadTooLarge when it is longer than MAX_CONTENT_LENGTH."""
    data = request.get_data(cache=False)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    # Without a Content-Length (chunked), werkzeug quietly stops reading at the limit: when
    # the body filled it, one more byte says whether the client sent more than allowed.
    truncated = limit is not None and request.content_length is None and len(data) >= limit
    if truncated and request.stream.read(1):
        raise PayloadTooLarge(f"the request body is larger than {limit} bytes")
    return data


def reply(data: bytes, content_type: str, updated: datetime | None = None) -> Response:
    """A 200 reply whose ETag is the quoted SHA-1 hex of its bytes (xAPI Communication 3.1)."""
    response = Response(data, 200, content_type=content_type)
    response.headers["ETag"] = '"' + hashlib.sha1(data).hexdigest() + '"'
    if updated is not None:
        response.last_modified = updated
    return response


def json_reply(value: Any, updated: datetime | None = None) -> Response:
    return reply(json.dumps(value, ensure_ascii=False).encode("utf-8"), "application/json", updated)
