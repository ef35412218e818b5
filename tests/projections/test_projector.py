"""The background projector of a server process: a POST returns, its statements are folded by
the projector's thread, and appends that arrive together are folded together."""
from __future__ import annotations

import base64
import threading
from typing import Any, Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine

from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from lrs.read.jp import pegawai_jp
from lrs.store import figure_rows
from lrs.store.engine import reading
from projections import figures, runner
from projections.projector import Projector
from tests.fixtures.builders import add_credential
from tests.fixtures.jp import LMS, NIP_A, NIP_B, NIP_C, claim, roster_row


@pytest.fixture
def server_app(database_url: str) -> Iterator[Flask]:
    from lrs.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    yield app
    app.extensions["lrs.projector"].close()
    app.extensions["lrs.replays"].close()
    app.extensions["lrs.engine"].dispose()


def test_posted_statements_are_folded_by_the_projector(server_app: Flask, engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    add_credential(engine, "lms", "s3cret", ["all"])
    headers = {"Authorization": "Basic " + base64.b64encode(b"lms:s3cret").decode(),
               "X-Experience-API-Version": "1.0.3"}
    client = server_app.test_client()
    for jp in (2, 3, 5):
        assert client.post("/xapi/statements", json=claim(jp=jp), headers=headers).status_code == 200
    projector: Projector = server_app.extensions["lrs.projector"]
    assert projector.wait()
    assert pegawai_jp(engine, NIP_A, 2026).jp_counted == 10


def test_concurrent_notifications_fold_everything_once(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    calls = []
    real = runner.catch_up
    monkeypatch.setattr(runner, "catch_up", lambda e, **kw: calls.append(1) or real(e, **kw))
    projector = Projector(engine)
    try:
        def append(jp: int) -> None:
            record_statements(engine, [claim(jp=jp)], authority=LMS, project=projector.notify)

        threads = [threading.Thread(target=append, args=(jp,)) for jp in range(1, 9)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert projector.wait()
        assert pegawai_jp(engine, NIP_A, 2026).jp_counted == sum(range(1, 9))
        assert 1 <= len(calls) <= 8  # notifications that arrive during a catch-up share the next one
    finally:
        projector.close()


def test_a_failing_catch_up_is_retried_on_the_next_notification(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    real = runner.catch_up
    failures = [RuntimeError("database went away")]

    def flaky(e: Engine, **kw: Any) -> int:
        if failures:
            raise failures.pop()
        return real(e, **kw)

    monkeypatch.setattr(runner, "catch_up", flaky)
    projector = Projector(engine)
    try:
        record_statements(engine, [claim(jp=4)], authority=LMS, project=projector.notify)
        assert projector.wait()
        assert pegawai_jp(engine, NIP_A, 2026).jp_counted == 0  # the fold failed; the statement is stored
        record_statements(engine, [claim(jp=1)], authority=LMS, project=projector.notify)
        assert projector.wait()
        assert pegawai_jp(engine, NIP_A, 2026).jp_counted == 5
    finally:
        projector.close()


def test_appends_are_gathered_until_someone_waits(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    calls = []
    real = runner.catch_up
    monkeypatch.setattr(runner, "catch_up", lambda e, **kw: calls.append(1) or real(e, **kw))
    projector = Projector(engine, gather_seconds=600)  # only a waiter ends the gathering here
    try:
        for jp in (1, 2, 3):
            record_statements(engine, [claim(jp=jp)], authority=LMS, project=projector.notify)
        assert projector.wait(timeout=60)
        assert calls == [1]  # one catch-up folded the three appends
        assert pegawai_jp(engine, NIP_A, 2026).jp_counted == 6
    finally:
        projector.close()


def _waiting(engine: Engine) -> int:
    with reading(engine) as conn:
        return figure_rows.pending(conn)[0]


def test_a_fan_out_in_a_request_does_one_batch_and_leaves_the_rest_to_the_projector(
        server_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    engine: Engine = server_app.extensions["lrs.engine"]
    projector: Projector = server_app.extensions["lrs.projector"]
    woken: list[int] = []
    runner.hand_off(engine, lambda: woken.append(1))  # as create_app did, without the thread taking it up
    monkeypatch.setattr(figures, "BATCH", 1)
    record_roster(engine, [roster_row(NIP_A), roster_row(NIP_B), roster_row(NIP_C)])  # queues 3 figures
    assert _waiting(engine) == 2 and woken == [1]  # the write returned after one batch of figures, and woke the thread
    runner.hand_off(engine, projector.more)
    projector.more()
    for _ in range(100):  # each catch-up of the thread recomputes a batch and runs again while more wait
        assert projector.wait()
        if _waiting(engine) == 0:
            break
    assert _waiting(engine) == 0
    assert pegawai_jp(engine, NIP_B, 2020).target_jp == 20
