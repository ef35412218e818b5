"""Rows of the stored roll-ups (projections/rollups.py): each pegawai-year's parts (rollup_parts),
the summed tallies per year and scope (rollups), and the years rolled up (rollup_years). A tally
is stored as JSON with its decimals as exact text."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

from sqlalchemy import Connection, and_, delete, exists, func, insert, literal, or_, select, update

from lrs.store.engine import bulk_insert, is_sqlite
from lrs.store.figure_rows import Key, total_of
from lrs.store.read_models import one_of
from lrs.store.tables import competency_figures, figure_work, jp_figures, roster_entries, rollup_parts, rollup_years, rollups
from projections.rules.jp import JpTotal
from projections.rules.tallies import Scope, StandardRow, Tally

Parts = dict[Scope, Tally]


def _tally_json(tally: Mapping[str, Decimal]) -> dict[str, str]:
    return {name: str(value) for name, value in tally.items()}


def _tally_of(data: Mapping[str, str]) -> Tally:
    return {name: Decimal(value) for name, value in data.items()}


def scope_key(scope: Scope) -> str:
    return json.dumps(list(scope), ensure_ascii=False)


def _scope(row: Any) -> Scope:
    return (row.kind, row.instansi, row.unit_kerja)


# Each pegawai-year's parts.

def part_texts(conn: Connection, keys: Sequence[Key]) -> dict[Key, str]:
    """The stored parts (as JSON, parts_json) of these pegawai-years; a key never rolled up is absent."""
    by_year: dict[int, list[str]] = {}
    for nip, year in keys:
        by_year.setdefault(year, []).append(nip)
    found: dict[Key, str] = {}
    for year, nips in sorted(by_year.items()):
        for where in one_of(conn, rollup_parts.c.nip, sorted(set(nips))):
            query = select(rollup_parts).where(rollup_parts.c.year == year, where)
            found.update({(r.nip, int(r.year)): r.parts for r in conn.execute(query)})
    return found


def parse_parts(text: str) -> Parts:
    return {(kind, instansi, unit): _tally_of(tally) for kind, instansi, unit, tally in json.loads(text)}


def parts_json(parts: Parts) -> str:
    return json.dumps([[*scope, _tally_json(tally)] for scope, tally in sorted(parts.items())],
                      ensure_ascii=False)


def save_parts(conn: Connection, parts: Mapping[Key, str], gone: Sequence[Key]) -> None:
    """Replace the parts (parts_json) of these keys; delete those of `gone`."""
    by_year: dict[int, list[str]] = {}
    for nip, year in [*parts, *gone]:
        by_year.setdefault(year, []).append(nip)
    for year, nips in sorted(by_year.items()):
        for where in one_of(conn, rollup_parts.c.nip, sorted(set(nips))):
            conn.execute(delete(rollup_parts).where(rollup_parts.c.year == year, where))
    bulk_insert(conn, rollup_parts, [{"nip": nip, "year": year, "parts": text}
                                     for (nip, year), text in sorted(parts.items())])


def stored_parts(conn: Connection, after: Key | None, limit: int) -> list[tuple[Key, Parts]]:
    """Stored parts in key order after `after`."""
    query = select(rollup_parts)
    if after is not None:
        query = query.where(or_(rollup_parts.c.nip > after[0],
                                and_(rollup_parts.c.nip == after[0], rollup_parts.c.year > after[1])))
    rows = conn.execute(query.order_by(rollup_parts.c.nip, rollup_parts.c.year).limit(limit))
    return [((r.nip, int(r.year)), parse_parts(r.parts)) for r in rows]


# The roll-ups.

def tallies_of(conn: Connection, year: int, scopes: Sequence[Scope]) -> dict[Scope, Tally]:
    """The stored tallies of these scopes in a year (a scope with none is absent)."""
    keys = sorted({scope_key(s) for s in scopes})
    return {_scope(r): _tally_of(json.loads(r.tally)) for where in (one_of(conn, rollups.c.scope, keys) if keys else [])
            for r in conn.execute(select(rollups).where(rollups.c.year == year, where))}


def save_tallies(conn: Connection, year: int, tallies: Mapping[Scope, Tally], seq: int) -> None:
    """Replace these scopes' rows of a year; an empty tally deletes its row."""
    keys = sorted(scope_key(s) for s in tallies)
    for where in one_of(conn, rollups.c.scope, keys) if keys else []:
        conn.execute(delete(rollups).where(rollups.c.year == year, where))
    bulk_insert(conn, rollups, [
        {"year": year, "scope": scope_key(scope), "kind": scope[0], "instansi": scope[1], "unit_kerja": scope[2],
         "pegawai": int(tally.get("pegawai", 0)), "jp_counted": str(tally.get("jp_counted", Decimal(0))),
         "tally": json.dumps(_tally_json(tally), ensure_ascii=False), "current_as_of": seq}
        for scope, tally in sorted(tallies.items()) if tally])


