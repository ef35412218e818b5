"""Read model of credentials marked as trusted sources (an LMS of an instansi or a national one)."""
from __future__ import annotations

from typing import Any, Hashable, Mapping

from lrs.events import SOURCE_TRUSTED, Event
from projections.rules.policy import Policy

NAME = "sources"


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {SOURCE_TRUSTED: None}


def key(event: Event, policy: Policy) -> Hashable | None:
    return str(event.payload["key"]) if event.type == SOURCE_TRUSTED else None


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    return state if state is not None else {"key": event.payload["key"], "seq": event.seq}
