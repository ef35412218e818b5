"""PUT and POST /xapi/statements: storing, ids, conflicts, voiding, validation, atomicity."""
from __future__ import annotations

import json
import uuid

import pytest
from flask.testing import FlaskClient

from tests.fixtures.builders import make_statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def post(client: FlaskClient, auth: dict, body: object, **kw: object):
    return client.post("/xapi/statements", json=body, headers=auth, **kw)


def get_one(client: FlaskClient, auth: dict, sid: str, voided: bool = False):
    key = "voidedStatementId" if voided else "statementId"
    return client.get(f"/xapi/statements?{key}={sid}", headers=auth)


def test_post_returns_ids_and_statement_reads_back_with_lrs_fields(client, auth) -> None:
    response = post(client, auth, make_statement())
    assert response.status_code == 200
    [sid] = response.get_json()
    uuid.UUID(sid)
    stored = get_one(client, auth, sid).get_json()
    assert stored["id"] == sid
    assert stored["stored"].endswith("Z") and stored["timestamp"] == stored["stored"]
    assert stored["version"] == "1.0.0"
    assert stored["authority"]["account"]["name"] == "tester"
    assert stored["actor"]["mbox"] == "mailto:siti@example.go.id"


def test_put_stores_under_the_given_id_and_returns_204(client, auth) -> None:
    sid = str(uuid.uuid4())
    response = client.put(f"/xapi/statements?statementId={sid}", json=make_statement(), headers=auth)
    assert response.status_code == 204
    assert get_one(client, auth, sid).get_json()["id"] == sid


def test_put_without_statement_id_is_400(client, auth) -> None:
    response = client.put("/xapi/statements", json=make_statement(), headers=auth)
    assert response.status_code == 400
    assert "statementId" in response.get_json()["message"]


def test_same_id_same_content_is_accepted_once(client, auth, engine) -> None:
    from lrs.store import log
    from lrs.store.engine import reading

    sid = str(uuid.uuid4())
    body = make_statement(id=sid, timestamp="2026-01-02T03:04:05.678+07:00")
    assert post(client, auth, body).status_code == 200
    again = dict(body, timestamp="2026-01-01T20:04:05.678Z")  # same instant
    assert post(client, auth, again).get_json() == [sid]
    assert client.put(f"/xapi/statements?statementId={sid}", json=body, headers=auth).status_code == 204
    with reading(engine) as conn:
        assert len(log.read(conn)) == 1


def test_same_id_different_content_is_409_and_batch_stores_nothing(client, auth, engine) -> None:
    sid = str(uuid.uuid4())
    assert post(client, auth, make_statement(id=sid)).status_code == 200
    other = make_statement(verb={"id": "http://adlnet.gov/expapi/verbs/attempted"})
    conflict = make_statement(id=sid, object={"id": "https://lms.example.go.id/course/2"})
    response = post(client, auth, [other, conflict])
    assert response.status_code == 409
    assert sid in response.get_json()["message"]
    statements = client.get("/xapi/statements", headers=auth).get_json()["statements"]
    assert [s["id"] for s in statements] == [sid]


def test_invalid_statement_in_batch_is_400_naming_field_and_nothing_stored(client, auth) -> None:
    bad = make_statement(actor={"objectType": "Agent", "mbox": "siti@example.go.id"})
    response = post(client, auth, [make_statement(), bad])
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert "statement[1]" in message and "mbox" in message
    assert client.get("/xapi/statements", headers=auth).get_json()["statements"] == []


def test_duplicate_ids_within_one_batch_are_400(client, auth) -> None:
    sid = str(uuid.uuid4())
    response = post(client, auth, [make_statement(id=sid), make_statement(id=sid)])
    assert response.status_code == 400


def test_not_json_is_400(client, auth) -> None:
    response = client.post("/xapi/statements", data="{nope", headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400


def test_voided_statement_hidden_but_reachable_by_voided_id(client, auth) -> None:
    [target] = post(client, auth, make_statement()).get_json()
    void = make_statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
    [voider] = post(client, auth, void).get_json()
    assert get_one(client, auth, target).status_code == 404
    assert get_one(client, auth, target, voided=True).get_json()["id"] == target
    assert get_one(client, auth, voider, voided=True).status_code == 404
    ids = [s["id"] for s in client.get("/xapi/statements", headers=auth).get_json()["statements"]]
    assert ids == [voider]


def test_voiding_a_voiding_statement_is_400(client, auth) -> None:
    [target] = post(client, auth, make_statement()).get_json()
    [voider] = post(client, auth, make_statement(
        verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})).get_json()
    response = post(client, auth, make_statement(
        verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voider}))
    assert response.status_code == 400
    assert "voiding" in response.get_json()["message"]
    assert get_one(client, auth, voider).status_code == 200


def test_voiding_an_unknown_id_applies_when_the_target_arrives(client, auth) -> None:
    target = str(uuid.uuid4())
    post(client, auth, make_statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target}))
    assert post(client, auth, make_statement(id=target)).status_code == 200
    assert get_one(client, auth, target).status_code == 404
    assert get_one(client, auth, target, voided=True).status_code == 200


def test_context_activities_single_object_is_returned_as_array(client, auth) -> None:
    body = make_statement(context={"contextActivities": {"parent": {"id": "https://lms.example.go.id/p"}}})
    [sid] = post(client, auth, body).get_json()
    parent = get_one(client, auth, sid).get_json()["context"]["contextActivities"]["parent"]
    assert parent == [{"id": "https://lms.example.go.id/p"}]


def test_body_over_the_limit_is_413(client, auth) -> None:
    huge = make_statement(result={"response": "x" * 1_100_000})
    response = client.post("/xapi/statements", data=json.dumps(huge), headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 413


def test_statement_events_chain_and_carry_the_statement(client, auth, engine) -> None:
    from lrs.store import chain, log
    from lrs.store.engine import reading

    ids = post(client, auth, [make_statement(), make_statement()]).get_json()
    with reading(engine) as conn:
        events = log.read(conn)
    assert [e.payload["id"] for e in events] == ids
    assert {e.type for e in events} == {"statement.stored"}
    assert chain.verify(events) is None


def test_statements_stay_stored_and_acknowledged_when_projections_fail(client, auth, monkeypatch) -> None:
    from projections import runner

    def broken(engine):
        raise RuntimeError("fold failed")

    monkeypatch.setattr(runner, "catch_up", broken)
    response = post(client, auth, make_statement())
    assert response.status_code == 200
    assert get_one(client, auth, response.get_json()[0]).status_code == 200


@pytest.fixture
def small_batches(app):
    app.config["STATEMENT_BATCH_LIMIT"] = 3
    return app


def test_batch_over_the_statement_limit_is_413_naming_it(small_batches, client, auth) -> None:
    response = client.post("/xapi/statements", json=[make_statement() for _ in range(4)], headers=auth)
    assert response.status_code == 413
    message = response.get_json()["message"]
    assert "at most 3 statements" in message and "4" in message
    assert client.get("/xapi/statements", headers=auth).get_json()["statements"] == []
    assert client.post("/xapi/statements", json=[make_statement() for _ in range(3)],
                       headers=auth).status_code == 200
