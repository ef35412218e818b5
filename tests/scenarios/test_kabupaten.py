"""A kabupaten tried as its BPSDM would (issue 11): eight pegawai in three unit kerja (PNS, PPPK,
CPNS), a mid-year move with a new atasan, two versions of an instansi overlay, an LMS as trusted
source and an untrusted app, approvals by the right and by wrong people (the learner themselves
among them), a void, a completion sent twice, learning on both sides of New Year in WIB, a
standard and assessments. Every expected figure below is computed by hand in the comments, and
read over the CLI and /api/v1 on SQLite and PostgreSQL."""
from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.cli import main
from lrs.errors import InvalidPolicy
from lrs.read.jp import pegawai_jp, summary
from lrs.read.recognitions import pending_for
from lrs.read.values import to_json
from lrs.write.reference import (
    create_credential, default_authority, publish_policy, record_roster, record_standards,
)
from lrs.write.statements import record_statements
from projections.rules.policy import national_default
from tests.fixtures.builders import basic
from tests.fixtures.jp import assessment, claim, decision, roster_row, void

KAB = "KAB.SLEMAN"
SETDA, DIKBUD, INSPEKTORAT = "Sekretariat Daerah", "Dinas Pendidikan", "Inspektorat"
HEAD = "196501011990031001"          # Sekda: no atasan in the roster
KADIS = "197002021995031002"         # Kepala Dinas Pendidikan
INSPEKTUR = "197103031996031003"
GURU = "198504042010011004"
PPPK = "199005052022212005"
CPNS = "199806062025011006"
MOVER = "198807072012011007"         # Dinas Pendidikan, then Inspektorat from 1 July
AUDITOR = "199108082015011008"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
WIB = "+07:00"


def _entry(value: Any) -> dict[str, Any]:
    return {"value": value, "source": "Peraturan Bupati (scenario)"}


def _overlay(version: str, effective_from: str, coaching_jp: int) -> dict[str, Any]:
    latsar = copy.deepcopy(national_default()["learning_forms"]["KL_STRUKTURAL"])
    latsar["name"] = "Pelatihan Dasar CPNS (Latsar)"
    return {
        "policy_id": "overlay.kab-sleman", "version": version, "effective_from": effective_from,
        "jurisdiction": "instansi", "instansi": KAB,
        "targets": {"PNS": {"target_jp": _entry(24)}},
        "minutes_per_jp": {"nonclassical_asynchronous": _entry(60)},
        "learning_forms": {"NK_COACHING": {"jp_rule": {"per": "session", "jp_per_unit": _entry(coaching_jp)}},
                           "NK_MANDIRI": {"annual_cap_jp": _entry(6)},
                           "KL_LATSAR": latsar},
    }


def _send(engine: Engine, who: dict[str, Any], *statements: dict[str, Any]) -> list[str]:
    return record_statements(engine, list(statements), authority=who)


def _at(day: str, time: str = "09:00:00") -> str:
    return f"{day}T{time}{WIB}"


@pytest.fixture
def kabupaten(engine: Engine) -> dict[str, Any]:
    row = {"instansi": KAB}
    record_roster(engine, [
        roster_row(HEAD, unit_kerja=SETDA, jabatan="Sekretaris Daerah", jenis_jabatan="struktural", **row),
        roster_row(KADIS, unit_kerja=DIKBUD, atasan_nip=HEAD, jenis_jabatan="struktural", **row),
        roster_row(INSPEKTUR, unit_kerja=INSPEKTORAT, atasan_nip=HEAD, jenis_jabatan="struktural", **row),
        roster_row(GURU, unit_kerja=DIKBUD, atasan_nip=KADIS, jabatan="Guru", jenis_jabatan="fungsional", **row),
        roster_row(PPPK, unit_kerja=DIKBUD, atasan_nip=KADIS, status="PPPK", jabatan="Guru", **row),
        roster_row(CPNS, unit_kerja=DIKBUD, atasan_nip=KADIS, status="CPNS", **row),
        roster_row(MOVER, unit_kerja=DIKBUD, atasan_nip=KADIS, **row),
        roster_row(MOVER, unit_kerja=INSPEKTORAT, atasan_nip=INSPEKTUR, effective_from="2026-07-01", **row),
        roster_row(AUDITOR, unit_kerja=INSPEKTORAT, atasan_nip=INSPEKTUR, jabatan="Auditor",
                   jenis_jabatan="fungsional", **row),
    ])
    record_standards(engine, [{"instansi": KAB, "jabatan": "Auditor", "kompetensi": code, "jenis": "manajerial",
                               "level": 3, "effective_from": "2026-01-01"} for code in ("INT", "KS")])
    people: dict[str, Any] = {}
    for key, binding in (
            ("lms", {"trusted_source": True}), ("app", {}), ("head", {"nip": HEAD}), ("kadis", {"nip": KADIS}),
            ("inspektur", {"nip": INSPEKTUR}), ("guru", {"nip": GURU}), ("auditor", {"nip": AUDITOR}),
            ("guru-verifier", {"nip": GURU, "role": "verifier", "instansi": KAB, "unit_kerja": DIKBUD}),
            ("bkpsdm", {"role": "unit_pengelola", "instansi": KAB}), ("asesor", {"role": "assessor", "instansi": KAB})):
        create_credential(engine, key, "s3cret", ["statements/write"], **binding)
        people[key] = default_authority(key)
    create_credential(engine, "bkpsdm-reports", "s3cret", ["reports"], role="unit_pengelola", instansi=KAB)
    publish_policy(engine, _overlay("1", "2026-01-01", coaching_jp=2))
    # Version 2 repeats what it keeps: only coaching changes (2 -> 3 JP a session from July).
    publish_policy(engine, _overlay("2", "2026-07-01", coaching_jp=3))
    return people


