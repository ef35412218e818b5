"""The About resource: which xAPI versions this LRS speaks. Needs no credentials."""
from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

bp = Blueprint("about", __name__, url_prefix="/xapi/about")

VERSIONS = ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]


@bp.get("")
def about() -> ResponseReturnValue:
    return {"version": VERSIONS, "extensions": {"https://jejak.example/xapi/ext/lrs": "Jejak LRS"}}
