"""Read side of competency profiles: a pegawai's profile for a year, and a unit's gap counts.
Facts come from the read models (now, or as of a seq or stored time), with the credential
bindings and trusted sources that decide which assessments count (lrs/read/facts.py loads them
in the same snapshot); the figures from projections/rules/competency.py, with the year's JP
lines from projections/rules/jp.py."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

from sqlalchemy import Connection, Engine

from lrs.errors import NotFound
from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import Loaded, facts_at, load
from lrs.store import read_models
from projections.replays import Replays
from projections.rules.competency import CompetencyProfile, GapCount, gap_counts, profile
from projections.rules.facts import Assessment, Planned, Standard, entry_on
from projections.rules.jp import JpTotal, total


def _profiles(conn: Connection, nips: Sequence[str], year: int) -> tuple[Loaded, list[CompetencyProfile]]:
    loaded = load(conn, nips, year)
    return loaded, profiles_in(conn, loaded, nips, year)


def profiles_in(conn: Connection, loaded: Loaded, nips: Sequence[str], year: int,
                totals: Mapping[str, JpTotal] | None = None) -> list[CompetencyProfile]:
    """The competency profiles of these pegawai for a year from facts already loaded in the
    caller's snapshot, with their JP totals where the caller has them (lrs/read/dashboard.py)."""
    mboxes = sorted(loaded.by_mbox)
    assessments: dict[str, list[Assessment]] = defaultdict(list)
    for row in read_models.assessments_of(conn, list(nips), mboxes):
        if (nip := loaded.owner(row)) is not None:
            assessments[nip].append(Assessment.of(row))
    plans: dict[str, list[Planned]] = defaultdict(list)
    for row in read_models.plans_of(conn, list(nips), mboxes):
        if (nip := loaded.owner(row)) is not None:
            plans[nip].append(Planned.of(row))
    jabatans = sorted({e.jabatan for entries in loaded.history.values() for e in entries})
    standards = [Standard.of(r) for r in read_models.standards_for(conn, jabatans)]
    found = []
    year_end = loaded.facts.policies.period_end(year)
    for nip in nips:
        if nip not in loaded.history:
            continue
        history = loaded.history[nip]
        entry = entry_on(history, year_end)
        policy = loaded.facts.policies.policy_in_force(year_end, entry.instansi if entry else None)
        jp = (totals or {}).get(nip) or total(nip, year, loaded.claims[nip], history, loaded.facts)
        found.append(profile(nip, year, history, jp, loaded.claims[nip], assessments[nip], standards, plans[nip],
                             policy, bindings=loaded.facts.bindings, trusted=loaded.facts.trusted))
    return found


def pegawai_profile(engine: Engine, nip: str, year: int, as_of: str | None = None, *,
                    replays: Replays | None = None, reader: Credential | None = None) -> CompetencyProfile:
    """A pegawai's competency profile for a year; NotFound when the roster never named the nip.
    NotAuthorized when `reader` (None: the operator) may not read the pegawai."""
    access.require_pegawai(engine, reader, nip, year)
    with facts_at(engine, as_of, replays) as conn:
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
        loaded, found = _profiles(conn, candidates, year)
    day = loaded.facts.policies.period_end(year)
    members = [p for p in found if (e := entry_on(loaded.history[p.nip], day)) is not None
               and e.instansi == instansi and e.unit_kerja == unit_kerja]
    if not members:
        raise NotFound(f"no pegawai in unit kerja {unit_kerja!r} of instansi {instansi!r} on {day}")
    return UnitGaps(instansi, unit_kerja, year, len(members), gap_counts(members))
