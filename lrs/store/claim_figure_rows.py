"""Rows of the stored per-claim and per-competency figures (claim_figures, competency_profiles,
competency_figures), kept for the same (nip, year) keys as jp_figures and queued with them in
figure_work: a key is stored when its profile row is, and current unless it waits in the queue."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Mapping, Sequence

import orjson
from sqlalchemy import Connection, Table, and_, case, delete, func, select

from lrs.store.engine import bulk_insert
from lrs.store.figure_rows import Key, _key_in, line_of
from lrs.store.read_models import one_of
from lrs.store.tables import (
    WAITING_STATES, assessments, claim_figures, competency_figures, competency_profiles, figure_work, jp_figures, plans,
    roster_entries,
)
from projections.rules.competency import CompetencyProfile, CompetencyRow, Learning, PlanItem, WithoutEffect
from projections.rules.reasons import whys_of
from projections.rules.jp import Line
from projections.rules.recognition import settled_by

TABLES = (claim_figures, competency_profiles, competency_figures)


def _decimal(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not part of a stored figure")


def _json(value: Any) -> str:
    return orjson.dumps(value, default=_decimal).decode()


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def profile_json(profile: CompetencyProfile) -> str:
    return _json(profile)


def profile_of(text: str) -> CompetencyProfile:
    d = json.loads(text)
    rows = tuple(CompetencyRow(
        r["code"], r["jenis"], r["required_level"], r["assessed_level"], r["assessed_at"], r["assessor"],
        r["assessment_id"], r["gap"], Decimal(r["jp_learning"]),
        tuple(Learning(x["statement_id"], x["status"], Decimal(x["jp_counted"])) for x in r["learning"]),
        tuple(WithoutEffect(x["statement_id"], x["level"], x["reason"]) for x in r["assessments_without_effect"]),
    ) for r in d["competencies"])
    plan = tuple(PlanItem(p["statement_id"], p["activity_id"], p["title"], p["form_code"], _dec(p["jp_planned"]),
                          tuple(p["competencies"]), p["status"], p["done_by"]) for p in d["plan"])
    return CompetencyProfile(d["nip"], d["year"], d["nama"], d["jabatan"], d["unit_kerja"], d["instansi"],
                             d["standard"], rows, _dec(d["jpm"]), plan, Decimal(d["jp_planned"]),
                             Decimal(d["jp_done"]), tuple(d["policy_versions"]), whys_of(d.get("standard_why")))


def claim_row(nip: str, year: int, position: int, line: Line, form_jp_counted: Decimal, seq: int,
              atasan_nip: str | None) -> dict[str, Any]:
    """One claim of a pegawai-year: its line, state, and the decision that settled it; the atasan
    of the pegawai's roster row in force on the activity date."""
    settled = settled_by(line.recognition, line.decisions)
    return {
        "nip": nip, "year": year, "statement_id": line.statement_id, "position": position,
        "form_code": line.form_code, "activity_date": line.activity_date.isoformat(), "status": line.status,
        "recognition": line.recognition, "jp": None if line.jp is None else str(line.jp),
        "jp_counted": str(line.jp_counted), "form_jp_counted": str(form_jp_counted),
        "decided_by": settled.statement_id if settled else None, "decider": settled.decider if settled else None,
        "decided_at": settled.decided_at if settled else None, "line": _json(line), "current_as_of": seq,
        "instansi": line.instansi, "atasan_nip": atasan_nip, "seq": line.seq,
    }


def profile_row(profile: CompetencyProfile, seq: int) -> dict[str, Any]:
    return {"nip": profile.nip, "year": profile.year, "profile": profile_json(profile), "current_as_of": seq}


def competency_rows(profile: CompetencyProfile, seq: int) -> list[dict[str, Any]]:
    """The profile's competencies, each with where the pegawai is on the period's last day."""
    return [{"nip": profile.nip, "year": profile.year, "kompetensi": row.code, "jenis": row.jenis,
             "instansi": profile.instansi, "unit_kerja": profile.unit_kerja, "required_level": row.required_level,
             "assessed_level": row.assessed_level, "gap": row.gap, "jp_learning": str(row.jp_learning),
             "current_as_of": seq} for row in profile.competencies]


