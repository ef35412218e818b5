"""Snapshots: derived data (as-of answers and replayed rows are the same with them, without them and
after deleting them), taken at multiples of `every`, kept within `kept` and spread over the log."""
from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from lrs.read.jp import pegawai_jp, summary
from lrs.read.values import to_json
from lrs.store import read_models, snapshot_rows
from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from projections import runner, snapshots
from projections.replays import Replays
from projections.snapshots import Snapshots
from tests.fixtures.jp import LMS, NIP_A, NIP_B, claim, roster_row, void

EVERY_THIRD = Snapshots(every=3, kept=3)


def _head(engine: Engine) -> int:
    with engine.connect() as conn:
        return read_models.head_seq(conn)


def _history(engine: Engine, keep: Snapshots) -> list[int]:
    """A small log folded live after each append; returns the head after each."""
    trust_source(engine, "lms")
    record_roster(engine, [roster_row(), roster_row(NIP_B, mbox="mailto:b@example.go.id")])
    heads = [_head(engine)]
    first, second = claim(jp=2), claim(jp=4, nip=NIP_B)
    for statement in (first, claim(jp=3), second, void(first["id"]), claim(jp=5, nip=NIP_B), void(second["id"], NIP_B),
                      claim(jp=7), claim(jp=1, nip=NIP_B)):
        record_statements(engine, [statement], authority=LMS, project=False)
        runner.catch_up(engine, keep=keep)
        heads.append(_head(engine))
    return heads


def _replayed(engine: Engine, until: int) -> dict[str, list[dict[str, Any]]]:
    scratch = runner.replay(engine, until)
    try:
        with scratch.connect() as conn:
            return {name: list(read_models.rows_in_key_order(conn, name)) for name in runner.BY_NAME}
    finally:
        scratch.dispose()


def _answers(engine: Engine, seqs: list[int]) -> list[Any]:
    return [(to_json(pegawai_jp(engine, NIP_A, 2026, str(s))), to_json(pegawai_jp(engine, NIP_B, 2026, str(s))),
             to_json(summary(engine, "KEMENKEU", 2026, as_of=str(s)).summary)) for s in seqs]


def test_as_of_answers_are_the_same_with_and_without_snapshots(engine: Engine) -> None:
    heads = _history(engine, EVERY_THIRD)
    with engine.connect() as conn:
        taken = snapshot_rows.seqs(conn)
    assert taken and all(seq % 3 == 0 for seq in taken) and len(taken) <= 3
    seqs = list(range(heads[0], heads[-1] + 1))
    with_snapshots = _answers(engine, seqs)
    rows_with = {seq: _replayed(engine, seq) for seq in seqs}
    with read_models.projecting(engine) as conn:
        snapshots.clear(conn)
    assert _answers(engine, seqs) == with_snapshots
    assert {seq: _replayed(engine, seq) for seq in seqs} == rows_with
    # The answers moved along the log (the test would not see a replay stuck at a snapshot).
    assert len({str(a[0]["jp_counted"]) for a in with_snapshots}) > 2


def test_a_replay_starts_from_the_nearest_snapshot(engine: Engine) -> None:
    heads = _history(engine, EVERY_THIRD)
    with engine.connect() as conn:
        taken = snapshot_rows.seqs(conn)
    latest = taken[-1]
    assert snapshots.nearest(engine, latest) == latest
    assert snapshots.nearest(engine, latest - 1) < latest
    assert snapshots.nearest(engine, heads[-1]) == latest
    scratch = runner.replay(engine, 0)  # empty read models: no snapshot at or before seq 0
    try:
        assert snapshots.restore(engine, scratch, heads[-1]) == latest
        with scratch.connect() as conn:
            assert read_models.checkpoints(conn, runner.BY_NAME) == dict.fromkeys(runner.BY_NAME, latest)
            restored = {name: list(read_models.rows_in_key_order(conn, name)) for name in runner.BY_NAME}
    finally:
        scratch.dispose()
    with read_models.projecting(engine) as conn:
        snapshots.clear(conn)
    assert restored == _replayed(engine, latest)  # folded from the first event
    assert restored["jp_claims"]


