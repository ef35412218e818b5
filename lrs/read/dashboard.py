"""An instansi's dashboard for a year (/app/instansi/<code>, `lrs report export`): compliance
per unit kerja, the JP distribution, JP by learning form per month, competency gaps per unit,
the claims waiting for each atasan and for how long, the pegawai below target, and the log
position and policy versions behind it all. Everything is gathered here, in one snapshot, from
the same facts and rules as lrs/read/jp.py summary() (projections/rules/jp.py total, summarize)
and lrs/read/competencies.py, so the pages and exports never assemble figures themselves; a
stored rollup can replace the insides of gather() without touching them."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import Connection, Engine

from lrs.errors import BadRequest, NotFound
from lrs.read import access
from lrs.read.competencies import profiles_in
from lrs.read.credentials import Credential
from lrs.read.facts import facts_at, load, resolve_as_of
from lrs.store import claim_figure_rows, dashboard_rows, figure_rows, log, read_models, rollup_rows
from lrs.store.engine import reading
from projections import runner
from projections.replays import Replays
from projections.rules.access import unit_refusal
from projections.rules.competency import CompetencyProfile, GapCount, gap_counts
from projections.rules.facts import RosterEntry, entry_on
from projections.rules.jp import ZERO, JpTotal, Line, Summary, jp_band, summarize, total
from projections.rules.policy import PolicySet
from projections.rules.tallies import has_month_forms, jp_by_month_form, scope_of, shown, summary_of
from projections.rules.recognition import SUPERVISOR, UNIT_PENGELOLA

# The histogram's buckets of counted JP (display bins named by the issue, not a rule: the target
# itself always comes from the policy). (label, lowest JP, JP it stays below; None: no bound).
BUCKETS: tuple[tuple[str, Decimal, Decimal | None], ...] = (
    ("0", ZERO, Decimal("0.000001")),
    ("1-9", Decimal("0.000001"), Decimal(10)),
    ("10-19", Decimal(10), Decimal(20)),
    ("20-39", Decimal(20), Decimal(40)),
    ("40+", Decimal(40), None),
)
UNIT_SORTS = ("unit", "pegawai", "share", "jp", "pending", "below")
WAITING_STEP = {"submitted": SUPERVISOR, "supervisor_approved": UNIT_PENGELOLA}


@dataclass(frozen=True)
class Position:
    """Which point of the log the figures show: `seq` (the read models' checkpoint, or the
    as_of point resolved), the moment it was stored, and whether it was asked for."""

    seq: int
    stored_at: datetime | None
    as_of: str | None


@dataclass(frozen=True)
class PegawaiRow:
    """A pegawai of the instansi at the period's end, with the year's figures."""

    nip: str
    nama: str | None
    jabatan: str | None
    jenis_jabatan: str | None
    status: str | None
    unit_kerja: str | None
    instansi: str | None
    jp_counted: Decimal
    jp_pending: Decimal
    target_jp: Decimal | None
    target_met: bool | None

    @property
    def missing_jp(self) -> Decimal | None:
        """JP still needed to reach the target (None without a target)."""
        return None if self.target_jp is None else max(ZERO, self.target_jp - self.jp_counted)


@dataclass(frozen=True)
class UnitRow:
    """A unit kerja's roll-up (the /api/v1 Summary) with how many of its pegawai are below target."""

    summary: Summary
    below_target: int


@dataclass(frozen=True)
class Waiting:
    """A claim waiting for a decision, with who decides it and for how many days it has waited."""

    statement_id: str
    nip: str
    nama: str | None
    unit_kerja: str | None
    form_code: str
    activity_date: date
    jp: Decimal | None
    step: str  # supervisor | unit_pengelola
    stored_on: date
    age_days: int


@dataclass(frozen=True)
class AtasanQueue:
    """The claims of the instansi's pegawai waiting for one atasan (nip None: no atasan in the roster)."""

    atasan_nip: str | None
    atasan_nama: str | None
    claims: tuple[Waiting, ...]

    @property
    def oldest_days(self) -> int:
        return max((c.age_days for c in self.claims), default=0)

    @property
    def jp_waiting(self) -> Decimal:
        return sum((c.jp or ZERO for c in self.claims), ZERO)


