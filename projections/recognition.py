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
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence

from projections.policy import Policy

SUPERVISOR, UNIT_PENGELOLA = "supervisor", "unit_pengelola"
STEPS = {"supervisor": (SUPERVISOR,), "unit_pengelola": (SUPERVISOR, UNIT_PENGELOLA), "auto": (SUPERVISOR,)}


@dataclass(frozen=True)
class Decision:
    statement_id: str
    seq: int
    target_id: str
    kind: str  # approved | rejected | validated
    authority_key: str | None
    home_page: str | None
    account: str | None
    mbox: str | None
    jp: Decimal | None
    reason: str | None
    decided_at: str
    voided: bool = False

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Decision:
        return cls(row["statement_id"], int(row["seq"]), row["target_id"], row["kind"], row["authority_key"],
                   row["home_page"], row["account"], row["mbox"],
                   None if row["jp"] is None else Decimal(row["jp"]), row["reason"], row["decided_at"],
                   bool(row.get("voided")))

    @property
    def day(self) -> date:
        return datetime.fromisoformat(self.decided_at.replace("Z", "+00:00")).date()


@dataclass(frozen=True)
class Binding:
    key: str
    nip: str | None
    role: str | None
    instansi: str | None
    unit_kerja: str | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Binding:
        return cls(row["key"], row["nip"], row["role"], row["instansi"], row["unit_kerja"])

    def covers(self, role: str, instansi: str, unit_kerja: str) -> bool:
        return (self.role == role and self.instansi == instansi
                and self.unit_kerja in (None, unit_kerja))


@dataclass(frozen=True)
class Learner:
    """What recognition needs of the learner's roster: the row on the activity date, and the
    atasan on any other date (for a policy that accepts the atasan on the decision date)."""

    instansi: str
    unit_kerja: str
    atasan_nip: str | None
    atasan_on: Callable[[date], str | None]


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


@dataclass(frozen=True)
class Recognition:
    status: str  # submitted | supervisor_approved | validated | rejected
    jp: Decimal | None  # the JP recognised (the claim's, or as a decision set it)
    order: int  # seq of the decision that completed it: caps apply in this order
    reason: str
    rulings: tuple[Ruling, ...]

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


def _decider(decision: Decision, context: Context) -> tuple[str | None, Binding | None, str]:
    key = decision.authority_key
    binding = context.bindings.get(key or "")
    if binding is not None:
        return binding.nip, binding, f"credential {key} is bound to {binding.nip or binding.role}"
    if key in context.trusted:
        nip = (decision.account if decision.home_page in context.home_pages
               else context.nip_of_mbox.get(decision.mbox or ""))
        if nip is None:
            return None, None, f"trusted source {key} names an actor who is not in the roster"
        return nip, None, f"trusted source {key} acting for {nip}"
    return None, None, f"credential {key!r} is neither bound to a person nor a trusted source"


def _step(decision: Decision, nip: str | None, binding: Binding | None, learner: Learner,
          steps: Sequence[str], policy: Policy) -> tuple[str | None, str]:
    """The step this decider may decide for this learner, or None and why not."""
    may_pengelola = (UNIT_PENGELOLA in steps and binding is not None
                     and binding.covers(UNIT_PENGELOLA, learner.instansi, learner.unit_kerja))
    if decision.kind == "validated" or (decision.kind == "rejected" and may_pengelola):
        if may_pengelola:
            return UNIT_PENGELOLA, f"unit pengelola of {learner.instansi}"
        if UNIT_PENGELOLA not in steps:
            return None, "the form needs no validation by the unit pengelola"
        return None, f"only a credential bound to the unit pengelola of {learner.instansi} may validate"
    if nip is not None and nip == learner.atasan_nip:
        return SUPERVISOR, "atasan of the learner on the activity date"
    if (nip is not None and policy.supervisor_on == "activity_or_decision_date"
            and nip == learner.atasan_on(decision.day)):
        return SUPERVISOR, f"atasan of the learner on the decision date {decision.day}"
    if binding is not None and binding.covers("verifier", learner.instansi, learner.unit_kerja):
        return SUPERVISOR, f"delegated verifier of {learner.unit_kerja}, {learner.instansi}"
    who = nip or "nobody known"
    return None, f"{who} is not the learner's atasan on the activity date ({learner.atasan_nip or 'none in the roster'})"


def recognise(claim_jp: Decimal | None, verification: str, learner: Learner | None,
              decisions: Sequence[Decision], context: Context, policy: Policy) -> Recognition:
    """The state of one claim under its decisions (in log order)."""
    steps = STEPS[verification]
    rulings: list[Ruling] = []
    latest: dict[str, Ruling] = {}
    for decision in sorted(decisions, key=lambda d: d.seq):
        nip, binding, who = _decider(decision, context)
        step, why = (None, "voided") if decision.voided else (
            (None, who) if nip is None and binding is None else
            (None, "no roster row for the learner on the activity date") if learner is None else
            _step(decision, nip, binding, learner, steps, policy))
        ruling = Ruling(decision.statement_id, decision.seq, decision.kind, decision.decided_at, nip, step,
                        step is not None, why if step is None else f"{who}; {why}", decision.jp)
        rulings.append(ruling)
        if step is not None:
            latest[step] = ruling  # a later decision on the same step replaces the earlier one
    rejected = [r for r in latest.values() if r.kind == "rejected"]
    if rejected:
        last = max(rejected, key=lambda r: r.seq)
        return Recognition("rejected", None, last.seq, f"rejected by {last.decider}: {_reason(decisions, last)}",
                           tuple(rulings))
    if SUPERVISOR not in latest:
        return Recognition("submitted", claim_jp, 0, "waiting for the atasan's decision", tuple(rulings))
    if UNIT_PENGELOLA in steps and UNIT_PENGELOLA not in latest:
        return Recognition("supervisor_approved", _jp(claim_jp, latest, policy)[0], 0,
                           "approved by the atasan; waiting for the unit pengelola", tuple(rulings))
    jp, note = _jp(claim_jp, latest, policy)
    done = max(r.seq for r in latest.values())
    return Recognition("validated", jp, done, note, tuple(rulings))


def _reason(decisions: Sequence[Decision], ruling: Ruling) -> str:
    found = next(d for d in decisions if d.statement_id == ruling.statement_id)
    return found.reason or "no reason given"


def _jp(claim_jp: Decimal | None, latest: Mapping[str, Ruling], policy: Policy) -> tuple[Decimal | None, str]:
    """The JP recognised: the latest decision JP (the unit pengelola's over the atasan's),
    within the policy's limit, else the claim's."""
    setting = next((latest[s] for s in (UNIT_PENGELOLA, SUPERVISOR) if s in latest and latest[s].jp is not None),
                   None)
    if setting is None or setting.jp is None:
        return claim_jp, "recognised"
    if claim_jp is not None and setting.jp > claim_jp and policy.approved_jp_limit == "claimed":
        return claim_jp, (f"recognised; {_text(setting.jp)} JP set by the decision is above the "
                          f"{_text(claim_jp)} JP claimed, which the policy does not allow: the claimed JP counts")
    return setting.jp, f"recognised with {_text(setting.jp)} JP set by the decision"


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")
