"""xAPI 2.0 (IEEE 9274.1.1) next to 1.0.3, chosen by X-Experience-API-Version; signed statements
verified end to end."""
from __future__ import annotations

import json
import uuid
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.fixtures.builders import make_statement
from tests.fixtures.signing import attach_signature, jws, multipart_body, rsa_signer

COACH = {"objectType": "Agent", "mbox": "mailto:coach@example.go.id"}
CONTEXT_2_0 = {"contextAgents": [{
    "objectType": "contextAgent", "agent": COACH, "relevantTypes": ["https://example.com/xapi/types/coach"],
}]}


def v2(auth: dict[str, str]) -> dict[str, str]:
    return {**auth, "X-Experience-API-Version": "2.0.0"}


def get_one(client: FlaskClient, headers: dict[str, str], sid: str) -> Any:
    response = client.get(f"/xapi/statements?statementId={sid}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("sent, answered", [("2.0.0", "2.0.0"), ("2.0", "2.0.0"), ("1.0.3", "1.0.3"), ("1.0.2", "1.0.3")])
def test_response_names_the_latest_patch_of_the_requested_version(client, auth, sent: str, answered: str) -> None:
    for response in (client.get("/xapi/statements", headers={**auth, "X-Experience-API-Version": sent}),
                     client.get("/xapi/about", headers={"X-Experience-API-Version": sent})):
        assert response.status_code == 200
        assert response.headers["X-Experience-API-Version"] == answered


@pytest.mark.parametrize("sent", ["2.1.0", "3.0.0", "0.95"])
def test_versions_this_lrs_does_not_speak_are_400(client, auth, sent: str) -> None:
    response = client.get("/xapi/statements", headers={**auth, "X-Experience-API-Version": sent})
    assert response.status_code == 400
    assert "1.0.x (1.0.3) and 2.0.x (2.0.0)" in response.get_json()["message"]


def test_about_lists_2_0_0_next_to_the_1_0_versions(client) -> None:
    every = ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"]
    assert client.get("/xapi/about").get_json()["version"] == every
    assert client.get("/xapi/about", headers={"X-Experience-API-Version": "2.0.0"}).get_json()["version"] == every


def test_about_shows_a_1_0_client_only_the_versions_it_can_know(client) -> None:
    # 1.0.3 allows only 1.0.x values there (XAPI-00316); TinCanPython refuses an About with 2.0.0.
    response = client.get("/xapi/about", headers={"X-Experience-API-Version": "1.0.3"})
    assert response.get_json()["version"] == ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]


def test_context_agents_are_refused_under_1_0_3_and_stored_under_2_0(client, auth) -> None:
    statement = make_statement(context=CONTEXT_2_0)
    refused = client.post("/xapi/statements", json=statement, headers=auth)
    assert refused.status_code == 400
    assert "statement.context.contextAgents is not allowed" in refused.get_json()["message"]
    assert "X-Experience-API-Version: 2.0.0" in refused.get_json()["message"]
    accepted = client.post("/xapi/statements", json=statement, headers=v2(auth))
    assert accepted.status_code == 200, accepted.get_json()
    [sid] = accepted.get_json()
    # Statements are never converted to an older version's form (1.0.3 Communication 3.3): a
    # 1.0.3 client reads the statement as stored, and should ignore what it does not know.
    for headers in (auth, v2(auth)):
        stored = get_one(client, headers, sid)
        assert stored["context"] == CONTEXT_2_0 and stored["version"] == "2.0.0"


def test_invalid_context_agent_is_400_under_2_0(client, auth) -> None:
    context = {"contextAgents": [{**CONTEXT_2_0["contextAgents"][0], "relevantTypes": []}]}
    response = client.post("/xapi/statements", json=make_statement(context=context), headers=v2(auth))
    assert response.status_code == 400
    assert "statement.context.contextAgents[0].relevantTypes must list at least one IRI" in response.get_json()["message"]


def test_version_property_is_filled_per_request_version_and_kept_when_sent(client, auth) -> None:
    [v1_id] = client.post("/xapi/statements", json=make_statement(), headers=auth).get_json()
    [v2_id] = client.post("/xapi/statements", json=make_statement(), headers=v2(auth)).get_json()
    [kept] = client.post("/xapi/statements", json=make_statement(version="1.0.3"), headers=v2(auth)).get_json()
    assert get_one(client, auth, v1_id)["version"] == "1.0.0"
    assert get_one(client, auth, v2_id)["version"] == "2.0.0"
    assert get_one(client, auth, kept)["version"] == "1.0.3"
    assert client.post("/xapi/statements", json=make_statement(version="2.0.0"), headers=auth).status_code == 400


