"""Snapshots of the read models, so an as-of replay folds only the events after the nearest one.

The runner takes one in the transaction whose batch ends at a multiple of `every` (it cuts its
batches there), when every projection stood at the batch's start: the tables then hold exactly
the fold of the log up to that seq, which is all a snapshot is. They are derived data: a replay
restores the nearest one at or before its seq into the scratch database and folds the rest
through the same run(); with none it folds from the first event, to the same rows. A rebuild
drops them (it is run when a fold changed, which would make them stale) and takes them again.

At most `kept` stay. Past that, the one whose removal leaves the smallest gap between its
neighbours goes (never the newest), so the kept ones spread over the whole log and an as-of
anywhere replays at most about head / kept events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, Table

from lrs.config import DefaultConfig
from lrs.store import read_models, snapshot_rows


@dataclass(frozen=True)
class Snapshots:
    every: int = DefaultConfig.SNAPSHOT_EVERY  # events between two snapshots; 0 takes none
    kept: int = DefaultConfig.SNAPSHOTS_KEPT

    def cut(self, start: int, upper: int) -> int:
        """Where a batch from `start` toward `upper` ends: at the next multiple of `every`."""
        if self.every <= 0 or self.kept <= 0:
            return upper
        return min(upper, (start // self.every + 1) * self.every)

    def due(self, seq: int) -> bool:
        return self.every > 0 and self.kept > 0 and seq > 0 and seq % self.every == 0


NONE = Snapshots(every=0, kept=0)
DEFAULT = Snapshots()

# The settings a server (create_app) or a command gives its engine, so that every catch-up on it
# (after an append inside a request, a policy published, a report read) snapshots as configured,
# not only its projector thread's. Keyed weakly: an engine takes its settings with it.
_configured: WeakKeyDictionary[Engine, Snapshots] = WeakKeyDictionary()


def configure(engine: Engine, settings: Snapshots) -> None:
    _configured[engine] = settings


def of(engine: Engine) -> Snapshots:
    """The snapshot settings configured for this engine (DEFAULT when none were)."""
    return _configured.get(engine, DEFAULT)


def for_rebuild(settings: Snapshots, head: int) -> Snapshots:
    """A rebuild over `head` events takes about `kept` snapshots, not head / every: the others
    would be pruned as soon as taken, and each costs a pass over every read model table."""
    if settings.every <= 0 or settings.kept <= 0:
        return settings
    span = settings.every * max(1, -(-head // (settings.every * settings.kept)))
    return Snapshots(every=span, kept=settings.kept)


def to_prune(seqs: Sequence[int], kept: int) -> list[int]:
    """Which snapshot seqs to remove so that `kept` stay: repeatedly the one (not the newest)
    whose neighbours are closest together, the older on a tie."""
    left = sorted(seqs)
    gone: list[int] = []
    while len(left) > max(kept, 0):
        if kept <= 0:
            return sorted(gone + left)
        gaps = [(left[i + 1] - (left[i - 1] if i else 0), i) for i in range(len(left) - 1)]
        _, index = min(gaps)
        gone.append(left.pop(index))
    return sorted(gone)


def _tables() -> dict[str, Table]:
    return {name: table for name, (table, _) in read_models.TABLES.items()}


def take(conn: Connection, seq: int, settings: Snapshots) -> None:
    """Snapshot the read models as they stand in this projecting transaction, at `seq`, unless
    one is kept there; then prune to `settings.kept`."""
    have = snapshot_rows.seqs(conn)
    if seq not in have:
        snapshot_rows.write(conn, seq, _tables(), datetime.now(timezone.utc))
        have.append(seq)
    snapshot_rows.remove(conn, to_prune(have, settings.kept))


def nearest(engine: Engine, until: int) -> int:
    """The seq of the snapshot an as-of replay to `until` would start from (0: none)."""
    with engine.connect() as conn:
        return snapshot_rows.nearest(conn, until, _tables()) or 0


def restore(source: Engine, scratch: Engine, until: int) -> int:
    """Copy the nearest snapshot at or before `until` from `source` into the empty read models of
    `scratch` and set their checkpoints to its seq. Returns that seq (0: none, nothing copied)."""
    tables = _tables()
    with source.connect() as src:
        with src.begin():
            seq = snapshot_rows.nearest(src, until, tables)
            if seq is None:
                return 0
            with scratch.begin() as conn:
                for name, rows in snapshot_rows.parts(src, seq):
                    snapshot_rows.insert_part(conn, tables[name], rows)
                read_models.set_checkpoints(conn, list(tables), seq)
    return seq


def status(engine: Engine) -> list[dict[str, Any]]:
    """Each kept snapshot: seq, rows, bytes, taken; and whether it can be restored (its shape is
    that of the read models now)."""
    current = snapshot_rows.shape(_tables())
    with engine.connect() as conn:
        return [{**row, "usable": row["shape"] == current} for row in snapshot_rows.listing(conn)]


def clear(conn: Connection) -> None:
    snapshot_rows.clear(conn)

