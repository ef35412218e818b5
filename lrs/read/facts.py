"""The facts reports read, typed (projections/rules/facts.py): from the read models now, or as
they stood at a seq or stored time (`as_of`, replayed into a scratch database), always inside
one snapshot, so a report never mixes two checkpoints of the projector. The facts of a set of
pegawai are loaded by projections/loading.py, which the stored figures share."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import Connection, Engine

from lrs.errors import BadRequest
from lrs.store import read_models
from lrs.store.engine import reading
from projections import runner
from projections.loading import Loaded, load
from projections.replays import Replays

SEQ = re.compile(r"^[0-9]+$")


def resolve_as_of(engine: Engine, as_of: str | None) -> int | None:
    """An event seq (digits) or a stored time (ISO 8601; without an offset it is UTC) -> seq."""
    if as_of is None or as_of == "":
        return None
    if SEQ.match(as_of):
        seq = int(as_of)
        with reading(engine) as conn:
            head = read_models.head_seq(conn)
        if seq > head:
            # Never replay toward a position the log has not reached: the answer would be "now"
            # under another name, and the work unbounded.
            raise BadRequest(f"as_of {seq} is beyond the end of the log (its last seq is {head})")
        return seq
    try:
        moment = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"as_of {as_of!r} is neither an event seq nor an ISO 8601 time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    with reading(engine) as conn:
        return read_models.seq_at(conn, moment.astimezone(timezone.utc))


@contextmanager
def facts_at(engine: Engine, as_of: str | None, replays: Replays | None) -> Iterator[Connection]:
    """A connection to the read models now (one repeatable-read snapshot), or as of a seq or
    stored time."""
    until = resolve_as_of(engine, as_of)
    if until is None:
        with reading(engine) as conn:
            yield conn
        return
    if replays is not None:
        with replays.connect(until) as conn:
            yield conn
        return
    scratch = runner.replay(engine, until)
    try:
        with scratch.connect() as conn:
            yield conn
    finally:
        scratch.dispose()


__all__ = ["Loaded", "facts_at", "load", "resolve_as_of"]  # Loaded, load: what the reports read
