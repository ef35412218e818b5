"""The checkpointed runner: live catch-up, full rebuild and as-of replay share one code path.

A projection module exports NAME, key(event) and fold(state, event, policy) -> state. The runner
is the only code that moves a checkpoint; a batch's rows and checkpoints commit together, so a
crash replays at most one batch and the result is the same."""
from __future__ import annotations

import bisect
import functools
import json
from datetime import date
from typing import Any, Callable, Hashable, Protocol, Sequence

from sqlalchemy import Connection, Engine
from sqlalchemy.pool import StaticPool

from lrs.events import POLICY_PUBLISHED, Event
from lrs.store import log, read_models
from lrs.store.engine import make_engine
from lrs.store.tables import metadata
from projections import jp_claims, jp_voids, policies, roster, sources
from projections.policy import Policy, PolicySet, Published

Row = dict[str, Any]


class Projection(Protocol):
    NAME: str

    def key(self, event: Event) -> Hashable | None: ...

    def fold(self, state: Row | None, event: Event, policy: Policy) -> Row | None: ...


# Reference data first: a batch's claims are folded with the policies that batch published.
PROJECTIONS: tuple[Projection, ...] = (policies, sources, roster, jp_claims, jp_voids)
BY_NAME: dict[str, Projection] = {p.NAME: p for p in PROJECTIONS}


class _Parsed(Event):
    """An event whose payload is parsed once, however many projections read it."""

    @functools.cached_property
    def payload(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.payload_json)
        return value


def _parsed(event: Event) -> Event:
    return _Parsed(event.seq, event.type, event.stored, event.payload_json, event.prev_hash, event.hash)


def _published(rows: Sequence[Row]) -> list[Published]:
    return [Published(json.loads(r["document"]), int(r["seq"])) for r in rows]


def run(
    projections: Sequence[Projection], engine: Engine, *, until: int | None = None, batch: int = 1000,
    source: Engine | None = None, on_batch: Callable[[int], None] | None = None,
) -> int:
    """Fold events after each projection's checkpoint up to `until` (default: the head), `batch`
    events per transaction, reading the log from `source` (default: `engine`). Returns the last
    seq folded. Policies published in a batch apply to the events after them in it."""
    names = [p.NAME for p in projections]
    done = 0
    while True:
        with read_models.projecting(engine) as conn:
            marks = read_models.checkpoints(conn, names)
            start = min(marks.values())
            if source is None:
                todo = log.read(conn, after=start, until=until, limit=batch)
            else:
                with source.connect() as src:
                    todo = log.read(src, after=start, until=until, limit=batch)
            if not todo:
                return start
            parsed = [_parsed(e) for e in todo]
            known = PolicySet.of(_published(read_models.policy_rows(conn)))
            for projection in projections:
                mark = marks[projection.NAME]
                _fold_batch(conn, projection, [e for e in parsed if e.seq > mark], known)
                if projection is policies and any(e.type == POLICY_PUBLISHED for e in parsed):
                    # The projections after it fold with the policies this batch published.
                    known = PolicySet.of(_published(read_models.policy_rows(conn)))
            done = todo[-1].seq
            read_models.set_checkpoints(conn, [n for n in names if marks[n] < done], done)
        if on_batch is not None:
            on_batch(done)


def _fold_batch(conn: Connection, projection: Projection, todo: Sequence[Event], known: PolicySet) -> None:
    keyed = [(k, e) for e in todo if (k := projection.key(e)) is not None]
    if not keyed:
        return
    loaded = read_models.load(conn, projection.NAME, {k for k, _ in keyed})
    touched: dict[Hashable, Row | None] = {}
    seqs = [p.seq for p in known.published]

    @functools.lru_cache(maxsize=256)
    def in_force(count: int, day: date) -> Policy:
        return PolicySet(known.published[:count]).policy_in_force(day)

    for k, event in keyed:
        state = touched[k] if k in touched else loaded.get(k)
        # The policies known when the event was stored: a replay as of any seq agrees.
        policy = in_force(bisect.bisect_right(seqs, event.seq), event.stored.date())
        new = projection.fold(state, event, policy)
        if new is not state:
            touched[k] = new
    read_models.save(conn, projection.NAME, touched)


def catch_up(engine: Engine, *, batch: int = 1000) -> int:
    """Live update: fold whatever the log holds beyond the checkpoints (after each append)."""
    return run(PROJECTIONS, engine, batch=batch)


def rebuild(
    engine: Engine, names: Sequence[str] = (), *, batch: int = 5000,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Clear the named projections (default: all) and fold the whole log again. The others
    are caught up first, so a rebuilt projection sees the same reference data."""
    chosen = [BY_NAME[n] for n in names] or list(PROJECTIONS)
    if len(chosen) < len(PROJECTIONS):
        catch_up(engine)
    with read_models.projecting(engine) as conn:
        for projection in chosen:
            read_models.clear(conn, projection.NAME)
    ordered = [p for p in PROJECTIONS if p in chosen]
    return run(ordered, engine, batch=batch, on_batch=on_batch)


def status(engine: Engine) -> list[tuple[str, int, int]]:
    """(name, checkpoint, lag in events) of every projection."""
    with engine.connect() as conn:
        head = read_models.head_seq(conn)
        marks = read_models.checkpoints(conn, BY_NAME)
    return [(name, seq, head - seq) for name, seq in marks.items()]


def replay(engine: Engine, until: int, *, batch: int = 5000) -> Engine:
    """As-of replay: fold the log up to `until` into a fresh in-memory SQLite database through
    the same run(); read it with the same queries as the live tables. The caller disposes it."""
    scratch = make_engine("sqlite://", poolclass=StaticPool)
    tables = [read_models.TABLES[p.NAME][0] for p in PROJECTIONS]
    metadata.create_all(scratch, tables=[*tables, metadata.tables["projection_checkpoints"]])
    run(PROJECTIONS, scratch, until=until, batch=batch, source=engine)
    return scratch
