"""How fresh a read replica is: its position in the log (lrs/store/replication.py), and waiting
a bounded time for it to replay a seq a reader must see (its own last write)."""
from __future__ import annotations

import time

from sqlalchemy import Engine

from lrs.store.engine import reading
from lrs.store.replication import Position, position

POLL_SECONDS = 0.02


def position_of(engine: Engine) -> Position:
    with reading(engine) as conn:
        return position(conn)


def caught_up(replica: Engine, seq: int, wait_seconds: float) -> Position | None:
    """The replica's position once it holds `seq`, asking again every POLL_SECONDS until
    `wait_seconds` have passed; None when it is still behind then."""
    deadline = time.monotonic() + wait_seconds
    while True:
        found = position_of(replica)
        if found.seq >= seq:
            return found
        if time.monotonic() >= deadline:
            return None
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
