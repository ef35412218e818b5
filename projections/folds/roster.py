"""Roster read model: who is who (status, jabatan, unit kerja, instansi, atasan), from which date."""
from __future__ import annotations

from typing import Any, Hashable, Mapping

from lrs.events import ROSTER_RECORDED, Event
from projections.rules.policy import Policy

NAME = "roster"
HEADER = ("nip", "nama", "status", "jabatan", "unit_kerja", "instansi", "atasan_nip", "effective_from")
OPTIONAL = ("mbox", "jenis_jabatan")


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {ROSTER_RECORDED: None}


def key(event: Event, policy: Policy) -> Hashable | None:
    if event.type != ROSTER_RECORDED:
        return None
    return (event.payload["nip"], event.payload["effective_from"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    # A later row for the same nip and date is a correction: it replaces the earlier one.
    row = {name: event.payload.get(name) for name in (*HEADER, *OPTIONAL)}
    return {**row, "seq": event.seq}