def save(conn: Connection, keys: Sequence[Key], claims: Sequence[Mapping[str, Any]],
         profiles: Sequence[Mapping[str, Any]], competencies: Sequence[Mapping[str, Any]], *,
         none_stored: bool = False) -> None:
    """Replace the rows of these keys (a key of a pegawai no longer in the roster: delete them).
    Only the keys whose rows in a table differ from those stored (but for current_as_of) are
    written there: a policy that moves a target changes a figure, seldom its competency rows,
    and reading a batch's rows costs far less than deleting and inserting them with their indexes.
    `none_stored`: the keys have no rows (a rebuild cleared them), so none are read. A key's
    competency rows are its profile's (competency_rows), so they are rewritten exactly when the
    profile is, without reading them."""
    profile_changed: list[Key] = []
    for table, rows in ((claim_figures, claims), (competency_profiles, profiles), (competency_figures, competencies)):
        if table is competency_figures:
            changed = profile_changed
        else:
            changed = _changed(conn, table, keys, rows, none_stored)
            if table is competency_profiles:
                profile_changed = changed
        for where in _key_in(conn, [table.c.nip, table.c.year], changed):
            conn.execute(delete(table).where(where))
        wanted = set(changed)
        bulk_insert(conn, table, [row for row in rows if (row["nip"], int(row["year"])) in wanted])


def _changed(conn: Connection, table: Table, keys: Sequence[Key], rows: Sequence[Mapping[str, Any]],
             none_stored: bool) -> list[Key]:
    """The keys whose rows in `table` differ from those stored (but for current_as_of)."""
    columns = [c.name for c in table.columns if c.name != "current_as_of"]
    old = {} if none_stored else _values_by_key(conn, table, columns, keys)
    new: dict[Key, set[tuple[Any, ...]]] = {}
    for row in rows:
        new.setdefault((row["nip"], int(row["year"])), set()).add(tuple(row[c] for c in columns))
    return [key for key in keys if old.get(key) != new.get(key)]


def _values_by_key(conn: Connection, table: Table, columns: Sequence[str], keys: Sequence[Key],
                   ) -> dict[Key, set[tuple[Any, ...]]]:
    """The stored rows of these keys, each key's as a set of value tuples in `columns` order (which
    start with nip and year)."""
    found: dict[Key, set[tuple[Any, ...]]] = {}
    query = select(*(table.c[name] for name in columns))
    for where in _key_in(conn, [table.c.nip, table.c.year], keys):
        for row in conn.execute(query.where(where)).all():  # fetchall: far cheaper per row than iterating
            found.setdefault((row[0], int(row[1])), set()).add(tuple(row))
    return found


def delete_keys(conn: Connection, keys: Sequence[Key]) -> None:
    for table in TABLES:
        for where in _key_in(conn, [table.c.nip, table.c.year], keys):
            conn.execute(delete(table).where(where))


def _pending(table: Table) -> Any:
    return select(figure_work.c.nip).where(figure_work.c.nip == table.c.nip,
                                           figure_work.c.year == table.c.year).exists()


def current_keys(conn: Connection, nips: Sequence[str]) -> set[Key]:
    """The keys of these pegawai whose figures are stored and current (not waiting)."""
    query = select(competency_profiles.c.nip, competency_profiles.c.year).where(~_pending(competency_profiles))
    return {(r.nip, int(r.year)) for where in (one_of(conn, competency_profiles.c.nip, list(nips)) if nips else [])
            for r in conn.execute(query.where(where))}


def current_lines(conn: Connection, nip: str, year: int) -> list[Line] | None:
    """Every stored claim of a pegawai-year in order, or None when the key is not stored or waits."""
    if (nip, year) not in current_keys(conn, [nip]):
        return None
    query = (select(claim_figures.c.line).where(claim_figures.c.nip == nip, claim_figures.c.year == year)
             .order_by(claim_figures.c.position))
    return [line_of(json.loads(text)) for text in conn.execute(query).scalars()]


def waiting(conn: Connection, nips: Sequence[str]) -> list[tuple[str, Line, Decimal]]:
    """The stored, current claims of these pegawai that wait for a decision (submitted or approved by
    the atasan), with the JP of their form counted in their year: (nip, line, form JP)."""
    query = (select(claim_figures.c.nip, claim_figures.c.line, claim_figures.c.form_jp_counted)
             .where(claim_figures.c.recognition.in_(WAITING_STATES), ~_pending(claim_figures)))
    return [(r.nip, line_of(json.loads(r.line)), Decimal(r.form_jp_counted))
            for where in (one_of(conn, claim_figures.c.nip, list(nips)) if nips else [])
            for r in conn.execute(query.where(where))]


