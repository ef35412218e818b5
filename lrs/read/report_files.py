"""Report tables as files for people who work in spreadsheets: the dashboard's tables (unit
kerja, pegawai below target, claims waiting per atasan) and a pegawai's lines of a year, with
Indonesian headers, as CSV or XLSX (openpyxl). Each file says what it shows: the log position
(seq) and as_of point, the policy versions, and who is counted.

* XLSX: a sheet per table (header in row 1, frozen, with a filter) and a "Keterangan" sheet of
  those facts, so the tables stay tables (sort, filter, pivot) and the facts sit one tab away.
* CSV: one table, header in the first line and nothing else but rows, so any program reads it;
  the facts ride in the last columns of every row (Posisi Log, Per, Versi Kebijakan, Yang
  Dihitung) and the file's name carries the instansi, year, table and seq.
(`lrs export` of the event log itself is lrs/read/exports.py: another job, another format.)"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence

from lrs.read.dashboard import Dashboard, PegawaiRow, UnitRow
from projections.rules.jp import JpTotal, Line
from projections.rules.recognition import SUPERVISOR

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
META_COLUMNS = ("Posisi Log (seq)", "Per (as_of)", "Versi Kebijakan", "Yang Dihitung")
YES_NO = {True: "Ya", False: "Tidak", None: "Tanpa target"}
STEP = {"supervisor": "atasan", "unit_pengelola": "unit pengelola"}


@dataclass(frozen=True)
class Table:
    key: str  # in the file's name: unit-kerja, di-bawah-target, menunggu, riwayat
    title: str  # the sheet's name (at most 31 characters)
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class About:
    """What a file shows, said in it."""

    subject: str  # the instansi, or the pegawai's NIP
    year: int
    seq: int
    as_of: str | None
    policy_versions: tuple[str, ...]
    counted: str  # who is counted (the policy's denominator rule), or what the lines are

    def pairs(self) -> list[tuple[str, Any]]:
        return [("Subjek", self.subject), ("Tahun", self.year), ("Posisi Log (seq)", self.seq),
                ("Per (as_of)", self.as_of or f"terkini (seq {self.seq})"),
                ("Versi Kebijakan", ", ".join(self.policy_versions)), ("Yang Dihitung", self.counted),
                ("Sumber", "Jejak LRS: dihitung dari log peristiwa pada posisi di atas")]


def about_dashboard(board: Dashboard, counted: str | None = None) -> About:
    """`counted`: who is counted in the file's words (the web's Indonesian); else the policy's."""
    versions = tuple(sorted({*board.policy_in_force, *board.summary.policy_versions}))
    return About(board.instansi, board.year, board.position.seq, board.position.as_of, versions,
                 board.summary.denominator if counted is None else counted)


def _number(value: Decimal | None) -> Decimal | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def _share(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * 100).quantize(Decimal("0.1"))


def units_table(units: Sequence[UnitRow], year: int) -> Table:
    rows = tuple((u.summary.instansi, u.summary.unit_kerja or "", year, u.summary.pegawai, u.summary.in_scope,
                  u.summary.target_met, _share(u.summary.share_met), u.below_target,
                  _number(u.summary.jp_counted), _number(u.summary.jp_pending)) for u in units)
    return Table("unit-kerja", "Unit Kerja",
                 ("Instansi", "Unit Kerja", "Tahun", "Jumlah Pegawai", "Pegawai Bertarget", "Target Tercapai",
                  "Persen Tercapai", "Di Bawah Target", "JP Diakui", "JP Menunggu"), rows)


def pegawai_table(pegawai: Sequence[PegawaiRow], year: int, key: str = "di-bawah-target",
                  title: str = "Di Bawah Target") -> Table:
    rows = tuple((p.nip, p.nama or "", p.jabatan or "", p.jenis_jabatan or "", p.status or "", p.unit_kerja or "",
                  p.instansi or "", year, _number(p.jp_counted), _number(p.jp_pending), _number(p.target_jp),
                  _number(p.missing_jp), YES_NO[p.target_met]) for p in pegawai)
    return Table(key, title, ("NIP", "Nama", "Jabatan", "Jenis Jabatan", "Jenis Pegawai", "Unit Kerja", "Instansi",
                              "Tahun", "JP Diakui", "JP Menunggu", "Target JP", "Kekurangan JP", "Target Tercapai"),
                 rows)


