"""JP claims: the facts of each statement that claims learning (form, declared JP, minutes,
activity date, source). What the facts are worth is decided later, by the policy in force on
the activity date (projections/rules/jp.py), so a late policy or roster needs no rebuild."""
from __future__ import annotations

import json
from typing import Any, Hashable, Mapping

from lrs.events import STATEMENT_STORED, Event
from lrs.xapi.durations import minutes_of
from projections.rules.dates import moment
from projections.rules.policy import Policy
from projections.folds.statement_columns import actor_columns, authority_key, competency_codes, decimal_text

NAME = "jp_claims"


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    """Statements whose text names a counting verb (an IRI is verbatim in canonical JSON)."""
    return {STATEMENT_STORED: tuple(f'"{verb}"' for verb in policy.iris("counting_verbs"))}


def key(event: Event, policy: Policy) -> Hashable | None:
    """The statement id of a statement with a counting verb (a voiding one never counts)."""
    if event.type != STATEMENT_STORED:
        return None
    statement = event.payload
    return str(statement["id"]) if statement["verb"]["id"] in policy.iris("counting_verbs") else None


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    statement = event.payload
    if state is not None:
        return state
    context: Mapping[str, Any] = statement.get("context", {})
    extensions: Mapping[str, Any] = context.get("extensions", {})
    form = extensions.get(policy.iri("learning_form_extension"))
    obj = statement["object"]
    if not isinstance(form, str) or obj.get("objectType", "Activity") != "Activity":
        return None
    when = statement.get("timestamp") or statement["stored"]
    minutes = minutes_of(statement.get("result", {}).get("duration"))
    codes = competency_codes(obj, policy)
    return {
        "statement_id": statement["id"], "seq": event.seq,
        **actor_columns(statement),
        "verb_id": statement["verb"]["id"], "activity_id": obj["id"],
        "registration": context.get("registration"), "form_code": form[:64],
        "jp_declared": decimal_text(extensions.get(policy.iri("jp_extension"))),
        "minutes": None if minutes is None else str(minutes),
        "activity_date": policy.day_of(when).isoformat(),
        "activity_time": moment(when).isoformat(),
        "authority_key": authority_key(statement),
        "competency_codes": None if codes is None else json.dumps(codes),
    }