def tally(conn: Connection, year: int, scope: Scope) -> Tally | None:
    text = conn.execute(select(rollups.c.tally).where(rollups.c.year == year, rollups.c.scope == scope_key(scope))
                        ).scalar_one_or_none()
    return None if text is None else _tally_of(json.loads(text))


def children(conn: Connection, year: int, kind: str, instansi: str | None, offset: int,
             limit: int) -> tuple[list[tuple[Scope, Tally]], int]:
    """A page of the year's rows of one kind (instansi: the nation's; unit: one instansi's), in
    name order, and how many there are."""
    where = [rollups.c.year == year, rollups.c.kind == kind]
    if instansi is not None:
        where.append(rollups.c.instansi == instansi)
    count = conn.execute(select(func.count()).select_from(rollups).where(*where)).scalar_one()
    # In code point order, as Python sorts names: SQLite compares bytes; PostgreSQL by "C".
    order = [c if is_sqlite(conn) else c.collate("C") for c in (rollups.c.instansi, rollups.c.unit_kerja)]
    rows = conn.execute(select(rollups).where(*where).order_by(*order).offset(offset).limit(limit))
    return [(_scope(r), _tally_of(json.loads(r.tally))) for r in rows], int(count)


def stored_tallies(conn: Connection, year: int) -> dict[Scope, Tally]:
    return {_scope(r): _tally_of(json.loads(r.tally))
            for r in conn.execute(select(rollups).where(rollups.c.year == year))}


def figures_of(conn: Connection, keys: Sequence[Key]) -> dict[Key, JpTotal]:
    """The stored figures of these keys, queued or not."""
    by_year: dict[int, list[str]] = {}
    for nip, year in keys:
        by_year.setdefault(year, []).append(nip)
    query = select(jp_figures.c.nip, jp_figures.c.year, jp_figures.c.total)
    return {(r.nip, int(r.year)): total_of(r.total) for year, nips in sorted(by_year.items())
            for where in one_of(conn, jp_figures.c.nip, sorted(set(nips)))
            for r in conn.execute(query.where(jp_figures.c.year == year, where))}


def standards_of(conn: Connection, keys: Sequence[Key]) -> dict[Key, list[StandardRow]]:
    """The stored competency rows of these keys that a standard names (the gap counters' facts)."""
    c = competency_figures.c
    by_year: dict[int, list[str]] = {}
    for nip, year in keys:
        by_year.setdefault(year, []).append(nip)
    query = (select(c.nip, c.year, c.instansi, c.unit_kerja, c.kompetensi, c.jenis, c.assessed_level, c.gap)
             .where(c.required_level.is_not(None)).order_by(c.nip, c.year, c.kompetensi))
    found: dict[Key, list[StandardRow]] = {}
    for year, nips in sorted(by_year.items()):
        for where in one_of(conn, c.nip, sorted(set(nips))):
            for r in conn.execute(query.where(c.year == year, where)):
                found.setdefault((r.nip, int(r.year)), []).append(StandardRow(
                    r.instansi, r.unit_kerja, r.kompetensi, r.jenis, r.assessed_level is not None, bool(r.gap)))
    return found


