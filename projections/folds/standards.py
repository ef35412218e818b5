"""Competency standards of positions (standar kompetensi jabatan, PermenPANRB 38/2017): the level
each competency requires in a jabatan, of one instansi or of every one (instansi empty), from a
date."""
from __future__ import annotations

from typing import Any, Hashable, Mapping

from lrs.events import STANDARD_RECORDED, Event
from projections.rules.policy import Policy

NAME = "standards"
HEADER = ("instansi", "jabatan", "kompetensi", "jenis", "level", "effective_from")


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {STANDARD_RECORDED: None}


def key(event: Event, policy: Policy) -> Hashable | None:
    if event.type != STANDARD_RECORDED:
        return None
    p = event.payload
    return (p["instansi"], p["jabatan"], p["kompetensi"], p["effective_from"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    # A later row for the same instansi, jabatan, competency and date corrects the earlier one.
    return {**{name: event.payload[name] for name in HEADER}, "seq": event.seq}