def _learning(engine: Engine, p: dict[str, Any]) -> dict[str, str]:
    lms, app = p["lms"], p["app"]
    ids: dict[str, str] = {}
    # GURU. 12 JP course; one 4 JP course sent twice a minute apart without a registration (once);
    # self-study 4h and 5h at 60 min per JP = 4 + 5 JP, capped at 6 a year: 4 + 2; coaching in June
    # (v1: 2 JP) and August (v2: 3 JP); 3 JP at 23:30 WIB on 31 Dec; 5 JP at 00:30 WIB on 1 Jan
    # (sent in UTC as 17:30 on 31 Dec). 2026: 12 + 4 + 4 + 2 + 2 + 3 + 3 = 30.
    course = "https://simpel.example.go.id/course/etika"
    _send(engine, lms, claim(nip=GURU, jp=12, timestamp=_at("2026-02-10")))
    [ids["twice-1"]] = _send(engine, lms, claim(nip=GURU, jp=4, timestamp=_at("2026-03-01"), activity=course,
                                                  registered=False))
    [ids["twice-2"]] = _send(engine, lms, claim(nip=GURU, jp=4, timestamp=_at("2026-03-01", "09:01:00"),
                                                  activity=course, registered=False))
    [ids["mandiri-4"]] = _send(engine, p["guru"], claim("NK_MANDIRI", nip=GURU, verb=ATTENDED, duration="PT4H",
                                                       timestamp=_at("2026-04-01")))
    [ids["mandiri-5"]] = _send(engine, p["guru"], claim("NK_MANDIRI", nip=GURU, verb=ATTENDED, duration="PT5H",
                                                       timestamp=_at("2026-05-01")))
    [ids["coach-6"]] = _send(engine, p["guru"], claim("NK_COACHING", nip=GURU, verb=ATTENDED,
                                                     timestamp=_at("2026-06-15")))
    [ids["coach-8"]] = _send(engine, p["guru"], claim("NK_COACHING", nip=GURU, verb=ATTENDED,
                                                     timestamp=_at("2026-08-15")))
    _send(engine, lms, claim(nip=GURU, jp=3, timestamp=_at("2026-12-31", "23:30:00")))
    _send(engine, lms, claim(nip=GURU, jp=5, timestamp="2026-12-31T17:30:00Z"))
    # MOVER: 10 JP in March (Dinas Pendidikan); self-study 3h in August (Inspektorat) from an
    # untrusted app; 12 JP in September, voided; 8 JP in October. 2026: 10 + 3 + 8 = 21.
    _send(engine, lms, claim(nip=MOVER, jp=10, timestamp=_at("2026-03-03")))
    [ids["mover-mandiri"]] = _send(engine, app, claim("NK_MANDIRI", nip=MOVER, verb=ATTENDED, duration="PT3H",
                                                     timestamp=_at("2026-08-20")))
    [voided] = _send(engine, lms, claim(nip=MOVER, jp=12, timestamp=_at("2026-09-01")))
    _send(engine, lms, void(voided, nip=MOVER))
    _send(engine, lms, claim(nip=MOVER, jp=8, timestamp=_at("2026-10-01")))
    # PPPK: 20 + 10 = 30 JP (over the 24 JP ceiling: warned, kept). CPNS: Latsar 40 JP, a form only
    # the overlay knows. HEAD: self-study 3h = 3 JP, decided by the BKPSDM. KADIS 24; AUDITOR 25.
    _send(engine, lms, claim(nip=PPPK, jp=20, timestamp=_at("2026-04-10")),
          claim(nip=PPPK, jp=10, timestamp=_at("2026-09-10")))
    _send(engine, lms, claim("KL_LATSAR", nip=CPNS, jp=40, timestamp=_at("2026-05-01")))
    [ids["head-mandiri"]] = _send(engine, p["head"], claim("NK_MANDIRI", nip=HEAD, verb=ATTENDED, duration="PT3H",
                                                          timestamp=_at("2026-06-01")))
    _send(engine, lms, claim(nip=KADIS, jp=24, timestamp=_at("2026-05-05")),
          claim(nip=AUDITOR, jp=25, timestamp=_at("2026-05-06")))
    return ids


