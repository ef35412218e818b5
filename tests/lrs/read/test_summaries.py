"""Roll-ups (brief 7.2): compliance where a pegawai is at year end, JP where they were on each
activity date, by jenis pegawai and jenis jabatan, JP by form and competency, the denominator."""
from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.read.jp import summary
from lrs.read.values import to_json
from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from tests.fixtures.jp import LMS, NIP_A, NIP_B, NIP_C, claim, roster_row

MANAJERIAL = ("INT", "KS", "KOM", "OPH", "PP", "PDOL", "MP", "PK")


def _instansi(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [
        roster_row(NIP_A, jenis_jabatan="fungsional"),
        roster_row(NIP_B, jenis_jabatan="pelaksana"),
        roster_row(NIP_B, unit_kerja="Inspektorat", effective_from="2026-07-01", jenis_jabatan="pelaksana"),
        roster_row(NIP_C, unit_kerja="Inspektorat", status="PPPK"),
    ])
    record_statements(engine, [
        claim(nip=NIP_A, jp=22, timestamp="2026-03-02T10:00:00+07:00"),
        claim(nip=NIP_B, jp=10, timestamp="2026-03-03T10:00:00+07:00"),   # in Biro SDM then
        claim(nip=NIP_B, jp=12, timestamp="2026-09-01T10:00:00+07:00"),   # in Inspektorat
        claim("KL_MANAJERIAL", nip=NIP_C, jp=5, timestamp="2026-04-01T10:00:00+07:00"),
    ], authority=LMS)


def _json(page: Any) -> dict[str, Any]:
    return dict(to_json(page.summary))


def test_jp_goes_to_the_unit_of_the_activity_date_and_compliance_to_the_year_end_unit(engine: Engine) -> None:
    _instansi(engine)
    biro = _json(summary(engine, "KEMENKEU", 2026, unit_kerja="Biro SDM"))
    assert (biro["pegawai"], biro["in_scope"], biro["target_met"], biro["jp_counted"]) == (1, 1, 1, 32)
    inspektorat = summary(engine, "KEMENKEU", 2026, unit_kerja="Inspektorat")
    assert sorted(t.nip for t in inspektorat.items) == sorted([NIP_B, NIP_C])
    found = _json(inspektorat)
    assert (found["pegawai"], found["in_scope"], found["target_met"], found["jp_counted"]) == (2, 1, 1, 17)
    whole = summary(engine, "KEMENKEU", 2026)
    assert (_json(whole)["pegawai"], _json(whole)["jp_counted"], _json(whole)["share_met"]) == (3, 49, 1)
    assert {u.unit_kerja: int(u.jp_counted) for u in whole.items} == {"Biro SDM": 32, "Inspektorat": 17}


def test_summaries_break_down_by_jenis_pegawai_jabatan_form_and_competency(engine: Engine) -> None:
    _instansi(engine)
    found = _json(summary(engine, "KEMENKEU", 2026))
    assert found["by_status"] == {
        "PNS": {"pegawai": 2, "in_scope": 2, "target_met": 2, "share_met": 1},
        "PPPK": {"pegawai": 1, "in_scope": 0, "target_met": 0, "share_met": None}}
    assert {k: v["pegawai"] for k, v in found["by_jenis_jabatan"].items()} == {"": 1, "fungsional": 1, "pelaksana": 1}
    assert found["jp_by_form"] == {"KL_MANAJERIAL": 5, "KL_TEKNIS": 44}
    assert found["jp_by_competency"] == dict.fromkeys(sorted(MANAJERIAL), 5)
    assert "last day of the period" in found["denominator"] and "R-REP-01" in found["denominator"]


def test_a_unit_everyone_left_still_shows_its_jp(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row(NIP_B), roster_row(NIP_B, unit_kerja="Inspektorat", effective_from="2026-07-01")])
    record_statements(engine, [claim(nip=NIP_B, jp=10, timestamp="2026-03-03T10:00:00+07:00")], authority=LMS)
    units = {u.unit_kerja: (u.pegawai, int(u.jp_counted)) for u in summary(engine, "KEMENKEU", 2026).items}
    assert units == {"Biro SDM": (0, 10), "Inspektorat": (1, 0)}


def test_summaries_answer_json_only(client: FlaskClient, engine: Engine, auth: dict[str, str]) -> None:
    _instansi(engine)
    ok = client.get("/api/v1/instansi/KEMENKEU/summary?year=2026&format=json", headers=auth)
    assert ok.status_code == 200 and ok.json["summary"]["jp_counted"] == 49
    refused = client.get("/api/v1/instansi/KEMENKEU/summary?year=2026&format=csv", headers=auth)
    assert refused.status_code == 400 and "JSON only" in refused.json["message"]
