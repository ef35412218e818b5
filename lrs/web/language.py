"""Which catalog a page speaks: Bahasa Indonesia unless the person chose English (?lang=en,
kept in the session). Browsers' Accept-Language is not followed: Indonesian comes first."""
from __future__ import annotations

from flask import request, session

LANGUAGES = ("id", "en")
DEFAULT = "id"


def remember_choice() -> None:
    """Before a page: keep a ?lang= choice for the rest of the session."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted


def selected() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT
