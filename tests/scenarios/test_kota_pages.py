"""A kota tried in the browser's pages as its people would (issue 13): twelve pegawai in three
unit kerja (PNS, a PPPK, a CPNS; three heads without an atasan), learning of several forms from
the LMS and claims from a phone app, a self-study cap of 6 JP a year (the kota's overlay), a
rejection with a reason, a claim voided by its pegawai on their page and one voided by the LMS, a
move to another unit on 1 July with a new atasan, a standard and assessments. Every figure below
is computed by hand (domain brief and the national default policy: 45 minutes a JP, floored to
0.5 JP; target 20 JP for PNS, none for PPPK and CPNS; JP credited to the unit of each activity
date, pegawai counted where they are on 31 December) and read from the pages each person sees:
the pegawai's, the atasan's inbox, the unit pengelola's dashboard and downloads, the national list."""
from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.write.reference import create_credential, default_authority, publish_policy, record_roster, record_standards
from lrs.write.statements import record_statements
from tests.fixtures.jp import assessment, claim, decision, overlay, roster_row, void
from tests.fixtures.web import SECRET, csrf_token, log_in

KOTA = "KOTA.BOGOR"
BAPPEDA, DINKES, BKPSDM = "Bappeda", "Dinas Kesehatan", "BKPSDM"
K1 = "197001012000011001"  # Kepala Bappeda, no atasan in the roster
P1 = "198502022010011002"  # Perencana, atasan K1
P2 = "198703032011012003"  # Perencana, atasan K1
P3 = "199204042022212004"  # Perencana, PPPK
K2 = "197105052001011005"  # Kepala Dinas Kesehatan
D1 = "198606062012012006"  # Dokter
D2 = "198807072013011007"  # Perawat
D3 = "199008082015012008"  # Perawat
D4 = "199909092025011009"  # CPNS
K3 = "197210102002011010"  # Kepala BKPSDM
B1 = "198911112014011011"  # Analis SDM: Dinas Kesehatan (atasan K2), BKPSDM (atasan K3) from 1 July
B2 = "199112122016012012"  # Analis SDM, atasan K3
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"


def _at(day: str) -> str:
    return f"{day}T09:00:00+07:00"


def _send(engine: Engine, key: str, *statements: dict[str, Any]) -> list[str]:
    return record_statements(engine, list(statements), authority=default_authority(key))


def _attended(engine: Engine, sender: str, form: str, nip: str, duration: str, day: str) -> str:
    """A claim of nonformal learning (attended, for `duration`) sent by `sender`: its id."""
    [sent] = _send(engine, sender, claim(form, nip=nip, verb=ATTENDED, duration=duration, timestamp=_at(day)))
    return sent


