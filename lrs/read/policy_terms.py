"""The words of the policy in force that the web pages use: the current reporting period, the
learning forms' names, what a pegawai's own claim states, and the IRIs of a decision statement
(Jejak's xAPI Profile as the policy names it) with the account homePage that carries a NIP."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import Engine

from lrs.store import read_models
from lrs.store.engine import reading
from projections.rules.facts import RosterEntry, entry_on
from projections.rules.policy import Form, PolicySet


def _policies(engine: Engine) -> PolicySet:
    with reading(engine) as conn:
        return PolicySet.from_rows(read_models.policy_rows(conn))


def current_year(engine: Engine, now: datetime | None = None) -> int:
    """The reporting period today falls in (the policy's calendar and timezone)."""
    policies = _policies(engine)
    return policies.period_of(policies.day_of(now or datetime.now(timezone.utc)))


def today(engine: Engine, now: datetime | None = None) -> date:
    """Today's date in the policy's timezone."""
    return _policies(engine).day_of(now or datetime.now(timezone.utc))


def period_of(engine: Engine, day: date) -> int:
    return _policies(engine).period_of(day)


def timezone_of(engine: Engine, year: int) -> str:
    """The timezone whose calendar the national policy of period `year` counts in."""
    policies = _policies(engine)
    return policies.policy_in_force(policies.period_end(year)).timezone


def form_names(engine: Engine, year: int, instansi: str | None) -> dict[str, str]:
    """Learning form code -> its name, in the policy in force for the instansi at the period's end."""
    policies = _policies(engine)
    policy = policies.policy_in_force(policies.period_end(year), instansi)
    return {code: str(entry.get("name") or code) for code, entry in policy.document["learning_forms"].items()}


@dataclass(frozen=True)
class DecisionTerms:
    approval_verb: str
    rejection_verb: str
    reason_extension: str
    jp_approved_extension: str
    home_page: str  # the account homePage whose name is a NIP
    approved_jp_limit: str  # claimed: a decision may lower the JP, never raise it


def decision_terms(engine: Engine, day: date, instansi: str | None) -> DecisionTerms:
    """What a decision on a claim of `day` by a pegawai of `instansi` is made of."""
    policy = _policies(engine).policy_in_force(day, instansi)
    return DecisionTerms(policy.iri("approval_verb"), policy.iri("rejection_verb"), policy.iri("reason_extension"),
                         policy.iri("jp_approved_extension"), policy.iris("account_home_pages")[0],
                         policy.approved_jp_limit)


# What a claim of each form must state for its JP to be worked out (as projections/rules/jp.py
# jp_for reads it): minutes (result.duration), the declared JP (the jp extension), either, or
# nothing (the policy gives JP per unit, or the decision sets it).
MINUTES, JP, JP_OR_MINUTES, NOTHING = "minutes", "jp", "jp_or_minutes", "nothing"


def amount_needed(form: Form) -> str:
    declared = form.per in ("certificate", "course") or (form.per == "hour" and form.prefer_declared)
    by_minutes = form.per == "hour" or form.fallback == "hour"
    if form.per in ("session", "assignment", "activity") and form.jp_per_unit is not None:
        return NOTHING
    if declared:
        return JP_OR_MINUTES if by_minutes else JP
    return MINUTES if by_minutes else NOTHING


@dataclass(frozen=True)
class ClaimForm:
    code: str
    name: str
    amount: str  # MINUTES | JP | JP_OR_MINUTES | NOTHING


@dataclass(frozen=True)
class ClaimTerms:
    """What a pegawai's own claim of nonformal learning on a day is made of, by the policy in
    force for their instansi then."""

    forms: tuple[ClaimForm, ...]  # the forms that need a decision (not formal education), by name
    home_page: str  # the account homePage whose name is a NIP
    form_extension: str
    jp_extension: str
    timezone: str

    def form(self, code: str) -> ClaimForm | None:
        return next((f for f in self.forms if f.code == code), None)


def claim_terms(engine: Engine, nip: str, day: date) -> ClaimTerms:
    """The learning forms a pegawai may claim for `day` and the IRIs a claim carries."""
    with reading(engine) as conn:
        policies = PolicySet.from_rows(read_models.policy_rows(conn))
        history = [RosterEntry.of(row) for row in read_models.roster_of(conn, [nip])]
    entry = entry_on(history, day)
    policy = policies.policy_in_force(day, entry.instansi if entry else None)
    forms = []
    for code, document in policy.document["learning_forms"].items():
        form = policy.form(code)
        if form is None or form.verification == "auto" or form.mode == "formal_education":
            continue
        forms.append(ClaimForm(code, str(document.get("name") or code), amount_needed(form)))
    return ClaimTerms(tuple(sorted(forms, key=lambda f: f.name.lower())), policy.iris("account_home_pages")[0],
                      policy.iri("learning_form_extension"), policy.iri("jp_extension"), policy.timezone)
