"""Rows of the stored figures (jp_figures) and of their queue (figure_work), the queries that find
which figures a change touches, and a JpTotal as exact JSON and back."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Iterator, Mapping, Sequence

import orjson
from sqlalchemy import Connection, and_, bindparam, delete, func, or_, select, tuple_

from lrs.store.engine import bulk_insert
from lrs.store.read_models import one_of
from lrs.store.tables import decisions, figure_work, jp_claims, jp_figures, roster_entries
from projections.rules.duplicates import SuspectedDuplicate
from projections.rules.jp import JpTotal, JpWarning, Line
from projections.rules.reasons import whys_of
from projections.rules.recognition import Ruling

Key = tuple[str, int]  # (nip, year)
BIG = 20_000  # keys queued at once past which enqueue reads the queue rather than sending the keys


# A JpTotal as JSON: decimals as their exact text, dates ISO, tuples as lists (orjson writes
# dataclasses field by field, in order).

def _decimal(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not part of a JpTotal")


def total_json(total: JpTotal) -> str:
    return orjson.dumps(total, default=_decimal).decode()


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _ruling(d: Mapping[str, Any]) -> Ruling:
    return Ruling(d["statement_id"], d["seq"], d["kind"], d["decided_at"], d["decider"], d["step"],
                  d["effective"], d["reason"], _dec(d["jp"]), whys_of(d.get("why")))


def _line(d: Mapping[str, Any]) -> Line:
    return Line(d["statement_id"], d["seq"], d["form_code"], date.fromisoformat(d["activity_date"]),
                d["unit_kerja"], d["instansi"], _dec(d["jp"]), Decimal(d["jp_counted"]), d["status"], d["reason"],
                tuple(d["policy_versions"]), d["recognition"], tuple(_ruling(r) for r in d["decisions"]),
                tuple(d["competencies"]), whys_of(d.get("why")))


def line_of(d: Mapping[str, Any]) -> Line:
    """A Line from its JSON object (as total_json writes it)."""
    return _line(d)


def total_of(text: str) -> JpTotal:
    d = json.loads(text)
    return JpTotal(
        d["nip"], d["year"], d["nama"], d["status"], d["unit_kerja"], d["instansi"], Decimal(d["jp_counted"]),
        Decimal(d["jp_pending"]), {k: Decimal(v) for k, v in d["jp_by_form"].items()}, _dec(d["target_jp"]),
        d["target_met"], d["target_reason"], tuple(d["policy_versions"]), tuple(_line(x) for x in d["lines"]),
        tuple(SuspectedDuplicate(tuple(s["statement_ids"]), tuple(s["kept"]), s["reason"])
              for s in d["suspected_duplicates"]),
        tuple(JpWarning(w["code"], w["message"]) for w in d["warnings"]), whys_of(d.get("target_why")),
    )


def figure_row(total: JpTotal, seq: int) -> dict[str, Any]:
    return {
        "nip": total.nip, "year": total.year, "nama": total.nama, "status": total.status,
        "unit_kerja": total.unit_kerja, "instansi": total.instansi, "jp_counted": str(total.jp_counted),
        "jp_pending": str(total.jp_pending),
        "jp_by_form": json.dumps({k: str(v) for k, v in total.jp_by_form.items()}),
        "target_jp": None if total.target_jp is None else str(total.target_jp), "target_met": total.target_met,
        "policy_versions": json.dumps(list(total.policy_versions)), "warnings": len(total.warnings),
        "suspected_duplicates": len(total.suspected_duplicates), "total": total_json(total), "current_as_of": seq,
    }


def _key_in(conn: Connection, columns: Sequence[Any], keys: Sequence[Key]) -> Iterator[Any]:
    """Conditions that together match these (nip, year) keys: per year, the nips as read_models.one_of."""
    by_year: dict[int, list[str]] = {}
    for nip, year in keys:
        by_year.setdefault(year, []).append(nip)
    for year, nips in sorted(by_year.items()):
        for where in one_of(conn, columns[0], nips):
            yield and_(columns[1] == year, where)


# The figures.

def save_figures(conn: Connection, totals: Sequence[JpTotal], gone: Sequence[Key], seq: int) -> None:
    """Store these totals (replacing their rows) and delete the rows of `gone` (no longer in the roster)."""
    keys = [(t.nip, t.year) for t in totals] + list(gone)
    for where in _key_in(conn, [jp_figures.c.nip, jp_figures.c.year], keys):
        conn.execute(delete(jp_figures).where(where))
    bulk_insert(conn, jp_figures, [{**figure_row(t, seq), **sort_values(t)} for t in totals])


def current_figure(conn: Connection, nip: str, year: int) -> JpTotal | None:
    """The stored figure of a pegawai's year, or None when there is none or it waits to be recomputed."""
    pending = select(figure_work.c.nip).where(figure_work.c.nip == nip, figure_work.c.year == year).exists()
    text = conn.execute(select(jp_figures.c.total).where(jp_figures.c.nip == nip, jp_figures.c.year == year,
                                                         ~pending)).scalar_one_or_none()
    return None if text is None else total_of(text)


