"""`lrs report export` and `lrs report siasn` on SQLite and PostgreSQL: the dashboard's tables as
CSV and XLSX files with the figures of /api/v1 (lrs/read/jp.py summary), and the counted learning
as SIASN records, one JSON object per line."""
from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import Engine

from lrs.cli import main
from lrs.read.jp import summary
from lrs.write.statements import record_statements
from tests.fixtures.dashboard import corpu
from tests.fixtures.jp import NIP_A, NIP_B, NIP_C, decision
from lrs.write.reference import default_authority


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_export_writes_the_tables_with_the_api_figures(database_url: str, engine: Engine, tmp_path: Path) -> None:
    corpu(engine, "pegawai-a", "atasan-c")
    page = summary(engine, "KEMENKEU", 2026)
    out = tmp_path / "kemenkeu.xlsx"
    _run("report", "export", "--instansi", "KEMENKEU", "--year", "2026", "--format", "xlsx", "--out", str(out),
         "--database-url", database_url)
    book = load_workbook(out)
    assert book.sheetnames == ["Unit Kerja", "Di Bawah Target", "Menunggu per Atasan", "Keterangan"]
    rows = list(book["Unit Kerja"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], Decimal(r[8]), Decimal(r[9])) for r in rows] == [
        (u.unit_kerja, u.jp_counted, u.jp_pending) for u in page.items]
    assert [r[0] for r in book["Di Bawah Target"].iter_rows(min_row=2, values_only=True)][1:] == [NIP_C, NIP_B]
    notes = dict(book["Keterangan"].iter_rows(min_row=2, values_only=True))
    assert notes["Subjek"] == "KEMENKEU" and notes["Per (as_of)"].startswith("terkini (seq ")
    assert notes["Yang Dihitung"].startswith("pegawai yang tercatat di instansi")  # the Indonesian catalog's words

    out = tmp_path / "units.csv"
    _run("report", "export", "--instansi", "KEMENKEU", "--year", "2026", "--format", "csv", "--out", str(out),
         "--database-url", database_url)
    with out.open(encoding="utf-8", newline="") as handle:
        found = list(csv.DictReader(handle))
    assert [(r["Unit Kerja"], Decimal(r["JP Diakui"])) for r in found] == [(u.unit_kerja, u.jp_counted)
                                                                           for u in page.items]


def test_export_as_of_and_another_table(database_url: str, engine: Engine, tmp_path: Path) -> None:
    found = corpu(engine, "pegawai-a", "atasan-c")
    out = tmp_path / "waiting.csv"
    _run("report", "export", "--instansi", "KEMENKEU", "--year", "2026", "--format", "csv", "--out", str(out),
         "--table", "menunggu", "--database-url", database_url)
    with out.open(encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["NIP Atasan"], row["Klaim Menunggu"], row["JP Menunggu"]) == (NIP_C, "1", "4")
    _run("report", "export", "--instansi", "KEMENKEU", "--year", "2026", "--format", "csv", "--out", str(out),
         "--table", "menunggu", "--as-of", str(found["before_claim"]), "--database-url", database_url)
    assert out.read_text(encoding="utf-8").splitlines()[1:] == []  # nothing waited then


def test_export_refuses_an_unknown_instansi(database_url: str, engine: Engine, tmp_path: Path) -> None:
    corpu(engine)
    result = CliRunner().invoke(main, ["report", "export", "--instansi", "KEMENLU", "--year", "2026", "--format",
                                       "csv", "--out", str(tmp_path / "x.csv"), "--database-url", database_url])
    assert result.exit_code == 1 and "no pegawai in instansi 'KEMENLU'" in result.output


def test_siasn_prints_each_counted_learning_as_a_record(database_url: str, engine: Engine) -> None:
    found = corpu(engine, "pegawai-a", "atasan-c")
    record_statements(engine, [decision("approved", found["claim_id"], NIP_C, timestamp="2026-06-20T09:00:00+07:00")],
                      authority=default_authority("atasan-c"))
    lines = [json.loads(line) for line in _run("report", "siasn", "--instansi", "KEMENKEU", "--year", "2026",
                                                "--database-url", database_url).splitlines()]
    assert [(r["nip"], r["learning_form_code"], r["jp"]) for r in lines] == [
        (NIP_A, "KL_TEKNIS", 12), (NIP_B, "KL_TEKNIS", 5), (NIP_A, "NK_ELEARNING", 10), (NIP_A, "NK_MENTORING", 4)]
    mentoring = lines[-1]
    assert (mentoring["verification_status"], mentoring["verified_by"]) == ("validated", NIP_C)
    assert mentoring["siasn"] == {
        "pnsOrangId": None, "instansiId": "KEMENKEU", "namaKursus": mentoring["nama_kegiatan"], "jenisDiklatId": None,
        "jenisKursusSertipikat": None, "institusiPenyelenggara": None, "tanggalKursus": "15-06-2026",
        "tanggalSelesaiKursus": "15-06-2026", "jumlahJam": 4, "nomorSertipikat": None, "tahunKursus": 2026}
    assert lines[0]["verification_status"] == "auto" and lines[0]["verified_by"] == "lms"
    assert (lines[0]["jabatan"], lines[0]["unit_kerja"], lines[0]["jenis_pegawai"]) == ("Analis", "Biro SDM", "PNS")
