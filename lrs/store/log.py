"""The event log: append(), append_verbatim(), read(), head(). The only writer of the `events`
table."""
from __future__ import annotations

import functools
import queue
import threading
from datetime import datetime, timezone
from typing import Any, Callable, Collection, Generator, Iterator, Mapping, Sequence

from sqlalchemy import Connection, LargeBinary, Row, Select, and_, bindparam, cast, func, literal_column, or_, select

from lrs.errors import BrokenChain
from lrs.events import CHECKPOINT_SIGNED, KEY_PUBLISHED, Event, EventDraft
from lrs.store import chain, hooks
from lrs.store.engine import bulk_insert, is_sqlite
from lrs.store.tables import events


def _event(row: Row[Any]) -> Event:
    """An event from a row of select(events) (unpacked by position: a whole log is read so)."""
    seq, kind, stored, payload, prev_hash, digest = tuple(row)
    return Event(seq, kind, chain.utc(stored), payload, prev_hash, digest)


def head(conn: Connection) -> Event | None:
    """The last event of the log, or None when it is empty."""
    row = conn.execute(select(events).order_by(events.c.seq.desc()).limit(1)).first()
    return _event(row) if row else None


def stored_time(conn: Connection, now: datetime) -> datetime:
    """The `stored` time the next append will get: `now` to the millisecond, never before the
    head's (chain.link clamps the same way), so callers can stamp payloads before appending."""
    return stored_after(head(conn), now)


def stored_after(last: Event | None, now: datetime) -> datetime:
    """stored_time() when the head `last` is already read."""
    moment = chain.truncate_ms(now)
    return max(moment, last.stored) if last else moment


def append(conn: Connection, drafts: Sequence[EventDraft], now: datetime) -> list[Event]:
    """Append drafts after the current head in the caller's transaction, which must come from
    `engine.writing()` so that no other writer can move the head meanwhile."""
    return append_after(conn, head(conn) if drafts else None, drafts, now)


def append_after(conn: Connection, last: Event | None, drafts: Sequence[EventDraft], now: datetime) -> list[Event]:
    """append() after the head `last`, read in the same writing transaction."""
    if not drafts:
        return []
    linked = chain.link(last, drafts, now)
    bulk_insert(conn, events, [
        {"seq": e.seq, "type": e.type, "stored": e.stored, "payload": e.payload_json,
         "prev_hash": e.prev_hash, "hash": e.hash}
        for e in linked
    ])
    if (observed := hooks.of(conn.engine)) is not None:
        observed.appended(linked)
    return linked


def append_verbatim(conn: Connection, logged: Sequence[Event]) -> None:
    """Append events exactly as another store logged them (`lrs import`), in the caller's
    transaction from `engine.writing()`: each must follow the head (seq and prev_hash), its hash
    must recompute from its content, and its stored time may not go back. BrokenChain names the
    first that does not, and nothing of the call is inserted."""
    if not logged:
        return
    last = head(conn)
    broken = chain.verify(logged, last)
    if broken is not None:
        index = next(i for i, e in enumerate(logged) if e.seq == broken)
        before = logged[index - 1].seq if index else (last.seq if last else 0)
        raise BrokenChain(f"the event at seq {broken} does not follow the event at seq {before} (by seq and "
                          "prev_hash), or its hash does not recompute from its seq, type, stored time and payload")
    stored = last.stored if last else None
    for event in logged:
        if stored is not None and event.stored < stored:
            raise BrokenChain(f"the event at seq {event.seq} was stored before the event preceding it")
        stored = event.stored
    bulk_insert(conn, events, [
        {"seq": e.seq, "type": e.type, "stored": e.stored, "payload": e.payload_json,
         "prev_hash": e.prev_hash, "hash": e.hash}
        for e in logged
    ])


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


def stream(conn: Connection, *, after: int = 0, until: int | None = None, batch: int = 5000) -> Iterator[Event]:
    """Every event after `after` (up to `until`), oldest first, read in batches so memory stays flat."""
    while chunk := read(conn, after=after, until=until, limit=batch):
        yield from chunk
        after = chunk[-1].seq


