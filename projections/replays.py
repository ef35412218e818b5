"""Replays as of past seqs, kept for reuse by a long-running server.

The log only grows, so a replay as of seq S stays right forever. The server keeps the last few;
an as-of request at or after a kept one carries it forward (folding only the events between)
instead of replaying from the first event, or from the nearest snapshot when that is nearer
(projections/snapshots.py). One lock: a scratch database is one SQLite connection, so its
replays and reads are serialized; live (non as-of) reads never wait here."""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, Engine

from projections import runner, snapshots


class Replays:
    def __init__(self, engine: Engine, size: int) -> None:
        self.engine = engine
        self.size = size
        self._kept: OrderedDict[int, Engine] = OrderedDict()  # until -> scratch, least recent first
        self._lock = threading.Lock()

    @contextmanager
    def connect(self, until: int) -> Iterator[Connection]:
        """A connection to the read models as they stood at seq `until`."""
        with self._lock:
            scratch = self._kept.pop(until, None)
            if scratch is None:
                # Carry forward the latest kept replay before `until`, unless a snapshot is nearer.
                nearest = snapshots.nearest(self.engine, until)
                earlier = [seq for seq in self._kept if nearest <= seq < until]
                base = self._kept.pop(max(earlier)) if earlier else None
                scratch = runner.replay(self.engine, until, into=base)
            self._kept[until] = scratch
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)[1].dispose()
            with scratch.connect() as conn:
                yield conn

    def kept(self) -> int:
        """How many replays are kept now (a metric for operators)."""
        return len(self._kept)

    def close(self) -> None:
        with self._lock:
            while self._kept:
                self._kept.popitem()[1].dispose()