def kota(engine: Engine) -> dict[str, str]:
    """The kota's roster, credentials, policy, standard, assessments, learning and decisions
    (those the pages do not make). Returns the ids of the claims the pages decide or void."""
    row = {"instansi": KOTA}
    record_roster(engine, [
        roster_row(K1, nama="Hadi Susanto", unit_kerja=BAPPEDA, jabatan="Kepala Bappeda", jenis_jabatan="struktural",
                   **row),
        roster_row(P1, nama="Ratna Dewi", unit_kerja=BAPPEDA, jabatan="Perencana", atasan_nip=K1, **row),
        roster_row(P2, nama="Agung Prabowo", unit_kerja=BAPPEDA, jabatan="Perencana", atasan_nip=K1, **row),
        roster_row(P3, nama="Sinta Maharani", unit_kerja=BAPPEDA, jabatan="Perencana", atasan_nip=K1, status="PPPK",
                   **row),
        roster_row(K2, nama="Wahyu Nugroho", unit_kerja=DINKES, jabatan="Kepala Dinas", jenis_jabatan="struktural",
                   **row),
        roster_row(D1, nama="dr. Laras Ayu", unit_kerja=DINKES, jabatan="Dokter", atasan_nip=K2, **row),
        roster_row(D2, nama="Yanti Kusuma", unit_kerja=DINKES, jabatan="Perawat", atasan_nip=K2, **row),
        roster_row(D3, nama="Rudi Hartono", unit_kerja=DINKES, jabatan="Perawat", atasan_nip=K2, **row),
        roster_row(D4, nama="Nadia Putri", unit_kerja=DINKES, jabatan="Perawat", atasan_nip=K2, status="CPNS",
                   effective_from="2025-03-01", **row),
        roster_row(K3, nama="Bambang Sutrisno", unit_kerja=BKPSDM, jabatan="Kepala Badan", jenis_jabatan="struktural",
                   **row),
        roster_row(B1, nama="Eka Saputra", unit_kerja=DINKES, jabatan="Analis SDM", atasan_nip=K2, **row),
        roster_row(B1, nama="Eka Saputra", unit_kerja=BKPSDM, jabatan="Analis SDM", atasan_nip=K3,
                   effective_from="2026-07-01", **row),
        roster_row(B2, nama="Fajar Ramadhan", unit_kerja=BKPSDM, jabatan="Analis SDM", atasan_nip=K3, **row),
    ])
    for key, scopes, binding in (
            ("lms", ["statements/write"], {"trusted_source": True}), ("app", ["statements/write"], {}),
            ("kepala-bappeda", ["statements/write"], {"nip": K1}), ("kadinkes", ["statements/write"], {"nip": K2}),
            ("kepala-bkpsdm", ["statements/write"], {"nip": K3}), ("ratna", ["statements/write"], {"nip": P1}),
            ("yanti", ["statements/write"], {"nip": D2}), ("rudi", ["statements/write"], {"nip": D3}),
            ("bkpsdm-kota", ["reports", "statements/write"], {"role": "unit_pengelola", "instansi": KOTA}),
            ("nasional", ["reports"], {}), ("asesor", ["statements/write"], {"role": "assessor", "instansi": KOTA})):
        create_credential(engine, key, SECRET, scopes, **binding)
    publish_policy(engine, overlay(KOTA, effective_from="2026-01-01", learning_forms={
        "NK_MANDIRI": {"annual_cap_jp": {"value": 6, "source": "Peraturan Wali Kota (scenario)"}}}))
    record_standards(engine, [{"instansi": KOTA, "jabatan": "Perencana", "kompetensi": code, "jenis": jenis,
                               "level": 3, "effective_from": "2026-01-01"}
                              for code, jenis in (("INT", "manajerial"), ("TK.PERENCANAAN", "teknis"))])
    _send(engine, "asesor", assessment("INT", 2, P1, timestamp=_at("2026-02-20")),
          assessment("TK.PERENCANAAN", 3, P1, timestamp=_at("2026-02-20")),
          assessment("INT", 3, P2, timestamp=_at("2026-02-21")))
    ids: dict[str, str] = {}
    lms = [
        claim("KL_MANAJERIAL", nip=K1, jp=24, timestamp=_at("2026-03-10")),    # K1: 24
        claim("KL_TEKNIS", nip=P1, jp=12, timestamp=_at("2026-02-12")),        # P1: 12 (+ 6 self-study)
        claim("NK_ELEARNING", nip=P2, jp=10, timestamp=_at("2026-05-20")),     # P2: 10 (seminar rejected)
        claim("NK_ELEARNING", nip=P3, jp=8, timestamp=_at("2026-07-01")),      # P3 (PPPK): 8
        claim("KL_STRUKTURAL", nip=K2, jp=40, timestamp=_at("2026-09-15")),    # K2: 40 (PKA certificate)
        claim("KL_FUNGSIONAL", nip=D1, jp=20, timestamp=_at("2026-08-01")),    # D1: 20, exactly the target
        claim("KL_TEKNIS", nip=D3, jp=6, timestamp=_at("2026-11-11")),         # D3: 6 (the 15 below is voided)
        claim("KL_STRUKTURAL", nip=D4, jp=40, timestamp=_at("2026-04-30")),    # D4 (CPNS): Latsar 40
        claim("KL_TEKNIS", nip=B1, jp=9, timestamp=_at("2026-03-20")),         # B1: 9 in Dinas Kesehatan
        claim("NK_ELEARNING", nip=B2, jp=12, timestamp=_at("2026-09-09")),     # B2: 12 (+ 6 self-study)
    ]
    _send(engine, "lms", *lms)
    [wrong] = _send(engine, "lms", claim("KL_TEKNIS", nip=D3, jp=15, timestamp=_at("2026-03-03")))
    _send(engine, "lms", void(wrong, nip=D3))                                   # sent by mistake: voided
    # Claims from the phone app (not a trusted source: the atasan decides).
    # P1: 5 h of self-study = 300 / 45 = 6.67, floored to 6.5 JP; over the 6 JP cap: 6 count.
    ids["p1-mandiri"] = _attended(engine, "app", "NK_MANDIRI", P1, "PT5H", "2026-04-05")
    # P2: a 3 h seminar = 4 JP, which K1 rejects on the inbox page.
    ids["p2-seminar"] = _attended(engine, "app", "KL_SEMINAR", P2, "PT3H", "2026-06-03")
    # D2: a 3 h mentoring = 4 JP, waiting for K2.
    ids["d2-mentoring"] = _attended(engine, "yanti", "NK_MENTORING", D2, "PT3H", "2026-10-01")
    # D3: a 2 h self-study, which D3 voids on their page.
    ids["d3-mandiri"] = _attended(engine, "rudi", "NK_MANDIRI", D3, "PT2H", "2026-10-20")
    # B1: a 2 h coaching in August (BKPSDM) = 120 / 45 = 2.67, floored to 2.5 JP: K3 (the atasan
    # then) approves; K2 (the atasan before July) tries first, without effect.
    ids["b1-coaching"] = _attended(engine, "app", "NK_COACHING", B1, "PT2H", "2026-08-12")
    # B2: self-study 4 h = 5.33 -> 5 JP and 3 h = 4 JP, approved in that order: 5 + 1 within the cap.
    ids["b2-mandiri-4"] = _attended(engine, "app", "NK_MANDIRI", B2, "PT4H", "2026-02-02")
    ids["b2-mandiri-3"] = _attended(engine, "app", "NK_MANDIRI", B2, "PT3H", "2026-05-05")
    _send(engine, "kepala-bappeda", decision("approved", ids["p1-mandiri"], K1, timestamp=_at("2026-04-08")))
    _send(engine, "kadinkes", decision("approved", ids["b1-coaching"], K2, timestamp=_at("2026-08-13")))
    _send(engine, "kepala-bkpsdm", decision("approved", ids["b1-coaching"], K3, timestamp=_at("2026-08-14")),
          decision("approved", ids["b2-mandiri-4"], K3, timestamp=_at("2026-08-14")),
          decision("approved", ids["b2-mandiri-3"], K3, timestamp=_at("2026-08-15")))
    return ids


