"""xAPI alternate request syntax (Communication 1.3): a form POST with ?method=X carries the
real method, headers, parameters and body as form fields. Rewritten here, before Flask routes.
xAPI 2.0 (IEEE 9274.1.1) dropped it: a 2.0 request using it is refused."""
from __future__ import annotations

import io
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlencode

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


def rewrite(environ: Environ) -> None:
    """Turn an alternate-syntax request into the request it stands for, in place. Problems are
    left in environ[ERROR_KEY] for the app to report as a 400 with the usual headers."""
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if "method" not in query:
        return
    if _asks_for_2_0(environ):
        environ[ERROR_KEY] = REMOVED_IN_2_0
        return
    method = query["method"][0].upper()
    if environ.get("REQUEST_METHOD") != "POST":
        environ[ERROR_KEY] = "the alternate request syntax needs POST with ?method=..."
        return
    if set(query) != {"method"}:
        environ[ERROR_KEY] = "with ?method=, every other parameter must go in the form body"
        return
    if method not in METHODS:
        environ[ERROR_KEY] = f"method={method!r} is not an xAPI method"
        return
    if media_type(environ.get("CONTENT_TYPE")) != "application/x-www-form-urlencoded":
        environ[ERROR_KEY] = "the alternate request syntax needs an application/x-www-form-urlencoded body"
        return
    length = int(environ.get("CONTENT_LENGTH") or 0)
    form = parse_qs(environ["wsgi.input"].read(length).decode("utf-8"), keep_blank_values=True)
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
    if content and "CONTENT_TYPE" not in environ:
        environ["CONTENT_TYPE"] = "application/json"
    if _asks_for_2_0(environ):  # the version came as a form field
        environ[ERROR_KEY] = REMOVED_IN_2_0


def _asks_for_2_0(environ: Environ) -> bool:
    return versions.from_header(environ.get("HTTP_X_EXPERIENCE_API_VERSION")) == versions.V2


class AlternateSyntax:
    """WSGI middleware applying `rewrite` before the wrapped app sees the request."""

    def __init__(self, app: App) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        rewrite(environ)
        return self.app(environ, start_response)


def register(app: Any) -> None:
    """Wrap the app's WSGI callable and report rewrite problems as 400s."""
    from flask import request

    from lrs.errors import BadRequest

    def report() -> None:
        if (problem := request.environ.get(ERROR_KEY)) is not None:
            raise BadRequest(problem)

    app.wsgi_app = AlternateSyntax(app.wsgi_app)
    app.before_request_funcs.setdefault(None, []).insert(0, report)
