"""HTTP Basic authentication: puts the request's Credential in `g.credential`."""
from __future__ import annotations

import base64
import binascii

from flask import Flask, current_app, g, request

from lrs.read.credentials import Authenticator, Credential
from lrs.errors import Unauthenticated

# Blueprints without HTTP Basic: About, the profile, the front page (lrs/web/front.py), the
# /api/v1 documentation ("api_docs"), the probes and the metrics (lrs/ops/, blueprints "health"
# and "metrics") are public; the web pages
# (lrs/web/, blueprint "web") sign people in with a session of their own.
PUBLIC = ("about", "profile", "web", "front", "health", "metrics", "api_docs")


def _basic() -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        raise Unauthenticated("HTTP Basic credentials are required (Authorization: Basic ...)")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Unauthenticated("the Authorization header is not valid Basic credentials") from exc
    key, sep, secret = decoded.partition(":")
    if not sep:
        raise Unauthenticated("Basic credentials must be key:secret")
    return key, secret


def authenticate() -> None:
    if request.method == "OPTIONS" or request.blueprint in PUBLIC or request.endpoint is None:
        return
    authenticator: Authenticator = current_app.extensions["lrs.authenticator"]
    g.credential = authenticator.authenticate(*_basic(), address=request.remote_addr)


def credential() -> Credential:
    value: Credential = g.credential
    return value


def register(app: Flask) -> None:
    app.before_request(authenticate)