def _testid(page: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', page)
    assert found, f"no {name} on the page"
    return found.group(1).strip()


def _figures(client: FlaskClient, path: str) -> tuple[str, str, str]:
    page = client.get(path).get_data(as_text=True)
    return _testid(page, "jp-counted"), _testid(page, "jp-pending"), _testid(page, "jp-target")


def _log_out(client: FlaskClient) -> None:
    client.post("/app/logout", data={"csrf_token": csrf_token(client.get("/app/inbox"))})


def _rows(page: str, testid: str, key: str) -> dict[str, str]:
    """Each table row's text (tags dropped, spaces squeezed) by its `key` attribute."""
    found = {}
    for match in re.finditer(rf'<tr data-testid="{testid}" {key}="([^"]*)"[^>]*>(.*?)</tr>', page, re.S):
        found[match.group(1)] = " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())
    return found


@pytest.mark.slow
def test_each_person_sees_the_figures_computed_by_hand(engine: Engine, client: FlaskClient) -> None:
    ids = kota(engine)

    # The atasan of Bappeda: the seminar waits; he rejects it with a reason (R-VER-01).
    log_in(client, "kepala-bappeda")
    inbox = client.get("/app/inbox").get_data(as_text=True)
    assert re.findall(r'data-testid="claim-row" data-statement-id="([^"]+)"', inbox) == [ids["p2-seminar"]]
    token = csrf_token(client.get("/app/inbox"))
    client.post("/app/inbox", data={"csrf_token": token, "statement_id": ids["p2-seminar"], "decision": "reject",
                                    "reason": "Seminar ini tidak terkait tugas jabatan"})
    inbox = client.get("/app/inbox").get_data(as_text=True)
    assert 'data-testid="inbox-empty"' in inbox
    team = _rows(inbox, "team-row", "data-nip")  # his bawahan's progress: counted, pending, target
    assert [team[nip].split(nip)[1].split()[:3] for nip in (P1, P2, P3)] == [
        ["18", "0", "20"], ["10", "0", "20"], ["8", "0", "—"]]
    _log_out(client)

    # D3 voids their own self-study while it waits.
    log_in(client, "rudi")
    me = client.get("/app/me?year=2026")
    client.post(f"/app/claims/{ids['d3-mandiri']}/void", data={"csrf_token": csrf_token(me)})
    assert _figures(client, "/app/me?year=2026") == ("6", "0", "20")
    _log_out(client)

    # P1: 12 + 6 of the 6.5 JP self-study (the cap), said in Indonesian with why.
    log_in(client, "ratna")
    page = client.get("/app/me?year=2026").get_data(as_text=True)
    assert (_testid(page, "jp-counted"), _testid(page, "jp-pending"), _testid(page, "jp-target")) == ("18", "0", "20")
    assert "Kurang 2 JP lagi untuk mencapai target." in page
    assert "melebihi batas tahunan 6 JP untuk NK_MANDIRI" in page and "diakui" in page
    assert "annual cap" not in page and "recognised" not in page
    lines = client.get("/app/me/export.csv?year=2026").get_data(as_text=True)  # the same, in the file
    assert "0,5 JP melebihi batas tahunan 6 JP untuk NK_MANDIRI" in lines and "target: target untuk PNS" in lines
    _log_out(client)

    # D2: the mentoring's 4 JP pending, waiting for the atasan.
    log_in(client, "yanti")
    assert _figures(client, "/app/me?year=2026") == ("0", "4", "20")
    _log_out(client)

    # The Kepala Dinas Kesehatan: D2's mentoring is the only claim waiting for him.
    log_in(client, "kadinkes")
    inbox = client.get("/app/inbox").get_data(as_text=True)
    assert re.findall(r'data-testid="claim-row" data-statement-id="([^"]+)"', inbox) == [ids["d2-mentoring"]]
    # B1's page, as their atasan until June: K2's approval of the August coaching has no effect.
    page = client.get(f"/app/pegawai/{B1}?year=2026").get_data(as_text=True)
    assert f"tidak berlaku: <span class=\"reason\">{K2} bukan atasan pegawai pada tanggal kegiatan (atasannya {K3})" in page
    assert _testid(page, "jp-counted") == "11,5"  # 9 in March (Dinas Kesehatan) + 2.5 approved by K3
    _log_out(client)

    # The unit pengelola's dashboard. 12 pegawai on 31 December; 10 PNS in scope (not the PPPK
    # and the CPNS); 3 meet 20 JP (K1 24, K2 40, D1 20): 30 %. JP: K1 24 + P1 18 + P2 10 + P3 8 +
    # K2 40 + D1 20 + D2 0 + D3 6 + D4 40 + K3 0 + B1 11.5 + B2 18 = 195.5; pending: D2's 4.
    log_in(client, "bkpsdm-kota")
    page = client.get(f"/app/instansi/{KOTA}?year=2026").get_data(as_text=True)
    assert (_testid(page, "share-met"), _testid(page, "jp-counted"), _testid(page, "jp-pending")) == (
        "30%", "195,5", "4")
    # Bands: 0: D2, K3; 1-9: P3, D3; 10-19: P1, P2, B1, B2; 20-39: K1, D1; 40+: K2, D4.
    buckets = re.findall(r'class="bar-value">([^<]+)<', page[page.index('id="buckets-title"'):])[:5]
    assert buckets == ["2 pegawai", "2 pegawai", "4 pegawai", "2 pegawai", "2 pegawai"]
    # Units: members on 31 December, JP of each activity date. Bappeda 4 (3 in scope, 1 met),
    # 24 + 18 + 10 + 8 = 60; Dinas Kesehatan 5 (4, 2), 40 + 20 + 6 + 40 + B1's March 9 = 115,
    # pending 4; BKPSDM 3 (3, 0), B1's 2.5 + B2's 18 = 20.5.
    units = _rows(page, "unit-row", "data-unit")
    assert units == {
        BAPPEDA: "Bappeda 4 33,33% (1/3) 2 60 0",  # pegawai, meeting the target, below it, JP, pending
        BKPSDM: "BKPSDM 3 0% (0/3) 3 20,5 0",
        DINKES: "Dinas Kesehatan 5 50% (2/4) 2 115 4",
    }
    # The heatmap: Perencana need INT and TK.PERENCANAAN at 3. INT: P1 at 2 (a gap), P2 at 3, P3
    # not assessed; TK.PERENCANAAN: P1 at 3, P2 and P3 not assessed.
    gaps = page[page.index('data-testid="gaps"'):]
    assert "1 dari 3 memiliki kesenjangan, 1 belum dinilai" in gaps
    assert "0 dari 3 memiliki kesenjangan, 2 belum dinilai" in gaps
    below = _rows(page, "below-row", "data-nip")
    assert list(below) == [K3, D2, D3, P2, B1, B2, P1]  # fewest JP first, then by unit kerja (code points)
    assert "Yang dihitung: pegawai yang tercatat di instansi" in page
    # The workbook says the same.
    book = client.get(f"/app/instansi/{KOTA}/export/unit-kerja.csv?year=2026").get_data(as_text=True)
    assert "Bappeda,2026,4,3,1,33.3,2,60,0" in book and "pegawai yang tercatat di instansi" in book
    _log_out(client)

    # National: every instansi, this one among them.
    log_in(client, "nasional")
    home = client.get("/app/").get_data(as_text=True)
    assert KOTA in re.findall(r'<a href="/app/instansi/([^"?]+)', home)
