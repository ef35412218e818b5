"""An instansi's dashboard for a year (/app/instansi/<code>, `lrs report export`): compliance
per unit kerja, the JP distribution, JP by learning form per month, competency gaps per unit,
the claims waiting for each atasan and for how long, the pegawai below target, and the log
position and policy versions behind it all, so the pages and exports never assemble figures
themselves. Now (no as_of), a rolled-up year with no figure waiting is read from the stored rows
alone (lrs/read/dashboard_stored.py); otherwise, in one snapshot, from every pegawai's facts and
the same rules as lrs/read/jp.py summary() (projections/rules/jp.py total, summarize) and
lrs/read/competencies.py. Both give the same figures (tests/lrs/read/test_dashboard.py)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Callable, Mapping, Sequence

from sqlalchemy import Engine

from lrs.errors import NotFound
from lrs.read import access, dashboard_stored
from lrs.read.competencies import profiles_in
from lrs.read.credentials import Credential
from lrs.read.dashboard_model import (
    BUCKETS, UNIT_SORTS, WAITING_STEP, AtasanQueue, Dashboard, Describer, Lister, PegawaiRow, Position, QueueCount,
    UnitRow, WaitingCount, described, queues, sorted_units,
)
from lrs.read.facts import facts_at, load, resolve_as_of
from lrs.store import figure_rows, log, read_models
from lrs.store.engine import reading
from projections import runner
from projections.replays import Replays
from projections.rules.access import unit_refusal
from projections.rules.competency import CompetencyProfile, gap_counts
from projections.rules.facts import RosterEntry, entry_on
from projections.rules.jp import ZERO, JpTotal, Summary, jp_band, summarize, total

__all__ = ["BUCKETS", "UNIT_SORTS", "AtasanQueue", "Dashboard", "Lister", "PegawaiRow", "Position", "QueueCount",
           "UnitRow", "gather", "instansi_list", "position", "sorted_units"]


def position(engine: Engine, as_of: str | None) -> Position:
    """The log position a report shows: `as_of` resolved, else the point every projection has
    folded (the read models' checkpoint), with the moment its event was stored."""
    seq = resolve_as_of(engine, as_of)
    if seq is None:
        seq = min((mark for _, mark, _ in runner.status(engine)), default=0)
    return _stored_at(engine, seq, as_of)


def _stored_at(engine: Engine, seq: int, as_of: str | None) -> Position:
    with reading(engine) as conn:
        event = log.at(conn, [seq]).get(seq) if seq else None
    return Position(seq, event.stored if event else None, as_of or None)


def instansi_list(engine: Engine, reader: Credential | None = None) -> list[str]:
    """Every instansi the roster has named whose dashboard `reader` (None: the operator) may
    read: all of them for a national reader, its own for a unit pengelola, else none."""
    with reading(engine) as conn:
        names = read_models.instansi_names(conn)
        if reader is None:
            return names
        who = access.reader_of(conn, reader)
    return [name for name in names if unit_refusal(who, name, None) is None]


def gather(engine: Engine, instansi: str, year: int, as_of: str | None = None, *,
           replays: Replays | None = None, reader: Credential | None = None,
           now: datetime | None = None, computed: bool = False) -> Dashboard:
    """The dashboard of an instansi for a year, as of the log position `as_of` (None: now).
    NotAuthorized when `reader` (None: the operator) may not read the instansi's summaries;
    NotFound when the roster never named anyone in it. Now, a rolled-up year with no figure
    waiting is read from the stored rows alone (_stored), unless `computed`; otherwise (as_of,
    or figures waiting) every pegawai's facts are loaded and folded (_replayed)."""
    access.require_unit(engine, reader, instansi, None)
    if not as_of and not computed and (board := dashboard_stored.stored(engine, instansi, year, now)) is not None:
        return board
    return _replayed(engine, instansi, year, as_of, replays, now)


def _replayed(engine: Engine, instansi: str, year: int, as_of: str | None, replays: Replays | None,
              now: datetime | None) -> Dashboard:
    """The dashboard folded from every pegawai's facts (as of `as_of`, or now)."""
    # The figures and the position they state are one point: an as_of is pinned to its seq,
    # and "now" is the read models' checkpoint in the snapshot the facts are read from.
    pinned = resolve_as_of(engine, as_of)
    with facts_at(engine, None if pinned is None else str(pinned), replays) as conn:
        seq = pinned if pinned is not None else min(read_models.checkpoints(conn, runner.BY_NAME).values())
        candidates = read_models.nips_in(conn, instansi, None)
        # Each pegawai's stored figure where it is current (as /api/v1 summaries read them), else computed.
        stored = {} if pinned is not None else figure_rows.current_figures(conn, candidates, year)
        loaded = load(conn, candidates, year)
        totals = {nip: stored.get(nip) or total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts)
                  for nip in candidates}
        profiles = profiles_in(conn, loaded, candidates, year, totals)
    at = _stored_at(engine, seq, as_of)
    if not candidates:
        raise NotFound(f"no pegawai in instansi {instansi!r}")
    policies = loaded.facts.policies
    year_end = policies.period_end(year)
    moment = at.stored_at if as_of and at.stored_at else (now or datetime.now(timezone.utc))
    today = policies.day_of(moment)
    reference = min(year_end, today)
    members: list[JpTotal] = []
    rows: list[PegawaiRow] = []
    for nip, result in totals.items():
        entry = entry_on(loaded.history[nip], year_end)
        if entry is None or entry.instansi != instansi:
            continue
        members.append(result)
        rows.append(PegawaiRow(nip, entry.nama, entry.jabatan, entry.jenis_jabatan, entry.status, entry.unit_kerja,
                               entry.instansi, result.jp_counted, result.jp_pending, result.target_jp,
                               result.target_met))
    credited = [t for t in totals.values() if any(line.instansi == instansi for line in t.lines)]
    kinds = {r.nip: r.jenis_jabatan for r in rows}
    policy = policies.policy_in_force(reference, instansi)
    denominator = policies.policy_in_force(year_end, instansi).denominator

    def rollup(unit: str | None, group: list[JpTotal]) -> Summary:
        return summarize(instansi, unit, group, credited, jenis_jabatan=kinds, denominator=denominator)

    by_unit: dict[str, list[JpTotal]] = defaultdict(list)
    for item in members:
        by_unit[item.unit_kerja or ""].append(item)
    for item in credited:  # a unit every member left during the year still has its JP
        for line in item.lines:
            if line.instansi == instansi and line.unit_kerja is not None:
                by_unit.setdefault(line.unit_kerja, [])
    units = tuple(UnitRow(rollup(name, by_unit[name]), sum(1 for t in by_unit[name] if t.target_met is False))
                  for name in sorted(by_unit))
    member_nips = {r.nip for r in rows}
    unit_of = {r.nip: r.unit_kerja or "" for r in rows}
    gaps: dict[str, list[CompetencyProfile]] = defaultdict(list)
    for found in profiles:
        if found.nip in member_nips:
            gaps[unit_of[found.nip]].append(found)
    waiting, describe, validation = _waiting(engine, loaded.history, credited, instansi, policies.day_of, today)
    return Dashboard(
        instansi, year, at, policy.versions, reference, rollup(None, members), units,
        tuple(sorted(rows, key=lambda r: (r.unit_kerja or "", r.nama or "", r.nip))),
        _buckets(rows), _by_month(credited, instansi),
        {unit: tuple(gap_counts(group)) for unit, group in sorted(gaps.items())},
        waiting, describe, validation,
    )


