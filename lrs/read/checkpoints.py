"""Read side of signed checkpoints: the `checkpoint.signed` events of the log with the public
keys that signed them, in the form an outside party keeps and `lrs verify --checkpoint` reads.
No Flask, no SQL text."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from lrs.errors import NotFound
from lrs.events import Event
from lrs.store import log
from lrs.store.engine import reading


@dataclass(frozen=True)
class CheckpointPage:
    checkpoints: list[dict[str, Any]]  # oldest first
    keys: list[dict[str, Any]]  # every published key
    count: int  # checkpoints in the log


def _keys(conn: Connection) -> list[dict[str, Any]]:
    return [{**e.payload, "event_seq": e.seq} for e in log.key_events(conn)]


def _shaped(event: Event, keys: list[dict[str, Any]]) -> dict[str, Any]:
    """The event's payload as the log holds it (nothing hidden or mended), with the public key
    it names and its own seq: a document `lrs verify --checkpoint` takes as it is."""
    found = next((k.get("public_key") for k in keys if k.get("key_id") == event.payload.get("key_id")), None)
    return {**event.payload, "public_key": found, "event_seq": event.seq}


def list_checkpoints(engine: Engine, *, offset: int, limit: int) -> CheckpointPage:
    with reading(engine) as conn:
        keys = _keys(conn)
        found = log.checkpoint_events(conn, offset=offset, limit=limit)
        count = log.count_checkpoint_events(conn)
    return CheckpointPage([_shaped(e, keys) for e in found], keys, count)


def latest_checkpoint(engine: Engine) -> dict[str, Any]:
    with reading(engine) as conn:
        keys = _keys(conn)
        found = log.checkpoint_events(conn, limit=1, newest_first=True)
    if not found:
        raise NotFound("no checkpoint is signed yet: the server signs one every LRS_CHECKPOINT_SECONDS when it "
                       "has a signing key, or run `lrs checkpoint`")
    return _shaped(found[0], keys)
