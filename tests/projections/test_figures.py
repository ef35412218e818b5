"""Stored figures (projections/figures.py), on SQLite and PostgreSQL: after each kind of change
the stored JP of the pegawai-year it touches is what total() computes from the log, nothing
waits in the queue, reads use the stored row, the queue runs in bounded crash-safe batches,
and `lrs verify --figures` finds a figure edited by hand."""
from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from lrs.cli import main
from lrs.read.jp import pegawai_jp, summary
from lrs.read.values import to_json
from lrs.store import figure_rows, read_models
from lrs.store.engine import reading
from lrs.write.reference import create_credential, default_authority, publish_policy, record_roster, trust_source
from lrs.write.statements import record_statements
from projections import figures, runner
from projections.rules.jp import JpTotal
from projections.rules.policy import PolicySet
from tests.fixtures.jp import LMS, NIP_A, NIP_B, NIP_C, PHONE, claim, decision, overlay, roster_row, target, void

ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
MBOX = "mailto:pegawai.a@example.go.id"


def _current(engine: Engine, nip: str = NIP_A, year: int = 2026) -> JpTotal:
    """The stored figure, once checked: nothing waits, and it is what total() computes from the log
    (a replay as of the head, which never reads stored figures)."""
    with reading(engine) as conn:
        assert figure_rows.pending(conn) == (0, None)
        stored = figure_rows.current_figure(conn, nip, year)
        head = read_models.head_seq(conn)
    assert stored is not None, f"no stored figure for {nip}/{year}"
    assert to_json(stored) == to_json(pegawai_jp(engine, nip, year, as_of=str(head)))
    return stored


@pytest.fixture
def staff(engine: Engine) -> Engine:
    """A (NIP_A) and B work in Biro SDM of KEMENKEU under C (NIP_C); "lms" is a trusted source."""
    record_roster(engine, [roster_row(NIP_A, atasan_nip=NIP_C), roster_row(NIP_B, atasan_nip=NIP_C),
                           roster_row(NIP_C)])
    trust_source(engine, "lms")
    create_credential(engine, "atasan-c", "s", ["all"], nip=NIP_C)
    return engine


def _claim(engine: Engine, authority: dict[str, Any] = LMS, **kw: Any) -> str:
    statement = claim(kw.pop("form", "NK_ELEARNING"), **kw)
    record_statements(engine, [statement], authority=authority)
    return str(statement["id"])


def test_a_claim_stores_its_pegawai_year(staff: Engine) -> None:
    _claim(staff, jp=4)
    assert _current(staff).jp_counted == 4
    _claim(staff, jp=3, timestamp="2025-05-02T10:00:00+07:00")
    assert (_current(staff, year=2025).jp_counted, _current(staff).jp_counted) == (3, 4)


def test_a_decision_recomputes_the_claim_it_decides(staff: Engine) -> None:
    claimed = _claim(staff, PHONE, form="NK_MENTORING", verb=ATTENDED, duration="PT3H")
    assert (_current(staff).jp_counted, _current(staff).jp_pending) == (0, 4)
    record_statements(staff, [decision("approved", claimed, NIP_C)], authority=default_authority("atasan-c"))
    assert (_current(staff).jp_counted, _current(staff).jp_pending) == (4, 0)


def test_a_void_recomputes_the_claim_it_voids(staff: Engine) -> None:
    claimed = _claim(staff, jp=4)
    _claim(staff, jp=2)
    record_statements(staff, [void(claimed)], authority=LMS)
    assert _current(staff).jp_counted == 2


def test_a_voided_decision_recomputes_the_claim_it_decided(staff: Engine) -> None:
    claimed = _claim(staff, PHONE, form="NK_MENTORING", verb=ATTENDED, duration="PT3H")
    approval = decision("approved", claimed, NIP_C)
    record_statements(staff, [approval], authority=default_authority("atasan-c"))
    record_statements(staff, [void(approval["id"], NIP_C)], authority=default_authority("atasan-c"))
    assert (_current(staff).jp_counted, _current(staff).jp_pending) == (0, 4)


def test_a_roster_move_recomputes_the_years_from_its_date(staff: Engine) -> None:
    _claim(staff, jp=4)
    _claim(staff, jp=3, timestamp="2025-05-02T10:00:00+07:00")
    record_roster(staff, [roster_row(NIP_A, unit_kerja="Inspektorat", instansi="KEMENDAGRI",
                                     effective_from="2026-02-01", status="PPPK")])
    moved = _current(staff)
    assert (moved.unit_kerja, moved.instansi, moved.status) == ("Inspektorat", "KEMENDAGRI", "PPPK")
    assert _current(staff, year=2025).unit_kerja == "Biro SDM"