def test_2_0_timestamps_are_stored_in_utc_and_1_0_3_ones_as_sent(client, auth) -> None:
    sent = "2023-05-04T12:00:00.250-05:00"
    [v2_id] = client.post("/xapi/statements", json=make_statement(timestamp=sent), headers=v2(auth)).get_json()
    [v1_id] = client.post("/xapi/statements", json=make_statement(timestamp=sent), headers=auth).get_json()
    assert get_one(client, auth, v2_id)["timestamp"] == "2023-05-04T17:00:00.250Z"
    assert get_one(client, auth, v1_id)["timestamp"] == sent


def test_resending_a_2_0_statement_in_another_zone_is_the_same_statement(client, auth, engine) -> None:
    from lrs.store import log
    from lrs.store.engine import reading

    sid = str(uuid.uuid4())
    first = make_statement(id=sid, timestamp="2023-05-04T12:00:00-05:00")
    assert client.post("/xapi/statements", json=first, headers=v2(auth)).status_code == 200
    again = client.put(f"/xapi/statements?statementId={sid}",
                       json={**first, "timestamp": "2023-05-04T17:00:00Z"}, headers=v2(auth))
    assert again.status_code == 204
    with reading(engine) as conn:
        assert len(log.read(conn)) == 1


def test_related_agents_finds_a_context_agent(client, auth) -> None:
    [sid] = client.post("/xapi/statements", json=make_statement(context=CONTEXT_2_0), headers=v2(auth)).get_json()
    agent = json.dumps(COACH)
    direct = client.get("/xapi/statements", query_string={"agent": agent}, headers=v2(auth)).get_json()
    related = client.get("/xapi/statements", query_string={"agent": agent, "related_agents": "true"},
                         headers=v2(auth)).get_json()
    assert direct["statements"] == []
    assert [s["id"] for s in related["statements"]] == [sid]


def test_alternate_request_syntax_is_refused_under_2_0(client, auth) -> None:
    form = {"Authorization": auth["Authorization"], "Content-Type": "application/json",
            "content": json.dumps(make_statement())}
    for headers, fields in (({"X-Experience-API-Version": "2.0.0"}, form),
                            ({}, {**form, "X-Experience-API-Version": "2.0.0"})):
        response = client.post("/xapi/statements?method=POST", data=fields, headers=headers)
        assert response.status_code == 400
        assert "xAPI 2.0 has no alternate request syntax" in response.get_json()["message"]
        assert response.headers["X-Experience-API-Version"] == "2.0.0"
    assert client.get("/xapi/statements", headers=auth).get_json()["statements"] == []


def _signed_request(sign_with_other_key: bool) -> tuple[dict[str, Any], str, bytes]:
    statement = make_statement(id=str(uuid.uuid4()))
    other = rsa_signer("someone else") if sign_with_other_key else None
    part = attach_signature(statement, jws(dict(statement), rsa_signer(), "RS384", sign_with=other))
    content_type, body = multipart_body(statement, [part])
    return statement, content_type, body


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_signed_statement_verifying_against_its_x5c_is_stored(client, auth, version: str) -> None:
    statement, content_type, body = _signed_request(sign_with_other_key=False)
    headers = {**auth, "X-Experience-API-Version": version, "Content-Type": content_type}
    response = client.post("/xapi/statements", data=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert get_one(client, auth, statement["id"])["attachments"] == statement["attachments"]


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_signed_statement_not_verifying_against_its_x5c_is_400_and_not_stored(client, auth, version: str) -> None:
    statement, content_type, body = _signed_request(sign_with_other_key=True)
    headers = {**auth, "X-Experience-API-Version": version, "Content-Type": content_type}
    response = client.post("/xapi/statements", data=body, headers=headers)
    assert response.status_code == 400
    assert "does not verify with the key of the first x5c certificate" in response.get_json()["message"]
    assert client.get(f"/xapi/statements?statementId={statement['id']}", headers=auth).status_code == 404


@pytest.fixture
def app_speaking_2_0_by_default(database_url: str) -> Iterator[Flask]:
    from lrs.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "XAPI_DEFAULT_VERSION": "2.0.0"})
    yield app
    app.extensions["lrs.engine"].dispose()


def test_default_version_names_the_version_of_versionless_responses(app_speaking_2_0_by_default, auth) -> None:
    client = app_speaking_2_0_by_default.test_client()
    assert client.get("/xapi/about").headers["X-Experience-API-Version"] == "2.0.0"
    without = {k: v for k, v in auth.items() if k != "X-Experience-API-Version"}
    refused = client.get("/xapi/statements", headers=without)
    assert refused.status_code == 400 and refused.headers["X-Experience-API-Version"] == "2.0.0"
    # a request naming its version is still answered in it
    assert client.get("/xapi/statements", headers=auth).headers["X-Experience-API-Version"] == "1.0.3"


def test_default_version_must_be_one_this_lrs_speaks(database_url: str) -> None:
    from lrs.app import create_app

    with pytest.raises(ValueError, match="XAPI_DEFAULT_VERSION must be 1.0.3 or 2.0.0"):
        create_app({"TESTING": True, "DATABASE_URL": database_url, "XAPI_DEFAULT_VERSION": "2.0"})
