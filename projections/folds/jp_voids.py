"""Statements voided: a voided claim drops out of every JP figure (xAPI Data 2.3.2)."""
from __future__ import annotations

from typing import Any, Hashable, Mapping

from lrs.events import STATEMENT_STORED, Event
from lrs.vocabulary import VOIDED_VERB as VOIDED
from projections.rules.policy import Policy

NAME = "jp_voids"


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {STATEMENT_STORED: (f'"{VOIDED}"',)}  # an IRI is verbatim in canonical JSON


def key(event: Event, policy: Policy) -> Hashable | None:
    if event.type != STATEMENT_STORED:
        return None
    statement = event.payload
    if statement["verb"]["id"] != VOIDED or statement["object"].get("objectType") != "StatementRef":
        return None
    return str(statement["object"]["id"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    return state if state is not None else {"statement_id": event.payload["object"]["id"], "seq": event.seq}
