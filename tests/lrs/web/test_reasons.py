"""The rules' reasons on the pages: every code a rule can give (projections/rules/reasons.py) has
its words in lrs/web/reasons.py, whose message is the rule's English, in both catalogs, with an
Indonesian translation that keeps every parameter."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale  # type: ignore[import-untyped]

from lrs.web import reasons
from projections.rules.reasons import ENGLISH, english, why

TRANSLATIONS = Path(__file__).resolve().parents[3] / "lrs" / "web" / "translations"
PARAMETER = re.compile(r"%\((\w+)\)s")


def _messages(lang: str) -> dict[str, str]:
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return {str(m.id): str(m.string) for m in read_po(f, locale=lang) if m.id}


def test_every_code_has_words_whose_message_is_the_rules_english(app: Flask) -> None:
    assert set(reasons.WORDS) == set(ENGLISH)
    with app.test_request_context(), force_locale("en"):
        assert {code: str(words) for code, words in reasons.WORDS.items()} == dict(ENGLISH)


@pytest.mark.parametrize("code", sorted(ENGLISH))
def test_both_catalogs_say_every_reason(code: str) -> None:
    english_words, indonesian = _messages("en"), _messages("id")
    assert ENGLISH[code] in english_words
    translated = indonesian.get(ENGLISH[code])
    assert translated, f"no Indonesian words for {code}"
    assert sorted(PARAMETER.findall(translated)) == sorted(PARAMETER.findall(ENGLISH[code]))


def test_a_reason_with_a_nested_one_reads_in_indonesian(app: Flask) -> None:
    pending = (why("jp.by_minutes", minutes="120", per_jp="45", step="0.5"),
               why("jp.needs_verification", form="NK_MENTORING", verification="supervisor",
                   why=(why("recognition.waiting_atasan"),)))
    assert english(pending) == ("120 min / 45 min per JP, floored to 0.5; NK_MENTORING needs supervisor "
                                "verification: waiting for the atasan's decision")
    with app.test_request_context(), force_locale("id"):
        assert reasons.say(pending) == ("120 menit / 45 menit per JP, dibulatkan ke bawah per 0,5; NK_MENTORING "
                                        "perlu verifikasi oleh atasan: menunggu keputusan atasan")
    with app.test_request_context(), force_locale("en"):
        assert reasons.say(pending) == english(pending)
    assert reasons.say((), "stored before the codes") == "stored before the codes"