# (unit kerja, status, jenis jabatan, search, limit) -> (pegawai below target, how many match)
Lister = Callable[[str | None, str | None, str | None, str | None, int | None], tuple[list[PegawaiRow], int]]


@dataclass(frozen=True)
class Dashboard:
    instansi: str
    year: int
    position: Position
    policy_in_force: tuple[str, ...]  # versions in force for the instansi on the reference day
    reference_day: date  # the period's end, or the position's day when earlier
    summary: Summary  # the instansi as /api/v1 summary shows it
    units: tuple[UnitRow, ...]
    pegawai: tuple[PegawaiRow, ...]  # every member at the period's end, by unit then nama
    buckets: tuple[tuple[str, int], ...]  # (label, pegawai) of counted JP
    jp_by_month: Mapping[int, Mapping[str, Decimal]]  # month -> form code -> JP counted
    gaps: Mapping[str, tuple[GapCount, ...]]  # unit kerja -> per competency
    waiting: tuple[AtasanQueue, ...]  # waiting for an atasan, oldest first; validations last
    validations: tuple[Waiting, ...] = field(default_factory=tuple)  # waiting for the unit pengelola
    # Read from the stored figures (pegawai then empty): lists the pegawai below target, filtered, as
    # (up to `limit` of them, how many match). None: `pegawai` holds every member.
    lister: Lister | None = field(default=None, compare=False, repr=False)

    @property
    def validation_queue(self) -> AtasanQueue | None:
        """The claims waiting for the unit pengelola's validation, as one queue (None: none wait)."""
        return AtasanQueue(None, None, self.validations) if self.validations else None

    @property
    def competency_codes(self) -> list[str]:
        return sorted({g.code for rows in self.gaps.values() for g in rows})

    @property
    def statuses(self) -> list[str]:
        """The jenis pegawai of the members (the list's status filter)."""
        return sorted(key for key, found in self.summary.by_status.items() if key and found.pegawai)

    @property
    def kinds(self) -> list[str]:
        """The jenis jabatan of the members (the list's filter)."""
        return sorted(key for key, found in self.summary.by_jenis_jabatan.items() if key and found.pegawai)

    def below_target(self, *, unit_kerja: str | None = None, status: str | None = None,
                     jenis_jabatan: str | None = None, search: str | None = None) -> list[PegawaiRow]:
        """The pegawai with a target not met, filtered, fewest JP first."""
        return self.below_target_page(unit_kerja=unit_kerja, status=status, jenis_jabatan=jenis_jabatan,
                                      search=search)[0]

    def below_target_page(self, *, unit_kerja: str | None = None, status: str | None = None,
                          jenis_jabatan: str | None = None, search: str | None = None,
                          limit: int | None = None) -> tuple[list[PegawaiRow], int]:
        """Up to `limit` (None: all) of below_target(), and how many there are."""
        if self.lister is not None:
            return self.lister(unit_kerja or None, status or None, jenis_jabatan or None, search, limit)
        wanted = (search or "").strip().lower()
        found = [p for p in self.pegawai if p.target_met is False
                 and unit_kerja in (None, "", p.unit_kerja) and status in (None, "", p.status)
                 and jenis_jabatan in (None, "", p.jenis_jabatan)
                 and (not wanted or wanted in p.nip or wanted in (p.nama or "").lower())]
        ordered = sorted(found, key=lambda p: (p.jp_counted, p.unit_kerja or "", p.nama or "", p.nip))
        return (ordered if limit is None else ordered[:limit]), len(ordered)


