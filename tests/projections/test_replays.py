"""Kept replays: a replay carried forward from an earlier seq equals a fresh one, and the kept
set stays within its size."""
from __future__ import annotations

from sqlalchemy import Engine

from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from lrs.read.jp import pegawai_jp
from lrs.read.values import to_json
from lrs.store import read_models
from projections.replays import Replays
from tests.fixtures.jp import LMS, NIP_A, claim, roster_row, void


def _head(engine: Engine) -> int:
    with engine.connect() as conn:
        return read_models.head_seq(conn)


def test_carried_forward_replays_equal_fresh_ones(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    heads = []
    first = claim(jp=2)
    for statement in (first, claim(jp=3), void(first["id"]), claim(jp=5)):
        record_statements(engine, [statement], authority=LMS)
        heads.append(_head(engine))
    replays = Replays(engine, size=2)
    try:
        for seq in heads + heads[::-1]:  # forward (carried), then backward (fresh or kept)
            kept = to_json(pegawai_jp(engine, NIP_A, 2026, str(seq), replays=replays))
            assert kept == to_json(pegawai_jp(engine, NIP_A, 2026, str(seq)))
            assert len(replays._kept) <= 2
        assert [to_json(pegawai_jp(engine, NIP_A, 2026, str(s), replays=replays))["jp_counted"]
                for s in heads] == [2, 5, 3, 8]
    finally:
        replays.close()
    assert replays._kept == {}
