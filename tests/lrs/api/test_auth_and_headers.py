"""Credentials and scopes, the version header, CORS, About."""
from __future__ import annotations

from tests.fixtures.builders import add_credential, basic, make_statement


def test_no_credentials_is_401_with_challenge(client) -> None:
    response = client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_secret_is_401(client, engine) -> None:
    add_credential(engine, "lms", "right", ["all"])
    assert client.get("/xapi/statements", headers=basic("lms", "wrong")).status_code == 401


def test_write_only_credential_cannot_read_and_read_only_cannot_write(client, engine) -> None:
    writer = add_credential(engine, "writer", "w", ["statements/write"])
    reader = add_credential(engine, "reader", "r", ["statements/read"])
    assert client.post("/xapi/statements", json=make_statement(), headers=writer).status_code == 200
    assert client.get("/xapi/statements", headers=writer).status_code == 403
    assert client.post("/xapi/statements", json=make_statement(), headers=reader).status_code == 403
    assert len(client.get("/xapi/statements", headers=reader).get_json()["statements"]) == 1


def test_read_mine_sees_only_statements_its_credential_stored(client, engine) -> None:
    mine = add_credential(engine, "lms-a", "a", ["statements/write", "statements/read/mine"])
    other = add_credential(engine, "lms-b", "b", ["all"])
    [own] = client.post("/xapi/statements", json=make_statement(), headers=mine).get_json()
    [foreign] = client.post("/xapi/statements", json=make_statement(), headers=other).get_json()
    listed = client.get("/xapi/statements", headers=mine).get_json()["statements"]
    assert [s["id"] for s in listed] == [own]
    assert client.get(f"/xapi/statements?statementId={foreign}", headers=mine).status_code == 404


def test_revoked_credential_is_refused_at_once(client, engine) -> None:
    from datetime import datetime, timezone

    from lrs.store.credentials import revoke_credential

    headers = add_credential(engine, "old", "pw", ["all"])
    assert client.get("/xapi/statements", headers=headers).status_code == 200
    with engine.begin() as conn:
        revoke_credential(conn, "old", datetime.now(timezone.utc))
    assert client.get("/xapi/statements", headers=headers).status_code == 401


def test_secret_is_stored_only_as_slow_hash(engine) -> None:
    from lrs.write.reference import create_credential
    from lrs.store.credentials import find_credential

    create_credential(engine, "k", "plain-secret", ["all"])
    with engine.connect() as conn:
        row = find_credential(conn, "k")
    assert row is not None and "plain-secret" not in row.secret_hash
    assert row.secret_hash.startswith("scrypt$")


def test_missing_or_unknown_version_header_is_400(client, auth) -> None:
    headers = {k: v for k, v in auth.items() if k != "X-Experience-API-Version"}
    assert client.get("/xapi/statements", headers=headers).status_code == 400
    assert client.get("/xapi/statements", headers={**headers, "X-Experience-API-Version": "0.95"}).status_code == 400
    assert client.get("/xapi/statements", headers={**headers, "X-Experience-API-Version": "1.0.2"}).status_code == 200


def test_every_response_carries_version_and_consistency_headers(client, auth) -> None:
    for response in (client.get("/xapi/statements", headers=auth), client.get("/xapi/about"),
                     client.get("/xapi/statements")):
        assert response.headers["X-Experience-API-Version"] == "1.0.3"
        assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")


def test_about_lists_versions_without_credentials(client) -> None:
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert "1.0.3" in response.get_json()["version"]


def test_cors_preflight_needs_no_credentials(client) -> None:
    response = client.options("/xapi/statements", headers={
        "Origin": "https://lms.example.go.id", "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


def test_head_returns_headers_without_body(client, auth) -> None:
    response = client.head("/xapi/statements", headers=auth)
    assert response.status_code == 200 and response.data == b""
    assert "X-Experience-API-Consistent-Through" in response.headers
