"""`lrs report`: a page of an instansi's pegawai with their JP (`report pegawai`, lrs/cli/reports.py),
an instansi's dashboard tables as a CSV or XLSX file (`report export`, the same
files as the dashboard's downloads, lrs/read/report_files.py) and its counted learning as SIASN
"riwayat diklat/kursus" records, one JSON object per line (`report siasn`, lrs/read/siasn.py)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from lrs.cli.common import as_of_option, database_option, read_report
from lrs.cli.reports import report_pegawai

TABLE_KEYS = ("unit-kerja", "di-bawah-target", "menunggu")


@click.group()
def report() -> None:
    """Lists and files for Corpu staff and for SIASN, read from the stored figures."""


report.add_command(report_pegawai)


@report.command("export")
@click.option("--instansi", required=True)
@click.option("--year", required=True, type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--table", type=click.Choice(TABLE_KEYS), default=None,
              help="Which table (default: all of them as sheets for xlsx, unit-kerja for csv).")
@as_of_option
@database_option
def export(instansi: str, year: int, fmt: str, out: Path, table: str | None, as_of: str | None,
           database_url: str) -> None:
    """The dashboard tables of INSTANSI for a year (unit kerja, pegawai below target, claims
    waiting per atasan) with Indonesian headers. The file says the log position (seq), the
    as-of point, the policy versions and who is counted: an XLSX on its "Keterangan" sheet, a
    CSV in the last columns of every row."""
    from lrs.read import dashboard, report_files
    from lrs.web.reasons import denominator_in_indonesian

    board = read_report(database_url, lambda engine: dashboard.gather(engine, instansi, year, as_of))
    tables = {"unit-kerja": report_files.units_table(board.units, year),
              "di-bawah-target": report_files.pegawai_table(board.below_target(), year),
              "menunggu": report_files.waiting_table(board)}
    chosen = [tables[table]] if table else list(tables.values()) if fmt == "xlsx" else [tables["unit-kerja"]]
    about = report_files.about_dashboard(board, denominator_in_indonesian(board.summary.denominator))
    content = (report_files.csv_bytes(chosen[0], about) if fmt == "csv"
               else report_files.xlsx_bytes(chosen, about))
    out.write_bytes(content)
    click.echo(f"{out}: {', '.join(t.title for t in chosen)} of {instansi} {year} at seq {board.position.seq} "
               f"({', '.join(about.policy_versions)})", err=True)


@report.command("siasn")
@click.option("--instansi", required=True)
@click.option("--year", required=True, type=int)
@as_of_option
@database_option
def siasn(instansi: str, year: int, as_of: str | None, database_url: str) -> None:
    """Counted learning of INSTANSI's pegawai in a year as SIASN riwayat diklat/kursus records,
    one JSON object per line: Jejak's record fields, and under "siasn" the SIASN payload's names
    (jumlahJam carries JP; BKN reference ids and certificate numbers the log lacks are null)."""
    from lrs.read.siasn import records

    for record in read_report(database_url, lambda engine: records(engine, instansi, year, as_of)):
        click.echo(json.dumps(record, ensure_ascii=False))
