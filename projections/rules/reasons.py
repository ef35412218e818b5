"""Why a rule decided what it did, as a stable code with its parameters (`Why`), so a reason can be
said in any language: the rules keep their English words (ENGLISH, the text the CLI and /api/v1
give in `reason`), and the web says the same code from its message catalog (lrs/web/reasons.py).
A reason of several parts is a tuple of Whys, said joined by "; "; a part that quotes another
reason (a claim's recognition, a duplicate's rule) holds it as a parameter."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence, Union

Param = Union[str, tuple["Why", ...]]


@dataclass(frozen=True)
class Why:
    code: str
    params: tuple[tuple[str, Param], ...] = ()

    def __str__(self) -> str:
        return said(self, ENGLISH.get)


def why(code: str, **params: Any) -> Why:
    """A reason: `code` (a key of ENGLISH) with its parameters, text or nested reasons."""
    if code not in ENGLISH:
        raise KeyError(f"no words for reason {code!r}")
    return Why(code, tuple((k, v if isinstance(v, tuple) else str(v)) for k, v in params.items()))


def said(item: Why, words: Callable[[str], str | None], joiner: str = "; ") -> str:
    """One reason in the words `words` gives its code (the code itself when it has none)."""
    template = words(item.code)
    if template is None:
        return item.code
    values = {k: joined(v, words, joiner) if isinstance(v, tuple) else v for k, v in item.params}
    return template % values


def joined(items: Sequence[Why], words: Callable[[str], str | None] = lambda c: ENGLISH.get(c),
           joiner: str = "; ") -> str:
    return joiner.join(said(item, words, joiner) for item in items)


def english(items: Sequence[Why]) -> str:
    return joined(items)


def why_of(data: Any) -> Why:
    """A Why from its JSON (as orjson writes the dataclass: code, and params as [name, value] pairs)."""
    return Why(data["code"], tuple((name, tuple(why_of(v) for v in value) if isinstance(value, list) else value)
                                   for name, value in data["params"]))


def whys_of(data: Sequence[Any] | None) -> tuple[Why, ...]:
    return tuple(why_of(item) for item in data or ())


# The English words of every reason (Python %-format with named parameters, as the catalog's).
ENGLISH: Mapping[str, str] = {
    # How much a claim is worth (projections/rules/jp.py jp_for)
    "jp.not_counted_by_default": "%(form)s is recorded but not counted by default",
    "jp.declared": "JP declared by the statement (%(per)s)",
    "jp.certificate_missing": "the certificate JP is missing; it is never derived from dates",
    "jp.per_unit": "%(jp)s JP per %(per)s (policy)",
    "jp.no_jp_per_unit": "policy has no JP for %(form)s per %(per)s (jp_per_unit is null)",
    "jp.no_duration": "the statement has no result.duration to convert",
    "jp.no_minutes_per_jp": "policy has no minutes per JP for %(form)s (%(unit)s)",
    "jp.no_minutes_unit": "policy has no minutes per JP for %(form)s (no unit named)",
    "jp.no_rounding_step": "policy has no rounding step",
    "jp.by_minutes": "%(minutes)s min / %(per_jp)s min per JP, floored to %(step)s",
    # Whether and how it counts (jp.py _judge, _apply_caps)
    "jp.form_not_in_policy": "learning form %(form)s is not in the policy",
    "jp.trusted_source": "from trusted source %(key)s",
    "jp.untrusted_auto": "credential '%(key)s' is not a trusted source, so the atasan decides",
    "jp.decision_may_set": "a decision may set the JP",
    "jp.needs_verification": "%(form)s needs %(verification)s verification: %(why)s",
    "jp.recognised_no_jp": "recognised, but the decision sets no JP either",
    "jp.over_cap": "%(over)s JP over the annual cap of %(cap)s JP for %(form)s, shown, not counted",
    "jp.duplicate": "the same completion as statement %(kept)s: %(why)s",
    # The target (jp.py total)
    "target.not_in_roster": "nip %(nip)s is not in the roster on %(day)s",
    "target.none_for_status": "policy has no target for status %(status)s",
    "target.for_status": "target for %(status)s on %(day)s",
    # Duplicates (projections/rules/duplicates.py)
    "duplicate.same_registration": "same registration and activity",
    "duplicate.once_per_period": "%(form)s (per %(per)s) counts once per activity in a period "
                                 "(deduplication.once_per_period)",
    "duplicate.window": "same activity and verb within %(minutes)s minutes (deduplication.window_minutes)",
    # Recognition (projections/rules/recognition.py)
    "decider.bound": "credential %(key)s is bound to %(who)s",
    "decider.source_unknown_actor": "trusted source %(key)s names an actor who is not in the roster",
    "decider.source_for": "trusted source %(key)s acting for %(nip)s",
    "decider.unknown": "credential '%(key)s' is neither bound to a person nor a trusted source",
    "decide.unit_pengelola": "unit pengelola of %(instansi)s",
    "decide.atasan": "atasan of the learner on the activity date",
    "decide.atasan_on_decision": "atasan of the learner on the decision date %(day)s",
    "decide.verifier": "delegated verifier of %(unit)s, %(instansi)s",
    "decide.pengelola_without_atasan": "unit pengelola of %(instansi)s, for a pegawai the roster gives no atasan",
    "decide.own_claim": "%(nip)s may not decide their own claim",
    "decide.no_validation_step": "the form needs no validation by the unit pengelola",
    "decide.only_pengelola": "only a credential bound to the unit pengelola of %(instansi)s may validate",
    "decide.not_atasan": "%(nip)s is not the learner's atasan on the activity date (%(atasan)s)",
    "decide.nobody_not_atasan": "nobody known is not the learner's atasan on the activity date (%(atasan)s)",
    "decide.not_atasan_no_atasan": "%(nip)s is not the learner's atasan on the activity date (none in the roster)",
    "decide.nobody_no_atasan": "nobody known is not the learner's atasan on the activity date (none in the roster)",
    "decide.voided": "voided",
    "decide.no_roster_row": "no roster row for the learner on the activity date",
    "claim.voided": "the claim is voided",
    "claim.voided_later": "voided by a later statement",
    "recognition.rejected": "rejected by %(decider)s: %(reason)s",
    "recognition.rejected_no_reason": "rejected by %(decider)s: no reason given",
    "recognition.waiting_atasan": "waiting for the atasan's decision",
    "recognition.waiting_pengelola": "approved by the atasan; waiting for the unit pengelola",
    "recognition.recognised": "recognised",
    "recognition.above_claimed": "recognised; %(set)s JP set by the decision is above the %(claimed)s JP claimed, "
                                 "which the policy does not allow: the claimed JP counts",
    "recognition.with_jp": "recognised with %(set)s JP set by the decision",
    # Which competency standard applies (projections/rules/competency.py standard_for)
    "standard.not_in_roster": "the pegawai is not in the roster on that day",
    "standard.of_instansi": "standard of jabatan '%(jabatan)s' of %(instansi)s",
    "standard.general": "standard of jabatan '%(jabatan)s' for every instansi",
    "standard.none": "no competency standard for jabatan '%(jabatan)s'",
    # Who is counted (projections/rules/policy.py denominator)
    "denominator.period_end_roster_with_target": (
        "pegawai on the roster of the instansi or unit kerja on the last day of the period whose status has a "
        "target in the policy (R-REP-01); JP of a pegawai who moved is credited to the unit kerja of each "
        "activity date (R-REP-02)"),
}
