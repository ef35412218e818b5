"""Document commands against both databases: races on one ETag, events, rebuild, `since`."""
from __future__ import annotations

import base64
import json
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable

import pytest
from sqlalchemy import Engine, delete, select

from lrs.read import documents as reads
from lrs.write import documents
from lrs.errors import DocumentConflict, NotFound, PreconditionFailed
from lrs.store import chain, log
from lrs.store import document_rows as rows
from lrs.store.engine import reading, writing
from lrs.store.tables import documents as documents_table
from lrs.xapi.documents import Content, DocumentKey, Preconditions, PutRule, Resource, Scope

AGENT = {"mbox": "mailto:siti@example.go.id"}
STATE = Scope(Resource.STATE, "http://lms.example.go.id/course/1", AGENT)
PROFILE = Scope(Resource.ACTIVITY_PROFILE, "http://lms.example.go.id/course/1")
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def js(value: object) -> Content:
    return Content("application/json", json.dumps(value).encode())


def race(workers: list[Callable[[], None]]) -> list[BaseException | None]:
    """Run the callables at once, each on its own thread; what each raised (or None)."""
    barrier = threading.Barrier(len(workers))
    outcome: list[BaseException | None] = [None] * len(workers)

    def run(index: int) -> None:
        barrier.wait()
        try:
            workers[index]()
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            outcome[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def test_two_puts_with_the_same_etag_exactly_one_wins(engine: Engine) -> None:
    key = DocumentKey(PROFILE, "settings")
    start = js({"v": 0})
    documents.put_document(engine, key, start, Preconditions(if_none_match=frozenset({"*"})),
                           rule=PutRule.REQUIRED)
    same_tag = Preconditions(if_match=frozenset({start.etag}))
    contents = [js({"v": n}) for n in range(1, 5)]
    outcome = race([
        (lambda c=c: documents.put_document(engine, key, c, same_tag, rule=PutRule.REQUIRED))
        for c in contents
    ])
    winners = [c for c, exc in zip(contents, outcome) if exc is None]
    assert len(winners) == 1
    assert all(isinstance(exc, PreconditionFailed) for exc in outcome if exc is not None)
    assert reads.get_document(engine, key).content == winners[0]


def test_two_creates_with_if_none_match_exactly_one_wins(engine: Engine) -> None:
    key = DocumentKey(STATE, "bookmark")
    contents = [js({"page": n}) for n in range(3)]
    create_only = Preconditions(if_none_match=frozenset({"*"}))
    outcome = race([
        (lambda c=c: documents.put_document(engine, key, c, create_only, rule=PutRule.ALLOWED))
        for c in contents
    ])
    assert sum(exc is None for exc in outcome) == 1
    with reading(engine) as conn:
        assert [e.type for e in log.read(conn)] == ["document.stored"]


def test_merges_with_the_same_etag_exactly_one_wins(engine: Engine) -> None:
    key = DocumentKey(STATE, "progress")
    documents.post_document(engine, key, js({"a": 0}), Preconditions())
    tag = reads.get_document(engine, key).content.etag
    outcome = race([
        (lambda n=n: documents.post_document(engine, key, js({f"k{n}": n}), Preconditions(if_match=frozenset({tag}))))
        for n in range(3)
    ])
    assert sum(exc is None for exc in outcome) == 1
    merged = json.loads(reads.get_document(engine, key).content.data)
    assert len(merged) == 2 and merged["a"] == 0


def test_every_change_is_a_chained_event_carrying_the_document(engine: Engine) -> None:
    key = DocumentKey(STATE, "s1")
    documents.put_document(engine, key, js({"a": 1}), Preconditions(), rule=PutRule.ALLOWED)
    documents.post_document(engine, key, js({"b": 2}), Preconditions())
    documents.post_document(engine, key, js({"b": 2}), Preconditions())  # changes nothing
    documents.put_document(engine, key, Content("image/png", b"\x89PNG\xff"), Preconditions(),
                           rule=PutRule.ALLOWED)
    documents.delete_document(engine, key, Preconditions())
    documents.delete_document(engine, key, Preconditions())  # already gone
    with reading(engine) as conn:
        events = log.read(conn)
    assert [e.type for e in events] == [
        "document.stored", "document.merged", "document.stored", "document.deleted",
    ]
    assert json.loads(events[1].payload["text"]) == {"a": 1, "b": 2}
    assert base64.b64decode(events[2].payload["base64"]) == b"\x89PNG\xff"
    assert events[3].payload == {"resource": "state", "id": "s1", "agent": AGENT,
                                 "activityId": STATE.activity_id}
    assert chain.verify(events) is None
    with pytest.raises(NotFound):
        reads.get_document(engine, key)


def test_read_model_rebuilt_from_the_log_equals_the_live_one(engine: Engine) -> None:
    for n in range(4):
        key = DocumentKey(STATE if n % 2 else PROFILE, f"d{n}")
        documents.put_document(engine, key, js({"n": n}), Preconditions(if_none_match=frozenset({"*"})),
                               rule=PutRule.REQUIRED)
    documents.post_document(engine, DocumentKey(STATE, "d1"), js({"more": True}), Preconditions())
    documents.delete_document(engine, DocumentKey(PROFILE, "d2"), Preconditions())
    with writing(engine) as conn:
        live = conn.execute(select(documents_table).order_by(documents_table.c.key)).all()
        conn.execute(delete(documents_table))
        rows.apply(conn, log.read(conn))
        rebuilt = conn.execute(select(documents_table).order_by(documents_table.c.key)).all()
    assert len(live) == 3 and rebuilt == live


def test_put_without_headers_conflicts_only_where_the_rule_says(engine: Engine) -> None:
    key = DocumentKey(PROFILE, "p")
    with pytest.raises(Exception, match="If-Match"):
        documents.put_document(engine, key, js({}), Preconditions(), rule=PutRule.REQUIRED)
    documents.put_document(engine, key, js({}), Preconditions(), rule=PutRule.CONFLICT_IF_EXISTS)
    with pytest.raises(DocumentConflict):
        documents.put_document(engine, key, js({"x": 1}), Preconditions(), rule=PutRule.REQUIRED)
    documents.put_document(engine, key, js({"x": 1}), Preconditions(), rule=PutRule.ALLOWED)
    assert json.loads(reads.get_document(engine, key).content.data) == {"x": 1}


def test_list_with_since_is_exclusive_and_registrations_are_one_list(engine: Engine) -> None:
    registration = "5b2a1f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    put = documents.put_document
    put(engine, DocumentKey(STATE, "a"), js(1), Preconditions(), rule=PutRule.ALLOWED, now=T0)
    put(engine, DocumentKey(STATE, "b"), js(2), Preconditions(), rule=PutRule.ALLOWED,
        now=T0 + timedelta(seconds=1))
    with_registration = Scope(Resource.STATE, STATE.activity_id, AGENT, registration)
    put(engine, DocumentKey(with_registration, "a"), js(3), Preconditions(), rule=PutRule.ALLOWED,
        now=T0 + timedelta(seconds=2))
    since_t0 = int(T0.timestamp() * 1000)
    listed = reads.find_document_ids(engine, STATE)
    assert listed.ids == ["a", "b"] and listed.updated == T0 + timedelta(seconds=2)
    assert reads.find_document_ids(engine, STATE, since_ms=since_t0).ids == ["b", "a"]
    assert reads.find_document_ids(engine, with_registration).ids == ["a"]
    assert reads.find_document_ids(engine, STATE, since_ms=since_t0 + 2000).ids == []
    other_agent = Scope(Resource.STATE, STATE.activity_id, {"mbox": "mailto:budi@example.go.id"})
    assert reads.find_document_ids(engine, other_agent).ids == []


def test_delete_all_of_a_scope_deletes_every_registration(engine: Engine) -> None:
    registration = "5b2a1f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    for scope in (STATE, Scope(Resource.STATE, STATE.activity_id, AGENT, registration)):
        documents.put_document(engine, DocumentKey(scope, "s"), js({}), Preconditions(), rule=PutRule.ALLOWED)
    kept = DocumentKey(PROFILE, "s")
    documents.put_document(engine, kept, js({}), Preconditions(), rule=PutRule.ALLOWED)
    assert documents.delete_documents(engine, STATE) == 2
    assert reads.find_document_ids(engine, STATE).ids == []
    assert reads.get_document(engine, kept).content == js({})