def test_a_roster_row_naming_an_mbox_brings_its_claims(staff: Engine) -> None:
    _claim(staff, jp=4, mbox=MBOX)
    with reading(staff) as conn:
        assert figure_rows.current_figure(conn, NIP_A, 2026) is None  # nobody's claim yet
    record_roster(staff, [roster_row(NIP_A, atasan_nip=NIP_C, mbox=MBOX, effective_from="2026-06-01")])
    assert _current(staff).jp_counted == 4


def test_a_roster_row_naming_an_mbox_recomputes_the_claims_it_decided(staff: Engine) -> None:
    claimed = _claim(staff, PHONE, form="NK_MENTORING", verb=ATTENDED, duration="PT3H")
    approval = decision("approved", claimed, NIP_C)
    approval["actor"] = {"objectType": "Agent", "mbox": "mailto:atasan.c@example.go.id"}
    record_statements(staff, [approval], authority=LMS)  # a trusted source acting for an mbox nobody has yet
    assert _current(staff).jp_pending == 4
    record_roster(staff, [roster_row(NIP_C, mbox="mailto:atasan.c@example.go.id", effective_from="2026-01-01")])
    assert (_current(staff).jp_counted, _current(staff).jp_pending) == (4, 0)


def test_trusting_a_source_recomputes_the_claims_it_posted(staff: Engine) -> None:
    _claim(staff, PHONE, jp=4)
    assert _current(staff).jp_pending == 4
    trust_source(staff, "phone")
    assert (_current(staff).jp_counted, _current(staff).jp_pending) == (4, 0)


def test_an_overlay_recomputes_its_instansi_only(staff: Engine) -> None:
    _claim(staff, jp=4)
    record_roster(staff, [roster_row(NIP_B, instansi="KEMENDAGRI")])
    _claim(staff, jp=4, nip=NIP_B)
    publish_policy(staff, overlay(**target(30)))
    assert _current(staff).target_jp == 30
    assert _current(staff, NIP_B).target_jp == 20
    with reading(staff) as conn:
        queued_b = conn.execute(text("SELECT current_as_of FROM jp_figures WHERE nip = :n"), {"n": NIP_B}).scalar()
        assert queued_b < read_models.head_seq(conn)  # untouched by the overlay


def test_a_national_version_published_after_the_statements_recomputes_them(staff: Engine) -> None:
    _claim(staff, jp=4)
    _claim(staff, jp=4, nip=NIP_B)
    document = copy.deepcopy(dict(PolicySet.of([]).national(date(2026, 1, 1))))
    document["version"] = "store-2"
    document["targets"]["PNS"]["target_jp"]["value"] = 25
    publish_policy(staff, document, replace=True)
    assert (_current(staff).target_jp, _current(staff, NIP_B).target_jp) == (25, 25)
    _current(staff, NIP_C, 2020)  # the year of C's roster row: no claims, still a figure


def test_a_national_version_leaves_the_years_before_it_takes_effect(staff: Engine) -> None:
    """A figure reads only the policies in force in its period: a version effective mid-2026
    recomputes the 2026 figures (and 2025's, the year before) and leaves 2020's as computed."""
    _claim(staff, jp=4)
    _claim(staff, jp=4, nip=NIP_B, timestamp="2025-03-02T10:00:00+07:00")
    with reading(staff) as conn:
        before = dict(conn.execute(text("SELECT nip || '/' || year, current_as_of FROM jp_figures")).all())
    document = copy.deepcopy(dict(PolicySet.of([]).national(date(2026, 1, 1))))
    document.update({"version": "mid-2026", "effective_from": "2026-07-01"})
    document["targets"]["PNS"]["target_jp"]["value"] = 25
    publish_policy(staff, document, replace=True)
    with reading(staff) as conn:
        after = dict(conn.execute(text("SELECT nip || '/' || year, current_as_of FROM jp_figures")).all())
    moved = sorted(key for key, seq in after.items() if seq != before.get(key))
    assert moved == sorted(key for key in after if int(key.split("/")[1]) >= 2025)
    assert f"{NIP_C}/2020" in after and f"{NIP_B}/2025" in moved
    assert (_current(staff).target_jp, _current(staff, NIP_B, 2025).target_jp) == (25, 20)
    _current(staff, NIP_C, 2020)  # as a replay computes it


def test_reads_use_the_stored_row_unless_it_waits(staff: Engine) -> None:
    _claim(staff, jp=4)
    stored = _current(staff)
    edited = figure_rows.total_json(stored).replace('"target_met":false', '"target_met":true', 1)
    with staff.begin() as conn:
        conn.execute(text("UPDATE jp_figures SET total = :t WHERE nip = :n AND year = 2026"), {"t": edited, "n": NIP_A})
    assert pegawai_jp(staff, NIP_A, 2026).target_met is True  # read from storage
    assert summary(staff, "KEMENKEU", 2026).summary.target_met == 0  # a summary reads its roll-up (rollups.py)
    head = str(runner.status(staff)[0][1])
    assert summary(staff, "KEMENKEU", 2026, as_of=head).summary.target_met == 0  # as_of: computed
    with staff.begin() as conn:
        figure_rows.enqueue(conn, {(NIP_A, 2026): "test"}, 1)
    assert pegawai_jp(staff, NIP_A, 2026).target_met is False  # waiting: computed
    assert summary(staff, "KEMENKEU", 2026).pending == 1  # the roll-up says a figure of its year waits


