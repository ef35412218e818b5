"""JP per pegawai per year, computed purely from claims, roster, policies and trusted sources.

Each claim is judged by the policy in force on its activity date for the pegawai's instansi on
that date; claims reporting one completion count once (duplicates.py); the target comes from the
policy in force on the last day of the year for the pegawai's status and instansi then. Every figure
lists the statements and policy versions behind it, and the suspected duplicates."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Callable, Iterable, Mapping, Sequence

from projections.rules.duplicates import SuspectedDuplicate, completions
from projections.rules.facts import Binding, Claim, Decision, RosterEntry, entry_on
from projections.rules.policy import Form, Policy, PolicySet
from projections.rules.reasons import Why, english, why
from projections.rules.recognition import Context, Learner, Ruling, recognise

ZERO = Decimal(0)


@dataclass(frozen=True)
class Line:
    """One statement's part in a total: counted, pending, rejected, not_countable or duplicate."""

    statement_id: str
    seq: int
    form_code: str
    activity_date: date
    unit_kerja: str | None
    instansi: str | None
    jp: Decimal | None
    jp_counted: Decimal
    status: str
    reason: str
    policy_versions: tuple[str, ...]
    recognition: str | None = None  # auto, or the lifecycle state (projections/rules/recognition.py)
    decisions: tuple[Ruling, ...] = ()
    competencies: tuple[str, ...] = ()  # the codes the activity names, else the policy's mapping
    why: tuple[Why, ...] = ()  # `reason` as codes (projections/rules/reasons.py), for the web's words


@dataclass(frozen=True)
class JpWarning:
    """Something about a figure a person should look at; it never changes the JP."""

    code: str
    message: str


@dataclass(frozen=True)
class JpTotal:
    nip: str
    year: int
    nama: str | None
    status: str | None
    unit_kerja: str | None
    instansi: str | None
    jp_counted: Decimal
    jp_pending: Decimal
    jp_by_form: Mapping[str, Decimal]
    target_jp: Decimal | None
    target_met: bool | None
    target_reason: str
    policy_versions: tuple[str, ...]
    lines: tuple[Line, ...] = field(default_factory=tuple)
    suspected_duplicates: tuple[SuspectedDuplicate, ...] = ()
    warnings: tuple[JpWarning, ...] = ()
    target_why: tuple[Why, ...] = ()  # `target_reason` as codes


def floor_to_step(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_FLOOR) * step


def jp_for(form: Form, claim: Claim, policy: Policy) -> tuple[Decimal | None, Why]:
    """The JP a claim is worth under a form's rule (jp_rule_semantics), or None and why not."""
    per = form.per
    if per == "not_counted_by_default":
        return ZERO, why("jp.not_counted_by_default", form=form.code)
    if per in ("certificate", "course") or (per == "hour" and form.prefer_declared):
        if claim.jp_declared is not None:
            return claim.jp_declared, why("jp.declared", per=per)
        if per == "certificate":
            return None, why("jp.certificate_missing")
    if per in ("session", "assignment", "activity") and form.jp_per_unit is not None:
        return form.jp_per_unit, why("jp.per_unit", jp=form.jp_per_unit, per=per)
    if per == "hour" or form.fallback == "hour":
        return _by_minutes(form, claim, policy)
    return None, why("jp.no_jp_per_unit", form=form.code, per=per)


def _by_minutes(form: Form, claim: Claim, policy: Policy) -> tuple[Decimal | None, Why]:
    minutes_per_jp = policy.minutes_per_jp(form.minutes_ref)
    step = policy.rounding_step
    if claim.minutes is None:
        return None, why("jp.no_duration")
    if minutes_per_jp is None:
        if form.minutes_ref:
            return None, why("jp.no_minutes_per_jp", form=form.code, unit=form.minutes_ref)
        return None, why("jp.no_minutes_unit", form=form.code)
    if step is None:
        return None, why("jp.no_rounding_step")
    jp = floor_to_step(claim.minutes / minutes_per_jp, step)
    return jp, why("jp.by_minutes", minutes=claim.minutes, per_jp=minutes_per_jp, step=step)