def _decisions(engine: Engine, p: dict[str, Any], ids: dict[str, str]) -> None:
    def decide(who: str, kind: str, target: str, nip: str, **kw: Any) -> None:
        _send(engine, p[who], decision(kind, ids[target], nip, timestamp=_at("2026-09-01"), **kw))
    decide("guru", "approved", "mandiri-4", GURU)            # their own claim: no effect
    decide("guru-verifier", "approved", "mandiri-4", GURU)   # a verifier of their own unit, still theirs
    decide("auditor", "approved", "mandiri-4", AUDITOR)      # not the atasan
    decide("kadis", "approved", "mandiri-4", KADIS)          # counts: 4 JP
    decide("kadis", "approved", "mandiri-5", KADIS)          # 5 JP, 2 within the cap
    decide("kadis", "approved", "coach-6", KADIS)
    decide("kadis", "approved", "coach-8", KADIS)
    decide("kadis", "approved", "mover-mandiri", KADIS)      # the old atasan: no effect
    decide("inspektur", "approved", "mover-mandiri", INSPEKTUR)
    decide("head", "approved", "head-mandiri", HEAD)         # the head's own: no effect
    decide("bkpsdm", "approved", "head-mandiri", HEAD)       # the unit pengelola decides for them


def test_a_second_overlay_version_that_drops_the_target_is_refused(engine: Engine, kabupaten: dict[str, Any]) -> None:
    coaching_only = _overlay("3", "2026-10-01", coaching_jp=4)
    del coaching_only["targets"]
    with pytest.raises(InvalidPolicy, match="targets/PNS/target_jp"):
        publish_policy(engine, coaching_only)


