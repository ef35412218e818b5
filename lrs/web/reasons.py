"""The words of the rules' reasons (projections/rules/reasons.py) on the pages and in the files
people download, from the message catalog (Indonesian first; the English catalog says what the
rules say). Every code a rule gives has its words here: tests/lrs/web/test_reasons.py walks them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from babel import dates as babel_dates
from babel.support import Translations
from flask_babel import format_decimal, get_locale  # type: ignore[import-untyped]
from flask_babel import lazy_gettext as _l

from projections.rules.reasons import ENGLISH, Why

# The msgids are the rules' English words, parameters and all.
WORDS: dict[str, Any] = {
    "jp.not_counted_by_default": _l('%(form)s is recorded but not counted by default'),
    "jp.declared": _l('JP declared by the statement (%(per)s)'),
    "jp.certificate_missing": _l('the certificate JP is missing; it is never derived from dates'),
    "jp.per_unit": _l('%(jp)s JP per %(per)s (policy)'),
    "jp.no_jp_per_unit": _l('policy has no JP for %(form)s per %(per)s (jp_per_unit is null)'),
    "jp.no_duration": _l('the statement has no result.duration to convert'),
    "jp.no_minutes_per_jp": _l('policy has no minutes per JP for %(form)s (%(unit)s)'),
    "jp.no_minutes_unit": _l('policy has no minutes per JP for %(form)s (no unit named)'),
    "jp.no_rounding_step": _l('policy has no rounding step'),
    "jp.by_minutes": _l('%(minutes)s min / %(per_jp)s min per JP, floored to %(step)s'),
    "jp.form_not_in_policy": _l('learning form %(form)s is not in the policy'),
    "jp.trusted_source": _l('from trusted source %(key)s'),
    "jp.untrusted_auto": _l("credential '%(key)s' is not a trusted source, so the atasan decides"),
    "jp.decision_may_set": _l('a decision may set the JP'),
    "jp.needs_verification": _l('%(form)s needs %(verification)s verification: %(why)s'),
    "jp.recognised_no_jp": _l('recognised, but the decision sets no JP either'),
    "jp.over_cap": _l('%(over)s JP over the annual cap of %(cap)s JP for %(form)s, shown, not counted'),
    "jp.duplicate": _l('the same completion as statement %(kept)s: %(why)s'),
    "target.not_in_roster": _l('nip %(nip)s is not in the roster on %(day)s'),
    "target.none_for_status": _l('policy has no target for status %(status)s'),
    "target.for_status": _l('target for %(status)s on %(day)s'),
    "duplicate.same_registration": _l('same registration and activity'),
    "duplicate.once_per_period": _l(
        '%(form)s (per %(per)s) counts once per activity in a period (deduplication.once_per_period)'
    ),
    "duplicate.window": _l('same activity and verb within %(minutes)s minutes (deduplication.window_minutes)'),
    "decider.bound": _l('credential %(key)s is bound to %(who)s'),
    "decider.source_unknown_actor": _l('trusted source %(key)s names an actor who is not in the roster'),
    "decider.source_for": _l('trusted source %(key)s acting for %(nip)s'),
    "decider.unknown": _l("credential '%(key)s' is neither bound to a person nor a trusted source"),
    "decide.unit_pengelola": _l('unit pengelola of %(instansi)s'),
    "decide.atasan": _l('atasan of the learner on the activity date'),
    "decide.atasan_on_decision": _l('atasan of the learner on the decision date %(day)s'),
    "decide.verifier": _l('delegated verifier of %(unit)s, %(instansi)s'),
    "decide.pengelola_without_atasan": _l('unit pengelola of %(instansi)s, for a pegawai the roster gives no atasan'),
    "decide.own_claim": _l('%(nip)s may not decide their own claim'),
    "decide.no_validation_step": _l('the form needs no validation by the unit pengelola'),
    "decide.only_pengelola": _l('only a credential bound to the unit pengelola of %(instansi)s may validate'),
    "decide.not_atasan": _l("%(nip)s is not the learner's atasan on the activity date (%(atasan)s)"),
    "decide.nobody_not_atasan": _l("nobody known is not the learner's atasan on the activity date (%(atasan)s)"),
    "decide.not_atasan_no_atasan": _l("%(nip)s is not the learner's atasan on the activity date (none in the roster)"),
    "decide.nobody_no_atasan": _l("nobody known is not the learner's atasan on the activity date (none in the roster)"),
    "decide.voided": _l('voided'),
    "decide.no_roster_row": _l('no roster row for the learner on the activity date'),
    "claim.voided": _l('the claim is voided'),
    "claim.voided_later": _l('voided by a later statement'),
    "recognition.rejected": _l('rejected by %(decider)s: %(reason)s'),
    "recognition.rejected_no_reason": _l('rejected by %(decider)s: no reason given'),
    "recognition.waiting_atasan": _l("waiting for the atasan's decision"),
    "recognition.waiting_pengelola": _l('approved by the atasan; waiting for the unit pengelola'),
    "recognition.recognised": _l('recognised'),
    "recognition.above_claimed": _l(
        'recognised; %(set)s JP set by the decision is above the %(claimed)s JP claimed, which the '
        'policy does not allow: the claimed JP counts'
    ),
    "recognition.with_jp": _l('recognised with %(set)s JP set by the decision'),
    "standard.not_in_roster": _l("the pegawai is not in the roster on that day"),
    "standard.of_instansi": _l("standard of jabatan '%(jabatan)s' of %(instansi)s"),
    "standard.general": _l("standard of jabatan '%(jabatan)s' for every instansi"),
    "standard.none": _l("no competency standard for jabatan '%(jabatan)s'"),
    "denominator.period_end_roster_with_target": _l(
        'pegawai on the roster of the instansi or unit kerja on the last day of the period whose status '
        'has a target in the policy (R-REP-01); JP of a pegawai who moved is credited to the unit kerja '
        'of each activity date (R-REP-02)'
    ),
}


# Parameters that are policy codes, said in the page's language (the msgid is the code, so the
# English catalog leaves them as the rules say them).
VALUES: dict[str, dict[str, Any]] = {
    "verification": {"supervisor": _l("supervisor"), "unit_pengelola": _l("unit_pengelola"), "auto": _l("auto")},
    "per": {"hour": _l("hour"), "session": _l("session"), "assignment": _l("assignment"),
            "activity": _l("activity"), "certificate": _l("certificate"), "course": _l("course")},
}


NUMBERS = frozenset({"jp", "minutes", "per_jp", "step", "over", "cap", "set", "claimed"})  # JP and minutes
DAYS = frozenset({"day"})


def _value(name: str, value: str) -> str:
    """A parameter as the page's language writes it: JP and minutes with its decimal comma, days
    by name, policy codes in words; anything else as the rule gave it."""
    try:
        if name in NUMBERS:
            return str(format_decimal(Decimal(value), format="#,##0.##"))
        if name in DAYS:
            return str(babel_dates.format_date(date.fromisoformat(value), "d MMM y", locale=get_locale()))
    except (ArithmeticError, ValueError):
        return value
    return str(VALUES.get(name, {}).get(value, value))


def say_one(item: Why) -> str:
    """One reason in the page's language (its code, if the catalog had no words for it)."""
    template = WORDS.get(item.code)
    if template is None:
        return str(item)
    values = {name: say(value) if isinstance(value, tuple) else _value(name, value) for name, value in item.params}
    return str(template) % values


def say(whys: Sequence[Why], english: str = "") -> str:
    """A reason in the page's language; a figure stored before reasons had codes keeps its English."""
    return "; ".join(say_one(item) for item in whys) if whys else english


def denominator(text: str) -> str:
    """Who is counted, in the page's language: a summary holds the policy's English words
    (projections/rules/policy.py denominator), said here by the rule they are the words of."""
    for code, english in ENGLISH_DENOMINATORS.items():
        if text == english:
            return str(WORDS[code])
    return text


def denominator_in_indonesian(text: str) -> str:
    """Who is counted, from the Indonesian catalog outside a request (`lrs report export`'s files):
    the message is the policy's English words themselves."""
    catalog = Translations.load(str(Path(__file__).resolve().parent / "translations"), ["id"])
    return str(catalog.gettext(text)) if text in ENGLISH_DENOMINATORS.values() else text


ENGLISH_DENOMINATORS = {code: text for code, text in ENGLISH.items() if code.startswith("denominator.")}