@dataclass(frozen=True)
class Facts:
    """Everything besides a pegawai's own claims and roster that a total depends on."""

    policies: PolicySet
    trusted: frozenset[str]
    decisions: Mapping[str, Sequence[Decision]] = field(default_factory=dict)  # by claim id
    bindings: Mapping[str, Binding] = field(default_factory=dict)
    nip_of_mbox: Mapping[str, str] = field(default_factory=dict)

    def context(self, policy: Policy) -> Context:
        return Context(self.bindings, self.trusted, frozenset(policy.iris("account_home_pages")), self.nip_of_mbox)


def learner_on(history: Sequence[RosterEntry], day: date) -> Learner | None:
    entry = entry_on(history, day)
    if entry is None:
        return None

    def atasan_on(other: date) -> str | None:
        found = entry_on(history, other)
        return found.atasan_nip if found else None
    return Learner(entry.instansi, entry.unit_kerja, entry.atasan_nip, atasan_on, entry.nip)


def total(nip: str, year: int, claims: Iterable[Claim], history: Sequence[RosterEntry], facts: Facts) -> JpTotal:
    year_end = facts.policies.period_end(year)
    mine = sorted((c for c in claims if not c.voided and facts.policies.period_of(c.activity_date) == year),
                  key=lambda c: (c.activity_date, c.seq))

    def policy_of(claim: Claim) -> Policy:
        entry = entry_on(history, claim.activity_date)
        return facts.policies.policy_in_force(claim.activity_date, entry.instansi if entry else None)

    same = completions(mine, policy_of)
    judged = [_judge(claim, entry_on(history, claim.activity_date), history, policy_of(claim), same.duplicate_of,
                     facts) for claim in mine]
    lines, used_by_form = _apply_caps(judged)
    counted = sum((line.jp_counted for line in lines if line.status == "counted"), ZERO)
    pending = sum((line.jp or ZERO for line in lines if line.status == "pending"), ZERO)
    entry = entry_on(history, year_end)
    policy = facts.policies.policy_in_force(year_end, entry.instansi if entry else None)
    target = policy.target_for(entry.status) if entry else None
    if entry is None:
        reason = why("target.not_in_roster", nip=nip, day=year_end)
    elif target is None:
        reason = why("target.none_for_status", status=entry.status)
    else:
        reason = why("target.for_status", status=entry.status, day=year_end)
    versions = sorted({v for line in lines for v in line.policy_versions} | set(policy.versions))
    return JpTotal(
        nip, year, entry.nama if entry else None, entry.status if entry else None,
        entry.unit_kerja if entry else None, entry.instansi if entry else None, counted, pending,
        dict(sorted(used_by_form.items())), target, None if target is None else counted >= target,
        str(reason), tuple(versions), tuple(lines), same.suspects, _warnings(year, entry, counted, policy), (reason,),
    )


def _warnings(year: int, entry: RosterEntry | None, counted: Decimal, policy: Policy) -> tuple[JpWarning, ...]:
    """R-PPPK-01: assigned development over the status's ceiling is shown, never dropped. The
    statements do not say which learning the instansi assigned, so every counted JP is taken as
    assigned; the ceiling is per contract year, checked per period (the roster has no contracts)."""
    ceiling = policy.ceiling_for(entry.status) if entry else None
    if entry is None or ceiling is None or counted <= ceiling:
        return ()
    return (JpWarning("max_jp_assigned_exceeded", (
        f"{counted.normalize():f} JP counted in {year} is over the {entry.status} ceiling of "
        f"{ceiling.normalize():f} JP a year on assigned development (targets/{entry.status}/max_jp_assigned, "
        f"{', '.join(policy.versions)}); every counted JP is taken as assigned, since the statements do not "
        "say which were, and all of them stay counted")),)


@dataclass(frozen=True)
class _Judged:
    line: Line
    cap: Decimal | None  # the form's annual cap, for a line that counts
    order: int  # the seq that made it count (the claim, or the decision that completed it)


