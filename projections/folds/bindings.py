"""Credentials bound to a person (nip) or a role (a delegated verifier of a unit kerja, the unit
pengelola kompetensi of an instansi): `lrs credentials create ... --nip/--role`."""
from __future__ import annotations

from typing import Any, Hashable, Mapping

from lrs.events import CREDENTIAL_BOUND, Event
from projections.rules.policy import Policy

NAME = "bindings"


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {CREDENTIAL_BOUND: None}


def key(event: Event, policy: Policy) -> Hashable | None:
    return str(event.payload["key"]) if event.type == CREDENTIAL_BOUND else None


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    # A credential is bound once, when it is created; a second event changes nothing.
    if state is not None:
        return state
    payload = event.payload
    return {"key": payload["key"], "nip": payload.get("nip"), "role": payload.get("role"),
            "instansi": payload.get("instansi"), "unit_kerja": payload.get("unit_kerja"), "seq": event.seq}
