"""What the statement projections (jp_claims, decisions, assessments, plans) take from a
statement in the same way: who it is about, which credential sent it, decimal values, and the
competency codes an activity names."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from lrs.vocabulary import CREDENTIALS_HOME
from projections.rules.policy import Policy



def actor_columns(statement: Mapping[str, Any]) -> dict[str, Any]:
    """home_page, account and mbox of the statement's actor: how a report finds the pegawai."""
    actor = statement["actor"]
    account = actor.get("account") or {}
    return {"home_page": account.get("homePage"), "account": account.get("name"), "mbox": actor.get("mbox")}


def authority_key(statement: Mapping[str, Any]) -> str | None:
    """The key of the credential that sent the statement (its authority, set by this LRS)."""
    authority = statement.get("authority", {}).get("account") or {}
    name = authority.get("name")
    return name if authority.get("homePage") == CREDENTIALS_HOME and isinstance(name, str) else None


def decimal_text(value: Any) -> str | None:
    """A JSON number (or numeric text) as decimal text, when it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return str(number) if number.is_finite() and number >= 0 else None


def competency_codes(activity: Mapping[str, Any], policy: Policy) -> list[str] | None:
    """The codes in the activity definition's competency-codes extension, or None."""
    codes = activity.get("definition", {}).get("extensions", {}).get(policy.iri("competency_codes_extension"))
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        return None
    return codes
