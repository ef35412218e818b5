"""Competency assessments: statements with the policy's assessment verb whose object is a
competency (its code in the competency-codes activity extension) and whose result carries the
level; the assessor is context.instructor, the credential that posted it its authority. The
latest assessment of a competency that the posting credential may make is the assessed level
(projections/rules/competency.py); training never changes it (domain brief 6.3)."""
from __future__ import annotations

import json
from typing import Any, Hashable, Mapping

from lrs.events import STATEMENT_STORED, Event
from projections.rules.policy import Policy
from projections.folds.statement_columns import actor_columns, authority_key, competency_codes

NAME = "assessments"


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {STATEMENT_STORED: (f'"{policy.iri("assessment_verb")}"',)}


def key(event: Event, policy: Policy) -> Hashable | None:
    if event.type != STATEMENT_STORED:
        return None
    statement = event.payload
    if statement["verb"]["id"] != policy.iri("assessment_verb"):
        return None
    level = statement.get("result", {}).get("extensions", {}).get(policy.iri("competency_level_extension"))
    if not competency_codes(statement["object"], policy) or not isinstance(level, int) or isinstance(level, bool):
        return None
    return str(statement["id"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    if state is not None:
        return state
    statement = event.payload
    codes = competency_codes(statement["object"], policy) or [""]
    assessor = statement.get("context", {}).get("instructor")
    return {
        "statement_id": statement["id"], "seq": event.seq,
        **actor_columns(statement), "competency": codes[0][:64],
        "level": statement["result"]["extensions"][policy.iri("competency_level_extension")],
        "assessor": None if assessor is None else json.dumps(assessor, sort_keys=True, ensure_ascii=False),
        "assessed_at": statement.get("timestamp") or statement["stored"],
        "authority_key": authority_key(statement),
    }