def sorted_units(units: Sequence[UnitRow], sort: str | None) -> list[UnitRow]:
    """The unit rows by `sort` (UNIT_SORTS; a leading '-' reverses it; default: by name)."""
    raw = sort or "unit"
    key, backwards = raw.lstrip("-"), raw.startswith("-")
    if key not in UNIT_SORTS:
        raise BadRequest(f"sort {raw!r} is not one of {', '.join(UNIT_SORTS)} (a leading '-' reverses)")
    by: dict[str, Callable[[UnitRow], tuple[Decimal | str | int, str]]] = {
        "unit": lambda u: (u.summary.unit_kerja or "", ""),
        "pegawai": lambda u: (u.summary.pegawai, u.summary.unit_kerja or ""),
        "share": lambda u: (u.summary.share_met if u.summary.share_met is not None else Decimal(-1),
                            u.summary.unit_kerja or ""),
        "jp": lambda u: (u.summary.jp_counted, u.summary.unit_kerja or ""),
        "pending": lambda u: (u.summary.jp_pending, u.summary.unit_kerja or ""),
        "below": lambda u: (u.below_target, u.summary.unit_kerja or ""),
    }
    return sorted(units, key=by[key], reverse=backwards)


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
    if not as_of and not computed and (board := _stored(engine, instansi, year, now)) is not None:
        return board
    return _replayed(engine, instansi, year, as_of, replays, now)


def _stored(engine: Engine, instansi: str, year: int, now: datetime | None) -> Dashboard | None:
    """The dashboard from the stored roll-ups, competency rows and claim rows: bounded by the
    instansi's units, competencies and waiting claims, never its every member (the list below
    target is read a page at a time). None when the year is not rolled up, a figure of it waits,
    the roll-up predates the month x form counter, or the instansi shows nothing."""
    with reading(engine) as conn:
        status = rollup_rows.year_status(conn, year)
        if status is None or status[1]:
            return None
        found = rollup_rows.tally(conn, year, scope_of(instansi)) or {}
        if not shown(found) or not has_month_forms(found):
            return None
        seq = min(read_models.checkpoints(conn, runner.BY_NAME).values())
        event = log.at(conn, [seq]).get(seq) if seq else None
        policies = PolicySet.from_rows(read_models.policy_rows(conn))
        year_end = policies.period_end(year)
        unit_tallies, _ = rollup_rows.children(conn, year, "unit", instansi, 0, 1 << 30)
        _, gap_rows = claim_figure_rows.gap_counts(conn, instansi, year)
        claims = [(nip, line) for nip, line in dashboard_rows.waiting_claims(conn, instansi, year)
                  if line.instansi == instansi and line.recognition in WAITING_STEP]
        nips = sorted({nip for nip, _ in claims})
        history = _history(conn, nips)
        atasan = sorted({e.atasan_nip for entries in history.values() for e in entries if e.atasan_nip} - set(history))
        history.update({nip: entries for nip, entries in _history(conn, atasan).items()
                        if any(e.instansi == instansi for e in entries)})  # as the replay: only the instansi's
        named = dashboard_rows.figure_names(conn, nips, year)
        stored = log.at(conn, [line.seq for _, line in claims])
    at = Position(seq, event.stored if event else None, None)
    today = policies.day_of(now or datetime.now(timezone.utc))
    reference = min(year_end, today)
    denominator = policies.policy_in_force(year_end, instansi).denominator
    whole = summary_of(scope_of(instansi), found, denominator)
    units = tuple(UnitRow(summary_of(scope, tally, denominator),
                          int(tally.get("in_scope", ZERO) - tally.get("met", ZERO))) for scope, tally in unit_tallies)
    gaps = {u.summary.unit_kerja or "": tuple(
        GapCount(r["kompetensi"], r["jenis"], int(r["with_standard"]), int(r["with_gap"]), int(r["not_assessed"]))
        for r in sorted(gap_rows, key=lambda r: str(r["kompetensi"])) if r["unit"] == (u.summary.unit_kerja or ""))
        for u in units if u.summary.pegawai}
    waiting = _queues([(nip, named.get(nip), line) for nip, line in claims], history,
                      {seq: event.stored for seq, event in stored.items()}, policies.day_of, today)

    def lister(unit_kerja: str | None, status: str | None, jenis_jabatan: str | None, search: str | None,
               limit: int | None) -> tuple[list[PegawaiRow], int]:
        with reading(engine) as conn:
            rows, count = dashboard_rows.below_target(
                conn, instansi, year, year_end.isoformat(), unit_kerja=unit_kerja, status=status,
                jenis_jabatan=jenis_jabatan, search=search, limit=limit)
            entries = _history(conn, [r["nip"] for r in rows])
        return [_listed(r, entry_on(entries.get(r["nip"], []), year_end)) for r in rows], count

    return Dashboard(
        instansi, year, at, policies.policy_in_force(reference, instansi).versions, reference, whole,
        tuple(sorted(units, key=lambda u: u.summary.unit_kerja or "")), (),
        tuple((label, whole.jp_distribution.get(label, 0)) for label, _, _ in BUCKETS), jp_by_month_form(found),
        dict(sorted(gaps.items())),
        tuple(q for q in waiting if q.claims and q.claims[0].step == SUPERVISOR),
        next((q.claims for q in waiting if q.claims and q.claims[0].step == UNIT_PENGELOLA), ()),
        lister,
    )


