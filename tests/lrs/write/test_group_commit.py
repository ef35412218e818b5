"""Group commit (lrs/write/group_commit.py): requests waiting for the log's lock share one
transaction, with the outcome each would have had alone."""
from __future__ import annotations

import threading
import uuid
from typing import Any, Sequence

import pytest
from sqlalchemy import Connection, Engine

from lrs.errors import InvalidStatement, StatementConflict
from lrs.store import log
from lrs.store.engine import reading, writing
from lrs.write import group_commit
from lrs.write.statements import _Request, _store, record_statements

AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://lrs.example", "name": "tester"}}
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def statement(sid: str, course: int = 1) -> dict[str, Any]:
    return {"id": sid, "actor": {"mbox": "mailto:peserta@example.go.id"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": f"https://lms.example.go.id/course/{course}"}}


def voiding(sid: str, target: str) -> dict[str, Any]:
    return {"id": sid, "actor": {"mbox": "mailto:atasan@example.go.id"}, "verb": {"id": VOIDED},
            "object": {"objectType": "StatementRef", "id": target}}


def test_a_group_stores_each_request_as_if_alone(engine: Engine) -> None:
    x, v, w = (str(uuid.uuid4()) for _ in range(3))
    requests = [
        [statement(x)],                      # stored
        [statement(x)],                      # the same again: accepted, no new event
        [statement(x, course=2)],            # other content under x: refused alone
        [voiding(v, x)],                     # voids x
        [voiding(w, v)],                     # voids a voiding statement: refused alone
    ]
    jobs = [group_commit.Job(_Request(r, (), AUTHORITY, None)) for r in requests]
    with writing(engine) as conn:
        _store(conn, jobs)
    assert [len(j.result or []) for j in jobs] == [1, 0, 0, 1, 0]
    assert isinstance(jobs[2].error, StatementConflict)
    assert isinstance(jobs[4].error, InvalidStatement)
    with reading(engine) as conn:
        payloads = [e.payload for e in log.read(conn)]
    assert [p["id"] for p in payloads] == [x, v]
    assert payloads[0]["stored"] == payloads[1]["stored"]  # one transaction, one stored time


def test_requests_arriving_while_the_lock_is_held_commit_together(engine: Engine) -> None:
    sizes: list[int] = []
    entered, release = threading.Event(), threading.Event()

    def store(conn: Connection, jobs: Sequence[group_commit.Job[str, str]]) -> None:
        sizes.append(len(jobs))
        if jobs[0].item == "first":
            entered.set()
            assert release.wait(30)
        for job in jobs:
            job.result = job.item.upper()

    results: dict[str, str] = {}

    def submit(item: str) -> None:
        results[item] = group_commit.commit(engine, item, store)

    first = threading.Thread(target=submit, args=("first",))
    first.start()
    assert entered.wait(30)
    later = [threading.Thread(target=submit, args=(f"later{i}",)) for i in range(3)]
    for thread in later:
        thread.start()
    # They queue behind the leader: wait until all three are queued, then let it finish.
    queue = group_commit._queue_for(engine, store)
    for _ in range(3000):
        with queue.guard:
            if len(queue.waiting) == 3:
                break
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *later]:
        thread.join(30)
    assert sizes == [1, 3]
    assert results == {"first": "FIRST", "later0": "LATER0", "later1": "LATER1", "later2": "LATER2"}


def test_a_failing_group_runs_each_request_alone(engine: Engine) -> None:
    calls: list[list[str]] = []
    resets: list[str] = []

    def store(conn: Connection, jobs: Sequence[group_commit.Job[str, str]]) -> None:
        calls.append([j.item for j in jobs])
        for job in jobs:
            if job.item == "bad":
                raise ValueError("the database refused a value")
            job.result = job.item

    queue = group_commit._queue_for(engine, store)
    for item in ("good1", "bad", "good2"):  # queued together, as if they had waited for the lock
        queue.waiting.append(group_commit.Job(item))
    jobs = list(queue.waiting)
    with queue.lead:
        group_commit._lead(engine, queue, store, resets.append)
    assert calls == [["good1", "bad", "good2"], ["good1"], ["bad"], ["good2"]]
    assert resets == ["good1", "bad", "good2"]
    assert [j.result for j in jobs] == ["good1", None, "good2"]
    assert isinstance(jobs[1].error, ValueError) and all(j.done for j in jobs)


def test_a_statement_failing_the_append_fails_only_its_request(engine: Engine) -> None:
    good, bad = str(uuid.uuid4()), str(uuid.uuid4())
    huge = {**statement(bad), "result": {"score": {"raw": 2**60}}}  # canonical JSON refuses it in the lock
    queue = group_commit._queue_for(engine, _store)
    queue.waiting += [group_commit.Job(_Request([statement(good)], (), AUTHORITY, None)),
                      group_commit.Job(_Request([huge], (), AUTHORITY, None))]
    jobs = list(queue.waiting)
    with queue.lead:
        group_commit._lead(engine, queue, _store, _Request.reset)
    assert isinstance(jobs[1].error, InvalidStatement) and jobs[0].error is None
    with reading(engine) as conn:
        events = log.read(conn)
    assert [e.payload["id"] for e in events] == [good] == [e.payload["id"] for e in jobs[0].result or []]
    assert jobs[0].item.statements[0]["stored"] == events[0].payload["stored"]


def test_concurrent_requests_store_everything_once(engine: Engine) -> None:
    ids = [[str(uuid.uuid4()) for _ in range(5)] for _ in range(8)]
    shared = str(uuid.uuid4())  # every request also sends this one
    errors: list[BaseException] = []

    def post(mine: list[str]) -> None:
        try:
            record_statements(engine, [statement(shared)] + [statement(i) for i in mine],
                              authority=AUTHORITY, project=False)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(mine,)) for mine in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    with reading(engine) as conn:
        stored = [e.payload["id"] for e in log.read(conn)]
    assert sorted(stored) == sorted([shared] + [i for mine in ids for i in mine])


def test_a_callers_own_time_is_not_shared(engine: Engine) -> None:
    from datetime import datetime, timezone

    sid = str(uuid.uuid4())
    record_statements(engine, [statement(sid)], authority=AUTHORITY, project=False,
                      now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    with reading(engine) as conn:
        assert [e.payload["stored"] for e in log.read(conn)] == ["2026-01-02T03:04:05.000Z"]


@pytest.fixture(autouse=True)
def _no_leftover_queues() -> None:
    group_commit._queues.clear()
