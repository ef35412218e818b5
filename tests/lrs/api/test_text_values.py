"""Text the LRS cannot keep the same on every database: NUL (U+0000), which PostgreSQL refuses
in text, and lone UTF-16 surrogates, which no UTF-8 text can hold. Refused at the edges with a
message naming where; a binary document holding NUL bytes is kept as bytes."""
from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
import sqlalchemy.exc
from flask import Flask

from tests.fixtures.builders import add_credential, make_statement

STATE = "/xapi/activities/state?activityId=https://lms.example.go.id/a&agent=" + quote(
    json.dumps({"mbox": "mailto:siti@example.go.id"}))


def post_text(client, auth, text: str):
    """POST a statement body given as JSON text (so escapes such as \\u0000 reach the server)."""
    return client.post("/xapi/statements", data=text, headers={**auth, "Content-Type": "application/json"})


@pytest.mark.parametrize("query", [
    "?verb=http://adlnet.gov/expapi/verbs/completed%00",
    "?activity=https://lms.example.go.id/a%00b",
    "?registration%00=x",
])
def test_nul_in_a_query_parameter_is_400(client, auth, query: str) -> None:
    response = client.get(f"/xapi/statements{query}", headers=auth)
    assert response.status_code == 400
    assert "NUL" in response.get_json()["message"]


def test_nul_in_a_document_id_is_400_and_nothing_is_stored(client, auth) -> None:
    response = client.put(f"{STATE}&stateId=a%00b", data=b"{}", headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "stateId" in response.get_json()["message"] and "NUL" in response.get_json()["message"]
    assert client.get(STATE, headers=auth).get_json() == []


def test_nul_in_a_report_path_is_400(client, engine) -> None:
    reporter = add_credential(engine, "reporter", "r", ["reports"])
    response = client.get("/api/v1/pegawai/1990%00/jp?year=2026", headers=reporter)
    assert response.status_code == 400
    assert "NUL" in response.get_json()["message"]


@pytest.mark.parametrize("where, statement, path", [
    ("verb display", make_statement(verb={"id": "http://adlnet.gov/expapi/verbs/completed",
                                          "display": {"en-US": "com\u0000pleted"}}),
     'statement.verb.display["en-US"]'),
    ("actor mbox", make_statement(actor={"mbox": "mailto:siti\u0000@example.go.id"}), "statement.actor.mbox"),
    ("extension key", make_statement(result={"extensions": {"https://jejak.example/\u0000": 1}}),
     "statement.result.extensions"),
])
def test_nul_in_a_statement_is_400_naming_the_field(client, auth, where: str, statement: dict, path: str) -> None:
    response = post_text(client, auth, json.dumps(statement))
    assert response.status_code == 400, where
    message = response.get_json()["message"]
    assert path in message and "NUL" in message, message
    assert client.get("/xapi/statements", headers=auth).get_json()["statements"] == []


def test_nul_in_a_basic_credential_is_401(client, engine) -> None:
    add_credential(engine, "lms", "right", ["all"])
    for key, secret in (("lms\u0000", "right"), ("lms", "right\u0000"), ("\u0000", "")):
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        response = client.get("/xapi/statements", headers={
            "Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"})
        assert response.status_code == 401, (key, secret)


def test_binary_document_holding_nul_bytes_is_kept_as_bytes(client, auth) -> None:
    data = b"\x00\x01binary\x00"
    put = client.put(f"{STATE}&stateId=bin", data=data, headers={**auth, "Content-Type": "application/octet-stream"})
    assert put.status_code == 204
    got = client.get(f"{STATE}&stateId=bin", headers=auth)
    assert got.status_code == 200 and got.data == data


@pytest.mark.parametrize("text, path", [
    ('{"response": "\\ud800"}', "statement.result.response"),
    ('{"extensions": {"https://jejak.example/\\udfff": 1}}', "statement.result.extensions"),
])
def test_lone_surrogate_in_a_statement_is_400_naming_the_field(client, auth, text: str, path: str) -> None:
    body = json.dumps(make_statement(result="@")).replace('"@"', text)
    response = post_text(client, auth, body)
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert path in message and "surrogate" in message and "not finite" not in message, message


def test_paired_surrogates_are_an_ordinary_character(client, auth) -> None:
    body = json.dumps(make_statement(result="@")).replace('"@"', '{"response": "\\ud83d\\ude00"}')
    response = post_text(client, auth, body)
    assert response.status_code == 200, response.get_json()
    [stored] = client.get("/xapi/statements", headers=auth).get_json()["statements"]
    assert stored["result"]["response"] == "\U0001F600"


def test_json_document_with_a_lone_surrogate_merges(client, auth) -> None:
    target = f"{STATE}&stateId=s"
    headers = {**auth, "Content-Type": "application/json"}
    assert client.put(target, data=b'{"a": "\\ud800"}', headers=headers).status_code == 204
    assert client.post(target, data=b'{"b": 1}', headers=headers).status_code == 204
    assert client.get(target, headers=auth).get_json() == {"a": "\ud800", "b": 1}


def test_a_database_data_error_is_400_not_500(app: Flask, auth, backend: str) -> None:
    """The backstop: a value a database refuses, past every check at the edges."""
    from lrs.store.credentials import find_credential
    from lrs.store.engine import reading

    @app.get("/test-data-error")
    def data_error() -> tuple[str, int]:
        with reading(app.extensions["lrs.engine"]) as conn:
            find_credential(conn, "a\u0000b")  # PostgreSQL refuses NUL in text; SQLite takes it
        return "", 204

    response = app.test_client().get("/test-data-error", headers=auth)
    assert response.status_code == (400 if backend == "postgresql" else 204)
    if backend == "postgresql":
        assert response.get_json()["error"] == "BadRequest"


def test_data_error_maps_to_400_on_any_database(app: Flask, auth) -> None:
    @app.get("/test-raise")
    def raise_data_error() -> str:
        raise sqlalchemy.exc.DataError("SELECT 1", {}, ValueError("value out of range"))

    response = app.test_client().get("/test-raise", headers=auth)
    assert response.status_code == 400
    assert "value out of range" in response.get_json()["message"]