def current_figures(conn: Connection, nips: Sequence[str], year: int) -> dict[str, JpTotal]:
    """The stored figures of these pegawai for a year that do not wait to be recomputed, by nip."""
    pending = select(figure_work.c.nip).where(figure_work.c.nip == jp_figures.c.nip,
                                              figure_work.c.year == jp_figures.c.year).exists()
    query = select(jp_figures.c.nip, jp_figures.c.total).where(jp_figures.c.year == year, ~pending)
    return {r.nip: total_of(r.total) for where in (one_of(conn, jp_figures.c.nip, list(nips)) if nips else [])
            for r in conn.execute(query.where(where))}


def stored_figures(conn: Connection, after: Key | None, limit: int) -> list[dict[str, Any]]:
    """Stored figure rows in key order after `after`, skipping those waiting in the queue."""
    pending = select(figure_work.c.nip).where(figure_work.c.nip == jp_figures.c.nip,
                                              figure_work.c.year == jp_figures.c.year).exists()
    query = select(jp_figures).where(~pending)
    if after is not None:
        query = query.where(or_(jp_figures.c.nip > after[0],
                                and_(jp_figures.c.nip == after[0], jp_figures.c.year > after[1])))
    return [dict(r._mapping) for r in conn.execute(query.order_by(jp_figures.c.nip, jp_figures.c.year)
                                                   .limit(limit))]


def figure_years(conn: Connection, nips: Sequence[str] | None) -> list[Key]:
    """The keys stored for these pegawai (None: every key stored)."""
    query = select(jp_figures.c.nip, jp_figures.c.year)
    if nips is None:
        return [(nip, int(year)) for nip, year in conn.execute(query)]
    return [(r.nip, int(r.year)) for where in (one_of(conn, jp_figures.c.nip, nips) if nips else [])
            for r in conn.execute(query.where(where))]


# The queue.

def enqueue(conn: Connection, keys: Mapping[Key, str], seq: int) -> None:
    """Queue these keys (key -> reason) at `seq`; a key already queued takes the new reason and seq."""
    ordered = sorted(keys)
    if len(ordered) > BIG:
        # A fan-out (a national policy): which of its keys are queued already is found by reading
        # the queue, not by sending every key (an array of 300,000 nips costs seconds to send).
        wanted = set(ordered)
        already = [key for key in queued(conn) if key in wanted]
    else:
        already = ordered
    for where in _key_in(conn, [figure_work.c.nip, figure_work.c.year], already):
        conn.execute(delete(figure_work).where(where))
    bulk_insert(conn, figure_work, [{"nip": n, "year": y, "reason": keys[(n, y)], "seq": seq} for n, y in ordered])


def next_work(conn: Connection, limit: int) -> list[Key]:
    """The oldest queued keys, at most `limit`."""
    query = select(figure_work.c.nip, figure_work.c.year).order_by(figure_work.c.seq, figure_work.c.nip,
                                                                     figure_work.c.year).limit(limit)
    return [(r.nip, int(r.year)) for r in conn.execute(query)]


