"""What an instansi's dashboard shows (lrs/read/dashboard.py gather()): the Dashboard and its
rows, the histogram's buckets, the unit rows' sorts, and the waiting claims counted as queues per atasan.
Built by the stored read (lrs/read/dashboard_stored.py) and the replayed one alike."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Callable, Iterable, Mapping, Sequence

from lrs.errors import BadRequest
from projections.rules.competency import GapCount
from projections.rules.jp import ZERO, Summary
from projections.rules.recognition import SUPERVISOR, UNIT_PENGELOLA

# The histogram's buckets of counted JP (display bins named by the issue, not a rule: the target
# itself always comes from the policy). (label, lowest JP, JP it stays below; None: no bound).
# Pegawai are counted by projections/rules/jp.py jp_band(), as the stored roll-ups count them.
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
class QueueCount:
    """The year's claims credited to the instansi that wait at one step, counted: for one atasan's
    decision (atasan_nip None: no atasan in the roster) or for the unit pengelola's validation."""

    atasan_nip: str | None
    step: str  # supervisor | unit_pengelola
    claims: int
    jp_waiting: Decimal  # the JP the claims name (claimed, or as the atasan approved it)
    first_seq: int  # the oldest claim's statement (seqs follow stored times)


@dataclass(frozen=True)
class AtasanQueue(QueueCount):
    """A queue with its atasan's name and its age."""

    atasan_nama: str | None
    waiting_since: date  # the day the oldest claim was stored
    oldest_days: int  # how long it has waited


# The counted queues with their names and ages: a stored dashboard reads them for the queues shown.
Describer = Callable[[Sequence[QueueCount]], list[AtasanQueue]]


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
    pegawai: tuple[PegawaiRow, ...]  # every member at the period's end, by unit then nama (empty: see lister)
    buckets: tuple[tuple[str, int], ...]  # (label, pegawai) of counted JP
    jp_by_month: Mapping[int, Mapping[str, Decimal]]  # month -> form code -> JP counted
    gaps: Mapping[str, tuple[GapCount, ...]]  # unit kerja -> per competency
    waiting_counts: tuple[QueueCount, ...]  # waiting for an atasan, the longest waiting first (see waiting())
    describe: Describer = field(compare=False, repr=False)
    validation_queue: AtasanQueue | None = None  # waiting for the unit pengelola (None: none wait)
    # Read from the stored figures (pegawai then empty): lists the pegawai below target, filtered, as
    # (up to `limit` of them, how many match). None: `pegawai` holds every member.
    lister: Lister | None = field(default=None, compare=False, repr=False)
    waiting_figures: int = 0  # figures of the year waiting to be recomputed (stored rows only)

    def waiting(self, limit: int | None = None) -> list[AtasanQueue]:
        """The first `limit` (None: all) queues of claims waiting for an atasan, the longest
        waiting first, each with its atasan's name and its age."""
        return self.describe(self.waiting_counts if limit is None else self.waiting_counts[:limit])

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


# A count of claims waiting: (step, atasan nip or None, their JP, claims, the oldest one's seq).
WaitingCount = tuple[str, str | None, Decimal, int, int]


def queues(counts: Iterable[WaitingCount]) -> tuple[tuple[QueueCount, ...], QueueCount | None]:
    """The waiting claims as counted queues: one per atasan, the longest waiting first (then by
    nip), and the unit pengelola's validation queue (None: nothing waits for it)."""
    groups: dict[tuple[str, str | None], list[WaitingCount]] = defaultdict(list)
    for count in counts:
        step, atasan = count[0], count[1] if count[0] == SUPERVISOR else None
        groups[(step, atasan)].append(count)
    made = [QueueCount(atasan, step, sum(c[3] for c in group), sum((c[2] for c in group), ZERO),
                       min(c[4] for c in group)) for (step, atasan), group in groups.items()]
    waiting = sorted((q for q in made if q.step == SUPERVISOR), key=lambda q: (q.first_seq, q.atasan_nip or ""))
    return tuple(waiting), next((q for q in made if q.step == UNIT_PENGELOLA), None)


def described(counts: Sequence[QueueCount], names: Mapping[str, str], stored: Mapping[int, date],
              today: date) -> list[AtasanQueue]:
    """The queues with their atasan's name (from `names`, when there) and the day their oldest
    claim was stored (`stored`: seq -> day), and how many days ago that was."""
    return [AtasanQueue(q.atasan_nip, q.step, q.claims, q.jp_waiting, q.first_seq, names.get(q.atasan_nip or ""),
                        stored[q.first_seq], max(0, (today - stored[q.first_seq]).days)) for q in counts]
