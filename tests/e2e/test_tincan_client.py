"""The LRS as an LMS sees it: TinCanPython (`tincan`) against a real `lrs serve`.

Quirks of TinCanPython 1.0.0 met here (none needed patching):
- `more_statements` joins the endpoint's scheme://host:port with the `more` path, so `more`
  must be server-absolute (/xapi/statements?...), which it is.
- It sends booleans as "True"/"False" and datetimes via str() ("2024-01-01 00:00:00+00:00");
  the LRS accepts both, so no workaround was needed.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Callable

import pytest
from tincan import (  # type: ignore[import-untyped]
    Activity, ActivityDefinition, Agent, LanguageMap, RemoteLRS, Statement, StatementRef, Verb,
)

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.slow

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def remote(server: LiveServer, version: str = "1.0.3") -> RemoteLRS:
    return RemoteLRS(endpoint=server.base, username=server.key, password=server.secret,
                     version=version)


def agent(name: str) -> Agent:
    return Agent(name=name.title(), mbox=f"mailto:{name}@example.go.id")


def verb(iri: str) -> Verb:
    return Verb(id=iri, display=LanguageMap({"en-US": iri.rsplit("/", 1)[-1]}))


def activity(n: int) -> Activity:
    return Activity(id=f"https://lms.example.go.id/course/{n}",
                    definition=ActivityDefinition(name=LanguageMap({"id-ID": f"Kursus {n}"})))


def statement(who: str, what: str, course: int, **kw: object) -> Statement:
    return Statement(actor=agent(who), verb=verb(what), object=activity(course), **kw)


def ids_of(result: Any) -> list[str]:
    return [str(s.id) for s in result.statements]


def all_pages(lrs: RemoteLRS, query: dict[str, Any]) -> tuple[list[str], int]:
    """Every id a query yields, following `more`; and how many pages that took."""
    response = lrs.query_statements(query)
    assert response.success, response.data
    ids, pages = ids_of(response.content), 1
    while response.content.more:
        assert pages < 50, "the more links never end"
        response = lrs.more_statements(response.content)
        assert response.success, response.data
        ids += ids_of(response.content)
        pages += 1
    return ids, pages


def test_about_save_and_retrieve(live_server: LiveServer) -> None:
    lrs = remote(live_server)

    about = lrs.about()
    assert about.success, about.data
    assert "1.0.3" in about.content.version
    assert about.response.getheader("X-Experience-API-Version") == "1.0.3"

    # No id: POSTed, and the client learns the id the LRS gave it.
    first = statement("siti", COMPLETED, 1)
    saved = lrs.save_statement(first)
    assert saved.success, saved.data
    assert saved.response.status == 200
    assert uuid.UUID(str(first.id))

    got = lrs.retrieve_statement(first.id)
    assert got.success, got.data
    back = got.content
    assert str(back.id) == str(first.id)
    assert back.actor.mbox == "mailto:siti@example.go.id"
    assert back.verb.id == COMPLETED
    assert back.object.id == "https://lms.example.go.id/course/1"
    assert back.object.definition.name["id-ID"] == "Kursus 1"
    assert back.authority.account.name == live_server.key
    assert back.stored is not None and back.timestamp is not None

    # A client-chosen id: PUT, 204, and sending it again is idempotent.
    chosen = str(uuid.uuid4())
    second = statement("budi", ATTEMPTED, 2, id=chosen)
    put = lrs.save_statement(second)
    assert put.success and put.response.status == 204, put.data
    again = lrs.save_statement(statement("budi", ATTEMPTED, 2, id=chosen))
    assert again.success and again.response.status == 204, again.data
    assert str(lrs.retrieve_statement(chosen).content.object.id).endswith("/course/2")

    # The same id with other content is a conflict, and the stored one stays.
    clash = lrs.save_statement(statement("budi", COMPLETED, 2, id=chosen))
    assert not clash.success and clash.response.status == 409, clash.data
    assert lrs.retrieve_statement(chosen).content.verb.id == ATTEMPTED

    # A 1.0.1 client is served too.
    old = remote(live_server, "1.0.1").retrieve_statement(chosen)
    assert old.success and str(old.content.id) == chosen

    missing = lrs.retrieve_statement(str(uuid.uuid4()))
    assert not missing.success and missing.response.status == 404


def test_batch_then_filter_and_page(live_server: LiveServer) -> None:
    lrs = remote(live_server)
    plan = [  # (actor, verb, course)
        ("siti", COMPLETED, 1), ("siti", ATTEMPTED, 1), ("siti", COMPLETED, 2),
        ("budi", COMPLETED, 1), ("budi", ATTEMPTED, 2), ("siti", ATTEMPTED, 3),
        ("dewi", COMPLETED, 3),
    ]
    chosen = str(uuid.uuid4())
    batch = [statement(*row) for row in plan]
    batch[3].id = chosen  # one client-chosen id among LRS-assigned ones

    saved = lrs.save_statements(batch)
    assert saved.success, saved.data
    ids = [str(s.id) for s in saved.content]
    assert len(set(ids)) == len(plan) and ids[3] == chosen
    for sid, (who, what, course) in zip(ids, plan):
        got = lrs.retrieve_statement(sid)
        assert got.success, got.data
        assert (got.content.actor.mbox, got.content.verb.id, got.content.object.id) == (
            f"mailto:{who}@example.go.id", what, f"https://lms.example.go.id/course/{course}")

    def expect(pred: Callable[[str, str, int], bool]) -> set[str]:
        return {sid for sid, row in zip(ids, plan) if pred(*row)}

    everything, _ = all_pages(lrs, {})
    assert sorted(everything) == sorted(ids)

    cases = [
        ({"agent": agent("siti")}, expect(lambda w, v, c: w == "siti")),
        ({"verb": verb(ATTEMPTED)}, expect(lambda w, v, c: v == ATTEMPTED)),
        ({"activity": activity(1)}, expect(lambda w, v, c: c == 1)),
        ({"agent": agent("siti"), "verb": verb(COMPLETED)},
         expect(lambda w, v, c: w == "siti" and v == COMPLETED)),
        ({"agent": agent("budi"), "activity": activity(2)},
         expect(lambda w, v, c: w == "budi" and c == 2)),
        ({"agent": agent("nobody")}, set()),
    ]
    for query, wanted in cases:
        found, _ = all_pages(lrs, query)
        assert len(found) == len(set(found)), f"duplicates for {query}"
        assert set(found) == wanted, query

    # Paging: limit 2 over siti's 4 statements takes 2 full pages and ends with no `more`,
    # newest first by default and oldest first with ascending.
    siti = expect(lambda w, v, c: w == "siti")
    paged, pages = all_pages(lrs, {"agent": agent("siti"), "limit": 2})
    assert set(paged) == siti and len(paged) == len(siti) and pages == 2
    ascending, _ = all_pages(lrs, {"agent": agent("siti"), "limit": 3, "ascending": True})
    assert ascending == list(reversed(paged))
    assert ascending == [sid for sid in ids if sid in siti]  # one batch: stored in its order

    # since is exclusive, until inclusive; one batch shares one stored time. The client
    # sends datetimes as str(datetime), with a space for the T.
    stored = lrs.retrieve_statement(ids[0]).content.stored
    assert isinstance(stored, datetime)
    assert all_pages(lrs, {"since": stored})[0] == []
    assert sorted(all_pages(lrs, {"until": stored})[0]) == sorted(ids)
    assert sorted(all_pages(lrs, {"since": stored - timedelta(milliseconds=1)})[0]) == sorted(ids)
    assert all_pages(lrs, {"until": stored - timedelta(milliseconds=1)})[0] == []

    # related_activities (sent as "True" by the client) still filters by the activity.
    related, _ = all_pages(lrs, {"activity": activity(3), "related_activities": True})
    assert set(related) == expect(lambda w, v, c: c == 3)


def test_void_through_the_client(live_server: LiveServer) -> None:
    lrs = remote(live_server)
    target = statement("siti", COMPLETED, 7)
    keep = statement("siti", ATTEMPTED, 7)
    assert lrs.save_statements([target, keep]).success

    voiding = Statement(actor=agent("admin"), verb=Verb(id=VOIDED, display=LanguageMap(
        {"en-US": "voided"})), object=StatementRef(id=target.id))
    saved = lrs.save_statement(voiding)
    assert saved.success, saved.data

    gone = lrs.retrieve_statement(target.id)
    assert not gone.success and gone.response.status == 404
    voided = lrs.retrieve_voided_statement(target.id)
    assert voided.success, voided.data
    assert str(voided.content.id) == str(target.id)
    assert voided.content.verb.id == COMPLETED
    # ... and the voiding statement is an ordinary statement pointing at it.
    ref = lrs.retrieve_statement(voiding.id)
    assert ref.success and str(ref.content.object.id) == str(target.id)
    assert ref.content.object.object_type == "StatementRef"
    # A statement that is not voided cannot be fetched as voided.
    assert lrs.retrieve_voided_statement(keep.id).response.status == 404

    # Queries leave the voided statement out; a filter matching it still returns the
    # voiding statement that targets it (xAPI Communication 2.1.3, StatementRef filtering).
    found, _ = all_pages(lrs, {"activity": activity(7)})
    assert sorted(found) == sorted([str(keep.id), str(voiding.id)])
    found, _ = all_pages(lrs, {})
    assert sorted(found) == sorted([str(keep.id), str(voiding.id)])

    # A voiding statement cannot itself be voided.
    meta = Statement(actor=agent("admin"), verb=Verb(id=VOIDED), object=StatementRef(id=voiding.id))
    refused = lrs.save_statement(meta)
    assert not refused.success and refused.response.status == 400, refused.data
