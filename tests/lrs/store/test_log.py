"""The event log on both databases: appends, verbatim appends (an import), the chain, append-only
guards, racing writers, the audit events."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

import dataclasses
from datetime import timedelta

from lrs.errors import BrokenChain
from lrs.events import CHECKPOINT_SIGNED, KEY_PUBLISHED, EventDraft
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


def _logged(count: int) -> list:
    """Events as another store logged them: linked from the genesis hash."""
    return chain.link(None, [EventDraft("a", {"n": n}) for n in range(count)], NOW)


def test_append_verbatim_keeps_seq_stored_and_hash_exactly(engine: Engine) -> None:
    logged = _logged(4)
    with writing(engine) as conn:
        log.append_verbatim(conn, logged[:2])
        log.append_verbatim(conn, logged[2:])
    with reading(engine) as conn:
        assert log.read(conn) == logged


@pytest.mark.parametrize("breaking, message", [
    (lambda e: [e[0], e[2], e[3]], "the event at seq 3 does not follow the event at seq 1"),  # a gap
    (lambda e: [e[0], dataclasses.replace(e[1], payload_json='{"n":9}'), e[2]], "the event at seq 2"),
    (lambda e: [e[0], dataclasses.replace(e[1], prev_hash="f" * 64), e[2]], "the event at seq 2"),
    (lambda e: [dataclasses.replace(e[0], seq=2)], "the event at seq 2 does not follow the event at seq 0"),
])
def test_append_verbatim_refuses_what_does_not_link_and_writes_none_of_it(engine: Engine, breaking, message) -> None:
    with pytest.raises(BrokenChain, match=message):
        with writing(engine) as conn:
            log.append_verbatim(conn, breaking(_logged(4)))
    with reading(engine) as conn:
        assert log.read(conn) == []


def test_append_verbatim_refuses_a_stored_time_going_back(engine: Engine) -> None:
    first = chain.link(None, [EventDraft("a", {})], NOW)
    second = chain.link(first[0], [EventDraft("a", {})], NOW)[0]
    earlier = NOW - timedelta(seconds=1)
    # re-hashed so the chain holds: only the time is wrong
    second = dataclasses.replace(second, stored=earlier, hash=chain.event_hash(
        second.prev_hash, 2, "a", earlier, second.payload_json))
    with pytest.raises(BrokenChain, match="the event at seq 2 was stored before the event preceding it"):
        with writing(engine) as conn:
            log.append_verbatim(conn, [*first, second])


def test_the_audit_events_are_read_by_type_in_order(engine: Engine) -> None:
    with writing(engine) as conn:
        log.append(conn, [EventDraft("a", {}), EventDraft(KEY_PUBLISHED, {"k": 1}), EventDraft(CHECKPOINT_SIGNED, {"c": 1}),
                          EventDraft("a", {}), EventDraft(CHECKPOINT_SIGNED, {"c": 2})], NOW)
    with reading(engine) as conn:
        assert [e.payload for e in log.checkpoint_events(conn)] == [{"c": 1}, {"c": 2}]
        assert [e.seq for e in log.checkpoint_events(conn, offset=1, limit=1)] == [5]
        assert [e.seq for e in log.checkpoint_events(conn, limit=1, newest_first=True)] == [5]
        assert log.count_checkpoint_events(conn) == 2
        assert [e.seq for e in log.key_events(conn)] == [2]
        assert log.key_events(conn, before=2) == []


def test_raw_rows_are_the_events_with_their_payload_bytes_and_stop_cleanly(engine: Engine) -> None:
    with writing(engine) as conn:
        log.append(conn, [EventDraft("a", {"n": i, "s": "ü"}) for i in range(25)], NOW)
    with reading(engine) as conn:
        events = log.read(conn)
        raw = list(log.raw_rows(conn, after=2, until=20, batch=4))
        assert raw == [(e.seq, e.type, e.stored, e.payload_json.encode("utf-8"), e.prev_hash, e.hash)
                       for e in events[2:20]]
        assert all(chain.payload_hash(r[4], r[0], r[1], r[2], r[3]) == r[5] for r in raw)
        stopped = log.raw_rows(conn, batch=2)
        assert next(stopped)[0] == 1
        stopped.close()  # the read ahead ends, the cursor closes: the connection reads on
        assert log.head(conn) == events[-1]
