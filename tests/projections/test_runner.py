"""The runner: racing catch-ups fold each event once; rebuild and status."""
from __future__ import annotations

import threading

from sqlalchemy import Engine

from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from lrs.read.jp import pegawai_jp
from lrs.read.values import to_json
from projections import runner
from tests.fixtures.jp import LMS, NIP_A, claim, roster_row


def test_racing_catch_ups_fold_each_event_once(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    for jp in range(1, 13):
        record_statements(engine, [claim(jp=jp)], authority=LMS, project=False)
    failures: list[BaseException] = []

    def catch_up() -> None:
        try:
            runner.catch_up(engine, batch=2)
        except BaseException as exc:  # collected and asserted below: a thread cannot fail the test
            failures.append(exc)

    threads = [threading.Thread(target=catch_up) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    live = to_json(pegawai_jp(engine, NIP_A, 2026))
    assert live["jp_counted"] == sum(range(1, 13))
    runner.rebuild(engine, ["jp_claims"], batch=5)
    assert to_json(pegawai_jp(engine, NIP_A, 2026)) == live
    assert {name: lag for name, _, lag in runner.status(engine)} == dict.fromkeys(runner.BY_NAME, 0)
