"""The event log on both databases: appends, the chain, append-only guards, racing writers."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from lrs.events import EventDraft
from lrs.store import chain, log
from lrs.store.engine import reading, writing

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def test_appended_events_read_back_and_verify(engine: Engine) -> None:
    with writing(engine) as conn:
        first = log.append(conn, [EventDraft("a", {"n": 1}), EventDraft("b", {"n": 2})], NOW)
    with writing(engine) as conn:
        log.append(conn, [EventDraft("c", {"n": "ü"})], NOW)
    with reading(engine) as conn:
        events = log.read(conn)
        assert log.head(conn) == events[-1]
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[:2] == first
    assert events[2].payload == {"n": "ü"}
    assert chain.verify(events) is None


@pytest.mark.parametrize("sql", ["UPDATE events SET type = 'x'", "DELETE FROM events"])
def test_database_refuses_update_and_delete_of_events(engine: Engine, sql: str) -> None:
    with writing(engine) as conn:
        log.append(conn, [EventDraft("a", {})], NOW)
    with pytest.raises(DatabaseError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text(sql))
    with reading(engine) as conn:
        assert [e.type for e in log.read(conn)] == ["a"]


def test_postgresql_refuses_truncate(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return  # SQLite has no TRUNCATE; DELETE is covered above
    with pytest.raises(DatabaseError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE events"))


def test_racing_writers_keep_one_unbroken_chain(engine: Engine) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                with writing(engine) as conn:
                    log.append(conn, [EventDraft(name, {"i": i}), EventDraft(name, {"i": -i})], NOW)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with reading(engine) as conn:
        events = log.read(conn)
    assert len(events) == 4 * 15 * 2
    assert chain.verify(events) is None
    # each transaction's two events are adjacent: appends never interleave
    for a, b in zip(events[::2], events[1::2]):
        assert a.type == b.type and a.payload["i"] == -b.payload["i"]
