"""Competency assessments: statements with the policy's assessment verb whose object is a
competency (its code in the competency-codes activity extension) and whose result carries the
level; the assessor is context.instructor. The latest assessment of a competency is the
assessed level (projections/competencies.py); training never changes it (domain brief 6.3)."""
from __future__ import annotations

import json
from typing import Any, Hashable, Mapping

from lrs.events import STATEMENT_STORED, Event
from projections.policy import Policy

NAME = "assessments"


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {STATEMENT_STORED: (f'"{policy.iri("assessment_verb")}"',)}


def _codes(activity: Mapping[str, Any], policy: Policy) -> list[str]:
    codes = activity.get("definition", {}).get("extensions", {}).get(policy.iri("competency_codes_extension"))
    return [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else []


def key(event: Event, policy: Policy) -> Hashable | None:
    if event.type != STATEMENT_STORED:
        return None
    statement = event.payload
    if statement["verb"]["id"] != policy.iri("assessment_verb"):
        return None
    level = statement.get("result", {}).get("extensions", {}).get(policy.iri("competency_level_extension"))
    if not _codes(statement["object"], policy) or not isinstance(level, int) or isinstance(level, bool):
        return None
    return str(statement["id"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    if state is not None:
        return state
    statement = event.payload
    actor = statement["actor"]
    account = actor.get("account") or {}
    assessor = statement.get("context", {}).get("instructor")
    return {
        "statement_id": statement["id"], "seq": event.seq,
        "home_page": account.get("homePage"), "account": account.get("name"), "mbox": actor.get("mbox"),
        "competency": _codes(statement["object"], policy)[0][:64],
        "level": statement["result"]["extensions"][policy.iri("competency_level_extension")],
        "assessor": None if assessor is None else json.dumps(assessor, sort_keys=True, ensure_ascii=False),
        "assessed_at": statement.get("timestamp") or statement["stored"],
    }
