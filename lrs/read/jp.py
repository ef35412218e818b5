"""Read side of the JP figures: one pegawai's year, and the nation's, an instansi's or a unit
kerja's summary. Without as_of, a summary of a rolled-up year is its stored roll-up
(projections/rollups.py), current as of a seq and saying how many figures of the year wait;
otherwise (as_of, or a year not rolled up) it is summarize() of its pegawai's figures, each stored
(projections/figures.py) where it is current, else computed by projections/rules/jp.py from the
facts (lrs/read/facts.py)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Connection, Engine

from lrs.errors import NotFound
from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import facts_at, load
from lrs.store import figure_rows, read_models, rollup_rows
from lrs.store.engine import reading
from projections import runner
from projections.replays import Replays
from projections.rules.facts import entry_on
from projections.rules.jp import JpTotal, Summary, summarize, total
from projections.rules.policy import PolicySet
from projections.rules.tallies import scope_of, shown, summary_of


def pegawai_jp(
    engine: Engine, nip: str, year: int, as_of: str | None = None, *, replays: Replays | None = None,
    reader: Credential | None = None,
) -> JpTotal:
    """JP of one pegawai for a year; NotFound when the roster never named the nip. An `as_of`
    is replayed from the log, or taken from `replays` (a server's kept replays). NotAuthorized
    when `reader` (None: the operator) may not read the pegawai (lrs/read/access.py)."""
    access.require_pegawai(engine, reader, nip, year)
    with facts_at(engine, as_of, replays) as conn:
        if not as_of and (stored := figure_rows.current_figure(conn, nip, year)) is not None:
            return stored
        loaded = load(conn, [nip], year)
    if nip not in loaded.history:
        raise NotFound(f"nip {nip} is not in the roster")
    return total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts)


@dataclass(frozen=True)
class Page:
    summary: Summary
    items: list[Any]  # instansi Summaries (nation), unit Summaries (instansi) or JpTotals (unit kerja)
    count: int
    current_as_of: int | None = None  # a stored roll-up: the seq it is current as of
    pending: int = 0  # a stored roll-up: the figures of its year waiting to be recomputed
    today: date | None = None  # the day it was read (policy timezone); None as of an earlier point


def pending_age_days(item: Summary, today: date | None) -> int | None:
    """How many days the oldest pending claim's activity date is before `today`."""
    return None if today is None or item.pending_since is None else (today - item.pending_since).days


def _today(policies: PolicySet) -> date:
    return policies.day_of(datetime.now(timezone.utc))


def summary(
    engine: Engine, instansi: str, year: int, *, unit_kerja: str | None = None, as_of: str | None = None,
    offset: int = 0, limit: int = 50, replays: Replays | None = None, reader: Credential | None = None,
    computed: bool = False,
) -> Page:
    """An instansi (its units, paged) or one unit kerja (its pegawai, paged) for a year, from each
    pegawai's stored figure where it is current (else computed). Pegawai count where they are
    on the period's last day; JP counts where the pegawai was on each
    activity date (brief 7.2), so anyone who was ever in the instansi or unit is read.
    NotAuthorized when `reader` may not read it. A rolled-up year without `as_of` reads its stored
    roll-up, unless `computed` (each pegawai's figure, rolled up per request)."""
    access.require_unit(engine, reader, instansi, unit_kerja)
    if not as_of and not computed and (rolled := _stored(engine, instansi, year, unit_kerja, offset, limit)) is not None:
        return rolled
    with facts_at(engine, as_of, replays) as conn:
        candidates = read_models.nips_in(conn, instansi, unit_kerja)
        stored = {} if as_of else figure_rows.current_figures(conn, candidates, year)
        loaded = load(conn, candidates, year, claims_for=[nip for nip in candidates if nip not in stored])
    year_end = loaded.facts.policies.period_end(year)
    everyone, members = [], []
    for nip in candidates:
        result = stored.get(nip) or total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts)
        everyone.append(result)
        entry = entry_on(loaded.history[nip], year_end)
        if entry and entry.instansi == instansi and unit_kerja in (None, entry.unit_kerja):
            members.append(result)
    credited = [t for t in everyone if any(line.instansi == instansi for line in t.lines)]
    if not members and not credited:
        where = f"unit kerja {unit_kerja!r} of " if unit_kerja else ""
        raise NotFound(f"no pegawai in {where}instansi {instansi!r} in {year}")
    kinds = {t.nip: e.jenis_jabatan for t in members if (e := entry_on(loaded.history[t.nip], year_end))}
    denominator = loaded.facts.policies.policy_in_force(year_end, instansi).denominator
    today = None if as_of else _today(loaded.facts.policies)

    def rollup(unit: str | None, group: list[JpTotal]) -> Summary:
        return summarize(instansi, unit, group, credited, jenis_jabatan=kinds, denominator=denominator)

    if unit_kerja is not None:
        return Page(rollup(unit_kerja, members), members[offset:offset + limit], len(members), today=today)
    units: dict[str, list[JpTotal]] = defaultdict(list)
    for item in members:
        units[item.unit_kerja or ""].append(item)
    for item in credited:  # a unit every member left during the year still has its JP
        for line in item.lines:
            if line.instansi == instansi and line.unit_kerja is not None:
                units.setdefault(line.unit_kerja, [])
    rows = [rollup(name, units[name]) for name in sorted(units)]
    return Page(rollup(None, members), rows[offset:offset + limit], len(rows), today=today)


