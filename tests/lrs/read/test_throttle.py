"""The failure counter behind authentication throttling: a sliding window per name, bounded."""
from __future__ import annotations

import threading

from lrs.read.throttle import Recent, Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_name_waits_until_its_oldest_counted_failure_leaves_the_window() -> None:
    clock = Clock()
    throttle = Throttle(limit=3, window_seconds=60, clock=clock)
    for _ in range(3):
        assert throttle.retry_after("k") is None
        throttle.fail("k")
        clock.now += 10
    assert throttle.retry_after("k") == 30  # the first failure, at 1000, counts until 1060
    assert throttle.retry_after("other") is None
    clock.now = 1060
    assert throttle.retry_after("k") is None
    throttle.fail("k")  # the failures at 1010, 1020 and 1060 are in the window again
    assert throttle.retry_after("k") == 10


def test_at_most_capacity_names_are_kept_the_stalest_forgotten() -> None:
    clock = Clock()
    throttle = Throttle(limit=1, window_seconds=60, capacity=2, clock=clock)
    for name in ("a", "b", "c"):
        throttle.fail(name)
    assert [throttle.retry_after(n) is not None for n in ("a", "b", "c")] == [False, True, True]


def test_limit_zero_never_throttles() -> None:
    throttle = Throttle(limit=0, window_seconds=60)
    for _ in range(100):
        throttle.fail("k")
    assert throttle.retry_after("k") is None


def test_failures_counted_from_many_threads_are_all_counted() -> None:
    clock = Clock()
    throttle = Throttle(limit=400, window_seconds=60, clock=clock)
    workers = [threading.Thread(target=lambda: [throttle.fail("k") for _ in range(100)]) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert throttle.retry_after("k") == 60


def test_recent_names_are_forgotten_after_their_time_or_past_capacity() -> None:
    clock = Clock()
    recent = Recent(seconds=100, capacity=2, clock=clock)
    recent.add(("lms", "198.51.100.20"))
    clock.now += 99
    assert ("lms", "198.51.100.20") in recent
    clock.now += 1
    assert ("lms", "198.51.100.20") not in recent
    for name in ("a", "b", "c"):
        recent.add(name)
    assert ["a" in recent, "b" in recent, "c" in recent] == [False, True, True]