def _judge(
    claim: Claim, entry: RosterEntry | None, history: Sequence[RosterEntry], policy: Policy,
    duplicate_of: Mapping[str, Why], facts: Facts,
) -> _Judged:
    rulings: tuple[Ruling, ...] = ()

    def line(jp: Decimal | None, status: str, reasons: tuple[Why, ...], recognition: str | None = None,
             cap: Decimal | None = None, order: int = 0) -> _Judged:
        return _Judged(Line(claim.statement_id, claim.seq, claim.form_code, claim.activity_date,
                            entry.unit_kerja if entry else None, entry.instansi if entry else None,
                            jp, ZERO, status, english(reasons), policy.versions, recognition, rulings,
                            claim.competency_codes or policy.competency_codes(claim.form_code, claim.activity_id),
                            reasons),
                       cap, order)

    if claim.statement_id in duplicate_of:
        return line(None, "duplicate", (duplicate_of[claim.statement_id],))
    form = policy.form(claim.form_code)
    if form is None:
        return line(None, "not_countable", (why("jp.form_not_in_policy", form=claim.form_code),))
    jp, worth = jp_for(form, claim, policy)
    reasons: tuple[Why, ...] = (worth,)
    if form.verification == "auto" and claim.authority_key in facts.trusted:
        if jp is None:
            return line(None, "not_countable", reasons)
        return line(jp, "counted", (*reasons, why("jp.trusted_source", key=claim.authority_key)), "auto", form.cap,
                    claim.seq)
    if form.verification == "auto":
        reasons += (why("jp.untrusted_auto", key=claim.authority_key),)
    recognition = recognise(jp, form.verification, learner_on(history, claim.activity_date),
                            facts.decisions.get(claim.statement_id, ()), facts.context(policy), policy)
    rulings = recognition.rulings
    if recognition.status == "rejected":
        return line(jp, "rejected", recognition.why, recognition.status)
    if recognition.awaiting is not None:
        if jp is None:
            reasons += (why("jp.decision_may_set"),)
        return line(recognition.jp, "pending", (*reasons, why("jp.needs_verification", form=form.code,
                    verification=form.verification, why=recognition.why)), recognition.status)
    if recognition.jp is None:
        return line(None, "not_countable", (*reasons, why("jp.recognised_no_jp")), recognition.status)
    return line(recognition.jp, "counted", (*reasons, *recognition.why), recognition.status, form.cap,
                recognition.order)


def _apply_caps(judged: Sequence[_Judged]) -> tuple[list[Line], dict[str, Decimal]]:
    """Annual caps per form, in the order the lines came to count (issue 6: the order decisions
    were made); overflow is shown, not counted."""
    used_by_form: dict[str, Decimal] = {}
    counted: dict[int, Line] = {}
    order = sorted((i for i, j in enumerate(judged) if j.line.status == "counted"),
                   key=lambda i: (judged[i].order, judged[i].line.seq))
    for index in order:
        item = judged[index]
        line, jp = item.line, item.line.jp or ZERO
        used = used_by_form.get(line.form_code, ZERO)
        credit = jp if item.cap is None else max(ZERO, min(jp, item.cap - used))
        used_by_form[line.form_code] = used + credit
        reasons = line.why
        if credit < jp:
            reasons += (why("jp.over_cap", over=jp - credit, cap=item.cap, form=line.form_code),)
        counted[index] = replace(line, jp_counted=credit, reason=english(reasons), why=reasons)
    return [counted.get(i, j.line) for i, j in enumerate(judged)], used_by_form


@dataclass(frozen=True)
class Compliance:
    """Who is counted against the target, and how many meet it (R-REP-01)."""

    pegawai: int
    in_scope: int
    target_met: int
    share_met: Decimal | None


def compliance(totals: Sequence[JpTotal]) -> Compliance:
    in_scope = [t for t in totals if t.target_met is not None]
    return compliance_of(len(totals), len(in_scope), sum(1 for t in in_scope if t.target_met))


def compliance_of(pegawai: int, in_scope: int, met: int) -> Compliance:
    share = (Decimal(met) / Decimal(in_scope)).quantize(Decimal("0.0001")) if in_scope else None
    return Compliance(pegawai, in_scope, met, share)


# The JP distribution of a summary: how many pegawai counted JP in each band. A reporting
# convention, not a regulated figure: neither the brief nor the national default policy has bands,
# and a policy version may not invent values (schemas/policy/build_national_default.py), so the
# lower edges are this rule's constant. 0 is its own band; a band runs to the next edge, so
# 0.5 JP is in 1-9.
JP_BANDS: tuple[tuple[str, Decimal], ...] = (
    ("1-9", ZERO), ("10-19", Decimal(10)), ("20-39", Decimal(20)), ("40+", Decimal(40)))


def jp_band(jp: Decimal) -> str:
    """The band of JP_BANDS a pegawai's counted JP falls in."""
    if jp <= ZERO:
        return "0"
    return [name for name, low in JP_BANDS if jp >= low][-1]


