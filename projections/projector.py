"""Live catch-up off the request path: a server process's projector thread.

After an append commits, the request notifies the projector and returns; the thread catches
the projections up (projections/runner.py), and appends that arrive while it works are folded
together by its next catch-up. Reports lag the log by one catch-up (milliseconds); a crash loses
nothing, since the checkpoints say where the next catch-up starts."""
from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from projections import runner, snapshots
from projections.snapshots import Snapshots

logger = logging.getLogger(__name__)


class Projector:
    def __init__(self, engine: Engine, keep: Snapshots = snapshots.DEFAULT) -> None:
        self.engine = engine
        self.keep = keep
        self._changed = threading.Condition()
        self._asked = 0  # notifications so far
        self._done = 0  # notifications the last finished catch-up covered
        self._thread: threading.Thread | None = None
        self._closing = False

    def notify(self) -> None:
        """An append committed: catch up soon (the thread starts on first use, after any fork)."""
        with self._changed:
            self._asked += 1
            if self._thread is None and not self._closing:
                self._thread = threading.Thread(target=self._loop, name="projector", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until every append notified so far is folded; False on timeout."""
        with self._changed:
            target = self._asked
            return self._changed.wait_for(lambda: self._done >= target or self._closing, timeout)

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
                if self._closing:
                    return
                target = self._asked
            try:
                runner.catch_up(self.engine, keep=self.keep)
            except Exception:  # logged; the next notification retries from the checkpoints
                logger.exception("background projection catch-up failed; it will be retried")
            with self._changed:
                self._done = target
                self._changed.notify_all()
