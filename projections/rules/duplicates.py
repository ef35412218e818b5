"""Which of a pegawai's claims in a period report one completion, by the policy's `deduplication`
(counted once, the others are duplicates naming it), and which look alike enough for a person to
check (suspected duplicates: listed, still counted). Pure."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Mapping, NamedTuple, Sequence

from projections.rules.dates import moment
from projections.rules.facts import Claim
from projections.rules.policy import MINUTE, Policy
from projections.rules.reasons import Why, why


@dataclass(frozen=True)
class SuspectedDuplicate:
    """Statements that may report one completion, in the order they happened. `kept` are those
    that stand for it: one for a completion reported twice, all of them for a near miss."""

    statement_ids: tuple[str, ...]
    kept: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Completions:
    duplicate_of: Mapping[str, Why]  # a duplicate's statement id -> why, naming the statement kept
    suspects: tuple[SuspectedDuplicate, ...]


class _Report(NamedTuple):
    claim: Claim
    at: datetime  # the statement's timestamp
    why: Why | None  # why it reports the completion its group stands for (None for the first)


Order = tuple[tuple[datetime, int], ...]  # the times and seqs of a suspect's statements


@dataclass
class _Group:
    """One completion as it is being gathered: its first report and those that joined it."""

    members: list[_Report] = field(default_factory=list)

    @property
    def first(self) -> _Report:
        return self.members[0]

    def kept(self) -> _Report:
        # Of one completion reported twice, the report that declares JP wins, then the first stored.
        return min(self.members, key=lambda m: (m.claim.jp_declared is None, m.claim.seq))


def completions(claims: Sequence[Claim], policy_of: Callable[[Claim], Policy]) -> Completions:
    """Group the claims of one pegawai's period into completions; each claim is judged by its own
    policy (`policy_of`, the one in force on its activity date), against the claims before it."""
    by_activity: dict[str, list[_Group]] = {}
    for claim, at in sorted(((c, moment(c.activity_time)) for c in claims), key=lambda p: (p[1], p[0].seq)):
        groups = by_activity.setdefault(claim.activity_id, [])
        found = _join(claim, at, groups, policy_of(claim))
        if found is None:
            groups.append(_Group([_Report(claim, at, None)]))
        else:
            found[0].members.append(_Report(claim, at, found[1]))
    duplicate_of: dict[str, Why] = {}
    suspects: list[tuple[Order, SuspectedDuplicate]] = []
    for groups in by_activity.values():
        suspects.extend(_duplicates(group, duplicate_of) for group in groups if len(group.members) > 1)
        suspects.extend(_near_misses(groups, policy_of))
    suspects.sort(key=lambda s: s[0])  # in the order they happened
    return Completions(duplicate_of, tuple(s for _, s in suspects))


def _join(claim: Claim, at: datetime, groups: Sequence[_Group], policy: Policy) -> tuple[_Group, Why] | None:
    """The completion a claim reports again, with why; None for a new completion."""
    if claim.registration:
        for group in groups:
            if any(m.claim.registration == claim.registration for m in group.members):
                return group, why("duplicate.same_registration")
    form = policy.form(claim.form_code)
    if form is not None and form.per in policy.once_per_period:
        for group in groups:
            if group.first.claim.form_code == claim.form_code:
                return group, why("duplicate.once_per_period", form=claim.form_code, per=form.per)
    same_verb = [g for g in groups if g.first.claim.verb_id == claim.verb_id]
    if not same_verb:
        return None
    group = same_verb[-1]
    window = policy.duplicate_window
    registered = {m.claim.registration for m in group.members if m.claim.registration}
    if at - group.first.at <= window and not (claim.registration and registered - {claim.registration}):
        return group, why("duplicate.window", minutes=f"{window / MINUTE:g}")
    return None


def _duplicates(group: _Group, duplicate_of: dict[str, Why]) -> tuple[Order, SuspectedDuplicate]:
    """Every report but the kept one is a duplicate naming it (the first's why is the kept's)."""
    kept = group.kept()
    kept_id = kept.claim.statement_id
    rules: list[str] = []
    for report in group.members:
        if report is kept:
            continue
        rule = report.why or kept.why
        assert rule is not None  # every report but a group's first joined it for a rule
        duplicate_of[report.claim.statement_id] = why("jp.duplicate", kept=kept_id, why=(rule,))
        if str(rule) not in rules:
            rules.append(str(rule))
    ids = tuple(m.claim.statement_id for m in group.members)
    return tuple((m.at, m.claim.seq) for m in group.members), SuspectedDuplicate(
        ids, (kept_id,), f"{len(ids)} statements report one completion ({'; '.join(rules)}); "
                         f"statement {kept_id} counts for it")


def _near_misses(groups: Sequence[_Group], policy_of: Callable[[Claim], Policy],
                 ) -> list[tuple[Order, SuspectedDuplicate]]:
    """Completions of one activity that follow each other within the policy's suspect window."""
    found: list[tuple[Order, SuspectedDuplicate]] = []
    for before, after in zip(groups, groups[1:]):
        (first, first_at, _), (second, second_at, _) = before.first, after.first
        policy = policy_of(second)
        gap = second_at - first_at
        if gap > policy.suspect_window:
            continue
        if first.verb_id != second.verb_id:
            why = f"the verbs differ ({first.verb_id}, {second.verb_id})"
        elif gap > policy.duplicate_window:
            why = f"just outside the {policy.duplicate_window / MINUTE:g}-minute window"
        elif first.registration and second.registration and first.registration != second.registration:
            why = "the registrations differ"
        else:
            why = f"the learning forms differ ({first.form_code}, {second.form_code})"
        ids = (before.kept().claim.statement_id, after.kept().claim.statement_id)
        found.append((((first_at, first.seq), (second_at, second.seq)), SuspectedDuplicate(
            ids, ids, f"the same activity {_span(gap)} apart, but {why}: each counts as its own completion")))
    return found


def _span(gap: timedelta) -> str:
    minutes = gap / MINUTE
    return f"{round(minutes, 1):g} min" if minutes < 120 else f"{round(minutes / 60, 1):g} h"
