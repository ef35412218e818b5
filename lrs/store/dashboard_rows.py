"""The stored rows an instansi's dashboard reads (lrs/read/dashboard.py): a page of its pegawai
below target from the stored figures (jp_figures), filtered and in the dashboard's order, and the
year's stored claims (claim_figures) waiting for a decision, counted per atasan.
(The unit x competency gap counts are in the stored roll-ups: lrs/store/rollup_rows.py.)"""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, and_, func, literal_column, or_, select

from lrs.store.engine import is_sqlite
from lrs.store.read_models import one_of
from lrs.store.tables import WAITING_STATES, claim_figures, jp_figures, roster_entries


def _in_force(row: FromClause, nip: ColumnElement[Any], day: Any) -> ColumnElement[bool]:
    """`row` (an alias of roster_entries) is the roster row of `nip` in force on `day` (a date
    text or a date column): the latest effective_from not after it."""
    later = roster_entries.alias()
    superseded = select(later.c.nip).where(later.c.nip == row.c.nip, later.c.effective_from > row.c.effective_from,
                                          later.c.effective_from <= day).exists()
    return and_(row.c.nip == nip, row.c.effective_from <= day, ~superseded)


def below_target(conn: Connection, instansi: str, year: int, year_end: str, *, unit_kerja: str | None = None,
                 status: str | None = None, jenis_jabatan: str | None = None, search: str | None = None,
                 limit: int | None = None, counted: bool = True) -> tuple[list[dict[str, Any]], int | None]:
    """Up to `limit` (None: all) stored figures of the instansi's members with a target not met,
    filtered (`search`: part of the nip, or of the nama in any case), fewest JP first, then by
    unit kerja, nama and nip, each with the jabatan, jenis jabatan and instansi of the roster row
    in force on `year_end` (None without one); and how many match in all (None unless `counted`:
    the caller knows it from the roll-ups). The roster is read for the page's rows only, unless
    the jenis jabatan filter needs it for every row."""
    c = jp_figures.c
    where: list[ColumnElement[bool]] = [c.instansi == instansi, c.year == year, c.target_met.is_(False)]
    figures: FromClause = jp_figures
    if unit_kerja:
        where.append(c.unit_kerja == unit_kerja)
    if status:
        where.append(c.status == status)
    if jenis_jabatan:
        held = roster_entries.alias("held")
        figures = jp_figures.join(held, _in_force(held, c.nip, year_end))
        where.append(held.c.jenis_jabatan == jenis_jabatan)
    if wanted := (search or "").strip().lower():
        where.append(or_(c.nip.contains(wanted, autoescape=True),
                         func.lower(c.nama).contains(wanted, autoescape=True)))
    count = (int(conn.execute(select(func.count()).select_from(figures).where(*where)).scalar_one())
             if counted else None)
    # In code point order, as Python sorts names: SQLite compares bytes; PostgreSQL by "C".
    unit: ColumnElement[Any] = func.coalesce(c.unit_kerja, "")
    nama: ColumnElement[Any] = func.coalesce(c.nama, "")
    if not is_sqlite(conn):
        unit, nama = unit.collate("C"), nama.collate("C")
    page = (select(c.nip, c.nama, c.status, c.unit_kerja, c.jp_counted, c.jp_pending, c.target_jp, c.target_met,
                   c.jp_counted_num, unit.label("unit_key"), nama.label("nama_key"))
            .select_from(figures).where(*where).order_by(c.jp_counted_num, unit, nama, c.nip))
    rows = (page if limit is None else page.limit(limit)).subquery("page")
    r = roster_entries.alias("r")
    unit_key: ColumnElement[Any] = rows.c.unit_key
    nama_key: ColumnElement[Any] = rows.c.nama_key
    if not is_sqlite(conn):
        unit_key, nama_key = unit_key.collate("C"), nama_key.collate("C")
    query = (select(rows.c.nip, rows.c.nama, rows.c.status, rows.c.unit_kerja, rows.c.jp_counted, rows.c.jp_pending,
                    rows.c.target_jp, rows.c.target_met, r.c.jabatan, r.c.jenis_jabatan,
                    r.c.instansi.label("roster_instansi"))
             .select_from(rows.outerjoin(r, _in_force(r, rows.c.nip, year_end)))
             .order_by(rows.c.jp_counted_num, unit_key, nama_key, rows.c.nip))
    return [dict(row._mapping) for row in conn.execute(query)], count


def waiting_by_atasan(conn: Connection, instansi: str, year: int) -> list[dict[str, Any]]:
    """The year's stored claims credited to the instansi that wait for a decision (submitted or
    approved by the atasan), counted per recognition state and atasan (both of the pegawai's
    roster row in force on the activity date, as stored with the claim): rows of `recognition`,
    `atasan_nip`, `jp` (the claims' JP, decimal texts joined by commas; None when none names
    any), `claims` and `first_seq` (the oldest claim's statement: seqs follow stored times). One
    grouped query over the partial index of the waiting claims: an instansi's thousands of them
    are never read one by one (the caller sums the JP, in decimals)."""
    cf = claim_figures.c
    joined = func.group_concat(cf.jp, ",") if is_sqlite(conn) else func.string_agg(cf.jp, ",")
    query = (select(cf.recognition, cf.atasan_nip, joined.label("jp"), func.count().label("claims"),
                    func.min(cf.seq).label("first_seq"))
             .where(cf.year == year, cf.instansi == instansi,
                    cf.recognition.in_([literal_column(repr(state)) for state in WAITING_STATES]),
                    cf.status == literal_column("'pending'"))
             .group_by(cf.recognition, cf.atasan_nip))
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
