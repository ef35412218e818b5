"""Read side of the JP figures: one pegawai's year, and an instansi's or unit kerja's summary,
computed by projections/rules/jp.py from the facts (lrs/read/facts.py)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from lrs.errors import NotFound
from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import facts_at, load
from lrs.store import read_models
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
    """An instansi (its units, paged) or one unit kerja (its pegawai, paged) for a year; pegawai
    count where they are on 31 December. NotAuthorized when `reader` may not read it."""
    access.require_unit(engine, reader, instansi, unit_kerja)
    with facts_at(engine, as_of, replays) as conn:
        candidates = read_models.nips_in(conn, instansi, unit_kerja)
        loaded = load(conn, candidates, year)
    year_end = loaded.facts.policies.period_end(year)
    totals = []
    for nip in candidates:
        entry = entry_on(loaded.history[nip], year_end)
        if entry and entry.instansi == instansi and unit_kerja in (None, entry.unit_kerja):
            totals.append(total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts))
    if not totals:
        where = f"unit kerja {unit_kerja!r} of " if unit_kerja else ""
        raise NotFound(f"no pegawai in {where}instansi {instansi!r} on {year_end}")
    if unit_kerja is not None:
        return Page(summarize(instansi, unit_kerja, totals), totals[offset:offset + limit], len(totals))
    units: dict[str, list[JpTotal]] = defaultdict(list)
    for item in totals:
        units[item.unit_kerja or ""].append(item)
    rows = [summarize(instansi, name, units[name]) for name in sorted(units)]
    return Page(summarize(instansi, None, totals), rows[offset:offset + limit], len(rows))
