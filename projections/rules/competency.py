"""Competency profile of a pegawai for a year, purely from facts (domain brief 6): for each
competency (the 8 managerial and the socio-cultural one always, technical ones by code) the
required level of the jabatan's standard, the assessed level (the latest effective assessment,
with the assessor; training never changes it), the gap, and the learning mapped to it; the
development plan against what was done; and, per unit, how many pegawai have a gap per competency.

The assessed level comes only from a competency assessment (6.3): one posted by a credential
bound to the pegawai's instansi on the assessment date as `assessor` or as its
`unit_pengelola`, or by a trusted source (an assessment centre); never by the pegawai's own
credential. The others are listed with the reason and change nothing (`assessment_standing`).

Everything is as on the last day of the period (the roster row, the standard in force, the
assessments up to that day, each dated in the policy's timezone); learning is the year's JP
lines (projections/rules/jp.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

from lrs.vocabulary import ASSESSOR, UNIT_PENGELOLA
from projections.rules import dates
from projections.rules.facts import Assessment, Binding, Claim, Planned, RosterEntry, Standard, entry_on
from projections.rules.jp import JpTotal
from projections.rules.policy import Policy
from projections.rules.reasons import Why, why

ZERO = Decimal(0)
# PermenPANRB 38/2017: the 8 managerial competencies and the socio-cultural one (Perekat Bangsa).
MANAJERIAL = ("INT", "KS", "KOM", "OPH", "PP", "PDOL", "MP", "PK")
SOSIAL_KULTURAL = ("PB",)
JENIS = ("teknis", "manajerial", "sosial_kultural")


@dataclass(frozen=True)
class Learning:
    statement_id: str
    status: str
    jp_counted: Decimal


@dataclass(frozen=True)
class WithoutEffect:
    """An assessment stored but not counted, and why."""

    statement_id: str
    level: int
    reason: str


@dataclass(frozen=True)
class CompetencyRow:
    code: str
    jenis: str
    required_level: int | None
    assessed_level: int | None
    assessed_at: str | None
    assessor: Any
    assessment_id: str | None
    gap: int | None  # required - assessed when positive, 0 when met; None when either is unknown
    jp_learning: Decimal
    learning: tuple[Learning, ...]
    assessments_without_effect: tuple[WithoutEffect, ...] = ()


@dataclass(frozen=True)
class PlanItem:
    statement_id: str
    activity_id: str
    title: str | None
    form_code: str | None
    jp_planned: Decimal | None
    competencies: tuple[str, ...]
    status: str  # done (a counted claim of the activity), in_progress (pending), not_started
    done_by: str | None


@dataclass(frozen=True)
class CompetencyProfile:
    nip: str
    year: int
    nama: str | None
    jabatan: str | None
    unit_kerja: str | None
    instansi: str | None
    standard: str  # which standard applied, or why none
    competencies: tuple[CompetencyRow, ...]
    jpm: Decimal | None  # job-person match: sum min(assessed, required) / sum required [P]
    plan: tuple[PlanItem, ...]
    jp_planned: Decimal
    jp_done: Decimal  # counted JP of the planned activities
    policy_versions: tuple[str, ...]
    standard_why: tuple[Why, ...] = ()  # `standard` as codes (projections/rules/reasons.py)


def _jenis(code: str) -> str:
    return "manajerial" if code in MANAJERIAL else "sosial_kultural" if code in SOSIAL_KULTURAL else "teknis"


def standard_for(entry: RosterEntry | None, standards: Sequence[Standard], day: date) -> tuple[dict[str, Standard], Why]:
    """The jabatan's required levels on `day`: the instansi's own standard where it has one for
    the jabatan, else the general one; per competency the latest effective_from not after `day`."""
    if entry is None:
        return {}, why("standard.not_in_roster")
    for instansi in (entry.instansi, ""):
        rows = [s for s in standards if s.jabatan == entry.jabatan and s.instansi == instansi
                and s.effective_from <= day]
        if rows:
            chosen: dict[str, Standard] = {}
            for row in sorted(rows, key=lambda s: (s.effective_from, s.seq)):
                chosen[row.kompetensi] = row
            if instansi:
                return chosen, why("standard.of_instansi", jabatan=entry.jabatan, instansi=instansi)
            return chosen, why("standard.general", jabatan=entry.jabatan)
    return {}, why("standard.none", jabatan=entry.jabatan)


def assessment_standing(assessment: Assessment, nip: str, history: Sequence[RosterEntry],
                        bindings: Mapping[str, Binding], trusted: frozenset[str], policy: Policy) -> tuple[bool, str]:
    """Whether an assessment of pegawai `nip` sets their assessed level, and why (domain brief
    6.3): its credential is a trusted source (an assessment centre), or is bound as `assessor` or
    `unit_pengelola` to the pegawai's instansi (and unit kerja, where the binding names one) on
    the assessment date in the policy's timezone. Never a credential bound to the pegawai: nobody
    assesses themselves, through any role or source."""
    key = assessment.authority_key
    binding = bindings.get(key or "")
    if key is None:
        return False, "posted by no credential of this LRS"
    if binding is not None and binding.nip == nip:
        return False, f"credential {key} is {nip}'s own: nobody assesses themselves"
    if key in trusted:
        return True, f"trusted source {key}"
    if binding is None or binding.role is None or binding.role not in (ASSESSOR, UNIT_PENGELOLA):
        return False, (f"credential {key} is neither an assessor nor a unit pengelola of an instansi, "
                       "nor a trusted source")
    day = policy.day_of(assessment.assessed_at)
    entry = entry_on(history, day)
    if entry is None:
        return False, f"{nip} is not in the roster on the assessment date {day}"
    role = binding.role
    title = "assessor" if role == ASSESSOR else "unit pengelola"
    where = ", ".join(filter(None, [binding.unit_kerja, binding.instansi]))
    if not binding.covers(role, entry.instansi, entry.unit_kerja):
        return False, (f"credential {key} is the {title} of {where}; on the assessment date {day} {nip} "
                       f"works in {entry.unit_kerja}, {entry.instansi}")
    return True, f"{title} of {where}"


def profile(
    nip: str, year: int, history: Sequence[RosterEntry], jp: JpTotal, claims: Sequence[Claim],
    assessments: Sequence[Assessment], standards: Sequence[Standard], plans: Sequence[Planned], policy: Policy,
    *, bindings: Mapping[str, Binding], trusted: frozenset[str],
) -> CompetencyProfile:
    day = dates.period_end(policy.period, year)
    entry = entry_on(history, day)
    required, which = standard_for(entry, standards, day)
    latest: dict[str, Assessment] = {}
    refused: dict[str, list[WithoutEffect]] = {}
    for item in sorted((a for a in assessments if policy.day_of(a.assessed_at) <= day),
                       key=lambda a: (a.assessed_at, a.seq)):
        counts, why = (False, "voided") if item.voided else assessment_standing(
            item, nip, history, bindings, trusted, policy)
        if counts:
            latest[item.competency] = item
        else:
            refused.setdefault(item.competency, []).append(WithoutEffect(item.statement_id, item.level, why))
    by_id = {c.statement_id: c for c in claims}
    learning: dict[str, list[Learning]] = {}
    for line in jp.lines:
        claim = by_id.get(line.statement_id)
        if claim is None or line.status not in ("counted", "pending"):
            continue
        codes = claim.competency_codes or policy.competency_codes(claim.form_code, claim.activity_id)
        for code in dict.fromkeys(codes):
            learning.setdefault(code, []).append(Learning(line.statement_id, line.status, line.jp_counted))
    listed = list(dict.fromkeys([*MANAJERIAL, *SOSIAL_KULTURAL, *sorted(required), *sorted(latest),
                                 *sorted(refused), *sorted(learning)]))
    rows = []
    for code in listed:
        standard, assessed = required.get(code), latest.get(code)
        need = standard.level if standard else None
        have = assessed.level if assessed else None
        rows.append(CompetencyRow(
            code, standard.jenis if standard else _jenis(code), need, have,
            assessed.assessed_at if assessed else None, assessed.assessor if assessed else None,
            assessed.statement_id if assessed else None,
            None if need is None or have is None else max(0, need - have),
            sum((item.jp_counted for item in learning.get(code, [])), ZERO), tuple(learning.get(code, [])),
            tuple(refused.get(code, []))))
    measured = [r for r in rows if r.required_level and r.assessed_level is not None]
    jpm = None
    if measured and len(measured) == sum(1 for r in rows if r.required_level):
        total_required = sum(r.required_level or 0 for r in measured)
        jpm = (Decimal(sum(min(r.assessed_level or 0, r.required_level or 0) for r in measured))
               / Decimal(total_required)).quantize(Decimal("0.0001"))
    plan = _plan(year, plans, jp, by_id)
    return CompetencyProfile(
        nip, year, entry.nama if entry else None, entry.jabatan if entry else None,
        entry.unit_kerja if entry else None, entry.instansi if entry else None, str(which), tuple(rows), jpm, plan,
        sum((p.jp_planned or ZERO for p in plan), ZERO),
        sum((line.jp_counted for p in plan for line in jp.lines if line.statement_id == p.done_by), ZERO),
        jp.policy_versions, (which,))


def _plan(year: int, plans: Sequence[Planned], jp: JpTotal, claims: Mapping[str, Claim]) -> tuple[PlanItem, ...]:
    items = []
    for planned in sorted((p for p in plans if p.plan_year == year and not p.voided), key=lambda p: p.seq):
        matching = [line for line in jp.lines if line.statement_id in claims
                    and claims[line.statement_id].activity_id == planned.activity_id]
        done = next((line for line in matching if line.status == "counted"), None)
        going = next((line for line in matching if line.status == "pending"), None)
        status = "done" if done else "in_progress" if going else "not_started"
        by = done or going
        items.append(PlanItem(planned.statement_id, planned.activity_id, planned.title, planned.form_code,
                              planned.jp, planned.competency_codes, status, by.statement_id if by else None))
    return tuple(items)


@dataclass(frozen=True)
class GapCount:
    code: str
    jenis: str
    with_standard: int  # pegawai whose standard names the competency
    with_gap: int  # of them, assessed below the required level
    not_assessed: int  # of them, without an assessment


def gap_counts(profiles: Sequence[CompetencyProfile]) -> list[GapCount]:
    """Per competency, how many pegawai of the roll-up have a gap (and how many are unassessed)."""
    counts: dict[str, list[int]] = {}
    jenis: dict[str, str] = {}
    for item in profiles:
        for row in item.competencies:
            if row.required_level is None:
                continue
            tally = counts.setdefault(row.code, [0, 0, 0])
            jenis[row.code] = row.jenis
            tally[0] += 1
            tally[1] += 1 if row.gap else 0
            tally[2] += 1 if row.assessed_level is None else 0
    return [GapCount(code, jenis[code], *counts[code]) for code in sorted(counts)]
