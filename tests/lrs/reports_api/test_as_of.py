"""`as_of` over HTTP: kept replays serve requests from any server thread, and a seq past the end
of the log is refused at once."""
from __future__ import annotations

import threading
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from tests.fixtures.jp import LMS, NIP_A, claim, roster_row


def _get_in_a_thread(client: FlaskClient, url: str, headers: dict[str, str]) -> Any:
    found: list[Any] = []
    worker = threading.Thread(target=lambda: found.append(client.get(url, headers=headers)))
    worker.start()
    worker.join()
    return found[0]


def test_a_kept_replay_answers_from_another_thread(client: FlaskClient, engine: Engine,
                                                   auth: dict[str, str]) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    record_statements(engine, [claim(jp=22)], authority=LMS)
    record_statements(engine, [claim(jp=4)], authority=LMS)
    url = f"/api/v1/pegawai/{NIP_A}/jp?year=2026&as_of=3"
    replies = [_get_in_a_thread(client, url, auth) for _ in range(3)]  # a new thread each time
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert {r.json["jp_counted"] for r in replies} == {22}
    later = _get_in_a_thread(client, url.replace("as_of=3", "as_of=4"), auth)  # carried forward
    assert (later.status_code, later.json["jp_counted"]) == (200, 26)


def test_an_as_of_beyond_the_log_is_refused(client: FlaskClient, engine: Engine, auth: dict[str, str]) -> None:
    record_roster(engine, [roster_row()])
    reply = client.get(f"/api/v1/pegawai/{NIP_A}/jp?year=2026&as_of=1000000000", headers=auth)
    assert reply.status_code == 400 and "beyond the end of the log" in reply.json["message"]