def test_the_queue_runs_in_bounded_batches_and_resumes_after_a_crash(
    staff: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _claim(staff, jp=4)
    _claim(staff, jp=2, nip=NIP_B)
    with staff.begin() as conn:
        conn.execute(text("DELETE FROM jp_figures"))
        figure_rows.enqueue(conn, {(NIP_A, 2026): "test", (NIP_B, 2026): "test", (NIP_C, 2026): "test"}, 1)
    real, calls = figures.compute, []

    def crashing(conn: Any, keys: Any, **kw: Any) -> Any:
        calls.append(list(keys))
        if len(calls) == 2:
            raise RuntimeError("crash")
        return real(conn, keys, **kw)
    monkeypatch.setattr(figures, "compute", crashing)
    with pytest.raises(RuntimeError):
        figures.refresh(staff, list(runner.BY_NAME), batch=1)
    with reading(staff) as conn:
        assert figure_rows.pending(conn)[0] == 2  # the first batch committed with its figure
        assert [k for k, in conn.execute(text("SELECT nip FROM jp_figures"))] == [calls[0][0][0]]
    monkeypatch.setattr(figures, "compute", real)
    assert figures.refresh(staff, list(runner.BY_NAME), batch=1) == 2
    assert [_current(staff, nip).jp_counted for nip in (NIP_A, NIP_B, NIP_C)] == [4, 2, 0]


def test_status_shows_the_figures_waiting(database_url: str, staff: Engine) -> None:
    _claim(staff, jp=4)
    with staff.begin() as conn:
        figure_rows.enqueue(conn, {(NIP_A, 2026): "test", (NIP_B, 2026): "test"}, 7)
    result = CliRunner().invoke(main, ["projections", "status", "--database-url", database_url])
    head = runner.status(staff)[0][1]
    assert f"figures\tcheckpoint {head}\tlag 0\tpending 2\toldest seq 7" in result.stdout.splitlines()
    runner.catch_up(staff)
    result = CliRunner().invoke(main, ["projections", "status", "--json", "--database-url", database_url])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line for line in lines if line["name"] == "figures"] == [
        {"name": "figures", "checkpoint": head, "lag": 0, "pending": 0, "oldest_seq": None}]


def test_verify_figures_finds_a_figure_edited_by_hand(database_url: str, staff: Engine) -> None:
    _claim(staff, jp=4)
    _claim(staff, jp=2, nip=NIP_B)
    verify = ["verify", "--figures", "--database-url", database_url]
    result = CliRunner().invoke(main, verify)
    assert (result.exit_code, result.stdout) == (
        0, "stored figures match what the rules compute, and the roll-ups their figures\n")
    with staff.begin() as conn:
        conn.execute(text("UPDATE jp_figures SET jp_counted = '40' WHERE nip = :n AND year = 2026"), {"n": NIP_B})
    result = CliRunner().invoke(main, verify)
    assert result.exit_code == 1
    assert result.stdout == f"{NIP_B}/2026: jp_counted stored '40', computed '2'\n"
    assert "1 stored figure(s) differ from what the rules compute" in result.stderr
    result = CliRunner().invoke(main, [*verify, "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"ok": False, "pending_not_checked": 0, "rollups": [], "figures": [
        {"key": f"{NIP_B}/2026", "difference": "jp_counted stored '40', computed '2'"}]}
    result = CliRunner().invoke(main, [*verify, "--from-seq", "5", "--to-seq", "9"])
    assert result.exit_code == 2 and "--from-seq, --to-seq belongs to the walk of the log" in result.stderr


def test_a_total_survives_its_json_exactly(staff: Engine) -> None:
    claimed = _claim(staff, PHONE, form="NK_MENTORING", verb=ATTENDED, duration="PT3H")
    record_statements(staff, [decision("approved", claimed, NIP_C, jp=2.5)],
                      authority=default_authority("atasan-c"))
    _claim(staff, jp=4, registration="11111111-1111-4111-8111-111111111111", activity="https://lms/c/1")
    _claim(staff, jp=4, registration="11111111-1111-4111-8111-111111111111", activity="https://lms/c/1")
    stored = _current(staff)
    assert stored.lines and stored.lines[0].decisions and stored.suspected_duplicates
    assert figure_rows.total_of(figure_rows.total_json(stored)) == stored


def test_an_empty_queue_takes_no_lock(staff: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(engine: Engine) -> Any:
        raise AssertionError("the projecting lock was taken")
    monkeypatch.setattr(figures.read_models, "projecting", refused)
    assert figures.refresh(staff, list(runner.BY_NAME)) == 0
