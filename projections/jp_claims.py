"""JP claims: the facts of each statement that claims learning (form, declared JP, minutes,
activity date, source). What the facts are worth is decided later, by the policy in force on
the activity date (projections/jp_totals.py), so a late policy or roster needs no rebuild."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Hashable, Mapping
from zoneinfo import ZoneInfo

from lrs.events import STATEMENT_STORED, Event
from projections.policy import Policy
from projections.statement_facts import actor_columns, authority_key, competency_codes, decimal_text

NAME = "jp_claims"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
MINUTES = {"d": Decimal(1440), "h": Decimal(60), "m": Decimal(1), "s": Decimal(1) / Decimal(60)}


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    """Statements whose text names a counting verb (an IRI is verbatim in canonical JSON)."""
    return {STATEMENT_STORED: tuple(f'"{verb}"' for verb in policy.iris("counting_verbs"))}


def key(event: Event, policy: Policy) -> Hashable | None:
    """The statement id of a statement with a counting verb (a voiding one never counts)."""
    if event.type != STATEMENT_STORED:
        return None
    statement = event.payload
    return str(statement["id"]) if statement["verb"]["id"] in policy.iris("counting_verbs") else None


def minutes_of(duration: str | None) -> Decimal | None:
    """Minutes in an ISO 8601 duration (days, hours, minutes, seconds), or None."""
    match = DURATION.match(duration or "")
    if not duration or match is None:
        return None
    total = sum((Decimal(v) * MINUTES[k] for k, v in match.groupdict().items() if v), Decimal(0))
    return total.quantize(Decimal("0.01"))


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
    when = datetime.fromisoformat(statement.get("timestamp") or statement["stored"])
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    minutes = minutes_of(statement.get("result", {}).get("duration"))
    codes = competency_codes(obj, policy)
    return {
        "statement_id": statement["id"], "seq": event.seq,
        **actor_columns(statement),
        "verb_id": statement["verb"]["id"], "activity_id": obj["id"],
        "registration": context.get("registration"), "form_code": form[:64],
        "jp_declared": decimal_text(extensions.get(policy.iri("jp_extension"))),
        "minutes": None if minutes is None else str(minutes),
        "activity_date": when.astimezone(ZoneInfo(policy.timezone)).date().isoformat(),
        "activity_time": when.isoformat(),
        "authority_key": authority_key(statement),
        "competency_codes": None if codes is None else json.dumps(codes),
    }

