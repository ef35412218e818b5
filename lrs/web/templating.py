"""What the templates call: the page's language and the link to the other one, the words for
the figures' codes, and numbers, days and times in the page's language."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import request, url_for
from flask_babel import format_decimal, get_locale  # type: ignore[import-untyped]

from lrs.web import labels, language, reasons
from lrs.web.blueprint import bp


def language_url(code: str) -> str:
    """This page (a GET of it) in language `code`."""
    args: dict[str, Any] = {**request.args.to_dict(), **(request.view_args or {}), "lang": code}
    if request.endpoint and request.method == "GET":
        return url_for(request.endpoint, **args)
    return url_for("web.home", lang=code)


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {
        "current_lang": language.selected,
        "language_url": language_url,
        "status_word": lambda code: labels.word(labels.STATUS, code),
        "recognition_word": lambda code: labels.word(labels.RECOGNITION, code),
        "decision_word": lambda code: labels.word(labels.DECISION, code),
        "step_word": lambda code: labels.word(labels.STEP, code),
        "amount_word": lambda code: labels.word(labels.AMOUNT, code),
        "competency_word": lambda code: labels.word(labels.COMPETENCY, code),
        "jenis_word": lambda code: labels.word(labels.JENIS, code),
        "plan_word": lambda code: labels.word(labels.PLAN, code),
        "in_language": in_language,
        "reason_of": lambda item: reasons.say(item.why, item.reason),  # a line's or a decision's
        "target_reason_of": lambda total: reasons.say(total.target_why, total.target_reason),
        "counted_words": reasons.denominator,
        "standard_of": lambda profile: reasons.say(profile.standard_why, profile.standard),
    }


@bp.app_template_filter("jp")
def jp(value: Decimal | int | float | None) -> str:
    """A JP figure in the page's language (2,5 in Indonesian); an unknown one as a dash."""
    return "—" if value is None else str(format_decimal(value, format="#,##0.##"))


@bp.app_template_filter("day")
def day(value: date | str | None) -> str:
    if value is None:
        return ""
    found = date.fromisoformat(value) if isinstance(value, str) else value
    return str(babel_dates.format_date(found, "d MMM y", locale=get_locale()))


@bp.app_template_filter("moment")
def moment(value: str | None, zone: str | None = None) -> str:
    """An ISO time in the timezone `zone` (the policy's), else in its own offset."""
    if not value:
        return ""
    found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    where = ZoneInfo(zone) if zone else found.tzinfo
    return str(babel_dates.format_datetime(found, "d MMM y HH:mm", tzinfo=where, locale=get_locale()))


def month_name(first: date) -> str:
    """A month as a chart labels it, in the page's language: "Mar 2026"."""
    return str(babel_dates.format_date(first, "MMM y", locale=get_locale()))


def in_language(texts: Mapping[str, str], fallback: str) -> str:
    """A language map (an xAPI name) in the page's language: its exact tag, the same language in
    another region, any text, else `fallback`."""
    wanted = str(get_locale())
    for tag, text in texts.items():
        if tag.replace("-", "_").lower() == wanted.replace("-", "_").lower():
            return text
    for tag, text in texts.items():
        if tag.split("-")[0].lower() == wanted.split("_")[0].lower():
            return text
    return next(iter(texts.values()), fallback)
