"""The competency side of a pegawai's page, on SQLite and PostgreSQL: JP by month, the profile
with its gaps (table and chart, as lrs/read/competencies.py gives them) and the development plan
against what was done."""
from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.read.competencies import pegawai_profile
from lrs.write.reference import create_credential, record_standards, trust_source
from lrs.write.statements import record_statements
from tests.fixtures.jp import ASESOR, LMS, NIP_A, assessment, claim, planned
from tests.fixtures.web import log_in, office

PROFILE = "https://jejak.example/xapi"
ANGGARAN = "https://lms.example.go.id/course/anggaran"
ETIKA = "https://lms.example.go.id/course/etika"


def _store(engine: Engine) -> None:
    office(engine, "pegawai-a")
    trust_source(engine, "lms")
    create_credential(engine, "asesor", "s", ["statements/write"], role="assessor", instansi="KEMENKEU")
    record_standards(engine, [
        {"instansi": "", "jabatan": "Analis", "kompetensi": "INT", "jenis": "manajerial", "level": 3,
         "effective_from": "2020-01-01"},
        {"instansi": "", "jabatan": "Analis", "kompetensi": "TK.ANGGARAN", "jenis": "teknis", "level": 3,
         "effective_from": "2020-01-01"}])
    record_statements(engine, [assessment("INT", 2), assessment("TK.ANGGARAN", 3)], authority=ASESOR)
    course = claim("KL_TEKNIS", jp=8, activity=ANGGARAN, timestamp="2026-03-10T10:00:00+07:00")
    course["object"]["definition"] = {"extensions": {f"{PROFILE}/ext/competency-codes": ["TK.ANGGARAN"]}}
    record_statements(engine, [course, claim("KL_TEKNIS", jp=4, timestamp="2026-05-04T10:00:00+07:00"),
                               claim("KL_TEKNIS", jp=2, timestamp="2026-05-20T10:00:00+07:00"),
                               planned(ANGGARAN, jp=8, codes=["TK.ANGGARAN"]), planned(ETIKA, jp=4, codes=["INT"])],
                      authority=LMS)


def test_the_page_shows_the_profile_its_gaps_and_the_plan(client: FlaskClient, engine: Engine) -> None:
    _store(engine)
    log_in(client, "pegawai-a")
    page = client.get("/app/me?year=2026").get_data(as_text=True)
    profile = pegawai_profile(engine, NIP_A, 2026)
    shown = dict(re.findall(r'data-testid="competency" data-code="([^"]+)">.*?data-testid="gap">([^<]*)<', page, re.S))
    assert shown == {row.code: "–" if row.gap is None else str(row.gap) for row in profile.competencies}
    assert (shown["INT"], shown["TK.ANGGARAN"]) == ("1", "0")
    assert "Integritas" in page and "Profil kompetensi" in page
    # The chart draws the competencies with a level, the largest gap first, each with its levels in words.
    assert re.findall(r'data-testid="level-row" data-code="([^"]+)"', page) == ["INT", "TK.ANGGARAN"]
    assert "dipersyaratkan 3" in page and "hasil asesmen 2" in page and "kesenjangan 1" in page
    # The plan: the budgeting course is done (its claim counted), ethics not started.
    assert re.findall(r'data-testid="plan-item" data-state="([^"]+)"', page) == ["done", "not_started"]
    assert "8 dari 12 JP yang direncanakan sudah selesai." in page


def test_jp_by_month_sums_the_counted_jp_of_each_month(client: FlaskClient, engine: Engine) -> None:
    _store(engine)
    log_in(client, "pegawai-a")
    page = client.get("/app/me?year=2026").get_data(as_text=True)
    chart = page.split('id="by-month-title"')[1].split("</svg>")[0]
    assert re.findall(r"<title>([^<]+): ([^<]+) JP</title>", chart) == [("Mar 2026", "8"), ("Mei 2026", "6")]


def test_english_labels_for_the_profile(client: FlaskClient, engine: Engine) -> None:
    _store(engine)
    log_in(client, "pegawai-a")
    page = client.get("/app/me?year=2026&lang=en").get_data(as_text=True)
    assert "Competency profile" in page and "Integrity" in page and "Development plan" in page


def _tagged(activity: str, code: str, name: str, **kw: object) -> dict[str, object]:
    statement = claim("KL_TEKNIS", jp=4, activity=activity, **kw)  # type: ignore[arg-type]
    statement["object"]["definition"] = {"name": {"id-ID": name},
                                         "extensions": {f"{PROFILE}/ext/competency-codes": [code]}}
    return statement


def test_learning_others_in_the_jabatan_used_for_the_same_gap(client: FlaskClient, engine: Engine) -> None:
    from tests.fixtures.jp import NIP_B, NIP_C

    _store(engine)  # A (Analis) has a gap in INT
    record_statements(engine, [
        _tagged("https://lms.example.go.id/course/integritas", "INT", "Kelas integritas", nip=NIP_B),
        _tagged("https://lms.example.go.id/course/etika-publik", "INT", "Etika publik", nip=NIP_B),
        # Kepala Biro is another jabatan: what C took is not suggested to an Analis.
        _tagged("https://lms.example.go.id/course/kepemimpinan", "INT", "Kepemimpinan", nip=NIP_C),
    ], authority=LMS)
    log_in(client, "pegawai-a")
    page = client.get("/app/me?year=2026").get_data(as_text=True)
    shown = re.findall(r'data-testid="peer-activity" data-activity-id="([^"]+)">([^<]+)<', page)
    assert shown == [("https://lms.example.go.id/course/etika-publik", "Etika publik (diikuti 1 pegawai)"),
                     ("https://lms.example.go.id/course/integritas", "Kelas integritas (diikuti 1 pegawai)")]
    assert "Pembelajaran yang dipakai rekan sejabatan" in page
