"""Read side of competency profiles: a pegawai's profile for a year, a unit's gap counts, and an
instansi's per unit (the unit x competency heatmap). Without an as_of, each pegawai's profile is
the stored one (projections/claim_figures.py) where it is current, else computed. Facts come from
the read models (now, or as of a seq or stored time), with the credential bindings and trusted
sources that decide which assessments count, in one snapshot; the figures from
projections/rules/competency.py, with the year's JP lines from projections/rules/jp.py."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

from sqlalchemy import Connection, Engine

from lrs.errors import NotFound
from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import Loaded, facts_at, load
from lrs.store import claim_figure_rows, read_models
from projections.loading import alone, competency_facts, competency_profile
from projections.replays import Replays
from projections.rules.competency import CompetencyProfile, GapCount, gap_counts
from projections.rules.jp import JpTotal, total


def _profiles(conn: Connection, nips: Sequence[str], year: int) -> tuple[Loaded, list[CompetencyProfile]]:
    loaded = load(conn, nips, year)
    return loaded, profiles_in(conn, loaded, nips, year)


def profiles_in(conn: Connection, loaded: Loaded, nips: Sequence[str], year: int,
                totals: Mapping[str, JpTotal] | None = None) -> list[CompetencyProfile]:
    """The competency profiles of these pegawai for a year from facts already loaded in the
    caller's snapshot, with their JP totals where the caller has them (lrs/read/dashboard.py)."""
    extra = competency_facts(conn, loaded, nips)
    found = []
    for nip in nips:
        if nip not in loaded.history:
            continue
        one = alone(conn, loaded, nip, year)
        facts = extra if one is loaded else competency_facts(conn, one, [nip])
        given = (totals or {}).get(nip) if one is loaded else None
        jp = given or total(nip, year, one.claims[nip], one.history[nip], one.facts)
        found.append(competency_profile(nip, year, one, facts, jp))
    return found


def pegawai_profile(engine: Engine, nip: str, year: int, as_of: str | None = None, *,
                    replays: Replays | None = None, reader: Credential | None = None) -> CompetencyProfile:
    """A pegawai's competency profile for a year; NotFound when the roster never named the nip.
    NotAuthorized when `reader` (None: the operator) may not read the pegawai."""
    access.require_pegawai(engine, reader, nip, year)
    with facts_at(engine, as_of, replays) as conn:
        if not as_of and (stored := claim_figure_rows.current_profiles(conn, [nip], year).get(nip)) is not None:
            return stored
        _, found = _profiles(conn, [nip], year)
    if not found:
        raise NotFound(f"nip {nip} is not in the roster")
    return found[0]


@dataclass(frozen=True)
class UnitGaps:
    instansi: str
    unit_kerja: str
    year: int
    pegawai: int
    competencies: list[GapCount]


def unit_gaps(engine: Engine, instansi: str, unit_kerja: str, year: int, as_of: str | None = None, *,
              replays: Replays | None = None, reader: Credential | None = None) -> UnitGaps:
    """How many pegawai of a unit kerja (on 31 December) have a gap, per competency.
    NotAuthorized when `reader` (None: the operator) may not read the unit."""
    access.require_unit(engine, reader, instansi, unit_kerja)
    with facts_at(engine, as_of, replays) as conn:
        candidates = read_models.nips_in(conn, instansi, unit_kerja)
        stored = {} if as_of else claim_figure_rows.current_profiles(conn, candidates, year)
        loaded, found = _profiles(conn, [nip for nip in candidates if nip not in stored], year)
    day = loaded.facts.policies.period_end(year)
    # A profile names the pegawai's unit on the period's last day.
    members = [p for p in sorted([*stored.values(), *found], key=lambda p: p.nip)
               if p.instansi == instansi and p.unit_kerja == unit_kerja]
    if not members:
        raise NotFound(f"no pegawai in unit kerja {unit_kerja!r} of instansi {instansi!r} on {day}")
    return UnitGaps(instansi, unit_kerja, year, len(members), gap_counts(members))


def instansi_gaps(engine: Engine, instansi: str, year: int, as_of: str | None = None, *,
                  replays: Replays | None = None, reader: Credential | None = None) -> list[UnitGaps]:
    """Per unit kerja of an instansi (its pegawai on the period's last day), how many pegawai have a
    gap per competency: the unit x competency heatmap. Counted by the database from the stored
    competency rows where they are current; the pegawai without one are computed. NotAuthorized
    when `reader` (None: the operator) may not read the instansi."""
    access.require_unit(engine, reader, instansi, None)
    members: dict[str, int] = defaultdict(int)
    tally: dict[tuple[str, str], list[int]] = {}
    jenis: dict[str, str] = {}
    with facts_at(engine, as_of, replays) as conn:
        candidates = read_models.nips_in(conn, instansi, None)
        stored = set() if as_of else {n for n, y in claim_figure_rows.current_keys(conn, candidates) if y == year}
        if stored:
            units, counts = claim_figure_rows.gap_counts(conn, instansi, year)
            for unit, pegawai in units.items():
                members[unit] += pegawai
            for row in counts:
                tally[(row["unit"], row["kompetensi"])] = [int(row["with_standard"]), int(row["with_gap"]),
                                                          int(row["not_assessed"])]
                jenis[row["kompetensi"]] = row["jenis"]
        _, found = _profiles(conn, [nip for nip in candidates if nip not in stored], year)
    by_unit: dict[str, list[CompetencyProfile]] = defaultdict(list)
    for item in found:
        if item.instansi == instansi:
            by_unit[item.unit_kerja or ""].append(item)
    for unit, group in by_unit.items():
        members[unit] += len(group)
        for count in gap_counts(group):
            sums = tally.setdefault((unit, count.code), [0, 0, 0])
            for i, value in enumerate((count.with_standard, count.with_gap, count.not_assessed)):
                sums[i] += value
            jenis.setdefault(count.code, count.jenis)
    return [UnitGaps(instansi, unit, year, members[unit],
                     [GapCount(code, jenis[code], *tally[(u, code)]) for u, code in sorted(tally) if u == unit])
            for unit in sorted(members)]
