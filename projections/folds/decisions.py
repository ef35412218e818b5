"""Decisions on claims: statements whose verb is the policy's approval, rejection or validation
verb and whose object is a StatementRef to the claim. The facts only; whether a decision has
effect (who posted it, whether they may decide) is judged when a report is read."""
from __future__ import annotations

from typing import Any, Hashable, Mapping

from lrs.events import STATEMENT_STORED, Event
from projections.rules.policy import Policy
from projections.folds.statement_columns import actor_columns, authority_key, decimal_text

NAME = "decisions"
KINDS = {"approval_verb": "approved", "rejection_verb": "rejected", "validation_verb": "validated"}


def _kind(verb: str, policy: Policy) -> str | None:
    return next((kind for name, kind in KINDS.items() if policy.iri(name) == verb), None)


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {STATEMENT_STORED: tuple(f'"{policy.iri(name)}"' for name in KINDS)}


def key(event: Event, policy: Policy) -> Hashable | None:
    if event.type != STATEMENT_STORED:
        return None
    statement = event.payload
    if statement["object"].get("objectType") != "StatementRef" or _kind(statement["verb"]["id"], policy) is None:
        return None
    return str(statement["id"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    if state is not None:
        return state
    statement = event.payload
    result: Mapping[str, Any] = statement.get("result", {})
    extensions: Mapping[str, Any] = result.get("extensions", {})
    reason = extensions.get(policy.iri("reason_extension"), result.get("response"))
    return {
        "statement_id": statement["id"], "seq": event.seq, "target_id": statement["object"]["id"],
        "kind": _kind(statement["verb"]["id"], policy),
        "authority_key": authority_key(statement), **actor_columns(statement),
        "jp": decimal_text(extensions.get(policy.iri("jp_approved_extension"))),
        "reason": reason if isinstance(reason, str) else None,
        "decided_at": statement.get("timestamp") or statement["stored"],
    }
