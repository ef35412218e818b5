"""/api/v1/audit/checkpoints: the signed checkpoints with the keys that signed them, paged, for
anyone with the scope `audit` or `reports` to keep outside the LRS; each item is a file
`lrs verify --checkpoint` takes as it is."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.read.verification import Outside, verify_store
from lrs.store import signing
from lrs.store.signing import PublicKey
from lrs.write.checkpoints import sign_head
from lrs.write.reference import trust_source
from tests.fixtures.builders import add_credential


@pytest.fixture
def keys() -> list[signing.Ed25519PrivateKey]:
    return [signing.load_key(signing.new_key_pem(), "key") for _ in range(2)]


def test_checkpoints_are_listed_oldest_first_with_their_keys(client: FlaskClient, engine: Engine, auth: dict[str, str],
                                                             keys: list[signing.Ed25519PrivateKey],
                                                             tmp_path: Path) -> None:
    trust_source(engine, "lms")
    signed = [sign_head(engine, keys[0]), sign_head(engine, keys[0]), sign_head(engine, keys[1])]
    page = client.get("/api/v1/audit/checkpoints?offset=1&limit=1", headers=auth)
    assert page.status_code == 200
    body = page.get_json()
    assert (body["count"], body["offset"], body["limit"]) == (3, 1, 1)
    assert body["checkpoints"] == [signed[1].as_json()]
    assert body["keys"] == [{**PublicKey.of(k).as_json(), "event_seq": s.event_seq - 1}
                            for k, s in ((keys[0], signed[0]), (keys[1], signed[2]))]
    whole = client.get("/api/v1/audit/checkpoints", headers=auth).get_json()
    assert whole["checkpoints"] == [s.as_json() for s in signed] and whole["limit"] == 50
    kept = Outside.from_text(json.dumps(whole["checkpoints"][0]), "kept")
    assert verify_store(engine, outside=kept).ok


def test_the_latest_checkpoint_is_a_file_verify_takes(client: FlaskClient, engine: Engine, auth: dict[str, str],
                                                      keys: list[signing.Ed25519PrivateKey]) -> None:
    missing = client.get("/api/v1/audit/checkpoints/latest", headers=auth)
    assert missing.status_code == 404 and "no checkpoint is signed yet" in missing.get_json()["message"]
    trust_source(engine, "lms")
    sign_head(engine, keys[0])
    latest = sign_head(engine, keys[0])
    got = client.get("/api/v1/audit/checkpoints/latest", headers=auth)
    assert got.status_code == 200 and got.get_json() == latest.as_json()


@pytest.mark.parametrize("scopes, status", [(["audit"], 200), (["reports"], 200), (["statements/read"], 403),
                                            (["state", "profile"], 403)])
def test_checkpoints_are_read_with_the_audit_or_reports_scope(client: FlaskClient, engine: Engine, scopes: list[str],
                                                              status: int) -> None:
    headers = add_credential(engine, "reader", "s3cret", scopes)
    answer = client.get("/api/v1/audit/checkpoints", headers=headers)
    assert answer.status_code == status
    if status == 403:
        assert "lacks the scope 'audit' (or 'reports')" in answer.get_json()["message"]


@pytest.mark.parametrize("query, named", [("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset"),
                                          ("offset=x", "offset"), ("format=csv", "format"), ("page=2", "page")])
def test_bad_paging_parameters_are_named(client: FlaskClient, auth: dict[str, str], query: str, named: str) -> None:
    answer = client.get(f"/api/v1/audit/checkpoints?{query}", headers=auth)
    assert answer.status_code == 400 and f"{named}:" in answer.get_json()["message"]


def test_audit_needs_no_xapi_version_header(client: FlaskClient, engine: Engine, auth: dict[str, str],
                                            keys: list[signing.Ed25519PrivateKey]) -> None:
    """/api/v1 is not xAPI: its audit answers without X-Experience-API-Version, as its reports do."""
    trust_source(engine, "lms")
    sign_head(engine, keys[0])
    answer = client.get("/api/v1/audit/checkpoints/latest", headers={"Authorization": auth["Authorization"]})
    assert answer.status_code == 200, answer.get_json()
