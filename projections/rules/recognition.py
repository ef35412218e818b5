"""Recognition of a claim that needs verification (domain brief 5.2): pure, from the claim, the
decisions on it, the roster, the credential bindings and trusted sources, and the policy.

Lifecycle: submitted -> supervisor_approved -> validated (then counted, within caps), or
rejected; a voided claim drops out before this. The form's `verification` names the steps:
`supervisor`, or `unit_pengelola` (the supervisor, then the unit pengelola); an `auto` form from
a credential that is not a trusted source needs the supervisor like nonformal learning.

A decision is the act of a person only when its credential is bound to that person (`lrs
credentials create --nip`), or is a trusted source acting for the statement's actor; the actor
alone proves nothing. The supervisor step is the learner's atasan on the activity date (the
policy may also accept the atasan on the decision date) or a verifier bound to the learner's
unit; the unit pengelola step a credential bound to the role for the learner's instansi. Per
step, the latest effective decision wins; a voided decision has no effect."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable, Mapping, Sequence

from lrs.vocabulary import VERIFIER
from projections.rules.reasons import Why, english, why
from projections.rules.facts import Binding, Decision
from projections.rules.policy import Policy

SUPERVISOR, UNIT_PENGELOLA = "supervisor", "unit_pengelola"
STEPS = {"supervisor": (SUPERVISOR,), "unit_pengelola": (SUPERVISOR, UNIT_PENGELOLA), "auto": (SUPERVISOR,)}


@dataclass(frozen=True)
class Learner:
    """What recognition needs of the learner's roster: the row on the activity date, and the
    atasan on any other date (for a policy that accepts the atasan on the decision date)."""

    instansi: str
    unit_kerja: str
    atasan_nip: str | None
    atasan_on: Callable[[date], str | None]
    nip: str | None = None  # the learner: nobody decides their own claim


@dataclass(frozen=True)
class Ruling:
    """One decision as judged: by whom, for which step, and whether it has effect and why."""

    statement_id: str
    seq: int
    kind: str
    decided_at: str
    decider: str | None
    step: str | None
    effective: bool
    reason: str
    jp: Decimal | None
    why: tuple[Why, ...] = ()  # `reason` as codes (projections/rules/reasons.py)


@dataclass(frozen=True)
class Recognition:
    status: str  # submitted | supervisor_approved | validated | rejected
    jp: Decimal | None  # the JP recognised (the claim's, or as a decision set it)
    order: int  # seq of the decision that completed it: caps apply in this order
    why: tuple[Why, ...]
    rulings: tuple[Ruling, ...]

    @property
    def reason(self) -> str:
        return english(self.why)

    @property
    def awaiting(self) -> str | None:
        return {"submitted": SUPERVISOR, "supervisor_approved": UNIT_PENGELOLA}.get(self.status)


@dataclass(frozen=True)
class Context:
    """Who is who when decisions are judged."""

    bindings: Mapping[str, Binding]
    trusted: frozenset[str]
    home_pages: frozenset[str]
    nip_of_mbox: Mapping[str, str]


def _decider(decision: Decision, context: Context) -> tuple[str | None, Binding | None, Why]:
    key = decision.authority_key
    binding = context.bindings.get(key or "")
    if binding is not None:
        return binding.nip, binding, why("decider.bound", key=key, who=binding.nip or binding.role)
    if key in context.trusted:
        nip = (decision.account if decision.home_page in context.home_pages
               else context.nip_of_mbox.get(decision.mbox or ""))
        if nip is None:
            return None, None, why("decider.source_unknown_actor", key=key)
        return nip, None, why("decider.source_for", key=key, nip=nip)
    return None, None, why("decider.unknown", key=key)


def may_decide(step: str, nip: str | None, bindings: Sequence[Binding], learner: Learner, day: date,
               policy: Policy) -> Why | None:
    """Why the person `nip`, acting through credentials with `bindings`, may take `step` for this
    learner's claim on `day`; None when they may not. The one rule of who decides, for judging a
    decision and for listing what waits for someone. Nobody decides their own claim, through
    any binding or source."""
    if nip is not None and nip == learner.nip:
        return None
    if learner.nip is not None and any(b.nip == learner.nip for b in bindings):
        return None
    if step == UNIT_PENGELOLA:
        if any(b.covers(UNIT_PENGELOLA, learner.instansi, learner.unit_kerja) for b in bindings):
            return why("decide.unit_pengelola", instansi=learner.instansi)
        return None
    if nip is not None and nip == learner.atasan_nip:
        return why("decide.atasan")
    if nip is not None and policy.supervisor_on == "activity_or_decision_date" and nip == learner.atasan_on(day):
        return why("decide.atasan_on_decision", day=day)
    if any(b.covers(VERIFIER, learner.instansi, learner.unit_kerja) for b in bindings):
        return why("decide.verifier", unit=learner.unit_kerja, instansi=learner.instansi)
    if (learner.atasan_nip is None and policy.without_atasan == UNIT_PENGELOLA
            and any(b.covers(UNIT_PENGELOLA, learner.instansi, learner.unit_kerja) for b in bindings)):
        return why("decide.pengelola_without_atasan", instansi=learner.instansi)
    return None


def _step(decision: Decision, nip: str | None, binding: Binding | None, learner: Learner,
          steps: Sequence[str], policy: Policy) -> tuple[str | None, Why]:
    """The step this decider may decide for this learner, or None and why not."""
    bindings = [binding] if binding is not None else []
    if learner.nip is not None and learner.nip in (nip, binding.nip if binding else None):
        return None, why("decide.own_claim", nip=learner.nip)
    day = policy.day_of(decision.decided_at)
    as_pengelola = may_decide(UNIT_PENGELOLA, nip, bindings, learner, day, policy) if UNIT_PENGELOLA in steps else None
    if decision.kind == "validated" or (decision.kind == "rejected" and as_pengelola):
        if as_pengelola:
            return UNIT_PENGELOLA, as_pengelola
        if UNIT_PENGELOLA not in steps:
            return None, why("decide.no_validation_step")
        return None, why("decide.only_pengelola", instansi=learner.instansi)
    if (found := may_decide(SUPERVISOR, nip, bindings, learner, day, policy)) is not None:
        return SUPERVISOR, found
    if nip:
        if learner.atasan_nip:
            return None, why("decide.not_atasan", nip=nip, atasan=learner.atasan_nip)
        return None, why("decide.not_atasan_no_atasan", nip=nip)
    if learner.atasan_nip:
        return None, why("decide.nobody_not_atasan", atasan=learner.atasan_nip)
    return None, why("decide.nobody_no_atasan")


def recognise(claim_jp: Decimal | None, verification: str, learner: Learner | None,
              decisions: Sequence[Decision], context: Context, policy: Policy) -> Recognition:
    """The state of one claim under its decisions (in log order)."""
    steps = STEPS[verification]
    rulings: list[Ruling] = []
    for decision in sorted(decisions, key=lambda d: d.seq):
        nip, binding, who = _decider(decision, context)
        step, found = (None, why("decide.voided")) if decision.voided else (
            (None, who) if nip is None and binding is None else
            (None, why("decide.no_roster_row")) if learner is None else
            _step(decision, nip, binding, learner, steps, policy))
        reasons = (found,) if step is None else (who, found)
        ruling = Ruling(decision.statement_id, decision.seq, decision.kind, decision.decided_at, nip, step,
                        step is not None, english(reasons), decision.jp, reasons)
        rulings.append(ruling)
    latest = _latest(rulings)
    rejected = [r for r in latest.values() if r.kind == "rejected"]
    if rejected:
        last = max(rejected, key=lambda r: r.seq)
        return Recognition("rejected", None, last.seq, (_rejected(decisions, last),), tuple(rulings))
    if SUPERVISOR not in latest:
        return Recognition("submitted", claim_jp, 0, (why("recognition.waiting_atasan"),), tuple(rulings))
    if UNIT_PENGELOLA in steps and UNIT_PENGELOLA not in latest:
        return Recognition("supervisor_approved", _jp(claim_jp, latest, policy)[0], 0,
                           (why("recognition.waiting_pengelola"),), tuple(rulings))
    jp, note = _jp(claim_jp, latest, policy)
    done = max(r.seq for r in latest.values())
    return Recognition("validated", jp, done, (note,), tuple(rulings))


def _latest(rulings: Sequence[Ruling]) -> dict[str, Ruling]:
    """Per step, the effective ruling that stands: a later decision on a step replaces an earlier one."""
    latest: dict[str, Ruling] = {}
    for ruling in sorted(rulings, key=lambda r: r.seq):
        if ruling.effective and ruling.step is not None:
            latest[ruling.step] = ruling
    return latest


def settled_by(status: str | None, rulings: Sequence[Ruling]) -> Ruling | None:
    """The decision that put a claim in its lifecycle state, as recognise() judged it: the
    rejection that stands for a rejected claim, the decision that completed a validated one (its
    caps order), the atasan's approval of one waiting for the unit pengelola; None otherwise."""
    latest = _latest(rulings)
    if status == "rejected":
        return max((r for r in latest.values() if r.kind == "rejected"), key=lambda r: r.seq, default=None)
    if status in ("validated", "supervisor_approved"):
        return max(latest.values(), key=lambda r: r.seq, default=None)
    return None


def _rejected(decisions: Sequence[Decision], ruling: Ruling) -> Why:
    found = next(d for d in decisions if d.statement_id == ruling.statement_id)
    if found.reason:
        return why("recognition.rejected", decider=ruling.decider, reason=found.reason)
    return why("recognition.rejected_no_reason", decider=ruling.decider)


def _jp(claim_jp: Decimal | None, latest: Mapping[str, Ruling], policy: Policy) -> tuple[Decimal | None, Why]:
    """The JP recognised: the latest decision JP (the unit pengelola's over the atasan's),
    within the policy's limit, else the claim's."""
    setting = next((latest[s] for s in (UNIT_PENGELOLA, SUPERVISOR) if s in latest and latest[s].jp is not None),
                   None)
    if setting is None or setting.jp is None:
        return claim_jp, why("recognition.recognised")
    if claim_jp is not None and setting.jp > claim_jp and policy.approved_jp_limit == "claimed":
        return claim_jp, why("recognition.above_claimed", set=_text(setting.jp), claimed=_text(claim_jp))
    return setting.jp, why("recognition.with_jp", set=_text(setting.jp))


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")
