"""Reads from a real PostgreSQL streaming replica (READ_DATABASE_URL): a primary and a hot standby
of the test's own (tests/fixtures/clusters.py). GETs read the replica, writes the primary; a
client that sends back a write's X-Jejak-Seq as X-Jejak-Read-After reads its write (from the
primary when the replica has not replayed it in time); Consistent-Through on the replica is its
last event's stored time; paging never skips; an unreachable replica is passed over."""
from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lrs.app import create_app
from lrs.store.engine import make_engine
from tests.fixtures.builders import add_credential, make_statement
from tests.fixtures.clusters import Cluster, free_port
from tests.fixtures.databases import PgSchema

pytestmark = pytest.mark.slow
VERSION = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture(scope="module")
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    primary = Cluster.primary()
    replica = primary.replica()
    yield primary, replica
    replica.destroy()
    primary.destroy()


@pytest.fixture(scope="module")
def schema(clusters: tuple[Cluster, Cluster]) -> Iterator[PgSchema]:
    found = PgSchema(clusters[0].url())
    _replayed(clusters)  # the migrated tables are on the replica before a test reads them
    yield found
    found.drop()


def _replayed(clusters: tuple[Cluster, Cluster], seconds: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    primary, replica = clusters
    [(target,)] = primary.sql("SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + seconds
    while replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0][0] is not True:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


@pytest.fixture
def urls(clusters: tuple[Cluster, Cluster], schema: PgSchema) -> Iterator[tuple[str, str]]:
    primary, replica = clusters
    yield schema.url, schema.url.replace(f":{primary.port}/", f":{replica.port}/")
    replica.sql("SELECT pg_wal_replay_resume()")
    schema.empty()


def _app(primary_url: str, replica_url: str, **config: Any) -> Flask:
    # A replica replays within milliseconds, but this machine may be busy: wait long enough that
    # "the replica has not replayed it" means it was paused.
    return create_app({"TESTING": True, "DATABASE_URL": primary_url, "READ_DATABASE_URL": replica_url,
                       "PROJECT_IN_BACKGROUND": False, "READ_REPLICA_WAIT_MS": 3000, **config})


@pytest.fixture
def app(urls: tuple[str, str]) -> Iterator[Flask]:
    app = _app(*urls)
    yield app
    app.extensions["lrs.engine"].dispose()
    app.extensions["lrs.read_engine"].dispose()


@pytest.fixture
def auth(urls: tuple[str, str]) -> dict[str, str]:
    engine = make_engine(urls[0])
    headers = add_credential(engine, "tester", "s3cret", ["all"])
    engine.dispose()
    return {**headers, **VERSION}


def _post(client: FlaskClient, auth: dict[str, str], count: int = 1) -> tuple[list[str], int]:
    statements = [make_statement(id=str(uuid.uuid4())) for _ in range(count)]
    reply = client.post("/xapi/statements", json=statements, headers=auth)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json(), int(reply.headers["X-Jejak-Seq"])


def test_a_client_reads_its_write_from_the_replica(app: Flask, auth: dict[str, str]) -> None:
    client = app.test_client()
    [sid], seq = _post(client, auth)
    reply = client.get(f"/xapi/statements?statementId={sid}", headers={**auth, "X-Jejak-Read-After": str(seq)})
    assert reply.status_code == 200 and reply.get_json()["id"] == sid
    assert reply.headers["X-Jejak-Read-From"] == "replica" and int(reply.headers["X-Jejak-Seq"]) >= seq


def test_a_replica_behind_a_write_is_passed_over_for_the_primary(
        app: Flask, auth: dict[str, str], clusters: tuple[Cluster, Cluster]) -> None:
    client = app.test_client()
    _, first = _post(client, auth)
    client.get("/xapi/statements", headers={**auth, "X-Jejak-Read-After": str(first)})  # the replica has it
    clusters[1].sql("SELECT pg_wal_replay_pause()")
    [sid], seq = _post(client, auth)
    # Asked to see the write, the read waits for the replica, then reads the primary.
    fresh = client.get(f"/xapi/statements?statementId={sid}", headers={**auth, "X-Jejak-Read-After": str(seq)})
    assert (fresh.status_code, fresh.headers["X-Jejak-Read-From"]) == (200, "primary")
    # Not asked, it reads the replica as it stands, and says how far that is.
    stale = client.get(f"/xapi/statements?statementId={sid}", headers=auth)
    assert (stale.status_code, stale.headers["X-Jejak-Read-From"]) == (404, "replica")
    assert int(stale.headers["X-Jejak-Seq"]) < seq
    stored = datetime.fromisoformat(fresh.get_json()["stored"])
    through = datetime.fromisoformat(stale.headers["X-Experience-API-Consistent-Through"])
    assert through < stored  # what the replica holds, not the clock
    clusters[1].sql("SELECT pg_wal_replay_resume()")
    again = client.get(f"/xapi/statements?statementId={sid}", headers={**auth, "X-Jejak-Read-After": str(seq)})
    assert (again.status_code, again.headers["X-Jejak-Read-From"]) == (200, "replica")


def test_consistent_through_is_the_replicas_last_event(app: Flask, auth: dict[str, str]) -> None:
    client = app.test_client()
    ids, seq = _post(client, auth, 3)
    reply = client.get("/xapi/statements", headers={**auth, "X-Jejak-Read-After": str(seq)})
    assert reply.headers["X-Jejak-Read-From"] == "replica"
    newest = datetime.fromisoformat(reply.get_json()["statements"][0]["stored"])
    through = datetime.fromisoformat(reply.headers["X-Experience-API-Consistent-Through"])
    assert 0 < (newest - through).total_seconds() <= 0.001 + 1e-6


def test_paging_on_the_replica_never_skips_or_repeats(app: Flask, auth: dict[str, str]) -> None:
    client = app.test_client()
    ids, seq = _post(client, auth, 7)
    seen: list[str] = []
    url = "/xapi/statements?limit=3&ascending=true"
    while url:
        page = client.get(url, headers={**auth, "X-Jejak-Read-After": str(seq)})
        assert page.headers["X-Jejak-Read-From"] == "replica"
        seen += [s["id"] for s in page.get_json()["statements"]]
        url = page.get_json()["more"]
    assert seen == ids


def test_documents_and_reports_read_the_replica(app: Flask, auth: dict[str, str]) -> None:
    client = app.test_client()
    agent = '{"mbox": "mailto:a@example.com"}'
    put = client.put(f"/xapi/activities/state?activityId=http://example.com/a&agent={agent}&stateId=s",
                     data=b"hello", headers={**auth, "Content-Type": "text/plain"})
    assert put.status_code == 204
    seq = put.headers["X-Jejak-Seq"]
    got = client.get(f"/xapi/activities/state?activityId=http://example.com/a&agent={agent}&stateId=s",
                     headers={**auth, "X-Jejak-Read-After": seq})
    assert (got.status_code, got.data, got.headers["X-Jejak-Read-From"]) == (200, b"hello", "replica")
    report = client.get("/api/v1/audit/checkpoints", headers={**auth, "X-Jejak-Read-After": seq})
    assert (report.status_code, report.headers["X-Jejak-Read-From"]) == (200, "replica")


def test_an_unreachable_replica_is_passed_over(urls: tuple[str, str], auth: dict[str, str]) -> None:
    closed = urls[1].replace(urls[1].split("@127.0.0.1:")[1].split("/")[0], str(free_port()))
    app = _app(urls[0], closed)
    client = app.test_client()
    [sid], seq = _post(client, auth)
    reply = client.get(f"/xapi/statements?statementId={sid}", headers=auth)
    assert (reply.status_code, reply.headers["X-Jejak-Read-From"]) == (200, "primary")
    app.extensions["lrs.engine"].dispose()
    app.extensions["lrs.read_engine"].dispose()


def test_without_a_replica_nothing_changes(urls: tuple[str, str], auth: dict[str, str]) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": urls[0], "PROJECT_IN_BACKGROUND": False})
    client = app.test_client()
    reply = client.post("/xapi/statements", json=make_statement(id=str(uuid.uuid4())), headers=auth)
    assert reply.status_code == 200 and "X-Jejak-Seq" not in reply.headers
    assert "X-Jejak-Read-From" not in client.get("/xapi/statements", headers=auth).headers
    app.extensions["lrs.engine"].dispose()


def test_a_person_on_the_web_reads_their_own_decision(
        app: Flask, urls: tuple[str, str], clusters: tuple[Cluster, Cluster]) -> None:
    from tests.fixtures.web import csrf_token, log_in, office, submit_claim

    engine = make_engine(urls[0])
    people = office(engine)
    claim_id = submit_claim(engine, people["pegawai-a"])
    engine.dispose()
    client, other = app.test_client(), app.test_client()
    log_in(client, "atasan-c")
    log_in(other, "atasan-c")
    page = client.get("/app/inbox")
    assert claim_id in page.get_data(as_text=True) and page.headers["X-Jejak-Read-From"] == "replica"
    clusters[1].sql("SELECT pg_wal_replay_pause()")
    token = csrf_token(page)
    decided = client.post("/app/inbox", data={"csrf_token": token, "statement_id": claim_id, "decision": "approve"})
    assert decided.status_code == 303
    # The session remembers the decision's position: the next page reads the primary and the claim is gone.
    after = client.get("/app/inbox")
    assert claim_id not in after.get_data(as_text=True)
    # Another browser, with no write since, reads the paused replica, which still lists it.
    assert claim_id in other.get("/app/inbox").get_data(as_text=True)


def test_ready_says_how_far_the_replica_is_behind(
        app: Flask, auth: dict[str, str], urls: tuple[str, str], clusters: tuple[Cluster, Cluster]) -> None:
    client = app.test_client()
    _, seq = _post(client, auth)
    client.get("/xapi/statements", headers={**auth, "X-Jejak-Read-After": str(seq)})
    clusters[1].sql("SELECT pg_wal_replay_pause()")
    _post(client, auth, 2)
    body = client.get("/ready").get_json()
    assert body["status"] == "ready" and body["replica"] == {"status": "reachable", "events_behind": 2}
    closed = urls[1].replace(urls[1].split("@127.0.0.1:")[1].split("/")[0], str(free_port()))
    away = _app(urls[0], closed)
    reply = away.test_client().get("/ready")
    assert reply.status_code == 200 and reply.get_json()["replica"]["status"].startswith("unreachable")
    away.extensions["lrs.engine"].dispose()
    away.extensions["lrs.read_engine"].dispose()
