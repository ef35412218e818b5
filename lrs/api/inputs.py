"""A check every request passes before its view: no NUL (U+0000) in its path, parameters or
headers. PostgreSQL cannot hold NUL in text, and SQLite must not hold what a move to
PostgreSQL would lose; a NUL in Basic credentials is the authenticator's to refuse (401)."""
from __future__ import annotations

from flask import Flask, request

from lrs.errors import BadRequest

NUL = "\0"
REFUSED = "holds a NUL character (U+0000), which this LRS does not take"


def refuse_nul() -> None:
    if NUL in request.path:
        raise BadRequest(f"the path {REFUSED}")
    for name, value in request.args.items(multi=True):
        if NUL in name:
            raise BadRequest(f"a parameter name {REFUSED}")
        if NUL in value:
            raise BadRequest(f"the {name} parameter {REFUSED}")
    for name, value in request.headers.items():
        if NUL in value and name.lower() != "authorization":
            raise BadRequest(f"the {name} header {REFUSED}")


def register(app: Flask) -> None:
    app.before_request(refuse_nul)
