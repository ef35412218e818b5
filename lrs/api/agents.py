"""The Agents resource: GET (HEAD) /xapi/agents, the Person object of an Agent
(xAPI 1.0.3 Communication 2.4)."""
from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from lrs.api.context import engine
from lrs.read import statements as reads
from lrs.api import params
from lrs.api.auth import credential
from lrs.api.bodies import json_reply

bp = Blueprint("agents", __name__, url_prefix="/xapi/agents")


@bp.get("")
def get_person() -> ResponseReturnValue:
    credential().require("profile")
    agent = params.agent_query(request.args)
    return json_reply(reads.get_person(engine(), agent))
