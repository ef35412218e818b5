"""How the runner reads the log: a range of positions at a time, only the events some projection
may key, and during a long run (a rebuild, a replay) the next range read ahead in a thread while
the current one is folded, so the database's work overlaps the folding."""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Mapping, Sequence

from sqlalchemy import Connection, Engine

from lrs.events import Event
from lrs.store import log

Wanted = Mapping[str, Sequence[str] | None]
_Key = tuple[int, int, tuple[tuple[str, tuple[str, ...] | None], ...]]


def _key(after: int, until: int, wanted: Wanted) -> _Key:
    return after, until, tuple(sorted((k, None if v is None else tuple(v)) for k, v in wanted.items()))


class LogReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pool: ThreadPoolExecutor | None = None  # started by the first read ahead
        self._pending: tuple[_Key, Future[list[Event]]] | None = None

    def read(self, after: int, until: int, wanted: Wanted, conn: Connection | None = None) -> list[Event]:
        """Events after < seq <= until that `wanted` selects (log.read_matching): the range read
        ahead if it is this one, else read now on `conn` (or a connection of its own)."""
        pending, self._pending = self._pending, None
        if pending is not None and pending[0] == _key(after, until, wanted):
            return pending[1].result()
        if conn is not None:
            return log.read_matching(conn, after=after, until=until, wanted=wanted)
        return self._read(after, until, wanted)

    def read_ahead(self, after: int, until: int, wanted: Wanted) -> None:
        """Start reading the next range in a thread (a no-op when the range is empty, as at the
        end of a live catch-up)."""
        if until > after:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="log-reader")
            self._pending = (_key(after, until, wanted), self._pool.submit(self._read, after, until, wanted))

    def _read(self, after: int, until: int, wanted: Wanted) -> list[Event]:
        with self.engine.connect() as conn:
            return log.read_matching(conn, after=after, until=until, wanted=wanted)

    def __enter__(self) -> LogReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
