"""The stored rows an instansi's dashboard reads (lrs/read/dashboard.py): a page of its pegawai
below target from the stored figures (jp_figures), filtered and in the dashboard's order, and the
year's stored claims (claim_figures) waiting for a decision, counted per atasan.
(The unit x competency gap counts are in the stored roll-ups: lrs/store/rollup_rows.py.)"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, and_, func, or_, select

from lrs.store.claim_figure_rows import WAITING
from lrs.store.engine import is_sqlite
from lrs.store.read_models import one_of
from lrs.store.tables import claim_figures, jp_figures, roster_entries, statements


def _in_force(row: FromClause, nip: ColumnElement[Any], day: Any) -> ColumnElement[bool]:
    """`row` (an alias of roster_entries) is the roster row of `nip` in force on `day` (a date
    text or a date column): the latest effective_from not after it."""
    later = roster_entries.alias()
    superseded = select(later.c.nip).where(later.c.nip == row.c.nip, later.c.effective_from > row.c.effective_from,
                                          later.c.effective_from <= day).exists()
    return and_(row.c.nip == nip, row.c.effective_from <= day, ~superseded)


def below_target(conn: Connection, instansi: str, year: int, year_end: str, *, unit_kerja: str | None = None,
                 status: str | None = None, jenis_jabatan: str | None = None, search: str | None = None,
                 limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """Up to `limit` (None: all) stored figures of the instansi's members with a target not met,
    filtered (`search`: part of the nip, or of the nama in any case), fewest JP first, then by
    unit kerja, nama and nip, each with the jabatan, jenis jabatan and instansi of the roster row
    in force on `year_end` (None without one); and how many match in all."""
    c = jp_figures.c
    where: list[ColumnElement[bool]] = [c.instansi == instansi, c.year == year, c.target_met.is_(False)]
    if unit_kerja:
        where.append(c.unit_kerja == unit_kerja)
    if status:
        where.append(c.status == status)
    r = roster_entries.alias("r")
    if jenis_jabatan:
        where.append(r.c.jenis_jabatan == jenis_jabatan)
    if wanted := (search or "").strip().lower():
        where.append(or_(c.nip.contains(wanted, autoescape=True),
                         func.lower(c.nama).contains(wanted, autoescape=True)))
    joined = jp_figures.outerjoin(r, _in_force(r, c.nip, year_end))
    count = int(conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one())
    # In code point order, as Python sorts names: SQLite compares bytes; PostgreSQL by "C".
    unit: ColumnElement[Any] = func.coalesce(c.unit_kerja, "")
    nama: ColumnElement[Any] = func.coalesce(c.nama, "")
    if not is_sqlite(conn):
        unit, nama = unit.collate("C"), nama.collate("C")
    query = (select(c.nip, c.nama, c.status, c.unit_kerja, c.jp_counted, c.jp_pending, c.target_jp, c.target_met,
                    r.c.jabatan, r.c.jenis_jabatan, r.c.instansi.label("roster_instansi"))
             .select_from(joined)
             .where(*where).order_by(c.jp_counted_num, unit, nama, c.nip))
    rows = conn.execute(query if limit is None else query.limit(limit))
    return [dict(r._mapping) for r in rows], count


def waiting_by_atasan(conn: Connection, instansi: str, year: int) -> list[dict[str, Any]]:
    """The year's stored claims waiting for a decision (submitted or approved by the atasan) whose
    pegawai the roster placed in the instansi on the activity date (the instansi they are credited
    to), counted per recognition state, atasan of that roster row and JP: rows of `recognition`,
    `atasan_nip`, `jp` (decimal text or None), `claims` and `first_stored_ms` (the earliest stored
    time of their statements). One grouped query: an instansi's thousands of
    waiting claims are never read one by one."""
    cf, r = claim_figures, roster_entries.alias("r")
    query = (select(cf.c.recognition, r.c.atasan_nip, cf.c.jp, func.count().label("claims"),
                    func.min(statements.c.stored_ms).label("first_stored_ms"))
             .select_from(cf.join(r, _in_force(r, cf.c.nip, cf.c.activity_date))
                          .join(statements, statements.c.id == cf.c.statement_id))
             .where(cf.c.year == year, cf.c.recognition.in_(WAITING), cf.c.status == "pending",
                    r.c.instansi == instansi)
             .group_by(cf.c.recognition, r.c.atasan_nip, cf.c.jp))
    return [dict(row._mapping) for row in conn.execute(query)]


def latest_names(conn: Connection, nips: list[str], instansi: str) -> dict[str, str]:
    """The nama of each of these pegawai's latest roster row, for those the roster ever placed in
    the instansi (an atasan of another instansi is named by nip only)."""
    found: dict[str, tuple[str, str]] = {}
    ever_in: set[str] = set()
    query = select(roster_entries.c.nip, roster_entries.c.effective_from, roster_entries.c.nama,
                   roster_entries.c.instansi)
    for where in (one_of(conn, roster_entries.c.nip, nips) if nips else []):
        for row in conn.execute(query.where(where)):
            if row.instansi == instansi:
                ever_in.add(row.nip)
            if row.nip not in found or row.effective_from > found[row.nip][0]:
                found[row.nip] = (row.effective_from, row.nama)
    return {nip: nama for nip, (_, nama) in found.items() if nip in ever_in}
