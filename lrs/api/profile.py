"""Jejak's xAPI Profile, served at a stable URL without credentials (it is public reference data),
like an xAPI Profile Server would serve it, as JSON-LD."""
from __future__ import annotations

import json

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue

from lrs.xapi import profile

bp = Blueprint("profile", __name__, url_prefix="/profiles")


@bp.get("/jejak")
@bp.get("/jejak.jsonld")
def jejak() -> ResponseReturnValue:
    body = json.dumps(profile.load().document, ensure_ascii=False, indent=2)
    return Response(body, mimetype=profile.MEDIA_TYPE)