def figures_without_parts(conn: Connection, years: Sequence[int], limit: int) -> list[Key]:
    """Stored figures of these years that have no part (at most `limit`)."""
    has_part = exists().where(rollup_parts.c.nip == jp_figures.c.nip, rollup_parts.c.year == jp_figures.c.year)
    query = (select(jp_figures.c.nip, jp_figures.c.year).where(jp_figures.c.year.in_(list(years)), ~has_part)
             .order_by(jp_figures.c.nip, jp_figures.c.year).limit(limit))
    return [(r.nip, int(r.year)) for r in conn.execute(query)] if years else []


def members(conn: Connection, instansi: str, unit_kerja: str, year: int, offset: int, limit: int) -> list[JpTotal]:
    """A page of the stored figures of a unit kerja's members (the roster on the period's last
    day), by nip."""
    query = (select(jp_figures.c.total).where(jp_figures.c.year == year, jp_figures.c.instansi == instansi,
                                              jp_figures.c.unit_kerja == unit_kerja)
             .order_by(jp_figures.c.nip).offset(offset).limit(limit))
    return [total_of(text) for text in conn.execute(query).scalars()]


def positions(conn: Connection, nips: Sequence[str]) -> list[tuple[str, date, str | None]]:
    """(nip, effective_from, jenis_jabatan) of these pegawai's roster rows."""
    query = select(roster_entries.c.nip, roster_entries.c.effective_from, roster_entries.c.jenis_jabatan)
    return [(r.nip, date.fromisoformat(r.effective_from), r.jenis_jabatan)
            for where in (one_of(conn, roster_entries.c.nip, nips) if nips else [])
            for r in conn.execute(query.where(where))]


def unit_named(conn: Connection, instansi: str, unit_kerja: str) -> bool:
    """Whether the roster ever named this unit kerja of the instansi."""
    query = select(roster_entries.c.nip).where(roster_entries.c.instansi == instansi,
                                               roster_entries.c.unit_kerja == unit_kerja).limit(1)
    return conn.execute(query).first() is not None


# The years.

def open_years(conn: Connection) -> list[int]:
    return [int(y) for y in conn.execute(select(rollup_years.c.year).order_by(rollup_years.c.year)).scalars()]


def open_year(conn: Connection, year: int, year_end: date, seq: int) -> int:
    """Roll a year up from now on: queue every pegawai the roster names by its last day that has
    no part yet (and is not queued); returns how many were queued."""
    conn.execute(insert(rollup_years).values(year=year, opened_at=seq, current_as_of=seq))
    has_part = exists().where(rollup_parts.c.nip == roster_entries.c.nip, rollup_parts.c.year == year)
    queued = exists().where(figure_work.c.nip == roster_entries.c.nip, figure_work.c.year == year)
    people = (select(roster_entries.c.nip, literal(year), literal("rollup year"), literal(seq)).distinct()
              .where(roster_entries.c.effective_from <= year_end.isoformat(), ~has_part, ~queued))
    result = conn.execute(insert(figure_work).from_select(["nip", "year", "reason", "seq"], people))
    return int(result.rowcount or 0)


def mark_current(conn: Connection, years: Sequence[int], seq: int) -> None:
    if years:
        conn.execute(update(rollup_years).where(rollup_years.c.year.in_(sorted(set(years))))
                     .values(current_as_of=seq))


def year_status(conn: Connection, year: int) -> tuple[int, int] | None:
    """(current_as_of, figures of the year waiting to be recomputed), or None when the year is not
    rolled up."""
    seq = conn.execute(select(rollup_years.c.current_as_of).where(rollup_years.c.year == year)).scalar_one_or_none()
    if seq is None:
        return None
    waiting = conn.execute(select(func.count()).select_from(figure_work).where(figure_work.c.year == year))
    return int(seq), int(waiting.scalar_one())


def clear_rollups(conn: Connection) -> None:
    for table in (rollups, rollup_parts, rollup_years):
        conn.execute(delete(table))
