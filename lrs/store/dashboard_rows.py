"""The stored rows an instansi's dashboard reads (lrs/read/dashboard.py): a page of its pegawai
below target from the stored figures (jp_figures), filtered and in the dashboard's order, and the
year's stored claims (claim_figures) of pegawai ever in the instansi that wait for a decision.
(The unit x competency gap counts are in the stored roll-ups: lrs/store/rollup_rows.py.)"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, or_, select

from lrs.store.claim_figure_rows import WAITING
from lrs.store.engine import is_sqlite
from lrs.store.figure_rows import line_of
from lrs.store.read_models import one_of
from lrs.store.tables import claim_figures, jp_figures, roster_entries
from projections.rules.jp import Line


def _in_force(year_end: str, **columns: str) -> ColumnElement[bool]:
    """A figure whose pegawai's roster row in force on `year_end` has these column values."""
    later = roster_entries.alias("later")
    superseded = select(later.c.nip).where(later.c.nip == roster_entries.c.nip,
                                          later.c.effective_from > roster_entries.c.effective_from,
                                          later.c.effective_from <= year_end).exists()
    wanted = [roster_entries.c[name] == value for name, value in columns.items()]
    return select(roster_entries.c.nip).where(roster_entries.c.nip == jp_figures.c.nip,
                                              roster_entries.c.effective_from <= year_end, ~superseded,
                                              *wanted).exists()


def below_target(conn: Connection, instansi: str, year: int, year_end: str, *, unit_kerja: str | None = None,
                 status: str | None = None, jenis_jabatan: str | None = None, search: str | None = None,
                 limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """Up to `limit` (None: all) stored figures of the instansi's members with a target not met,
    filtered (`search`: part of the nip, or of the nama in any case), fewest JP first, then by
    unit kerja, nama and nip; and how many match in all."""
    c = jp_figures.c
    where: list[ColumnElement[bool]] = [c.instansi == instansi, c.year == year, c.target_met.is_(False)]
    if unit_kerja:
        where.append(c.unit_kerja == unit_kerja)
    if status:
        where.append(c.status == status)
    if jenis_jabatan:
        where.append(_in_force(year_end, jenis_jabatan=jenis_jabatan))
    if wanted := (search or "").strip().lower():
        where.append(or_(c.nip.contains(wanted, autoescape=True),
                         func.lower(c.nama).contains(wanted, autoescape=True)))
    count = int(conn.execute(select(func.count()).select_from(jp_figures).where(*where)).scalar_one())
    # In code point order, as Python sorts names: SQLite compares bytes; PostgreSQL by "C".
    unit: ColumnElement[Any] = func.coalesce(c.unit_kerja, "")
    nama: ColumnElement[Any] = func.coalesce(c.nama, "")
    if not is_sqlite(conn):
        unit, nama = unit.collate("C"), nama.collate("C")
    query = (select(c.nip, c.nama, c.status, c.unit_kerja, c.jp_counted, c.jp_pending, c.target_jp, c.target_met)
             .where(*where).order_by(c.jp_counted_num, unit, nama, c.nip))
    rows = conn.execute(query if limit is None else query.limit(limit))
    return [dict(r._mapping) for r in rows], count


def waiting_claims(conn: Connection, instansi: str, year: int) -> list[tuple[str, Line]]:
    """The year's stored claims waiting for a decision (submitted or approved by the atasan) of
    the pegawai the roster ever placed in the instansi: (nip, line). The caller has seen that no
    figure of the year waits to be recomputed (rollup_rows.year_status), in the same snapshot."""
    ever_in = select(roster_entries.c.nip).where(roster_entries.c.nip == claim_figures.c.nip,
                                                 roster_entries.c.instansi == instansi).exists()
    query = (select(claim_figures.c.nip, claim_figures.c.line)
             .where(claim_figures.c.year == year, claim_figures.c.recognition.in_(WAITING),
                    claim_figures.c.status == "pending", ever_in)
             .order_by(claim_figures.c.nip, claim_figures.c.position))
    return [(r.nip, line_of(json.loads(r.line))) for r in conn.execute(query)]


def figure_names(conn: Connection, nips: list[str], year: int) -> dict[str, str | None]:
    """The nama of these pegawai's stored figures of a year."""
    query = select(jp_figures.c.nip, jp_figures.c.nama).where(jp_figures.c.year == year)
    return {r.nip: r.nama for where in (one_of(conn, jp_figures.c.nip, nips) if nips else [])
            for r in conn.execute(query.where(where))}