def _buckets(rows: Sequence[PegawaiRow]) -> tuple[tuple[str, int], ...]:
    bands = [jp_band(r.jp_counted) for r in rows]  # the bands the stored roll-ups count
    return tuple((label, bands.count(label)) for label, _, _ in BUCKETS)


def _by_month(credited: Sequence[JpTotal], instansi: str) -> dict[int, dict[str, Decimal]]:
    """Counted JP credited to the instansi, by the activity's month and learning form."""
    months: dict[int, dict[str, Decimal]] = {}
    for item in credited:
        for line in item.lines:
            if line.status == "counted" and line.instansi == instansi:
                month = months.setdefault(line.activity_date.month, {})
                month[line.form_code] = month.get(line.form_code, ZERO) + line.jp_counted
    return {m: dict(sorted(forms.items())) for m, forms in sorted(months.items())}


def _waiting(engine: Engine, history: Mapping[str, Sequence[RosterEntry]], credited: Sequence[JpTotal], instansi: str,
             day_of: Callable[[datetime], date], today: date,
             ) -> tuple[tuple[QueueCount, ...], Describer, AtasanQueue | None]:
    """The year's claims credited to the instansi that wait for a decision, counted per atasan of
    the activity date (the step before validation), and those waiting for the unit pengelola;
    named from `history` (the roster as of the dashboard's point)."""
    lines = [(t.nip, line) for t in credited for line in t.lines
             if line.status == "pending" and line.instansi == instansi and line.recognition in WAITING_STEP]
    counts: list[WaitingCount] = []
    for nip, line in lines:
        entry = entry_on(history.get(nip, ()), line.activity_date)
        counts.append((WAITING_STEP[line.recognition or ""], entry.atasan_nip if entry else None, line.jp or ZERO, 1,
                       line.seq))
    waiting, validation = queues(counts)
    with reading(engine) as conn:  # the events never change: the log's stored times serve any as_of
        stored = log.stored_times(conn, [q.first_seq for q in (*waiting, *([validation] if validation else []))])
    days = {seq: day_of(moment) for seq, moment in stored.items()}
    names = {nip: max(entries, key=lambda e: e.effective_from).nama for nip, entries in history.items()
             if entries and any(e.instansi == instansi for e in entries)}

    def describe(found: Sequence[QueueCount]) -> list[AtasanQueue]:
        return described(found, names, days, today)
    return waiting, describe, describe([validation])[0] if validation else None