def _history(conn: Connection, nips: Sequence[str]) -> dict[str, list[RosterEntry]]:
    history: dict[str, list[RosterEntry]] = defaultdict(list)
    for row in read_models.roster_of(conn, list(nips)) if nips else []:
        history[row["nip"]].append(RosterEntry.of(row))
    return dict(history)


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _listed(row: Mapping[str, Any], entry: RosterEntry | None) -> PegawaiRow:
    return PegawaiRow(row["nip"], row["nama"], entry.jabatan if entry else None,
                      entry.jenis_jabatan if entry else None, row["status"], row["unit_kerja"],
                      entry.instansi if entry else None, Decimal(row["jp_counted"]), Decimal(row["jp_pending"]),
                      _dec(row["target_jp"]), row["target_met"])


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
    waiting = _waiting(engine, loaded.history, credited, instansi, policies.day_of, today)
    return Dashboard(
        instansi, year, at, policy.versions, reference, rollup(None, members), units,
        tuple(sorted(rows, key=lambda r: (r.unit_kerja or "", r.nama or "", r.nip))),
        _buckets(rows), _by_month(credited, instansi),
        {unit: tuple(gap_counts(group)) for unit, group in sorted(gaps.items())},
        tuple(q for q in waiting if q.claims and q.claims[0].step == SUPERVISOR),
        next((q.claims for q in waiting if q.claims and q.claims[0].step == UNIT_PENGELOLA), ()),
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
             day_of: Callable[[datetime], date], today: date) -> list[AtasanQueue]:
    """The year's claims credited to the instansi that wait for a decision, grouped by the atasan
    of the activity date (the step before validation), then those waiting for the unit pengelola."""
    lines = [(t.nip, t.nama, line) for t in credited for line in t.lines
             if line.status == "pending" and line.instansi == instansi and line.recognition in WAITING_STEP]
    with reading(engine) as conn:  # the events never change: the log's stored times serve any as_of
        stored = log.at(conn, [line.seq for _, _, line in lines])
    return _queues(lines, history, {seq: event.stored for seq, event in stored.items()}, day_of, today)


def _queues(lines: Sequence[tuple[str, str | None, Line]], history: Mapping[str, Sequence[RosterEntry]],
            stored: Mapping[int, datetime], day_of: Callable[[datetime], date], today: date) -> list[AtasanQueue]:
    """Waiting claims ((nip, nama, line)) as queues: per atasan of the activity date (named from
    `history`, when there), oldest first, then the unit pengelola's; `stored`: the log's times."""
    groups: dict[tuple[str, str | None], list[Waiting]] = defaultdict(list)
    for nip, nama, line in lines:
        step = WAITING_STEP[line.recognition or ""]
        entry = entry_on(history.get(nip, ()), line.activity_date)
        on = day_of(stored[line.seq]) if line.seq in stored else line.activity_date
        claim = Waiting(line.statement_id, nip, nama, line.unit_kerja, line.form_code, line.activity_date,
                        line.jp, step, on, max(0, (today - on).days))
        groups[(step, entry.atasan_nip if entry and step == SUPERVISOR else None)].append(claim)
    names = {nip: e.nama for nip, entries in history.items() for e in entries[-1:]}
    queues = [AtasanQueue(atasan, names.get(atasan or ""), tuple(sorted(claims, key=lambda c: (c.stored_on, c.nip))))
              for (_, atasan), claims in groups.items()]
    return sorted(queues, key=lambda q: (q.claims[0].step != SUPERVISOR, -q.oldest_days, q.atasan_nip or ""))
