"""The Activities resource: GET (HEAD) /xapi/activities, the canonical Activity definition
(xAPI 1.0.3 Communication 2.5)."""
from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from lrs.api.context import engine
from lrs.read import statements as reads
from lrs.api import params
from lrs.api.auth import credential
from lrs.api.bodies import json_reply

bp = Blueprint("activities", __name__, url_prefix="/xapi/activities")


@bp.get("")
def get_activity() -> ResponseReturnValue:
    credential().require("profile")
    activity_id = params.activity_query(request.args)
    return json_reply(reads.get_activity(engine(), activity_id))
