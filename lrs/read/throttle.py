"""In memory, for throttling authentication: failed attempts counted per name (a credential key,
a client address) over a sliding window, past whose limit a name must wait until its oldest
counted failure leaves the window; and names seen recently (a key's known addresses)."""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from typing import Callable, Hashable


class Throttle:
    """Thread-safe and bounded: at most `capacity` names are remembered, the one that failed
    longest ago forgotten first, and at most `limit` times per name. `limit` 0 never throttles."""

    def __init__(self, limit: int, window_seconds: float, capacity: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window_seconds
        self.capacity = capacity
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, name: str) -> int | None:
        """Whole seconds until `name` may try again; None when it may now."""
        if self.limit <= 0:
            return None
        with self._lock:
            times = self._failures.get(name)
            if times is None or len(times) < self.limit:
                return None
            wait = times[0] + self.window - self._clock()
        return math.ceil(wait) if wait > 0 else None

    def fail(self, name: str) -> None:
        """Count a failure of `name` now."""
        if self.limit <= 0:
            return
        with self._lock:
            times = self._failures.pop(name, None)
            if times is None or times.maxlen != self.limit:
                times = deque(times or (), maxlen=self.limit)
            times.append(self._clock())
            self._failures[name] = times  # now the most recent
            while len(self._failures) > self.capacity:
                self._failures.popitem(last=False)


class Recent:
    """Names seen within the last `seconds`: thread-safe and bounded like Throttle."""

    def __init__(self, seconds: float, capacity: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.capacity = capacity
        self._clock = clock
        self._seen: OrderedDict[Hashable, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, name: Hashable) -> None:
        with self._lock:
            self._seen.pop(name, None)
            self._seen[name] = self._clock()
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)

    def __contains__(self, name: Hashable) -> bool:
        with self._lock:
            at = self._seen.get(name)
        return at is not None and self._clock() - at < self.seconds