def done(conn: Connection, keys: Sequence[Key]) -> None:
    for where in _key_in(conn, [figure_work.c.nip, figure_work.c.year], keys):
        conn.execute(delete(figure_work).where(where))


def queued(conn: Connection) -> set[Key]:
    """Every queued key."""
    return {(nip, int(year)) for nip, year in conn.execute(select(figure_work.c.nip, figure_work.c.year))}


def pending(conn: Connection) -> tuple[int, int | None]:
    """How many figures wait to be recomputed, and the oldest seq that queued one."""
    count, oldest = conn.execute(select(func.count(), func.min(figure_work.c.seq))).one()
    return int(count), None if oldest is None else int(oldest)


# What a change touches.

def claims_by_ids(conn: Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for where in (one_of(conn, jp_claims.c.statement_id, ids) if ids else [])
            for r in conn.execute(select(jp_claims).where(where))]


def decision_targets(conn: Connection, *, ids: Sequence[str] = (), authority_keys: Sequence[str] = (),
                     mboxes: Sequence[str] = ()) -> set[str]:
    """The claims decided by these decisions, by decisions posted with these credentials, or by actors with
    these mboxes."""
    found: set[str] = set()
    for column, values in ((decisions.c.statement_id, ids), (decisions.c.authority_key, authority_keys),
                           (decisions.c.mbox, mboxes)):
        for where in one_of(conn, column, list(values)) if values else []:
            found.update(conn.execute(select(decisions.c.target_id).where(where)).scalars())
    return found


def claims_posted_by(conn: Connection, authority_keys: Sequence[str]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for where in (one_of(conn, jp_claims.c.authority_key, authority_keys)
                                           if authority_keys else [])
            for r in conn.execute(select(jp_claims).where(where))]


def claims_of_people(conn: Connection, accounts: Sequence[str] | None,
                     mboxes: Sequence[str] | None) -> list[dict[str, Any]]:
    """Claims by these account names or mboxes (the date and the actor: enough to place them);
    None and None: every claim."""
    columns = [jp_claims.c.account, jp_claims.c.mbox, jp_claims.c.activity_date]
    if accounts is None and mboxes is None:
        return [dict(r._mapping) for r in conn.execute(select(*columns))]
    rows: list[dict[str, Any]] = []
    for column, values in ((jp_claims.c.account, accounts or ()), (jp_claims.c.mbox, mboxes or ())):
        for where in one_of(conn, column, list(values)) if values else []:
            rows += [dict(r._mapping) for r in conn.execute(select(*columns).where(where))]
    return rows


def roster_people(conn: Connection, *, nips: Iterable[str] | None = None, instansi: str | None = None,
                  mboxes: Sequence[str] = ()) -> list[dict[str, Any]]:
    """(nip, mbox, effective_from) of roster rows: of these nips, of an instansi, of these mboxes, or all
    (no argument)."""
    query = select(roster_entries.c.nip, roster_entries.c.mbox, roster_entries.c.effective_from)
    if nips is not None:
        wanted = sorted(set(nips))
        return [dict(r._mapping) for where in (one_of(conn, roster_entries.c.nip, wanted) if wanted else [])
                for r in conn.execute(query.where(where))]
    if mboxes:
        return [dict(r._mapping) for where in one_of(conn, roster_entries.c.mbox, list(mboxes))
                for r in conn.execute(query.where(where))]
    if instansi is not None:
        members = select(roster_entries.c.nip).where(roster_entries.c.instansi == instansi)
        query = query.where(roster_entries.c.nip.in_(members))
    return [dict(r._mapping) for r in conn.execute(query)]


def roster_nips(conn: Connection, after: str | None, limit: int) -> list[str]:
    """The nips the roster names, in order, the first `limit` after `after`."""
    query = select(roster_entries.c.nip).distinct().order_by(roster_entries.c.nip).limit(limit)
    if after is not None:
        query = query.where(roster_entries.c.nip > after)
    return list(conn.execute(query).scalars())


def clear_figures(conn: Connection) -> None:
    conn.execute(delete(figure_work))
    conn.execute(delete(jp_figures))


