"""Statements voided: a voided claim drops out of every JP figure (xAPI Data 2.3.2)."""
from __future__ import annotations

from typing import Any, Hashable

from lrs.events import STATEMENT_STORED, Event
from projections.policy import Policy

NAME = "jp_voids"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def key(event: Event) -> Hashable | None:
    if event.type != STATEMENT_STORED:
        return None
    statement = event.payload
    if statement["verb"]["id"] != VOIDED or statement["object"].get("objectType") != "StatementRef":
        return None
    return str(statement["object"]["id"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    return state if state is not None else {"statement_id": key(event), "seq": event.seq}