def test_kept_replays_and_snapshots_agree_with_fresh_replays(engine: Engine) -> None:
    heads = _history(engine, EVERY_THIRD)
    fresh = _answers(engine, heads)
    replays = Replays(engine, size=2)
    try:
        kept = [(to_json(pegawai_jp(engine, NIP_A, 2026, str(s), replays=replays)),
                 to_json(pegawai_jp(engine, NIP_B, 2026, str(s), replays=replays)),
                 to_json(summary(engine, "KEMENKEU", 2026, as_of=str(s), replays=replays).summary))
                for s in heads + heads[::-1]]
    finally:
        replays.close()
    assert kept == fresh + fresh[::-1]


def test_rebuild_replaces_the_snapshots_and_status_lists_them(engine: Engine) -> None:
    heads = _history(engine, Snapshots(every=2, kept=10))
    before = _answers(engine, heads)
    runner.rebuild(engine, keep=Snapshots(every=2, kept=2))
    listed = snapshots.status(engine)
    assert 0 < len(listed) <= 2 and all(s["usable"] and s["rows"] > 0 and s["bytes"] > 0 for s in listed)
    assert _answers(engine, heads) == before
    runner.rebuild(engine, keep=snapshots.NONE)
    assert snapshots.status(engine) == []
    assert _answers(engine, heads) == before


def test_no_snapshot_when_every_is_zero(engine: Engine) -> None:
    _history(engine, Snapshots(every=0, kept=8))
    assert snapshots.status(engine) == []


def test_cut_and_due() -> None:
    keep = Snapshots(every=100, kept=4)
    assert keep.cut(0, 5000) == 100 and keep.cut(100, 5000) == 200 and keep.cut(150, 170) == 170
    assert keep.due(300) and not keep.due(301) and not keep.due(0)
    assert Snapshots(every=0).cut(7, 5000) == 5000 and not Snapshots(every=0).due(100)
    assert snapshots.for_rebuild(keep, 2000) == Snapshots(every=500, kept=4)
    assert snapshots.for_rebuild(keep, 50) == keep


@given(st.lists(st.integers(1, 10_000), unique=True, max_size=40), st.integers(0, 12))
def test_pruning_keeps_at_most_kept_and_always_the_newest(seqs: list[int], kept: int) -> None:
    gone = snapshots.to_prune(seqs, kept)
    left = sorted(set(seqs) - set(gone))
    assert set(gone) <= set(seqs)
    assert len(left) == min(len(seqs), kept)
    if left:
        assert left[-1] == max(seqs)


def test_pruning_spreads_the_kept_snapshots_over_the_log() -> None:
    seqs = list(range(100, 3100, 100))  # 30 snapshots, one every 100 events
    left = sorted(set(seqs) - set(snapshots.to_prune(seqs, 6)))
    gaps = [b - a for a, b in zip([0, *left], left)]
    assert max(gaps) <= 800  # evenly: 3000 / 6 = 500; taking the newest 6 would leave a gap of 2500


def test_catch_ups_on_a_configured_engine_follow_its_settings(engine: Engine) -> None:
    """A server's settings (create_app configures its engine) reach the catch-ups that run inside
    a request (after record_statements, record_roster), not only its projector thread's."""
    snapshots.configure(engine, Snapshots(every=2, kept=10))
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    for jp in (2, 3, 4, 5):
        record_statements(engine, [claim(jp=jp)], authority=LMS)  # catches up in the call
    with engine.connect() as conn:
        taken = snapshot_rows.seqs(conn)
    assert snapshots.of(engine) == Snapshots(every=2, kept=10)
    assert len(taken) >= 2 and all(seq % 2 == 0 for seq in taken)  # DEFAULT (every 100,000) takes none here
