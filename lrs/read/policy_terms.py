"""The words of the policy in force that the web pages use: the current reporting period, the
learning forms' names, and the IRIs of a decision statement (Jejak's xAPI Profile as the policy
names it) with the account homePage that carries a NIP."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import Engine

from lrs.store import read_models
from lrs.store.engine import reading
from projections.rules.policy import PolicySet


def _policies(engine: Engine) -> PolicySet:
    with reading(engine) as conn:
        return PolicySet.from_rows(read_models.policy_rows(conn))


def current_year(engine: Engine, now: datetime | None = None) -> int:
    """The reporting period today falls in (the policy's calendar and timezone)."""
    policies = _policies(engine)
    return policies.period_of(policies.day_of(now or datetime.now(timezone.utc)))


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
