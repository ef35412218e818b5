"""The event log: append(), read(), head(). The only writer of the `events` table."""
from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy import Connection, Row, Select, and_, bindparam, func, or_, select

from lrs.events import Event, EventDraft
from lrs.store import chain
from lrs.store.engine import bulk_insert, is_sqlite
from lrs.store.tables import events


def _event(row: Row[Any]) -> Event:
    return Event(row.seq, row.type, chain.utc(row.stored), row.payload, row.prev_hash, row.hash)


def head(conn: Connection) -> Event | None:
    """The last event of the log, or None when it is empty."""
    row = conn.execute(select(events).order_by(events.c.seq.desc()).limit(1)).first()
    return _event(row) if row else None


def stored_time(conn: Connection, now: datetime) -> datetime:
    """The `stored` time the next append will get: `now` to the millisecond, never before the
    head's (chain.link clamps the same way), so callers can stamp payloads before appending."""
    last = head(conn)
    moment = chain.truncate_ms(now)
    return max(moment, last.stored) if last else moment


def append(conn: Connection, drafts: Sequence[EventDraft], now: datetime) -> list[Event]:
    """Append drafts after the current head in the caller's transaction, which must come from
    `engine.writing()` so that no other writer can move the head meanwhile."""
    if not drafts:
        return []
    linked = chain.link(head(conn), drafts, now)
    bulk_insert(conn, events, [
        {"seq": e.seq, "type": e.type, "stored": e.stored, "payload": e.payload_json,
         "prev_hash": e.prev_hash, "hash": e.hash}
        for e in linked
    ])
    return linked


def read(
    conn: Connection, *, after: int = 0, until: int | None = None, limit: int | None = None
) -> list[Event]:
    """Events with after < seq <= until, oldest first."""
    query = select(events).where(events.c.seq > after).order_by(events.c.seq)
    if until is not None:
        query = query.where(events.c.seq <= until)
    if limit is not None:
        query = query.limit(limit)
    return [_event(row) for row in conn.execute(query).all()]


def read_matching(
    conn: Connection, *, after: int, until: int, wanted: Mapping[str, Sequence[str] | None]
) -> list[Event]:
    """Events with after < seq <= until, oldest first, of the types in `wanted`; where a type
    maps to strings, only the events whose payload text holds at least one of them.

    Payloads are canonical JSON, so an IRI a reader looks for appears verbatim: the database
    skips the other events without sending them (projections/runner.py)."""
    key = tuple((kind, None if needles is None else tuple(needles)) for kind, needles in wanted.items())
    query = _matching(is_sqlite(conn), key)
    if query is None:
        return []
    return [_event(row) for row in conn.execute(query, {"after": after, "until": until}).all()]


@functools.lru_cache(maxsize=64)
def _matching(sqlite: bool, wanted: tuple[tuple[str, tuple[str, ...] | None], ...]) -> Select[Any] | None:
    """The read_matching query of one `wanted`, built once (live catch-up runs it per append)."""
    find = func.instr if sqlite else func.strpos
    chosen = []
    for kind, needles in wanted:
        if needles is None:
            chosen.append(events.c.type == kind)
        elif needles:
            chosen.append(and_(events.c.type == kind, or_(*[find(events.c.payload, n) > 0 for n in needles])))
    if not chosen:
        return None
    return (select(events).where(events.c.seq > bindparam("after"), events.c.seq <= bindparam("until"),
                                 or_(*chosen)).order_by(events.c.seq))


def stream(conn: Connection, *, after: int = 0, batch: int = 5000) -> Iterator[Event]:
    """Every event after `after`, oldest first, read in batches so memory stays flat."""
    while chunk := read(conn, after=after, limit=batch):
        yield from chunk
        after = chunk[-1].seq
