"""The checkpointed runner: live catch-up, full rebuild and as-of replay share one code path.

A projection module exports NAME, interest(policy), key(event, policy) and
fold(state, event, policy) -> state; `policy` is the national policy in force on the event's
stored date among those published before it, so a replay as of any seq sees the same rules.
The runner is the only code that moves a checkpoint; a batch's rows and checkpoints commit
together, so a crash replays at most one batch and the result is the same. A live run also
queues the stored figures each batch touches, in the same transaction, and a catch-up then
recomputes them (projections/figures.py); a rebuild computes them all once the facts are folded.
Live runs and rebuilds snapshot the read models at multiples of a setting, and an as-of replay
starts from the nearest snapshot (projections/snapshots.py)."""
from __future__ import annotations

import bisect
import gc
from datetime import date
from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator, Mapping, Protocol, Sequence
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine
from sqlalchemy.pool import StaticPool

from lrs.events import POLICY_PUBLISHED, Event
from lrs.store import figure_rows, read_models, snapshot_rows
from lrs.store.engine import make_engine
from lrs.store.tables import metadata
from projections import figures, snapshots
from projections.folds import (
    assessments, bindings, decisions, jp_claims, jp_voids, plans, policies, roster, sources, standards,
)
from projections.log_reader import LogReader
from projections.rules.policy import Policy, PolicySet
from projections.snapshots import Snapshots

Row = dict[str, Any]


