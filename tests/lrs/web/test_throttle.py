"""The failed-login limiter on its own, with a clock of our own (no sleeping)."""
from __future__ import annotations

from lrs.web.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_username_waits_until_its_oldest_failure_leaves_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(per_username=3, per_address=100, window_seconds=600, clock=clock)
    for step in range(3):
        assert throttle.wait_seconds("siti", "10.0.0.1") == 0
        throttle.failed("Siti", "10.0.0.1")  # usernames count without case
        clock.now += 60 * (step + 1)
    # failures at 1000, 1060, 1180; now 1360: the first leaves the window at 1600
    assert throttle.wait_seconds("SITI", "10.0.0.2") == 240
    assert throttle.wait_seconds("budi", "10.0.0.1") == 0
    clock.now = 1600
    assert throttle.wait_seconds("siti", "10.0.0.1") == 0


def test_an_address_has_its_own_higher_limit() -> None:
    clock = Clock()
    throttle = LoginThrottle(per_username=3, per_address=5, window_seconds=600, clock=clock)
    for name in ("a", "b", "c", "d", "e"):
        throttle.failed(name, "10.0.0.1")
    assert throttle.wait_seconds("f", "10.0.0.1") == 600
    assert throttle.wait_seconds("f", "10.0.0.2") == 0


def test_success_clears_the_username_but_not_the_address() -> None:
    clock = Clock()
    throttle = LoginThrottle(per_username=2, per_address=3, window_seconds=600, clock=clock)
    throttle.failed("siti", "10.0.0.1")
    throttle.failed("siti", "10.0.0.1")
    assert throttle.wait_seconds("siti", "10.0.0.9") > 0
    throttle.succeeded("siti")
    assert throttle.wait_seconds("siti", "10.0.0.9") == 0
    throttle.failed("budi", "10.0.0.1")
    assert throttle.wait_seconds("other", "10.0.0.1") > 0
