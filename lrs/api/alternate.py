"""xAPI alternate request syntax (Communication 1.3): a form POST with ?method=X carries the
real method, headers, parameters and body as form fields. Rewritten here, before Flask routes.
xAPI 2.0 (IEEE 9274.1.1) dropped it: a 2.0 request using it is refused."""
from __future__ import annotations

import io
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlencode

from lrs.errors import BadRequest, LrsError, PayloadTooLarge
from lrs.xapi import versions
from lrs.xapi.media_types import media_type

METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": None,  # recomputed from `content`
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
ERROR_KEY = "lrs.alternate_error"
REMOVED_IN_2_0 = (
    "xAPI 2.0 has no alternate request syntax (?method=): send the request with its own method, "
    "headers and body"
)

Environ = dict[str, Any]
App = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]


def rewrite(environ: Environ, max_length: int | None = None) -> None:
    """Turn an alternate-syntax request into the request it stands for, in place. Problems are
    left in environ[ERROR_KEY] for the app to report with the usual headers. The form is read
    before authentication (it carries the credentials), so never more than `max_length` bytes
    of it (the app's MAX_CONTENT_LENGTH)."""
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if "method" not in query:
        return
    if _asks_for_2_0(environ):
        environ[ERROR_KEY] = BadRequest(REMOVED_IN_2_0)
        return
    method = query["method"][0].upper()
    if environ.get("REQUEST_METHOD") != "POST":
        environ[ERROR_KEY] = BadRequest("the alternate request syntax needs POST with ?method=...")
        return
    if set(query) != {"method"}:
        environ[ERROR_KEY] = BadRequest("with ?method=, every other parameter must go in the form body")
        return
    if method not in METHODS:
        environ[ERROR_KEY] = BadRequest(f"method={method!r} is not an xAPI method")
        return
    if media_type(environ.get("CONTENT_TYPE")) != "application/x-www-form-urlencoded":
        environ[ERROR_KEY] = BadRequest(
            "the alternate request syntax needs an application/x-www-form-urlencoded body"
        )
        return
    try:
        form = parse_qs(_read_body(environ, max_length).decode("utf-8"), keep_blank_values=True,
                        errors="strict")
    except UnicodeDecodeError:
        environ[ERROR_KEY] = BadRequest(
            "the form body of an alternate-syntax request must be UTF-8, its %-escapes too"
        )
        return
    except LrsError as exc:
        environ[ERROR_KEY] = exc
        return
    params, content = {}, b""
    environ.pop("CONTENT_TYPE", None)
    for name, values in form.items():
        lowered = name.lower()
        if lowered == "content":
            content = values[0].encode("utf-8")
        elif lowered in HEADER_FIELDS:
            if (target := HEADER_FIELDS[lowered]) is not None:
                environ[target] = values[0]
        else:
            params[name] = values[0]
    environ["REQUEST_METHOD"] = method
    environ["QUERY_STRING"] = urlencode(params)
    environ["wsgi.input"] = io.BytesIO(content)
    environ["CONTENT_LENGTH"] = str(len(content))
    environ.pop("HTTP_TRANSFER_ENCODING", None)  # the body is now `content`, of known length
    if content and "CONTENT_TYPE" not in environ:
        environ["CONTENT_TYPE"] = "application/json"
    if _asks_for_2_0(environ):  # the version came as a form field
        environ[ERROR_KEY] = BadRequest(REMOVED_IN_2_0)


def _read_body(environ: Environ, max_length: int | None) -> bytes:
    """The request body, refused before it is read when its Content-Length is over `max_length`,
    and read no further than `max_length` (and one byte) when it is chunked."""
    stream = environ["wsgi.input"]
    too_large = PayloadTooLarge(f"the request body is larger than {max_length} bytes")
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        declared = environ.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit():
            raise BadRequest(f"Content-Length {declared!r} is not a number of bytes")
        if max_length is not None and int(declared) > max_length:
            raise too_large
        return _read(stream, int(declared))
    if not environ.get("wsgi.input_terminated"):
        return b""  # a server that does not end a chunked body: nothing is safe to read (as werkzeug)
    data = _read(stream, -1 if max_length is None else max_length + 1)
    if max_length is not None and len(data) > max_length:
        raise too_large
    return data


def _read(stream: Any, size: int) -> bytes:
    """Up to `size` bytes (all when negative): a WSGI input may return fewer than asked."""
    if size < 0:
        return bytes(stream.read())
    chunks, left = [], size
    while left > 0 and (chunk := stream.read(min(left, 2**16))):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _asks_for_2_0(environ: Environ) -> bool:
    return versions.from_header(environ.get("HTTP_X_EXPERIENCE_API_VERSION")) == versions.V2


class AlternateSyntax:
    """WSGI middleware applying `rewrite` before the wrapped app sees the request; `max_length`
    gives the body limit at the time of the request."""

    def __init__(self, app: App, max_length: Callable[[], int | None]) -> None:
        self.app = app
        self.max_length = max_length

    def __call__(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        rewrite(environ, self.max_length())
        return self.app(environ, start_response)


def register(app: Any) -> None:
    """Wrap the app's WSGI callable and report rewrite problems as errors of the app."""
    from flask import request

    def report() -> None:
        if (problem := request.environ.get(ERROR_KEY)) is not None:
            raise problem

    app.wsgi_app = AlternateSyntax(app.wsgi_app, lambda: app.config["MAX_CONTENT_LENGTH"])
    app.before_request_funcs.setdefault(None, []).insert(0, report)