class Projection(Protocol):
    NAME: str

    def interest(self, policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
        """The event types this projection may key and, per type, strings one of which the
        payload text holds (None: every event of the type). A cheap filter; key() is exact."""
        ...

    def key(self, event: Event, policy: Policy) -> Hashable | None: ...

    def fold(self, state: Row | None, event: Event, policy: Policy) -> Row | None: ...


PROJECTIONS: tuple[Projection, ...] = (
    policies, sources, bindings, roster, standards, jp_claims, jp_voids, decisions, assessments, plans,
)
BY_NAME: dict[str, Projection] = {p.NAME: p for p in PROJECTIONS}


def run(
    projections: Sequence[Projection], engine: Engine, *, until: int | None = None, batch: int = 5000,
    source: Engine | None = None, on_batch: Callable[[int], None] | None = None, queue_figures: bool = False,
    keep: Snapshots = snapshots.NONE,
) -> int:
    """Fold the events after each projection's checkpoint up to `until` (default: the head),
    `batch` log positions per transaction, reading the log from `source` (default: `engine`).
    Returns the seq every checkpoint has reached. `queue_figures`: queue the stored figures each
    batch touches (a database with jp_figures; never a scratch replay).

    Only events some projection may key are read (see `interest`). A batch ends at a published
    policy, so the events after it are read and folded with what that policy says. With `keep`, a
    batch also ends at each multiple of keep.every, and the read models are snapshotted there
    when all of them (every projection) stood at the batch's start (projections/snapshots.py)."""
    whole = len(projections) == len(PROJECTIONS)
    names = [p.NAME for p in projections]
    with LogReader(source or engine) as reader:
        while True:
            with read_models.projecting(engine) as conn:
                marks = read_models.checkpoints(conn, names)
                start = min(marks.values())
                if until is None:
                    with _reader(conn, source) as src:
                        limit = read_models.head_seq(src)
                else:
                    limit = until
                upper = keep.cut(start, min(start + batch, limit))
                if upper <= start:
                    return start
                known = PolicySet.from_rows(read_models.policy_rows(conn))
                wanted = _wanted(projections, known)
                todo = reader.read(start, upper, wanted, conn if source is None else None)
                reader.read_ahead(upper, keep.cut(upper, min(upper + batch, limit)), wanted)  # while this batch folds
                cut = next((e.seq for e in todo if e.type == POLICY_PUBLISHED), upper)
                upper, todo = cut, [e for e in todo if e.seq <= cut]
                in_force = _policies_for(todo, known)
                policies_here = list({id(p): p for p in in_force}.values())
                changes: list[figures.Change] = []
                for projection in projections:
                    mark = marks[projection.NAME]
                    wants = _Interest(projection)
                    # Most projections key a few event types: skip the others before asking.
                    kinds = {kind for policy in policies_here for kind in projection.interest(policy)}
                    changes += _fold_batch(conn, projection, [(e, p) for e, p in zip(todo, in_force)
                                                              if e.type in kinds and e.seq > mark and wants(e, p)])
                if queue_figures:
                    figures.queue(conn, changes, upper)
                read_models.set_checkpoints(conn, [n for n in names if marks[n] < upper], upper)
                if whole and keep.due(upper) and all(m == start for m in marks.values()):
                    snapshots.take(conn, upper, keep)
            if on_batch is not None:
                on_batch(upper)
            if upper == limit:
                # `until`, or the head read when this batch began: a live catch-up ends without
                # another transaction (an event appended since is caught up after its own append).
                return upper


@contextmanager
def _reader(conn: Connection, source: Engine | None) -> Iterator[Connection]:
    if source is None:
        yield conn
    else:
        with source.connect() as src:
            yield src


def _wanted(projections: Sequence[Projection], known: PolicySet) -> dict[str, tuple[str, ...] | None]:
    """What to read of the log: the union of every projection's interest under every national
    policy known (a superset; key() decides exactly), and always the published policies."""
    wanted: dict[str, tuple[str, ...] | None] = {POLICY_PUBLISHED: None}
    for projection in projections:
        for policy in known.nationals():
            for kind, needles in projection.interest(policy).items():
                if kind in wanted and wanted[kind] is None:
                    continue
                wanted[kind] = None if needles is None else tuple(sorted({*(wanted.get(kind) or ()), *needles}))
    return wanted


class _Interest:
    """The runner's read is a union: this keeps the events one projection is interested in."""

    def __init__(self, projection: Projection) -> None:
        self.projection = projection
        self.by_policy: dict[int, Mapping[str, tuple[str, ...] | None]] = {}

    def __call__(self, event: Event, policy: Policy) -> bool:
        interest = self.by_policy.get(id(policy))
        if interest is None:
            interest = self.by_policy[id(policy)] = self.projection.interest(policy)
        if event.type not in interest:
            return False
        needles = interest[event.type]
        return needles is None or any(n in event.payload_json for n in needles)


def _policies_for(todo: Sequence[Event], known: PolicySet) -> list[Policy]:
    """For each event, the policy in force on the day it was stored (in the policy's timezone)
    among those published before it."""
    seqs = [p.seq for p in known.published]
    cache: dict[tuple[int, date], Policy] = {}
    sets: dict[int, PolicySet] = {}
    found = []
    for event in todo:
        n = bisect.bisect_right(seqs, event.seq)
        then = sets.get(n)
        if then is None:
            then = sets[n] = PolicySet(known.published[:n])
        day = then.day_of(event.stored)
        policy = cache.get((n, day))
        if policy is None:
            policy = cache[(n, day)] = then.policy_in_force(day)
        found.append(policy)
    return found


def _fold_batch(
    conn: Connection, projection: Projection, todo: Sequence[tuple[Event, Policy]],
) -> list[figures.Change]:
    """Fold and save; returns each changed row, before and after."""
    keyed = [(k, e, p) for e, p in todo if (k := projection.key(e, p)) is not None]
    if not keyed:
        return []
    loaded = read_models.load(conn, projection.NAME, {k for k, _, _ in keyed})
    touched: dict[Hashable, Row | None] = {}
    for k, event, policy in keyed:
        state = touched[k] if k in touched else loaded.get(k)
        new = projection.fold(state, event, policy)
        if new is not state:
            touched[k] = new
    read_models.save(conn, projection.NAME, touched, loaded.keys())
    return [(projection.NAME, loaded.get(k), new) for k, new in touched.items()]


# Engines a server's projector thread catches up (lrs/app.py), with the call that wakes it.
_projectors: WeakKeyDictionary[Engine, Callable[[], None]] = WeakKeyDictionary()


def hand_off(engine: Engine, wake: Callable[[], None]) -> None:
    """From now on a catch-up on `engine` recomputes at most one batch of figures and wakes
    `wake` (the projector thread) for the rest: a policy published or a roster imported in a
    request returns once the projections are folded, and its fan-out runs in the background."""
    _projectors[engine] = wake


def catch_up(engine: Engine, *, batch: int = 5000, keep: Snapshots | None = None) -> int:
    """Live update: fold whatever the log holds beyond the checkpoints (after each append), then
    recompute the stored figures that changed: all of them, or, on an engine handed off to a
    projector thread (hand_off), one batch, waking the thread while more wait, so that new
    statements are folded between the batches of a large fan-out. Snapshot the read models at
    each multiple of keep.every passed (default: the settings configured for the engine,
    snapshots.of)."""
    keep = snapshots.of(engine) if keep is None else keep
    seq = run(PROJECTIONS, engine, batch=batch, queue_figures=True, keep=keep)
    wake = _projectors.get(engine)
    step = figures.BATCH
    done = figures.refresh(engine, list(BY_NAME), batch=step, limit=None if wake is None else step)
    if wake is not None and done >= step and figures.waiting(engine):  # a batch short of `step` emptied the queue
        wake()
    return seq


def rebuild(
    engine: Engine, names: Sequence[str] = (), *, batch: int = 10_000,
    on_batch: Callable[[int], None] | None = None, keep: Snapshots | None = None,
) -> int:
    """Clear the named projections (default: all) and fold the whole log again. The others
    are caught up first, so a rebuilt projection sees the same reference data. The snapshots go
    too (a rebuild follows a changed fold); a whole rebuild takes about keep.kept new ones."""
    keep = snapshots.of(engine) if keep is None else keep
    chosen = [BY_NAME[n] for n in names] or list(PROJECTIONS)
    if len(chosen) < len(PROJECTIONS):
        catch_up(engine, keep=keep)
    with read_models.projecting(engine) as conn:
        snapshots.clear(conn)
        for projection in chosen:
            read_models.clear(conn, projection.NAME)
        head = read_models.head_seq(conn)
    ordered = [p for p in PROJECTIONS if p in chosen]
    # A rebuild parses millions of payloads into short-lived, acyclic dicts (freed by reference
    # counting); the cyclic collector's full passes over them cost ~15% of the time. A rebuild is
    # a command of its own (`lrs projections rebuild`, not a server thread), so it pauses it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        seq = run(ordered, engine, batch=batch, on_batch=on_batch, keep=snapshots.for_rebuild(keep, head))
        # The figures in bulk, once the facts are folded: queueing what each batch touches
        # costs a query per changed row and computes a pegawai's figure again at every batch.
        figures.recompute_all(engine, list(BY_NAME))
    finally:
        if collecting:
            gc.enable()
    return seq


def status(engine: Engine) -> list[tuple[str, int, int]]:
    """(name, checkpoint, lag in events) of every projection."""
    with engine.connect() as conn:
        head = read_models.head_seq(conn)
        marks = read_models.checkpoints(conn, BY_NAME)
    return [(name, seq, head - seq) for name, seq in marks.items()]


def figure_status(engine: Engine) -> tuple[int, int | None]:
    """How many stored figures wait to be recomputed, and the oldest seq that queued one."""
    with engine.connect() as conn:
        return figure_rows.pending(conn)


def replay(engine: Engine, until: int, *, into: Engine | None = None, batch: int = 10_000,
           from_snapshot: bool = True) -> Engine:
    """As-of replay: fold the log up to `until` into a fresh in-memory SQLite database through
    the same run(); read it with the same queries as the live tables. The caller disposes it.
    `into` is an earlier replay to carry forward (its checkpoints are at or before `until`);
    without one, the nearest snapshot at or before `until` is restored first, if there is one
    (`from_snapshot`: else the log is folded from the first event, as bench/reports.py compares)."""
    scratch = into
    if scratch is None:
        # One in-memory database on one connection (StaticPool), used by whichever thread holds
        # the Replays lock: a server keeps it and reads it from any request thread.
        scratch = make_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        tables = [read_models.TABLES[p.NAME][0] for p in PROJECTIONS]
        with scratch.begin() as conn:
            snapshot_rows.create_bare(conn, [*tables, metadata.tables["projection_checkpoints"]])
        if from_snapshot:
            snapshots.restore(engine, scratch, until)  # into the tables without their indexes
        with scratch.begin() as conn:
            snapshot_rows.create_indexes(conn, tables)
    run(PROJECTIONS, scratch, until=until, batch=batch, source=engine)
    return scratch
