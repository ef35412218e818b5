"""Read model of published policy versions: one row per (policy_id, version), first wins."""
from __future__ import annotations

import json
from typing import Any, Hashable, Mapping

from lrs.events import POLICY_PUBLISHED, Event
from projections.rules.policy import Policy

NAME = "policies"


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {POLICY_PUBLISHED: None}


def key(event: Event, policy: Policy) -> Hashable | None:
    if event.type != POLICY_PUBLISHED:
        return None
    return (event.payload["policy_id"], event.payload["version"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    # A published version is never edited: a second event for it changes nothing.
    if state is not None:
        return state
    document = event.payload
    return {"policy_id": document["policy_id"], "version": document["version"],
            "instansi": document.get("instansi"), "effective_from": document["effective_from"],
            "seq": event.seq, "document": json.dumps(document, sort_keys=True)}