def test_the_kabupaten_figures_are_those_computed_by_hand(
        engine: Engine, kabupaten: dict[str, Any], client: FlaskClient, database_url: str) -> None:
    p = kabupaten
    ids = _learning(engine, p)
    _send(engine, p["kadis"], decision("approved", ids["mandiri-4"], KADIS, timestamp=_at("2026-09-01")))
    # The atasan deciding the second self-study sees 4 of its 6 JP cap used.
    waiting = {c.line.statement_id: c for c in pending_for(engine, KADIS, today=date(2026, 9, 1))}
    assert (waiting[ids["mandiri-5"]].cap_jp, waiting[ids["mandiri-5"]].cap_used_jp) == (6, 4)
    assert ids["mover-mandiri"] not in waiting  # the mover's August claim is the new atasan's
    _decisions(engine, p, ids)

    guru = pegawai_jp(engine, GURU, 2026)
    assert (guru.jp_counted, guru.jp_pending, guru.target_jp, guru.target_met) == (30, 0, 24, True)
    by_id = {line.statement_id: line for line in guru.lines}
    assert by_id[ids["twice-2"]].status == "duplicate"
    assert [d["statement_ids"] for d in to_json(guru.suspected_duplicates)] == [[ids["twice-1"], ids["twice-2"]]]
    assert (by_id[ids["mandiri-5"]].jp, by_id[ids["mandiri-5"]].jp_counted) == (5, 2)
    assert (by_id[ids["coach-6"]].jp, by_id[ids["coach-8"]].jp) == (2, 3)
    rulings = by_id[ids["mandiri-4"]].decisions  # kadis (early), guru, guru as verifier, auditor, kadis
    assert [r.effective for r in rulings] == [True, False, False, False, True]
    assert all("may not decide their own claim" in r.reason for r in rulings[1:3])
    assert pegawai_jp(engine, GURU, 2027).jp_counted == 5

    mover = pegawai_jp(engine, MOVER, 2026)
    assert (mover.jp_counted, mover.unit_kerja, mover.target_met) == (21, INSPEKTORAT, False)
    pppk = pegawai_jp(engine, PPPK, 2026)
    assert (pppk.jp_counted, pppk.target_met) == (30, None)
    assert [w.code for w in pppk.warnings] == ["max_jp_assigned_exceeded"]
    assert pegawai_jp(engine, CPNS, 2026).jp_counted == 40
    head = pegawai_jp(engine, HEAD, 2026)
    assert (head.jp_counted, head.target_met) == (3, False)

    # Summaries: 8 pegawai, 6 PNS in scope, 3 meet 24 JP (KADIS 24, GURU 30, AUDITOR 25).
    # JP: 3 + 24 + 30 + 30 + 40 + 0 + 21 + 25 = 173. Dinas Pendidikan keeps the mover's March 10 JP:
    # 24 + 30 + 30 + 40 + 10 = 134; Inspektorat 0 + 11 + 25 = 36; Sekretariat Daerah 3.
    whole = summary(engine, KAB, 2026)
    assert (whole.summary.pegawai, whole.summary.in_scope, whole.summary.target_met) == (8, 6, 3)
    assert (whole.summary.share_met, whole.summary.jp_counted) == (Decimal("0.5"), 173)
    units = {u.unit_kerja: (u.pegawai, u.in_scope, u.target_met, int(u.jp_counted)) for u in whole.items}
    assert units == {DIKBUD: (4, 2, 2, 134), INSPEKTORAT: (3, 3, 1, 36), SETDA: (1, 1, 0, 3)}
    assert {k: (v.pegawai, v.in_scope) for k, v in whole.summary.by_status.items()} == {
        "CPNS": (1, 0), "PNS": (6, 6), "PPPK": (1, 0)}

    # The same figures over the CLI and /api/v1, and who may read them.
    cli = CliRunner().invoke(main, ["jp", GURU, "--year", "2026", "--json", "--database-url", database_url])
    assert cli.exit_code == 0, cli.output
    api = client.get(f"/api/v1/pegawai/{GURU}/jp?year=2026", headers=basic("bkpsdm-reports", "s3cret")).json
    assert json.loads(cli.output) == api and api["jp_counted"] == 30
    page = client.get(f"/api/v1/instansi/{KAB}/summary?year=2026", headers=basic("bkpsdm-reports", "s3cret")).json
    assert (page["summary"]["jp_counted"], page["summary"]["share_met"]) == (173, 0.5)
    assert client.get(f"/api/v1/pegawai/{GURU}/jp?year=2026", headers=basic("kadis", "s3cret")).status_code == 200
    assert client.get(f"/api/v1/pegawai/{AUDITOR}/jp?year=2026", headers=basic("kadis", "s3cret")).status_code == 403
    assert client.get("/api/v1/instansi/OTHER/summary?year=2026",
                      headers=basic("bkpsdm-reports", "s3cret")).status_code == 403


def test_an_assessment_counts_from_the_assessor_and_on_its_wib_date(
        engine: Engine, kabupaten: dict[str, Any]) -> None:
    from lrs.read.competencies import pegawai_profile

    p = kabupaten
    _send(engine, p["asesor"], assessment("INT", 2, AUDITOR, timestamp=_at("2026-03-01")))
    _send(engine, p["auditor"], assessment("INT", 4, AUDITOR, timestamp=_at("2026-03-02")))  # self: no effect
    _send(engine, p["asesor"], assessment("KS", 3, AUDITOR, timestamp="2026-12-31T17:30:00Z"))  # 1 Jan WIB
    rows = {r.code: r for r in pegawai_profile(engine, AUDITOR, 2026).competencies}
    assert (rows["INT"].required_level, rows["INT"].assessed_level, rows["INT"].gap) == (3, 2, 1)
    assert rows["KS"].assessed_level is None
    assert {r.code: r.assessed_level for r in pegawai_profile(engine, AUDITOR, 2027).competencies}["KS"] == 3
