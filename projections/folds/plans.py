"""Development plans: statements with the policy's planned verb, an Activity object and the
plan-year context extension (the learning a pegawai plans for a year with the atasan)."""
from __future__ import annotations

import json
from typing import Any, Hashable, Mapping

from lrs.events import STATEMENT_STORED, Event
from projections.rules.policy import Policy
from projections.folds.statement_columns import actor_columns, competency_codes, decimal_text

NAME = "plans"


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {STATEMENT_STORED: (f'"{policy.iri("planned_verb")}"',)}


def key(event: Event, policy: Policy) -> Hashable | None:
    if event.type != STATEMENT_STORED:
        return None
    statement = event.payload
    year = statement.get("context", {}).get("extensions", {}).get(policy.iri("plan_year_extension"))
    if (statement["verb"]["id"] != policy.iri("planned_verb") or not isinstance(year, int)
            or statement["object"].get("objectType", "Activity") != "Activity"):
        return None
    return str(statement["id"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    if state is not None:
        return state
    statement = event.payload
    extensions = statement["context"]["extensions"]
    obj = statement["object"]
    codes = competency_codes(obj, policy)
    form = extensions.get(policy.iri("learning_form_extension"))
    name = obj.get("definition", {}).get("name", {})
    return {
        "statement_id": statement["id"], "seq": event.seq,
        **actor_columns(statement),
        "plan_year": extensions[policy.iri("plan_year_extension")], "activity_id": obj["id"],
        "title": next(iter(name.values()), None) if isinstance(name, dict) else None,
        "form_code": form[:64] if isinstance(form, str) else None,
        "jp": decimal_text(extensions.get(policy.iri("jp_extension"))),
        "competency_codes": None if codes is None else json.dumps(codes),
    }
