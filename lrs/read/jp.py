"""Read side of the JP figures: one pegawai's year, and an instansi's or unit kerja's summary
rolled up from its pegawai's (summarize(), per request): each pegawai's figure stored
(projections/figures.py) where it is current, else computed by projections/rules/jp.py from the
facts (lrs/read/facts.py)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from lrs.errors import NotFound
from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import facts_at, load
from lrs.store import figure_rows, read_models
from projections.replays import Replays
from projections.rules.facts import entry_on
from projections.rules.jp import JpTotal, Summary, summarize, total


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
    items: list[Any]  # unit Summaries (instansi) or JpTotals (unit kerja)
    count: int


def summary(
    engine: Engine, instansi: str, year: int, *, unit_kerja: str | None = None, as_of: str | None = None,
    offset: int = 0, limit: int = 50, replays: Replays | None = None, reader: Credential | None = None,
) -> Page:
    """An instansi (its units, paged) or one unit kerja (its pegawai, paged) for a year, from each
    pegawai's stored figure where it is current (else computed). Pegawai count where they are
    on the period's last day; JP counts where the pegawai was on each
    activity date (brief 7.2), so anyone who was ever in the instansi or unit is read.
    NotAuthorized when `reader` may not read it."""
    access.require_unit(engine, reader, instansi, unit_kerja)
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

    def rollup(unit: str | None, group: list[JpTotal]) -> Summary:
        return summarize(instansi, unit, group, credited, jenis_jabatan=kinds, denominator=denominator)

    if unit_kerja is not None:
        return Page(rollup(unit_kerja, members), members[offset:offset + limit], len(members))
    units: dict[str, list[JpTotal]] = defaultdict(list)
    for item in members:
        units[item.unit_kerja or ""].append(item)
    for item in credited:  # a unit every member left during the year still has its JP
        for line in item.lines:
            if line.instansi == instansi and line.unit_kerja is not None:
                units.setdefault(line.unit_kerja, [])
    rows = [rollup(name, units[name]) for name in sorted(units)]
    return Page(rollup(None, members), rows[offset:offset + limit], len(rows))