# The pegawai lists: an instansi's (or unit kerja's) stored figures of a year, filtered, in keyset
# pages by JP, nama or nip (ties by nip), through the ix_jp_figures_* indexes (0012).

SORT_COLUMNS = {"jp": jp_figures.c.jp_counted_num, "nama": jp_figures.c.nama, "nip": jp_figures.c.nip}


def sort_values(total: JpTotal) -> dict[str, Any]:
    """The numeric columns of a figure row, which the lists filter and sort by."""
    return {"jp_counted_num": total.jp_counted, "jp_pending_num": total.jp_pending, "target_jp_num": total.target_jp}


def figure_page(
    conn: Connection, instansi: str, year: int, *, unit_kerja: str | None = None, target_met: bool | None = None,
    status: str | None = None, jp_below: Decimal | None = None, sort: str = "jp", descending: bool = False,
    after: Sequence[Any] | None = None, limit: int = 50,
) -> list[dict[str, Any]]:
    """Up to `limit` stored figures whose instansi (and unit kerja) on the year's last day is this one,
    in `sort` order after the key `after` ((value, nip), or (nip,) for the nip sort); `pending` says
    the figure waits in the queue to be recomputed (its values are as last stored)."""
    queued = select(figure_work.c.nip).where(figure_work.c.nip == jp_figures.c.nip,
                                             figure_work.c.year == jp_figures.c.year).exists()
    c = jp_figures.c
    query = select(c.nip, c.nama, c.status, c.unit_kerja, c.jp_counted, c.jp_pending, c.target_jp, c.target_met,
                   c.current_as_of, queued.label("pending")).where(c.instansi == instansi, c.year == year)
    if unit_kerja is not None:
        query = query.where(c.unit_kerja == unit_kerja)
    if target_met is not None:
        query = query.where(c.target_met.is_(target_met))
    if status is not None:
        query = query.where(c.status == status)
    if jp_below is not None:
        query = query.where(c.jp_counted_num < jp_below)
    keys = [SORT_COLUMNS[sort]] + ([c.nip] if sort != "nip" else [])
    if after is not None:
        bound = tuple_(*(bindparam(None, value, type_=key.type) for key, value in zip(keys, after)))
        query = query.where(tuple_(*keys) < bound if descending else tuple_(*keys) > bound)
    ordered = query.order_by(*(key.desc() for key in keys) if descending else keys).limit(limit)
    return [dict(r._mapping) for r in conn.execute(ordered)]


def members_without_figure(conn: Connection, instansi: str, unit_kerja: str | None, year: int, year_end: str, *,
                           stored_here: bool = True) -> list[str]:
    """The nips whose roster row in force on `year_end` (ISO date) is in this instansi (and unit
    kerja) but whose stored figure of `year` is not there: none stored yet (no claim that year,
    or not computed since the figures began), or a stored one that still names their old place.
    An as-of replay stores no figures (`stored_here` False): every member."""
    later = roster_entries.alias("later")
    superseded = select(later.c.nip).where(later.c.nip == roster_entries.c.nip,
                                          later.c.effective_from > roster_entries.c.effective_from,
                                          later.c.effective_from <= year_end).exists()
    placed = [jp_figures.c.instansi == instansi] + ([jp_figures.c.unit_kerja == unit_kerja] if unit_kerja else [])
    stored = select(jp_figures.c.nip).where(jp_figures.c.nip == roster_entries.c.nip, jp_figures.c.year == year,
                                            *placed).exists()
    query = select(roster_entries.c.nip).where(roster_entries.c.instansi == instansi,
                                               roster_entries.c.effective_from <= year_end, ~superseded)
    if stored_here:
        query = query.where(~stored)
    if unit_kerja is not None:
        query = query.where(roster_entries.c.unit_kerja == unit_kerja)
    return sorted(conn.execute(query).scalars())


def queued_in(conn: Connection, year: int) -> int:
    """How many figures of `year` wait to be recomputed."""
    return int(conn.execute(select(func.count()).where(figure_work.c.year == year)).scalar_one())
