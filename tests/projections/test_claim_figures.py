"""Stored claim and competency figures (projections/claim_figures.py), on SQLite and PostgreSQL:
each claim's state, JP and settling decision, and each pegawai-year's competency rows, are stored
for the keys a change touches (standards and assessments included), equal what the rules compute
from the log, are what the reads return when current, give the unit x competency gap counts, and
`lrs verify --figures` names a row edited by hand."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from lrs.cli import main
from lrs.read.competencies import instansi_gaps, pegawai_profile, unit_gaps
from lrs.read.recognitions import claims_of, pending_for, pending_validation
from lrs.read.values import to_json
from lrs.store import claim_figure_rows, figure_rows, read_models
from lrs.store.engine import reading
from lrs.write.reference import create_credential, default_authority, record_roster, record_standards, trust_source
from lrs.write.statements import record_statements
from projections.rules.jp import Line
from tests.fixtures.jp import ASESOR, LMS, NIP_A, NIP_B, NIP_C, PHONE, assessment, claim, decision, roster_row, void

ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
ATASAN = default_authority("atasan-c")


@pytest.fixture
def staff(engine: Engine) -> Engine:
    """A and B are Analis in Biro SDM of KEMENKEU under C; C is Kepala in Inspektorat."""
    record_roster(engine, [roster_row(NIP_A, atasan_nip=NIP_C), roster_row(NIP_B, atasan_nip=NIP_C),
                           roster_row(NIP_C, jabatan="Kepala", unit_kerja="Inspektorat")])
    trust_source(engine, "lms")
    create_credential(engine, "atasan-c", "s", ["all"], nip=NIP_C)
    create_credential(engine, "asesor", "s", ["all"], role="assessor", instansi="KEMENKEU")
    create_credential(engine, "pengelola", "s", ["all"], role="unit_pengelola", instansi="KEMENKEU")
    return engine


def _head(engine: Engine) -> str:
    with reading(engine) as conn:
        return str(read_models.head_seq(conn))


def _claim_rows(engine: Engine, nip: str = NIP_A, year: int = 2026) -> dict[str, dict[str, Any]]:
    """The stored claim rows of a key, once checked: nothing waits, nothing differs from the rules."""
    from projections import figures
    with reading(engine) as conn:
        assert figure_rows.pending(conn) == (0, None)
        assert list(figures.differences(conn)) == []
        found = conn.execute(text("SELECT * FROM claim_figures WHERE nip = :n AND year = :y ORDER BY position"),
                             {"n": nip, "y": year})
        return {row.statement_id: dict(row._mapping) for row in found}


def _mentoring(engine: Engine, **kw: Any) -> str:
    statement = claim("NK_MENTORING", verb=ATTENDED, duration="PT3H", **kw)
    record_statements(engine, [statement], authority=PHONE)
    return str(statement["id"])


def test_a_claim_row_follows_its_lifecycle(staff: Engine) -> None:
    claimed = _mentoring(staff)
    row = _claim_rows(staff)[claimed]
    assert (row["recognition"], row["status"], Decimal(row["jp"]), Decimal(row["jp_counted"]),
            row["decided_by"]) == ("submitted", "pending", 4, 0, None)
    approval = decision("approved", claimed, NIP_C, timestamp="2026-04-01T09:00:00+07:00")
    record_statements(staff, [approval], authority=ATASAN)
    row = _claim_rows(staff)[claimed]
    assert (row["recognition"], row["status"], Decimal(row["jp_counted"]), Decimal(row["form_jp_counted"])) == (
        "validated", "counted", 4, 4)
    assert (row["decided_by"], row["decider"], row["decided_at"]) == (
        approval["id"], NIP_C, "2026-04-01T09:00:00+07:00")
    record_statements(staff, [void(claimed)], authority=PHONE)
    row = _claim_rows(staff)[claimed]
    assert (row["recognition"], row["status"], Decimal(row["jp_counted"]), row["decided_by"]) == (
        "voided", "voided", 0, None)


def test_a_rejection_settles_the_claim(staff: Engine) -> None:
    claimed = _mentoring(staff)
    record_statements(staff, [decision("approved", claimed, NIP_C)], authority=ATASAN)
    rejection = decision("rejected", claimed, NIP_C, reason="no log", timestamp="2026-04-02T09:00:00+07:00")
    record_statements(staff, [rejection], authority=ATASAN)
    row = _claim_rows(staff)[claimed]
    assert (row["recognition"], row["decided_by"], row["decider"]) == ("rejected", rejection["id"], NIP_C)


def test_a_claim_settled_by_the_atasan_waits_for_the_unit_pengelola(staff: Engine) -> None:
    statement = claim("NK_DETASERING", jp=8)
    record_statements(staff, [statement], authority=PHONE)
    approval = decision("approved", statement["id"], NIP_C)
    record_statements(staff, [approval], authority=ATASAN)
    row = _claim_rows(staff)[statement["id"]]
    assert (row["recognition"], row["decided_by"]) == ("supervisor_approved", approval["id"])
    waiting = pending_validation(staff, "KEMENKEU")
    assert [c.line.statement_id for c in waiting] == [statement["id"]]
    assert to_json(waiting) == to_json(pending_validation(staff, "KEMENKEU", as_of=_head(staff)))


def _edit_line(engine: Engine, statement_id: str, reason: str) -> None:
    with engine.begin() as conn:
        stored = conn.execute(text("SELECT line FROM claim_figures WHERE statement_id = :s"),
                              {"s": statement_id}).scalar_one()
        conn.execute(text("UPDATE claim_figures SET line = :l WHERE statement_id = :s"),
                     {"l": stored.replace('"reason":"', f'"reason":"{reason}; ', 1), "s": statement_id})


def test_claim_lists_and_the_inbox_read_the_stored_rows_when_current(staff: Engine) -> None:
    claimed = _mentoring(staff)
    _mentoring(staff, nip=NIP_B, timestamp="2025-05-02T10:00:00+07:00")
    head = _head(staff)
    assert to_json(claims_of(staff, NIP_A, 2026)) == to_json(claims_of(staff, NIP_A, 2026, as_of=head))
    assert to_json(pending_for(staff, NIP_C)) == to_json(pending_for(staff, NIP_C, as_of=head))
    assert len(pending_for(staff, NIP_C)) == 2
    _edit_line(staff, claimed, "edited")
    assert claims_of(staff, NIP_A, 2026)[0].reason.startswith("edited; ")  # read from storage
    assert [c.line.reason.startswith("edited; ") for c in pending_for(staff, NIP_C)] == [True, False]
    assert not claims_of(staff, NIP_A, 2026, as_of=head)[0].reason.startswith("edited")  # as_of: computed
    with staff.begin() as conn:
        figure_rows.enqueue(conn, {(NIP_A, 2026): "test"}, 1)
    assert not claims_of(staff, NIP_A, 2026)[0].reason.startswith("edited")  # waiting: computed
    assert not any(c.line.reason.startswith("edited") for c in pending_for(staff, NIP_C))


def test_the_inbox_computes_the_years_not_stored(staff: Engine) -> None:
    _mentoring(staff)
    _mentoring(staff, timestamp="2025-05-02T10:00:00+07:00")
    with staff.begin() as conn:
        claim_figure_rows.delete_keys(conn, [(NIP_A, 2025)])
    assert [c.line.activity_date.year for c in pending_for(staff, NIP_C)] == [2026, 2025]


def _profile_rows(engine: Engine, nip: str = NIP_A, year: int = 2026) -> dict[str, dict[str, Any]]:
    _claim_rows(engine, nip, year)  # checked as the claims are
    with reading(engine) as conn:
        found = conn.execute(text("SELECT * FROM competency_figures WHERE nip = :n AND year = :y"),
                             {"n": nip, "y": year})
        return {row.kompetensi: dict(row._mapping) for row in found}


def _as_of(engine: Engine, nip: str) -> int:
    with reading(engine) as conn:
        return int(conn.execute(text("SELECT current_as_of FROM competency_profiles WHERE nip = :n AND year = 2026"),
                                {"n": nip}).scalar_one())


def test_standards_and_assessments_recompute_the_pegawai_they_touch(staff: Engine) -> None:
    record_statements(staff, [claim("KL_TEKNIS", jp=4, nip=nip) for nip in (NIP_A, NIP_C)], authority=LMS)
    before = _as_of(staff, NIP_C)
    record_standards(staff, [{"instansi": "", "jabatan": "Analis", "kompetensi": "INT", "jenis": "manajerial",
                              "level": 3, "effective_from": "2026-01-01"}])
    rows = _profile_rows(staff)
    assert (rows["INT"]["required_level"], rows["INT"]["assessed_level"], rows["INT"]["gap"]) == (3, None, None)
    assert (rows["INT"]["instansi"], rows["INT"]["unit_kerja"]) == ("KEMENKEU", "Biro SDM")
    assert _as_of(staff, NIP_C) == before  # a Kepala: untouched by the Analis standard
    record_statements(staff, [assessment("INT", 2, NIP_A)], authority=ASESOR)
    rows = _profile_rows(staff)
    assert (rows["INT"]["assessed_level"], rows["INT"]["gap"]) == (2, 1)
    assert _as_of(staff, NIP_C) == before  # an assessment of A: untouched
    stored = pegawai_profile(staff, NIP_A, 2026)
    assert to_json(stored) == to_json(pegawai_profile(staff, NIP_A, 2026, as_of=_head(staff)))
    with staff.begin() as conn:
        edited = claim_figure_rows.profile_json(stored).replace('"standard":"', '"standard":"edited; ', 1)
        conn.execute(text("UPDATE competency_profiles SET profile = :p WHERE nip = :n AND year = 2026"),
                     {"p": edited, "n": NIP_A})
    assert pegawai_profile(staff, NIP_A, 2026).standard.startswith("edited; ")  # read from storage
    assert claim_figure_rows.profile_of(claim_figure_rows.profile_json(stored)) == stored


def test_an_assessment_of_an_earlier_year_recomputes_the_later_ones(staff: Engine) -> None:
    record_standards(staff, [{"instansi": "", "jabatan": "Analis", "kompetensi": "INT", "jenis": "manajerial",
                              "level": 3, "effective_from": "2020-01-01"}])
    record_statements(staff, [claim("KL_TEKNIS", jp=4), claim("KL_TEKNIS", jp=4, timestamp="2025-02-02T10:00:00+07:00")],
                      authority=LMS)
    record_statements(staff, [assessment("INT", 3, timestamp="2025-06-01T09:00:00+07:00")], authority=ASESOR)
    assert _profile_rows(staff, year=2025)["INT"]["gap"] == 0
    assert _profile_rows(staff)["INT"]["gap"] == 0


def test_unit_and_instansi_gaps_read_the_stored_rows(staff: Engine) -> None:
    record_standards(staff, [{"instansi": "", "jabatan": jabatan, "kompetensi": "INT", "jenis": "manajerial",
                              "level": 3, "effective_from": "2020-01-01"} for jabatan in ("Analis", "Kepala")])
    record_statements(staff, [claim("KL_TEKNIS", jp=4, nip=nip) for nip in (NIP_A, NIP_B, NIP_C)], authority=LMS)
    record_statements(staff, [assessment("INT", 2, NIP_A), assessment("INT", 4, NIP_B)], authority=ASESOR)
    _profile_rows(staff)
    heat = {g.unit_kerja: g for g in instansi_gaps(staff, "KEMENKEU", 2026)}
    assert to_json(heat) == to_json({g.unit_kerja: g for g in instansi_gaps(staff, "KEMENKEU", 2026,
                                                                             as_of=_head(staff))})
    assert to_json(heat["Biro SDM"]) == to_json(unit_gaps(staff, "KEMENKEU", "Biro SDM", 2026))
    sdm = {g.code: (g.with_standard, g.with_gap, g.not_assessed) for g in heat["Biro SDM"].competencies}
    assert (heat["Biro SDM"].pegawai, sdm) == (2, {"INT": (2, 1, 0)})
    assert [(g.code, g.with_standard, g.with_gap, g.not_assessed) for g in heat["Inspektorat"].competencies] == [
        ("INT", 1, 0, 1)]
    with staff.begin() as conn:  # C's figures wait: C is computed, the others counted by the database
        figure_rows.enqueue(conn, {(NIP_C, 2026): "test"}, 1)
        conn.execute(text("UPDATE competency_figures SET gap = 0 WHERE nip = :n"), {"n": NIP_A})
    heat = {g.unit_kerja: g for g in instansi_gaps(staff, "KEMENKEU", 2026)}
    assert [(g.code, g.with_gap) for g in heat["Biro SDM"].competencies] == [("INT", 0)]  # read from storage
    assert [(g.code, g.not_assessed) for g in heat["Inspektorat"].competencies] == [("INT", 1)]


def test_verify_figures_names_claim_and_competency_rows_edited_by_hand(database_url: str, staff: Engine) -> None:
    claimed = _mentoring(staff)
    verify = ["verify", "--figures", "--database-url", database_url]
    assert CliRunner().invoke(main, verify).exit_code == 0
    with staff.begin() as conn:
        conn.execute(text("UPDATE claim_figures SET recognition = 'validated' WHERE statement_id = :s"),
                     {"s": claimed})
        conn.execute(text("UPDATE competency_figures SET required_level = 4 WHERE nip = :n AND year = 2026"
                          " AND kompetensi = 'KS'"),
                     {"n": NIP_A})
        conn.execute(text("DELETE FROM competency_profiles WHERE nip = :n"), {"n": NIP_B})
    result = CliRunner().invoke(main, verify)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{NIP_A}/2026: claim {claimed}: recognition stored 'validated', computed 'submitted'",
        f"{NIP_A}/2026: competency KS: required_level stored 4, computed None",
        f"{NIP_B}/2020: competency profile computed, but not stored",
        f"{NIP_B}/2026: competency profile computed, but not stored",  # 2026 is rolled up: B has a figure
        # The edited competency row (a required level) moved A's gap counters from the roll-ups'.
        f"{NIP_A}/2026: its part in the roll-ups is not what its stored figure and competency rows add",
    ]


def test_a_line_survives_its_json_exactly(staff: Engine) -> None:
    claimed = _mentoring(staff)
    record_statements(staff, [decision("approved", claimed, NIP_C, jp=2.5)], authority=ATASAN)
    with reading(staff) as conn:
        lines = claim_figure_rows.current_lines(conn, NIP_A, 2026)
    assert lines is not None and isinstance(lines[0], Line) and lines[0].decisions
    assert lines == claims_of(staff, NIP_A, 2026, as_of=_head(staff))


def test_an_mbox_two_pegawai_share_gives_each_its_claims_stored_or_replayed(staff: Engine) -> None:
    shared = "mailto:bersama@example.go.id"
    record_roster(staff, [roster_row(NIP_A, atasan_nip=NIP_C, mbox=shared), roster_row(NIP_B, atasan_nip=NIP_C,
                                                                                      mbox=shared)])
    record_standards(staff, [{"instansi": "", "jabatan": "Analis", "kompetensi": "INT", "jenis": "manajerial",
                              "level": 3, "effective_from": "2020-01-01"}])
    claimed = _mentoring(staff, mbox=shared)
    tested = assessment("INT", 2, NIP_A)
    tested["actor"] = {"objectType": "Agent", "mbox": shared}
    record_statements(staff, [tested], authority=ASESOR)
    head = _head(staff)
    inbox = pending_for(staff, NIP_C)
    assert sorted((c.nip, c.line.statement_id) for c in inbox) == [(NIP_A, claimed), (NIP_B, claimed)]
    assert to_json(inbox) == to_json(pending_for(staff, NIP_C, as_of=head))
    gaps = instansi_gaps(staff, "KEMENKEU", 2026)
    assert [(g.code, g.with_gap) for g in gaps[0].competencies] == [("INT", 2)]
    assert to_json(gaps) == to_json(instansi_gaps(staff, "KEMENKEU", 2026, as_of=head))
    assert to_json(unit_gaps(staff, "KEMENKEU", "Biro SDM", 2026)) == to_json(
        unit_gaps(staff, "KEMENKEU", "Biro SDM", 2026, as_of=head))
