"""The `audit` scope: an auditor's credential reads everything (every statement of everyone,
documents, Agents, Activities, /api/v1 with its audit endpoints) and writes nothing."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.cli import main
from lrs.store import log
from lrs.store.engine import reading
from lrs.write.reference import record_roster
from tests.fixtures.builders import add_credential, make_statement
from tests.fixtures.jp import NIP_A, roster_row

ACTIVITY = "https://lms.example.go.id/course/1"
AGENT = {"objectType": "Agent", "mbox": "mailto:siti@example.go.id"}
STATE = "/xapi/activities/state?" + urlencode({"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "s"})
ACTIVITY_PROFILE = "/xapi/activities/profile?" + urlencode({"activityId": ACTIVITY, "profileId": "p"})
AGENT_PROFILE = "/xapi/agents/profile?" + urlencode({"agent": json.dumps(AGENT), "profileId": "p"})
DOCUMENTS = [STATE, ACTIVITY_PROFILE, AGENT_PROFILE]


@pytest.fixture
def auditor(engine: Engine) -> dict[str, str]:
    return add_credential(engine, "inspektorat", "s3cret", ["audit"])


def _count(engine: Engine) -> int:
    with reading(engine) as conn:
        head = log.head(conn)
    return head.seq if head else 0


def test_audit_reads_every_statement_and_document_and_the_reports(client: FlaskClient, engine: Engine,
                                                                   auth: dict[str, str], auditor: dict[str, str]) -> None:
    lms = add_credential(engine, "lms", "s3cret", ["statements/write"])
    ids = [client.post("/xapi/statements", json=make_statement(), headers=headers).get_json()[0]
           for headers in (auth, lms)]
    for target in DOCUMENTS:
        assert client.put(target, json={"x": 1}, headers={**auth, "If-None-Match": "*"}).status_code == 204
    record_roster(engine, [roster_row()])

    listed = client.get("/xapi/statements", headers=auditor)
    assert listed.status_code == 200
    assert {s["id"] for s in listed.get_json()["statements"]} == set(ids)  # not only its own
    assert client.get(f"/xapi/statements?statementId={ids[1]}", headers=auditor).status_code == 200
    for target in DOCUMENTS:
        got = client.get(target, headers=auditor)
        assert (got.status_code, got.get_json()) == (200, {"x": 1})
    assert client.get("/xapi/activities?" + urlencode({"activityId": ACTIVITY}), headers=auditor).status_code == 200
    assert client.get("/xapi/agents?" + urlencode({"agent": json.dumps(AGENT)}), headers=auditor).status_code == 200
    assert client.get(f"/api/v1/pegawai/{NIP_A}/jp?year=2026", headers=auditor).status_code == 200
    assert client.get("/api/v1/audit/checkpoints", headers=auditor).status_code == 200


@pytest.mark.parametrize("method, target", [
    ("POST", "/xapi/statements"), ("PUT", "/xapi/statements?statementId=9a2bd1a0-6b1c-4c8c-9e2e-4f1a2b3c4d5e"),
    *[(method, target) for target in DOCUMENTS for method in ("PUT", "POST", "DELETE")],
])
def test_audit_writes_nothing(client: FlaskClient, engine: Engine, auditor: dict[str, str], method: str,
                              target: str) -> None:
    body = make_statement() if "statements" in target else {"x": 1}
    before = _count(engine)
    answer = client.open(target, method=method, json=body, headers=auditor)
    assert answer.status_code == 403
    assert "has the scope 'audit', which reads and never writes" in answer.get_json()["message"]
    assert _count(engine) == before


def test_a_credential_is_created_with_the_audit_scope(database_url: str) -> None:
    result = CliRunner().invoke(main, ["credentials", "create", "--key", "bpk", "--secret", "s", "--scope", "audit",
                                       "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "created bpk with scope audit"
