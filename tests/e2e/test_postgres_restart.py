"""A real `lrs serve` on PostgreSQL while the database server restarts under write load: during
the outage every request is answered 503 with Retry-After and a JSON body (no cut connection,
no bare 500); afterwards writes succeed on the same server; every acknowledged statement is stored.

The database is a cluster of the test's own (tests/fixtures/private_postgres.py): restarting the
shared one on 5432 would break other test runs."""
from __future__ import annotations

import http.client
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.e2e.conftest import KEY, SECRET, LiveServer, run_cli
from tests.e2e.test_crash_safety import assert_chain_verifies, statement, stored_events
from tests.fixtures.clusters import Cluster

pytestmark = pytest.mark.slow

WRITERS = 4
BATCH_SIZE = 5
ACKED_BEFORE = 10      # batches acknowledged before the database stops
REFUSED_DURING = 8     # 503 replies seen before it starts again
ACKED_AFTER = 10       # batches acknowledged after it is back
WAIT_SECONDS = 90.0    # bound on each phase; the phases end on counts, not on time


@dataclass
class Reply:
    ids: list[str]
    status: int | None = None  # None: no reply
    retry_after: str | None = None
    content_type: str = ""
    body: bytes = b""
    error: str = ""
    after_restart: bool = False


@dataclass
class Writers:
    server: LiveServer
    replies: list[Reply] = field(default_factory=list)
    restarted: bool = False
    stop: threading.Event = field(default_factory=threading.Event)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def count(self, status: int, after_restart: bool = False) -> int:
        return sum(r.status == status and r.after_restart == after_restart for r in self.replies)

    def _write(self, writer: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            reply = Reply([str(uuid.uuid4()) for _ in range(BATCH_SIZE)], after_restart=self.restarted)
            try:
                got = self.server.request("POST", "statements",
                                          [statement(sid, writer, n) for sid in reply.ids], timeout=60)
                reply.status, reply.body = got.status, got.body
                reply.retry_after = got.headers.get("Retry-After")
                reply.content_type = got.headers.get("Content-Type", "")
            except (OSError, http.client.HTTPException) as exc:
                reply.error = repr(exc)
            with self.cond:
                self.replies.append(reply)
                self.cond.notify_all()
            if reply.status != 200:
                time.sleep(0.1)  # a client would honour Retry-After; the test only paces itself

    def wait_for(self, what: str, done: Callable[[], bool]) -> None:
        with self.cond:
            if not self.cond.wait_for(done, timeout=WAIT_SECONDS):
                self.stop.set()
                pytest.fail(f"{what} not reached; replies {[(r.status, r.error) for r in self.replies][-20:]}"
                            f"\n{self.server.stderr()}")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    pg = Cluster.primary()  # a cluster of the test's own, started: the shared one is never stopped
    try:
        yield pg
    finally:
        pg.destroy()


def test_postgres_restart_under_write_load(cluster: Cluster, tmp_path: Path) -> None:
    server = LiveServer(cluster.url(), tmp_path / "server.log").start()  # migrates the schema
    try:
        made = run_cli("credentials", "create", "--key", KEY, "--secret", SECRET, "--scope", "all",
                       "--database-url", cluster.url())
        assert made.returncode == 0, made.stdout + made.stderr
        writers = Writers(server)
        threads = [threading.Thread(target=writers._write, args=(w,), daemon=True) for w in range(WRITERS)]
        for thread in threads:
            thread.start()
        try:
            writers.wait_for("writes before the stop", lambda: writers.count(200) >= ACKED_BEFORE)
            cluster.stop()
            writers.wait_for("503 during the outage", lambda: writers.count(503) >= REFUSED_DURING)
            cluster.start()
            writers.restarted = True
            writers.wait_for("writes after the restart", lambda: writers.count(200, True) >= ACKED_AFTER)
        finally:
            writers.stop.set()
            for thread in threads:
                thread.join(timeout=60)

        assert server.running, "the server stopped with the database"
        cut = [r.error for r in writers.replies if r.status is None]
        assert not cut, f"requests without a reply: {cut}\n{server.stderr()}"
        odd = [(r.status, r.body[:300]) for r in writers.replies if r.status not in (200, 503)]
        assert not odd, f"replies other than 200 and 503: {odd}\n{server.stderr()}"
        for refused in (r for r in writers.replies if r.status == 503):
            assert refused.retry_after is not None and int(refused.retry_after) > 0
            assert refused.content_type.startswith("application/json")
            assert b'"error"' in refused.body

        acknowledged = {sid for r in writers.replies if r.status == 200 for sid in r.ids}
        stored = [p["id"] for p in stored_events(cluster.url())]
        assert len(stored) == len(set(stored)), "a statement is stored twice"
        assert acknowledged <= set(stored), "an acknowledged statement is lost"
        # A batch refused with 503 may still be stored (the connection broke during COMMIT),
        # but only whole: never a part of it.
        for refused in (r for r in writers.replies if r.status == 503):
            assert len(set(refused.ids) & set(stored)) in (0, BATCH_SIZE)
        print(f"{len(acknowledged) // BATCH_SIZE} batches acknowledged, "
              f"{writers.count(503) + writers.count(503, True)} refused with 503, {len(stored)} statements stored")
        assert_chain_verifies(cluster.url())
    finally:
        code = server.terminate()
        print(f"--- server log ---\n{server.stderr()}")
    assert code == 0, server.stderr()
