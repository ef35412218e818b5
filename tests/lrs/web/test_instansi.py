"""The Corpu dashboard, /app/instansi/<code>, on SQLite and PostgreSQL: who may open it (403
otherwise), the log position and policy it says it shows, as_of, sorting and filters, and its
downloads, opened with csv and openpyxl and compared with /api/v1's figures."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from tests.fixtures.dashboard import NIP_D, corpu
from tests.fixtures.jp import NIP_A, NIP_B, NIP_C
from tests.fixtures.web import SECRET, log_in
from lrs.store import figure_rows
from lrs.write.reference import create_credential

PAGE = "/app/instansi/KEMENKEU?year=2026"


def _testid(page: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}">([^<]*)<', page)
    assert found, f"no {name} on the page"
    return found.group(1)


def _api(client: FlaskClient, auth: dict[str, str], path: str) -> dict:  # type: ignore[type-arg]
    reply = client.get(path, headers=auth)
    assert reply.status_code == 200, reply.json
    return reply.json  # type: ignore[no-any-return]


@pytest.mark.parametrize("key", ["bpsdm", "nasional"])
def test_the_unit_pengelola_and_a_national_credential_see_the_api_figures(
        client: FlaskClient, engine: Engine, auth: dict[str, str], key: str) -> None:
    corpu(engine, key, "pegawai-a", "atasan-c")
    log_in(client, key)
    reply = client.get(PAGE)
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    api = _api(client, auth, "/api/v1/instansi/KEMENKEU/summary?year=2026")
    assert (_testid(page, "jp-counted"), _testid(page, "jp-pending")) == (
        str(api["summary"]["jp_counted"]), str(api["summary"]["jp_pending"]))
    assert _testid(page, "share-met") == "25%"  # 1 of 4 pegawai with a target: A
    assert re.findall(r'data-testid="unit-row" data-unit="([^"]+)"', page) == [u["unit_kerja"] for u in api["units"]]
    assert _testid(page, "policy-versions") == "id.asn.bangkom.national-default@1"
    assert re.fullmatch(r"\d+", _testid(page, "seq"))
    assert page.count('data-testid="below-row"') == 3 and "Dewi Lestari · NIP " + NIP_C in page
    assert page.count('data-testid="waiting-row"') == 1
    assert re.findall(r'class="bar-value">([^<]+)<', page)[:5] == ["2 pegawai", "1 pegawai", "0 pegawai",
                                                                   "1 pegawai", "0 pegawai"]
    assert 'title="1 dari 2 memiliki kesenjangan, 1 belum dinilai">1/2<' in page  # INT in Biro SDM


@pytest.mark.parametrize("key", ["pegawai-a", "atasan-c", "dagang", "writer"])
def test_anyone_else_gets_403(client: FlaskClient, engine: Engine, key: str) -> None:
    corpu(engine, *{"pegawai-a", "atasan-c", key} - {"dagang"})
    log_in(client, key)
    reply = client.get(PAGE)
    assert reply.status_code == 403
    assert "Hanya unit pengelola instansi ini" in reply.get_data(as_text=True)
    assert client.get("/app/instansi/KEMENKEU/export/unit-kerja.csv?year=2026").status_code == 403


def test_without_a_session_the_login_comes_first(client: FlaskClient, engine: Engine) -> None:
    corpu(engine)
    reply = client.get(PAGE)
    assert reply.status_code == 302 and "/app/login" in reply.headers["Location"]


def test_as_of_shows_the_earlier_point_and_says_so(client: FlaskClient, engine: Engine) -> None:
    found = corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    log_in(client, "bpsdm")
    now = client.get(PAGE).get_data(as_text=True)
    assert _testid(now, "jp-pending") == "4"
    before = client.get(f"{PAGE}&as_of={found['before_claim']}").get_data(as_text=True)
    assert _testid(before, "seq") == str(found["before_claim"])
    assert f"Per {found['before_claim']}:" in before and _testid(before, "jp-pending") == "0"
    assert "Tidak ada klaim tahun ini yang menunggu keputusan." in before
    assert client.get(f"{PAGE}&as_of=kemarin").status_code == 400


def test_units_sort_and_the_list_filters(client: FlaskClient, engine: Engine) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    log_in(client, "bpsdm")
    page = client.get(f"{PAGE}&sort=-jp").get_data(as_text=True)
    assert re.findall(r'data-testid="unit-row" data-unit="([^"]+)"', page) == ["Biro SDM", "Biro Keuangan"]
    assert 'aria-sort="descending"' in page
    assert client.get(f"{PAGE}&sort=nama").status_code == 400
    narrowed = client.get(f"{PAGE}&unit=Biro+Keuangan").get_data(as_text=True)
    assert re.findall(r'data-testid="below-row" data-nip="(\d+)"', narrowed) == [NIP_D]
    named = client.get(f"{PAGE}&q=budi").get_data(as_text=True)
    assert re.findall(r'data-testid="below-row" data-nip="(\d+)"', named) == [NIP_B]


def test_home_lists_the_dashboards_a_credential_may_open(client: FlaskClient, engine: Engine) -> None:
    corpu(engine, "bpsdm", "nasional")
    log_in(client, "nasional")
    page = client.get("/app/").get_data(as_text=True)
    assert re.findall(r'href="/app/instansi/([A-Z]+)"', page) == ["KEMENDAG", "KEMENKEU"]
    client.post("/app/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    log_in(client, "bpsdm")
    page = client.get("/app/").get_data(as_text=True)
    assert re.findall(r'data-testid="instansi-list">\s*<li><a href="/app/instansi/([A-Z]+)"', page) == ["KEMENKEU"]
    assert 'href="/app/instansi/KEMENKEU">Dasbor<' in page  # the menu


def test_english_on_request(client: FlaskClient, engine: Engine) -> None:
    corpu(engine, "bpsdm")
    log_in(client, "bpsdm")
    page = client.get(f"{PAGE}&lang=en").get_data(as_text=True)
    assert "Dashboard of KEMENKEU, 2026" in page and "Pegawai below the target" in page


def _csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def test_unit_table_downloads_hold_the_api_figures(client: FlaskClient, engine: Engine, auth: dict[str, str]) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    log_in(client, "bpsdm")
    api = _api(client, auth, "/api/v1/instansi/KEMENKEU/summary?year=2026")
    reply = client.get("/app/instansi/KEMENKEU/export/unit-kerja.csv?year=2026")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    seq = _testid(client.get(PAGE).get_data(as_text=True), "seq")
    assert f'filename="jejak-KEMENKEU-2026-unit-kerja-seq{seq}.csv"' in reply.headers["Content-Disposition"]
    rows = _csv(reply.data)
    assert [(r["Unit Kerja"], Decimal(r["JP Diakui"]), Decimal(r["JP Menunggu"]), int(r["Jumlah Pegawai"]))
            for r in rows] == [(u["unit_kerja"], Decimal(str(u["jp_counted"])), Decimal(str(u["jp_pending"])),
                                u["pegawai"]) for u in api["units"]]
    assert {(r["Posisi Log (seq)"], r["Versi Kebijakan"]) for r in rows} == {
        (seq, "id.asn.bangkom.national-default@1")}
    assert rows[0]["Yang Dihitung"].startswith("pegawai yang tercatat di instansi")  # the catalog's words

    book = load_workbook(io.BytesIO(client.get("/app/instansi/KEMENKEU/export/semua.xlsx?year=2026").data))
    assert book.sheetnames == ["Unit Kerja", "Di Bawah Target", "Menunggu per Atasan", "Keterangan"]
    units = list(book["Unit Kerja"].iter_rows(values_only=True))
    assert units[0][:3] == ("Instansi", "Unit Kerja", "Tahun")
    assert [(r[1], r[8], r[9]) for r in units[1:]] == [(u["unit_kerja"], u["jp_counted"], u["jp_pending"])
                                                       for u in api["units"]]
    notes = dict(book["Keterangan"].iter_rows(min_row=2, values_only=True))
    assert (notes["Subjek"], notes["Tahun"], str(notes["Posisi Log (seq)"])) == ("KEMENKEU", 2026, seq)
    assert notes["Versi Kebijakan"] == "id.asn.bangkom.national-default@1"
    assert client.get("/app/instansi/KEMENKEU/export/semua.csv?year=2026").status_code == 400


def test_below_target_and_waiting_downloads(client: FlaskClient, engine: Engine, auth: dict[str, str]) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    log_in(client, "bpsdm")
    rows = _csv(client.get("/app/instansi/KEMENKEU/export/di-bawah-target.csv?year=2026&unit=Biro+SDM").data)
    api = {nip: _api(client, auth, f"/api/v1/pegawai/{nip}/jp?year=2026&explain=false") for nip in (NIP_B, NIP_C)}
    assert [r["NIP"] for r in rows] == [NIP_C, NIP_B]  # the filter travels with the download
    for row in rows:
        figures = api[row["NIP"]]
        assert (Decimal(row["JP Diakui"]), Decimal(row["Target JP"]), row["Target Tercapai"]) == (
            Decimal(str(figures["jp_counted"])), Decimal(str(figures["target_jp"])), "Tidak")
        assert (row["Nama"], row["Unit Kerja"], row["Instansi"], row["Tahun"]) == (
            figures["nama"], "Biro SDM", "KEMENKEU", "2026")
    book = load_workbook(io.BytesIO(client.get("/app/instansi/KEMENKEU/export/menunggu.xlsx?year=2026").data))
    [header, row] = list(book["Menunggu per Atasan"].iter_rows(values_only=True))
    assert header[:4] == ("NIP Atasan", "Nama Atasan", "Klaim Menunggu", "JP Menunggu")
    assert row[:4] == (NIP_C, "Dewi Lestari", 1, 4)
    assert isinstance(row[5], datetime)  # "Menunggu Sejak" is a date Excel can sort, not text


def test_the_page_lists_the_longest_waiting_atasan_and_the_download_them_all(
        client: FlaskClient, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    log_in(client, "bpsdm")
    assert 'data-testid="waiting-more"' not in client.get(PAGE).get_data(as_text=True)
    monkeypatch.setattr("lrs.web.instansi.SHOWN_QUEUES", 0)  # as an instansi with more atasan than the page shows
    page = client.get(PAGE).get_data(as_text=True)
    assert page.count('data-testid="waiting-row"') == 0
    assert "ditampilkan 0 atasan" in _testid(page, "waiting-more") and "dari 1;" in _testid(page, "waiting-more")
    rows = _csv(client.get("/app/instansi/KEMENKEU/export/menunggu.csv?year=2026").data)
    assert [(r["NIP Atasan"], r["Klaim Menunggu"]) for r in rows] == [(NIP_C, "1")]


def test_a_pegawai_downloads_the_lines_of_their_year(client: FlaskClient, engine: Engine, auth: dict[str, str]) -> None:
    corpu(engine, "pegawai-a", "atasan-c", "pegawai-b")
    log_in(client, "pegawai-a")
    page = client.get("/app/me?year=2026").get_data(as_text=True)
    assert 'href="/app/me/export.xlsx?year=2026"' in page
    api = _api(client, auth, f"/api/v1/pegawai/{NIP_A}/jp?year=2026")
    rows = _csv(client.get("/app/me/export.csv?year=2026").data)
    assert [(r["ID Pernyataan"], r["Status"], Decimal(r["JP Diakui"])) for r in rows] == [
        (line["statement_id"], {"counted": "Diakui", "pending": "Menunggu"}[line["status"]],
         Decimal(str(line["jp_counted"]))) for line in api["lines"]]
    book = load_workbook(io.BytesIO(client.get("/app/me/export.xlsx?year=2026").data))
    assert book.sheetnames == ["Riwayat Pembelajaran", "Keterangan"]
    assert dict(book["Keterangan"].iter_rows(min_row=2, values_only=True))["Subjek"] == f"NIP {NIP_A}"
    # The atasan downloads A's year; a colleague may not.
    log_in(client, "atasan-c")
    assert client.get(f"/app/pegawai/{NIP_A}/export.csv?year=2026").status_code == 200
    log_in(client, "pegawai-b")
    assert client.get(f"/app/pegawai/{NIP_A}/export.csv?year=2026").status_code == 403


def test_a_unit_pengelola_of_one_unit_kerja_and_a_verifier_get_403(client: FlaskClient, engine: Engine) -> None:
    corpu(engine)
    create_credential(engine, "sdm", SECRET, ["statements/write"], role="unit_pengelola", instansi="KEMENKEU",
                      unit_kerja="Biro SDM")
    create_credential(engine, "verif", SECRET, ["statements/write"], nip=NIP_D, role="verifier",
                      instansi="KEMENKEU", unit_kerja="Biro Keuangan")
    for key in ("sdm", "verif"):
        log_in(client, key)
        assert client.get(PAGE).status_code == 403
        assert "instansi-list" not in client.get("/app/").get_data(as_text=True)


def test_figures_waiting_are_named_on_the_page(client: FlaskClient, engine: Engine) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    log_in(client, "bpsdm")
    assert 'data-testid="waiting-figures"' not in client.get(PAGE).get_data(as_text=True)
    with engine.begin() as conn:
        figure_rows.enqueue(conn, {(NIP_A, 2026): "test"}, 1)
    page = client.get(PAGE).get_data(as_text=True)
    assert _testid(page, "waiting-figures").startswith("1 angka tahun ini menunggu dihitung ulang")
