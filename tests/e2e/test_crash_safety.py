"""Crash safety of a real `lrs serve`: power cut (SIGKILL) and shutdown (SIGTERM) under write
load, concurrent PUTs of one statement id, and the request size limit."""
from __future__ import annotations

import http.client
import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import pytest

from tests.e2e.conftest import LiveServer, basic_headers, run_cli

pytestmark = pytest.mark.slow

THREADS = 4
BATCHES_PER_THREAD = 60  # a bound: the server is stopped long before the threads get there
BATCH_SIZE = 10
STOP_AFTER_OK = 8  # batches acknowledged before the server is stopped


def statement(sid: str, thread: int, n: int, course: int = 1) -> dict[str, Any]:
    return {
        "id": sid,
        "actor": {"objectType": "Agent", "mbox": f"mailto:peserta{thread}@example.go.id"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": f"https://lms.example.go.id/course/{course}"},
        "result": {"score": {"raw": n}},
    }


@dataclass
class Batch:
    ids: list[str]
    status: int | None = None  # None: no reply (refused, reset, cut off)
    body: bytes = b""
    error: str = ""


@dataclass
class Load:
    """Client threads POSTing batches with client-chosen ids, until the server stops answering."""

    server: LiveServer
    batches: list[Batch] = field(default_factory=list)
    acknowledged: int = 0
    cond: threading.Condition = field(default_factory=threading.Condition)

    def _client(self, thread: int) -> None:
        for n in range(BATCHES_PER_THREAD):
            batch = Batch([str(uuid.uuid4()) for _ in range(BATCH_SIZE)])
            with self.cond:
                self.batches.append(batch)
            body = [statement(sid, thread, n) for sid in batch.ids]
            try:
                reply = self.server.request("POST", "statements", body, timeout=60)
            except (OSError, http.client.HTTPException) as exc:
                batch.error = repr(exc)
                return  # the server is gone
            batch.status, batch.body = reply.status, reply.body
            if reply.status != 200:
                return  # asserted on below
            with self.cond:
                self.acknowledged += 1
                self.cond.notify_all()

    def run_until(self, stop: Callable[[], None]) -> None:
        threads = [threading.Thread(target=self._client, args=(t,), daemon=True)
                   for t in range(THREADS)]
        for thread in threads:
            thread.start()
        with self.cond:
            reached = self.cond.wait_for(lambda: self.acknowledged >= STOP_AFTER_OK, timeout=60)
        stop()
        for thread in threads:
            thread.join(timeout=60)
            assert not thread.is_alive(), "a client thread hangs after the server stopped"
        assert reached, f"only {self.acknowledged} batches acknowledged:\n{self.server.stderr()}"
        odd = [b for b in self.batches if b.status not in (None, 200)]
        assert not odd, f"unexpected replies {[(b.status, b.body[:300]) for b in odd]}"


def statuses_by_id(server: LiveServer, ids: Iterable[str]) -> dict[str, int]:
    """GET each statement by id over one keep-alive connection: id -> HTTP status."""
    found: dict[str, int] = {}
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        for sid in ids:
            conn.request("GET", f"/xapi/statements?statementId={sid}",
                         headers=basic_headers(server.key, server.secret))
            response = conn.getresponse()
            body = response.read()
            found[sid] = response.status
            if response.status == 200:
                assert json.loads(body)["id"] == sid
            else:
                assert response.status == 404, body
    finally:
        conn.close()
    return found


def stored_events(url: str) -> list[dict[str, Any]]:
    """Payloads of every event in the log, read straight from the database."""
    from lrs.store import log
    from lrs.store.engine import make_engine, reading

    engine = make_engine(url)
    try:
        with reading(engine) as conn:
            return [event.payload for event in log.read(conn)]
    finally:
        engine.dispose()


def assert_chain_verifies(url: str) -> None:
    done = run_cli("verify", "--database-url", url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "chain verified" in done.stdout


@pytest.mark.parametrize("stop", ["sigkill", "sigterm"])
def test_stop_under_write_load(stop: str, lrs_servers: Callable[..., LiveServer]) -> None:
    """SIGKILL of master and workers mid-ingest, or SIGTERM: after a restart on the same
    database every acknowledged batch is there in full, no batch is there in part, nothing
    is there twice, and the hash chain verifies (and keeps growing)."""
    server = lrs_servers()
    load = Load(server)
    codes: list[int] = []
    load.run_until(server.kill_group if stop == "sigkill" else lambda: codes.append(server.terminate()))
    if stop == "sigterm":
        assert codes == [0], f"exit code {codes} after SIGTERM:\n{server.stderr()}"

    restarted = lrs_servers()
    acknowledged = [b for b in load.batches if b.status == 200]
    unanswered = [b for b in load.batches if b.status is None]
    assert len(acknowledged) >= STOP_AFTER_OK
    present = statuses_by_id(restarted, [sid for b in load.batches for sid in b.ids])

    for batch in acknowledged:
        assert json.loads(batch.body) == batch.ids
        assert all(present[sid] == 200 for sid in batch.ids), "an acknowledged statement is lost"
    for batch in unanswered:
        stored = sum(present[sid] == 200 for sid in batch.ids)
        assert stored in (0, BATCH_SIZE), f"half a batch stored ({stored}/{BATCH_SIZE}): {batch.error}"
        if stop == "sigterm":
            # Graceful: a request taken up is finished and answered; one not answered was
            # never taken up.
            assert stored == 0, f"a batch without a reply was stored: {batch.error}"

    in_flight_stored = sum(present[b.ids[0]] == 200 for b in unanswered)
    print(f"{stop}: {len(acknowledged)} acknowledged, {len(unanswered)} without reply "
          f"({in_flight_stored} of them stored in full)")

    payload_ids = [p["id"] for p in stored_events(restarted.url)]
    assert len(payload_ids) == len(set(payload_ids)), "a statement is stored twice"
    assert set(payload_ids) == {sid for sid, status in present.items() if status == 200}

    # The log grows on from where the stop left it, and the whole chain verifies.
    later = [statement(str(uuid.uuid4()), 99, 0)]
    reply = restarted.request("POST", "statements", later)
    assert reply.status == 200, reply.body
    assert_chain_verifies(restarted.url)


def put_all(server: LiveServer, sid: str, bodies: list[dict[str, Any]]) -> list[int]:
    """PUT each body under `sid` from its own thread, all released at once."""
    gate = threading.Barrier(len(bodies))
    statuses: list[int] = [0] * len(bodies)
    errors: list[str] = []

    def put(i: int) -> None:
        gate.wait(timeout=30)
        try:
            statuses[i] = server.request("PUT", f"statements?statementId={sid}", bodies[i]).status
        except Exception as exc:  # reported below with the server's log
            errors.append(repr(exc))

    threads = [threading.Thread(target=put, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, f"{errors}\n{server.stderr()}"
    return statuses


def test_concurrent_puts_of_one_id(live_server: LiveServer) -> None:
    same = str(uuid.uuid4())
    statuses = put_all(live_server, same, [statement(same, 1, 1) for _ in range(8)])
    assert statuses == [204] * 8, live_server.stderr()
    assert [p["id"] for p in stored_events(live_server.url)] == [same]

    # Different content under one id: exactly one wins, the others conflict.
    contested = str(uuid.uuid4())
    bodies = [statement(contested, 2, i, course=i) for i in range(8)]
    statuses = put_all(live_server, contested, bodies)
    assert sorted(statuses) == [204] + [409] * 7, f"{statuses}\n{live_server.stderr()}"
    winner = statuses.index(204)
    reply = live_server.request("GET", f"statements?statementId={contested}")
    assert reply.status == 200
    assert reply.json()["object"]["id"] == bodies[winner]["object"]["id"]
    assert reply.json()["result"]["score"]["raw"] == winner

    payload_ids = [p["id"] for p in stored_events(live_server.url)]
    assert payload_ids == [same, contested]
    assert_chain_verifies(live_server.url)


def test_body_over_the_limit_is_refused(lrs_servers: Callable[..., LiveServer]) -> None:
    server = lrs_servers(env={"LRS_MAX_CONTENT_LENGTH": "2000"})
    small = [statement(str(uuid.uuid4()), 1, 0)]
    assert len(json.dumps(small)) < 2000
    ok = server.request("POST", "statements", small)
    assert ok.status == 200, ok.body

    large = [statement(str(uuid.uuid4()), 1, n) for n in range(20)]
    assert len(json.dumps(large)) > 2000
    refused = server.request("POST", "statements", large)
    assert refused.status == 413, refused.body
    assert refused.json()["error"]

    listed = server.request("GET", "statements")
    assert [s["id"] for s in listed.json()["statements"]] == [small[0]["id"]]


def test_chunked_body_over_the_limit_is_refused(lrs_servers: Callable[..., LiveServer]) -> None:
    server = lrs_servers(env={"LRS_MAX_CONTENT_LENGTH": "2000"})
    large = [statement(str(uuid.uuid4()), 1, n) for n in range(20)]
    data = json.dumps(large).encode()
    assert len(data) > 2000
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        # An iterable body with encode_chunked: Transfer-Encoding chunked, no Content-Length.
        conn.request("POST", "/xapi/statements",
                     body=iter([data[i:i + 500] for i in range(0, len(data), 500)]),
                     headers={**basic_headers(), "Content-Type": "application/json"},
                     encode_chunked=True)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert server.request("GET", "statements").json()["statements"] == []
    assert response.status == 413, body