def waiting_table(board: Dashboard) -> Table:
    queues = [*([board.validation_queue] if board.validation_queue else []), *board.waiting()]
    rows = tuple((q.atasan_nip or "", q.atasan_nama or ("" if q.step == SUPERVISOR else "unit pengelola"), q.claims,
                  _number(q.jp_waiting), q.oldest_days, q.waiting_since) for q in queues)
    return Table("menunggu", "Menunggu per Atasan",
                 ("NIP Atasan", "Nama Atasan", "Klaim Menunggu", "JP Menunggu", "Umur Tertua (hari)",
                  "Menunggu Sejak"), rows)


def lines_table(result: JpTotal, names: Mapping[str, str], recognitions: Mapping[str, str],
                statuses: Mapping[str, str], say: Callable[[Line], str] = lambda line: line.reason) -> Table:
    """A pegawai's year, line by line (what /app/me shows behind the figures); `say` gives a
    line's reason in the file's words (the web's Indonesian), else the rule's English."""
    rows = tuple((result.nip, result.nama or "", result.unit_kerja or "", result.instansi or "", result.year,
                  line.activity_date, line.form_code, names.get(line.form_code, line.form_code), _number(line.jp),
                  _number(line.jp_counted), statuses.get(line.status, line.status),
                  recognitions.get(line.recognition or "", line.recognition or ""),
                  say(line), ", ".join(line.policy_versions), line.statement_id) for line in result.lines)
    return Table("riwayat", "Riwayat Pembelajaran",
                 ("NIP", "Nama", "Unit Kerja", "Instansi", "Tahun", "Tanggal Kegiatan", "Kode Bentuk",
                  "Bentuk Pembelajaran", "JP", "JP Diakui", "Status", "Pengakuan", "Keterangan", "Versi Kebijakan",
                  "ID Pernyataan"), rows)


def about_pegawai(result: JpTotal, seq: int, as_of: str | None, target: str | None = None) -> About:
    """`target`: the target's reason in the file's words, else the rule's."""
    return About(f"NIP {result.nip}", result.year, seq, as_of, result.policy_versions,
                 "setiap pernyataan pembelajaran pegawai pada tahun ini, dengan statusnya; "
                 f"target: {result.target_reason if target is None else target}")


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_bytes(table: Table, about: About) -> bytes:
    """The table as CSV (UTF-8, comma, '.' decimals) with the facts of `about` in its last columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*table.headers, *META_COLUMNS])
    meta = [about.seq, about.as_of or "", ", ".join(about.policy_versions), about.counted]
    for row in table.rows:
        writer.writerow([*("" if v is None else _cell(v) for v in row), *meta])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(tables: Sequence[Table], about: About) -> bytes:
    """The tables as sheets of one workbook, with a "Keterangan" sheet saying what they show."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for table in tables:
        sheet = book.create_sheet(table.title[:31])
        sheet.append(list(table.headers))
        for row in table.rows:
            sheet.append(list(row))  # dates stay dates and numbers numbers: Excel sorts and sums them
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(table.headers))
        sheet.auto_filter.ref = f"A1:{last}{max(1, len(table.rows) + 1)}"
        for index, header in enumerate(table.headers, start=1):
            longest = max([len(header), *(len(str(r[index - 1] or "")) for r in table.rows[:200])])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, longest + 2))
    notes = book.create_sheet("Keterangan")
    notes.append(["Keterangan", "Nilai"])
    for label, value in about.pairs():
        notes.append([label, value])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 90
    book.properties.title = f"Jejak {about.subject} {about.year}"
    book.properties.description = "; ".join(f"{k}: {v}" for k, v in about.pairs())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_name(about: About, key: str, fmt: str) -> str:
    subject = "".join(c if c.isalnum() or c in "-_" else "-" for c in about.subject).strip("-")
    return f"jejak-{subject}-{about.year}-{key}-seq{about.seq}.{fmt}"
