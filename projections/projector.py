"""Live catch-up off the request path: a server process's projector thread.

After an append commits, the request notifies the projector and returns; the thread waits
`gather_seconds` for more appends, then catches the projections up (projections/runner.py), and
appends that arrive while it works are folded together by its next catch-up (a thread in wait(),
such as a web page about to show what it stored, cuts the gathering short). A catch-up costs
much the same for one batch as for several (its queries and the figures' refresh): folded one
by one under a steady ingest, 100-statement batches spent ~165 us of CPU per statement here,
five at a time ~50-65. Reports lag the log by the gather time and one catch-up; a crash loses
nothing, since the checkpoints say where the next catch-up starts. A catch-up recomputes one
batch of queued figures (runner.hand_off) and, while more wait, runs again at once: statements
are folded between the batches of a policy's fan-out, not after all of it."""
from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from projections import runner, snapshots
from projections.snapshots import Snapshots

logger = logging.getLogger(__name__)


class Projector:
    def __init__(self, engine: Engine, gather_seconds: float = 0.0, *, keep: Snapshots | None = None) -> None:
        self.engine = engine
        self.gather_seconds = gather_seconds
        self.keep = snapshots.of(engine) if keep is None else keep
        self._changed = threading.Condition()
        self._asked = 0  # notifications so far
        self._done = 0  # notifications the last finished catch-up covered
        self._thread: threading.Thread | None = None
        self._closing = False
        self._waiters = 0  # threads in wait(): the next catch-up starts without gathering
        self._more = False  # figures of a fan-out still wait: the next catch-up starts without gathering

    def notify(self) -> None:
        """An append committed: catch up soon (the thread starts on first use, after any fork)."""
        with self._changed:
            self._asked += 1
            if self._thread is None and not self._closing:
                self._thread = threading.Thread(target=self._loop, name="projector", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def more(self) -> None:
        """Figures still wait to be recomputed (a catch-up did one batch of a fan-out,
        runner.hand_off): catch up again at once, folding what arrived meanwhile first."""
        with self._changed:
            self._more = True
        self.notify()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until every append notified so far is folded; False on timeout."""
        with self._changed:
            target = self._asked
            self._waiters += 1
            self._changed.notify_all()
            try:
                return self._changed.wait_for(lambda: self._done >= target or self._closing, timeout)
            finally:
                self._waiters -= 1

    def close(self, timeout: float = 10.0) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._asked > self._done or self._closing)
                if self.gather_seconds > 0 and not self._closing and not self._more:
                    self._changed.wait_for(lambda: self._closing or self._waiters > 0, self.gather_seconds)
                if self._closing:
                    return
                target, self._more = self._asked, False
            try:
                runner.catch_up(self.engine, keep=self.keep)
            except Exception:  # logged; the next notification retries from the checkpoints
                logger.exception("background projection catch-up failed; it will be retried")
            with self._changed:
                self._done = target
                self._changed.notify_all()
