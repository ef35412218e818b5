"""Competency profiles: standards, assessments (latest effective wins, voids drop out, only an
assessor or unit pengelola of the instansi or a trusted source counts), gaps, learning mapped by
the activity's extension or the policy, the development plan, unit gap counts, the API and CLI,
on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.cli import main
from lrs.write.reference import create_credential, default_authority, record_roster, record_standards, trust_source
from lrs.write.statements import record_statements
from lrs.read.competencies import pegawai_profile, unit_gaps
from lrs.read.values import to_json
from lrs.store import read_models
from projections import runner
from tests.fixtures.jp import (
    ASESOR, LMS, NIP_A, NIP_B, NIP_C, assessment, claim, planned, roster_row, void,
)

HEADER = "instansi,jabatan,kompetensi,jenis,level,effective_from"
ANGGARAN = "https://lms.example.go.id/course/anggaran"


def _standards(**overrides: Any) -> list[dict[str, Any]]:
    rows = [{"instansi": "", "jabatan": "Analis", "kompetensi": "INT", "jenis": "manajerial", "level": 3,
             "effective_from": "2020-01-01"},
            {"instansi": "", "jabatan": "Analis", "kompetensi": "TK.ANGGARAN", "jenis": "teknis", "level": 3,
             "effective_from": "2020-01-01"}]
    return [row | overrides for row in rows]


def _setup(engine: Engine) -> None:
    trust_source(engine, "lms")
    create_credential(engine, "asesor", "s", ["statements/write"], role="assessor", instansi="KEMENKEU")
    record_roster(engine, [roster_row(NIP_A), roster_row(NIP_B)])
    record_standards(engine, _standards())


def _rows(found: Any) -> dict[str, Any]:
    return {row["code"]: row for row in to_json(found)["competencies"]}


def test_profile_levels_gaps_learning_and_plan(engine: Engine) -> None:
    _setup(engine)
    old = assessment("INT", 1, timestamp="2025-03-01T09:00:00+07:00")
    record_statements(engine, [old, assessment("INT", 2, timestamp="2026-02-01T09:00:00+07:00"),
                               assessment("TK.ANGGARAN", 3)], authority=ASESOR)
    course = claim("KL_TEKNIS", jp=8, activity=ANGGARAN)
    course["object"]["definition"] = {"extensions": {"https://jejak.example/xapi/ext/competency-codes":
                                                     ["TK.ANGGARAN"]}}
    record_statements(engine, [course, claim("KL_STRUKTURAL", jp=30),
                               planned(ANGGARAN, jp=8), planned("https://lms.example.go.id/course/etika", jp=4)],
                      authority=LMS)
    found = pegawai_profile(engine, NIP_A, 2026)
    rows = _rows(found)
    assert list(rows)[:9] == ["INT", "KS", "KOM", "OPH", "PP", "PDOL", "MP", "PK", "PB"]
    assert (rows["INT"]["required_level"], rows["INT"]["assessed_level"], rows["INT"]["gap"]) == (3, 2, 1)
    assert rows["INT"]["assessor"] == {"objectType": "Agent", "mbox": "mailto:asesor@bkn.go.id"}
    assert (rows["TK.ANGGARAN"]["gap"], rows["TK.ANGGARAN"]["jp_learning"]) == (0, 8)
    assert rows["KOM"]["jp_learning"] == 30 and rows["KOM"]["required_level"] is None  # by form (policy)
    assert rows["PB"]["gap"] is None and rows["PB"]["jp_learning"] == 0
    assert to_json(found)["jpm"] == round(5 / 6, 4)
    plan = {item["activity_id"]: item["status"] for item in to_json(found)["plan"]}
    assert plan == {ANGGARAN: "done", "https://lms.example.go.id/course/etika": "not_started"}
    assert (to_json(found)["jp_planned"], to_json(found)["jp_done"]) == (12, 8)
    # Training never changes the assessed level; an assessment voided drops out.
    record_statements(engine, [void(rows["INT"]["assessment_id"])], authority=ASESOR)
    assert _rows(pegawai_profile(engine, NIP_A, 2026))["INT"]["assessed_level"] == 1
    assert _rows(pegawai_profile(engine, NIP_A, 2025))["INT"]["assessed_level"] == 1


def test_instansi_standard_over_the_general_one(engine: Engine) -> None:
    _setup(engine)
    record_standards(engine, [{"instansi": "KEMENKEU", "jabatan": "Analis", "kompetensi": "INT",
                               "jenis": "manajerial", "level": 4, "effective_from": "2026-01-01"}])
    found = pegawai_profile(engine, NIP_A, 2026)
    assert "of KEMENKEU" in found.standard
    assert _rows(found)["INT"]["required_level"] == 4 and "TK.ANGGARAN" not in _rows(found)
    assert _rows(pegawai_profile(engine, NIP_A, 2025))["INT"]["required_level"] == 3  # before its date


def test_unit_gap_counts(engine: Engine, client: FlaskClient, auth: dict[str, str], database_url: str) -> None:
    _setup(engine)
    record_statements(engine, [assessment("INT", 2), assessment("INT", 3, nip=NIP_B)], authority=ASESOR)
    gaps = {g.code: g for g in unit_gaps(engine, "KEMENKEU", "Biro SDM", 2026).competencies}
    assert (gaps["INT"].with_standard, gaps["INT"].with_gap, gaps["INT"].not_assessed) == (2, 1, 0)
    assert (gaps["TK.ANGGARAN"].with_gap, gaps["TK.ANGGARAN"].not_assessed) == (0, 2)
    body = client.get("/api/v1/instansi/KEMENKEU/units/Biro%20SDM/competency-gaps?year=2026", headers=auth).get_json()
    assert body["pegawai"] == 2 and {g["code"] for g in body["competencies"]} == {"INT", "TK.ANGGARAN"}
    body = client.get(f"/api/v1/pegawai/{NIP_A}/competencies?year=2026", headers=auth).get_json()
    assert body["competencies"][0]["code"] == "INT" and body["competencies"][0]["gap"] == 1
    assert client.get(f"/api/v1/pegawai/{NIP_A}/competencies", headers=auth).status_code == 400
    result = CliRunner().invoke(main, ["competencies", NIP_A, "--year", "2026", "--json",
                                       "--database-url", database_url])
    assert result.exit_code == 0 and json.loads(result.stdout)["nip"] == NIP_A
    result = CliRunner().invoke(main, ["competency-gaps", "KEMENKEU", "Biro SDM", "--year", "2026",
                                       "--database-url", database_url])
    assert result.exit_code == 0 and "INT          manajerial      1 of 2 with a gap, 0 not assessed" in result.stdout
    runner.rebuild(engine, batch=2)
    with engine.connect() as conn:
        head = read_models.head_seq(conn)
    assert to_json(pegawai_profile(engine, NIP_A, 2026)) == to_json(pegawai_profile(engine, NIP_A, 2026, str(head)))


def test_only_assessors_of_the_instansi_and_trusted_sources_set_the_assessed_level(
        engine: Engine, client: FlaskClient, auth: dict[str, str], database_url: str) -> None:
    """Domain brief 6.3: the assessed level comes only from a competency assessment. Each
    assessment below is later than the one before, so a counting one would win."""
    _setup(engine)
    record_roster(engine, [roster_row(NIP_C, instansi="KEMENDAGRI")])
    keys = {"own": {"nip": NIP_A}, "asesor-dagri": {"role": "assessor", "instansi": "KEMENDAGRI"},
            "asesor-b": {"role": "assessor", "instansi": "KEMENKEU", "nip": NIP_B},
            "bpsdm": {"role": "unit_pengelola", "instansi": "KEMENKEU"}, "phone": {}}
    for key, binding in keys.items():
        create_credential(engine, key, "s", ["statements/write"], **binding)

    def assess(level: int, nip: str, month: int, key: str) -> str:
        statement = assessment("INT", level, nip, timestamp=f"2026-{month:02}-01T09:00:00+07:00")
        record_statements(engine, [statement], authority=default_authority(key))
        return str(statement["id"])

    def level(nip: str) -> Any:
        return _rows(pegawai_profile(engine, nip, 2026))["INT"]

    assess(2, NIP_A, 1, "asesor")
    own = assess(5, NIP_A, 2, "own")
    dagri = assess(4, NIP_A, 3, "asesor-dagri")
    phone = assess(4, NIP_A, 4, "phone")
    row = level(NIP_A)
    assert (row["assessed_level"], row["gap"]) == (2, 1)
    assert row["assessments_without_effect"] == [
        {"statement_id": own, "level": 5, "reason": f"credential own is {NIP_A}'s own: nobody assesses themselves"},
        {"statement_id": dagri, "level": 4, "reason": "credential asesor-dagri is the assessor of KEMENDAGRI; on "
                                                      "the assessment date 2026-03-01 " + NIP_A
                                                      + " works in Biro SDM, KEMENKEU"},
        {"statement_id": phone, "level": 4, "reason": "credential phone is neither an assessor nor a unit "
                                                      "pengelola of an instansi, nor a trusted source"}]
    assess(3, NIP_A, 5, "bpsdm")  # the unit pengelola of KEMENKEU
    assert level(NIP_A)["assessed_level"] == 3
    assess(1, NIP_A, 6, "lms")  # a trusted source (an assessment centre)
    assert level(NIP_A)["assessed_level"] == 1
    assess(2, NIP_B, 1, "asesor-b")  # the assessor of KEMENKEU, about NIP_B themselves
    assert level(NIP_B)["assessed_level"] is None and "nobody assesses themselves" in (
        level(NIP_B)["assessments_without_effect"][0]["reason"])
    assess(3, NIP_C, 1, "asesor-dagri")
    assert level(NIP_C)["assessed_level"] == 3
    gaps = {g.code: g for g in unit_gaps(engine, "KEMENKEU", "Biro SDM", 2026).competencies}
    assert (gaps["INT"].with_gap, gaps["INT"].not_assessed) == (1, 1)  # A at 1 of 3; B's own has no effect
    body = client.get(f"/api/v1/pegawai/{NIP_A}/competencies?year=2026", headers=auth).get_json()
    assert [a["statement_id"] for a in body["competencies"][0]["assessments_without_effect"]] == [own, dagri, phone]
    result = CliRunner().invoke(main, ["competencies", NIP_A, "--year", "2026", "--database-url", database_url])
    assert result.exit_code == 0
    assert f"assessment {own} at level 5 (no effect): credential own is {NIP_A}'s own" in result.stdout
    runner.rebuild(engine, batch=2)
    assert level(NIP_A)["assessed_level"] == 1 and len(level(NIP_A)["assessments_without_effect"]) == 3


def test_standards_import_reports_bad_rows(database_url: str, engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "standar.csv"
    path.write_text("\n".join([HEADER, ",Analis,INT,manajerial,3,2026-01-01",
                               ",Analis,XYZ,manajerial,3,2026-01-01", "KEMENKEU,Analis,TK.1,teknis,7,2026-01-01",
                               ",Analis,PB,sosial_kultural,2,2026-13-01", ",Analis,INT,manajerial,4,2026-01-01"]) + "\n")
    result = CliRunner().invoke(main, ["standards", "import", str(path), "--database-url", database_url])
    assert result.exit_code == 1
    for fragment in ("row 3: kompetensi 'XYZ' is not one of the 8", "row 4: level '7'", "row 5: effective_from",
                     "row 6: the same instansi, jabatan, kompetensi and effective_from as row 2"):
        assert fragment in result.stderr
    result = CliRunner().invoke(main, ["standards", "import", str(path), "--skip-invalid",
                                       "--database-url", database_url])
    assert result.exit_code == 0 and "recorded 1 standard row(s), skipped 4" in result.stdout
    (tmp_path / "bad.csv").write_text("jabatan,level\n")
    result = CliRunner().invoke(main, ["standards", "import", str(tmp_path / "bad.csv"), "--database-url", database_url])
    assert result.exit_code == 1 and "header must be" in result.stderr