def current_profiles(conn: Connection, nips: Sequence[str], year: int) -> dict[str, CompetencyProfile]:
    """The stored, current profiles of these pegawai for a year, by nip."""
    query = select(competency_profiles.c.nip, competency_profiles.c.profile).where(
        competency_profiles.c.year == year, ~_pending(competency_profiles))
    return {r.nip: profile_of(r.profile) for where in (one_of(conn, competency_profiles.c.nip, list(nips))
                                                        if nips else [])
            for r in conn.execute(query.where(where))}


def gap_counts(conn: Connection, instansi: str, year: int) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """From the stored, current rows of the pegawai in `instansi` on the period's last day: per unit
    kerja the pegawai counted, and per unit and competency of a standard how many pegawai it
    names (with_standard), of them with a gap, and not assessed."""
    mine = and_(competency_figures.c.instansi == instansi, competency_figures.c.year == year,
                ~_pending(competency_figures))
    unit = func.coalesce(competency_figures.c.unit_kerja, "")
    members = {r.unit: int(r.pegawai) for r in conn.execute(
        select(unit.label("unit"), func.count(func.distinct(competency_figures.c.nip)).label("pegawai"))
        .where(mine).group_by(unit))}
    counts = select(
        unit.label("unit"), competency_figures.c.kompetensi, func.max(competency_figures.c.jenis).label("jenis"),
        func.count().label("with_standard"),
        func.sum(case((competency_figures.c.gap > 0, 1), else_=0)).label("with_gap"),
        func.sum(case((competency_figures.c.assessed_level.is_(None), 1), else_=0)).label("not_assessed"),
    ).where(mine, competency_figures.c.required_level.is_not(None)).group_by(unit, competency_figures.c.kompetensi)
    return members, [dict(r._mapping) for r in conn.execute(counts)]


def stored_rows(conn: Connection, keys: Sequence[Key]) -> dict[str, list[dict[str, Any]]]:
    """The stored rows of these keys, by table name."""
    return {table.name: [dict(r._mapping) for where in _key_in(conn, [table.c.nip, table.c.year], keys)
                         for r in conn.execute(select(table).where(where))] for table in TABLES}


def keys_without_figure(conn: Connection) -> list[Key]:
    """Keys with claim or competency rows but no stored JP figure (rows a refresh left behind)."""
    found: set[Key] = set()
    for table in TABLES:
        orphan = ~select(jp_figures.c.nip).where(jp_figures.c.nip == table.c.nip,
                                                 jp_figures.c.year == table.c.year).exists()
        found.update((r.nip, int(r.year)) for r in conn.execute(select(table.c.nip, table.c.year)
                                                                  .where(orphan).distinct()))
    return sorted(found)


def clear(conn: Connection) -> None:
    for table in TABLES:
        conn.execute(delete(table))



# What a change touches.

def assessments_or_plans(conn: Connection, *, ids: Sequence[str] = (),
                         authority_keys: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Assessments with these statement ids or posted with these credentials, and plans with these
    ids: (account, mbox, assessed_at) or (account, mbox, plan_year)."""
    found: list[dict[str, Any]] = []
    for table, column, values, when in (
            (assessments, assessments.c.statement_id, ids, assessments.c.assessed_at),
            (assessments, assessments.c.authority_key, authority_keys, assessments.c.assessed_at),
            (plans, plans.c.statement_id, ids, plans.c.plan_year)):
        query = select(table.c.account, table.c.mbox, when)
        found += [dict(r._mapping) for where in (one_of(conn, column, list(values)) if values else [])
                  for r in conn.execute(query.where(where))]
    return found


def nips_with_jabatan(conn: Connection, jabatan: str, instansi: str | None) -> list[str]:
    """Every nip a roster row names in this jabatan (of this instansi, when given)."""
    query = select(roster_entries.c.nip).distinct().where(roster_entries.c.jabatan == jabatan)
    if instansi is not None:
        query = query.where(roster_entries.c.instansi == instansi)
    return sorted(conn.execute(query).scalars())


def plans_of_people(conn: Connection, accounts: Sequence[str] | None,
                    mboxes: Sequence[str] | None) -> list[dict[str, Any]]:
    """Plans by these account names or mboxes (the actor and the plan year: enough to place them);
    None and None: every plan."""
    columns = [plans.c.account, plans.c.mbox, plans.c.plan_year]
    if accounts is None and mboxes is None:
        return [dict(r._mapping) for r in conn.execute(select(*columns))]
    return [dict(r._mapping) for column, values in ((plans.c.account, accounts or ()), (plans.c.mbox, mboxes or ()))
            for where in (one_of(conn, column, list(values)) if values else [])
            for r in conn.execute(select(*columns).where(where))]
