"""Failed web logins, slowed: after too many failures within a window for one username, or for
one client address (a higher limit, since an office shares one), further attempts from it are
refused until the oldest failure leaves the window. In-process: each server process counts its
own, so the limits hold per worker."""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

MAX_TRACKED = 100_000  # keys kept; past that the oldest are dropped (a flood cannot exhaust memory)


class LoginThrottle:
    def __init__(self, per_username: int, per_address: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = {"username": per_username, "address": per_address}
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        found = self._failures.get(key)
        if found is None:
            return deque()
        while found and found[0] <= now - self.window:
            found.popleft()
        if not found:
            del self._failures[key]
        return found

    def wait_seconds(self, username: str, address: str) -> float:
        """0 when a login attempt may be checked now; else the seconds until it may."""
        now = self.clock()
        waits = [0.0]
        with self._lock:
            for kind, value in (("username", username.lower()), ("address", address)):
                recent = self._recent((kind, value), now)
                if len(recent) >= self.limits[kind]:
                    waits.append(recent[len(recent) - self.limits[kind]] + self.window - now)
        return max(waits)

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (("username", username.lower()), ("address", address)):
                self._recent(key, now)
                self._failures.setdefault(key, deque()).append(now)
            while len(self._failures) > MAX_TRACKED:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, username: str) -> None:
        """A correct secret clears the username's failures (never the address's: one valid
        account must not reset an address that guesses others)."""
        with self._lock:
            self._failures.pop(("username", username.lower()), None)