def raw_rows(conn: Connection, *, after: int = 0, until: int | None = None, batch: int = 10_000) -> Iterator[chain.RawRow]:
    """Every event after `after` (up to `until`), oldest first, as plain tuples with the payload
    as the UTF-8 bytes the hash covers: what the hash walk of `lrs verify` reads. One query,
    `batch` rows at a time, so memory stays flat. PostgreSQL: a server-side cursor of the
    driver in binary format, in the caller's transaction (its snapshot), so no value goes
    through text and the payload's bytes come as they are (bytea in text format is hex, twice
    the bytes and a decode)."""
    last = until if until is not None else 2**62
    if is_sqlite(conn):
        query = (select(events.c.seq, events.c.type, events.c.stored, cast(events.c.payload, LargeBinary),
                        events.c.prev_hash, events.c.hash)
                 .where(events.c.seq > after, events.c.seq <= last).order_by(events.c.seq))
        for partition in conn.execution_options(yield_per=batch).execute(query).partitions():
            # naive datetimes there: UTC
            yield from ((s, k, stored.replace(tzinfo=timezone.utc), p, h0, h1) for s, k, stored, p, h0, h1 in partition)
        return
    driver = conn.connection.driver_connection
    cursor = driver.cursor(name="lrs_raw_rows", binary=True)  # type: ignore[union-attr]
    try:
        cursor.itersize = batch
        cursor.execute("SELECT seq, type, stored, convert_to(payload, 'UTF8'), prev_hash, hash FROM events "
                       "WHERE seq > %s AND seq <= %s ORDER BY seq", (after, last))
        for rows in read_ahead(lambda: cursor.fetchmany(batch)):
            yield from rows
    finally:
        cursor.close()


def read_ahead(fetch: Callable[[], list[Any]], depth: int = 2) -> Generator[list[Any], None, None]:
    """The batches `fetch` returns until an empty one, fetched in a thread `depth` ahead of the
    caller: the database (another process, another core) sends the next batch while the caller
    works through this one. Only the thread touches the cursor until it has finished."""
    ready: queue.Queue[list[Any] | BaseException | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.is_set() and (rows := fetch()):
                ready.put(rows)
            ready.put(None)
        except BaseException as exc:  # handed to the caller
            ready.put(exc)

    thread = threading.Thread(target=run, name="log-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let it finish its fetch and see `stop`
            try:
                ready.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()


def at(conn: Connection, seqs: Sequence[int]) -> dict[int, Event]:
    """The events at these seqs (those that exist)."""
    found: dict[int, Event] = {}
    wanted = sorted(set(seqs))
    for start in range(0, len(wanted), 500):
        query = select(events).where(events.c.seq.in_(wanted[start:start + 500]))
        found.update({row.seq: _event(row) for row in conn.execute(query)})
    return found


def stored_times(conn: Connection, seqs: Collection[int]) -> dict[int, datetime]:
    """seq -> stored time of the events at these seqs (those that exist), without their payloads."""
    return {seq: chain.utc(stored) for seq, stored in _column_at(conn, events.c.stored, seqs).items()}


def hashes_of(conn: Connection, seqs: Collection[int]) -> dict[int, str]:
    """seq -> hash of the events at these seqs (those that exist), without their payloads."""
    return {seq: str(digest) for seq, digest in _column_at(conn, events.c.hash, seqs).items()}


def _column_at(conn: Connection, column: Any, seqs: Collection[int]) -> dict[int, Any]:
    """seq -> one column of the events at these seqs (those that exist), 500 seqs a query."""
    found: dict[int, Any] = {}
    wanted = sorted(set(seqs))
    for start in range(0, len(wanted), 500):
        query = select(events.c.seq, column).where(events.c.seq.in_(wanted[start:start + 500]))
        found.update({int(seq): value for seq, value in conn.execute(query)})
    return found


# The audit events, read through partial indexes on their type (tables.py). The type is written
# into the SQL, not bound: a PostgreSQL plan prepared for a parameter cannot use those indexes.
def _of_type(kind: str) -> Any:
    if kind not in (CHECKPOINT_SIGNED, KEY_PUBLISHED):
        raise ValueError(f"{kind!r} has no partial index")
    return events.c.type == literal_column(f"'{kind}'")


def checkpoint_events(conn: Connection, *, offset: int = 0, limit: int | None = None,
                      newest_first: bool = False) -> list[Event]:
    """The `checkpoint.signed` events, oldest first (or newest first)."""
    order = events.c.seq.desc() if newest_first else events.c.seq
    query = select(events).where(_of_type(CHECKPOINT_SIGNED)).order_by(order).offset(offset).limit(limit)
    return [_event(row) for row in conn.execute(query)]


def count_checkpoint_events(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(events).where(_of_type(CHECKPOINT_SIGNED))).scalar_one())


def key_events(conn: Connection, *, before: int | None = None) -> list[Event]:
    """The `key.published` events (before seq `before`), oldest first."""
    query = select(events).where(_of_type(KEY_PUBLISHED)).order_by(events.c.seq)
    if before is not None:
        query = query.where(events.c.seq < before)
    return [_event(row) for row in conn.execute(query)]