@dataclass(frozen=True)
class Summary:
    """A roll-up (the nation, an instansi, or one unit kerja of it) for a year (brief 7.2, R-REP-01/02).

    Compliance counts each pegawai where they are on the last day of the period; JP goes to the
    unit kerja (and instansi) the pegawai belonged to on each activity date, so a pegawai who
    moved adds their earlier JP to the old unit. The nation (instansi None) counts everyone on the
    roster then, and the JP credited to any instansi."""

    instansi: str | None
    unit_kerja: str | None
    pegawai: int
    in_scope: int
    target_met: int
    share_met: Decimal | None
    jp_counted: Decimal
    jp_pending: Decimal
    policy_versions: tuple[str, ...]
    denominator: str = ""
    by_status: Mapping[str, Compliance] = field(default_factory=dict)  # jenis pegawai (PNS, PPPK, ...)
    by_jenis_jabatan: Mapping[str, Compliance] = field(default_factory=dict)
    jp_by_form: Mapping[str, Decimal] = field(default_factory=dict)
    jp_by_competency: Mapping[str, Decimal] = field(default_factory=dict)
    jp_by_month: Mapping[str, Decimal] = field(default_factory=dict)  # "YYYY-MM" of the activity date
    jp_distribution: Mapping[str, int] = field(default_factory=dict)  # JP_BANDS: pegawai per band of their JP
    pending_claims: int = 0
    pending_since: date | None = None  # the earliest activity date of a pending claim


def credited_to(line: Line, instansi: str | None, unit_kerja: str | None) -> bool:
    """Whether a line's JP goes to this roll-up: its activity date found the pegawai there."""
    if instansi is None:
        return line.instansi is not None
    return line.instansi == instansi and unit_kerja in (None, line.unit_kerja)


def summarize(instansi: str | None, unit_kerja: str | None, members: Sequence[JpTotal],
              credited: Sequence[JpTotal] = (), *, jenis_jabatan: Mapping[str, str | None] | None = None,
              denominator: str = "") -> Summary:
    """The roll-up of `members` (the pegawai in the instansi or unit on the period's last day),
    with the JP of every line of `credited` (members and anyone who was there during the year)
    whose activity date found the pegawai in this instansi (and unit kerja). `jenis_jabatan`
    maps a member's nip to their kind of position at year end; `denominator` says who is in scope.
    The stored roll-ups (projections/rules/tallies.py) are sums that give exactly this."""
    whole = compliance(members)
    lines = [line for t in {t.nip: t for t in (*members, *credited)}.values() for line in t.lines
             if credited_to(line, instansi, unit_kerja)]
    counted = [line for line in lines if line.status == "counted"]
    pending = [line for line in lines if line.status == "pending"]
    by_form: dict[str, Decimal] = {}
    by_competency: dict[str, Decimal] = {}
    by_month: dict[str, Decimal] = {}
    for line in counted:
        by_form[line.form_code] = by_form.get(line.form_code, ZERO) + line.jp_counted
        month = line.activity_date.isoformat()[:7]
        by_month[month] = by_month.get(month, ZERO) + line.jp_counted
        for code in line.competencies:
            by_competency[code] = by_competency.get(code, ZERO) + line.jp_counted
    bands: dict[str, int] = {}
    for item in members:
        band = jp_band(item.jp_counted)
        bands[band] = bands.get(band, 0) + 1

    def grouped(key: Callable[[JpTotal], str | None]) -> dict[str, Compliance]:
        groups: dict[str, list[JpTotal]] = {}
        for item in members:
            groups.setdefault(key(item) or "", []).append(item)
        return {name: compliance(group) for name, group in sorted(groups.items())}

    kinds = jenis_jabatan or {}
    return Summary(instansi, unit_kerja, whole.pegawai, whole.in_scope, whole.target_met, whole.share_met,
                   sum((line.jp_counted for line in counted), ZERO),
                   sum((line.jp or ZERO for line in pending), ZERO),
                   tuple(sorted({v for t in members for v in t.policy_versions})), denominator,
                   grouped(lambda t: t.status), grouped(lambda t: kinds.get(t.nip)),
                   dict(sorted(by_form.items())), dict(sorted(by_competency.items())),
                   dict(sorted(by_month.items())), dict(sorted(bands.items())), len(pending),
                   min((line.activity_date for line in pending), default=None))