def rollup_status(conn: Connection, year: int) -> tuple[int, int] | None:
    """(seq, figures waiting) of a rolled-up year, else None. With none of its figures waiting a
    roll-up is current as of the projections' checkpoint (a change folded has queued the figures
    it touches); else as of the last refresh that changed it."""
    if (found := rollup_rows.year_status(conn, year)) is None:
        return None
    changed, waiting = found
    return (changed, waiting) if waiting else (min(read_models.checkpoints(conn, runner.BY_NAME).values()), 0)


def _stored(engine: Engine, instansi: str, year: int, unit_kerja: str | None, offset: int, limit: int) -> Page | None:
    """summary() from the stored roll-ups, or None when the year is not rolled up."""
    with reading(engine) as conn:
        if (status := rollup_status(conn, year)) is None:
            return None
        scope = scope_of(instansi, unit_kerja)
        found = rollup_rows.tally(conn, year, scope) or {}
        # As the computed summary: a unit kerja the roster named, of an instansi shown, shows (empty).
        empty_unit = (unit_kerja is not None and shown(rollup_rows.tally(conn, year, scope_of(instansi)) or {})
                      and rollup_rows.unit_named(conn, instansi, unit_kerja))
        if not shown(found) and not empty_unit:
            where = f"unit kerja {unit_kerja!r} of " if unit_kerja else ""
            raise NotFound(f"no pegawai in {where}instansi {instansi!r} in {year}")
        policies = PolicySet.from_rows(read_models.policy_rows(conn))
        denominator = policies.policy_in_force(policies.period_end(year), instansi).denominator
        items: list[Any]
        if unit_kerja is not None:
            items = rollup_rows.members(conn, instansi, unit_kerja, year, offset, limit)
            count = int(found.get("pegawai", 0))
        else:
            rows, count = rollup_rows.children(conn, year, "unit", instansi, offset, limit)
            items = [summary_of(s, t, denominator) for s, t in rows]
    return Page(summary_of(scope, found, denominator), items, count, *status, today=_today(policies))


def national_summary(engine: Engine, year: int, *, offset: int = 0, limit: int = 50,
                     reader: Credential | None = None) -> Page:
    """The nation's stored roll-up for a year, and its instansi (paged, by code): everyone on the
    roster on the period's last day, and the JP credited to any instansi. NotFound when the year is
    not rolled up; NotAuthorized unless `reader` reads every report (bound to nobody)."""
    access.require_nation(engine, reader)
    with reading(engine) as conn:
        if (status := rollup_status(conn, year)) is None:
            raise NotFound(f"{year} is not rolled up: no figure of {year} is stored")
        policies = PolicySet.from_rows(read_models.policy_rows(conn))
        year_end = policies.period_end(year)
        found = rollup_rows.tally(conn, year, scope_of(None)) or {}
        rows, count = rollup_rows.children(conn, year, "instansi", None, offset, limit)
    items = [summary_of(s, t, policies.policy_in_force(year_end, s[1]).denominator) for s, t in rows]
    return Page(summary_of(scope_of(None), found, policies.policy_in_force(year_end).denominator), items, count,
                *status, today=_today(policies))
