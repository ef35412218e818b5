"""Where a database stands in the log: its last event's seq and stored time. On a streaming
replica that is what it has replayed so far, and because appends are serialized (one writer
holds the log's lock, lrs/store/engine.py writing), a replica replays events in seq order: it
never holds seq 11 without seq 10."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from lrs.store.tables import events


@dataclass(frozen=True)
class Position:
    seq: int  # 0: no event yet
    stored: datetime | None


def position(conn: Connection) -> Position:
    row = conn.execute(select(events.c.seq, events.c.stored).order_by(events.c.seq.desc()).limit(1)).first()
    return Position(0, None) if row is None else Position(int(row.seq), row.stored)
