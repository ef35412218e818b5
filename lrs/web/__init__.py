"""The people's pages under /app/: log in with a credential, a pegawai's JP for the year and
their own claims with evidence, an atasan's inbox; and the front page at / (front.py).
Server-rendered HTML in Bahasa Indonesia first (Flask-Babel catalogs in translations/), a CSRF
token on every form (Flask-WTF, for this blueprint only: the xAPI and /api/v1 resources stay
token-free), one small stylesheet in static/, nothing from elsewhere.
The views call the same reads (lrs/read) and writes (lrs/write) as xAPI and /api/v1."""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_babel import Babel  # type: ignore[import-untyped]

from lrs.web import claims, downloads, errors, front, inbox, instansi, language, pages, session, templating  # noqa: F401  (each adds to bp)
from lrs.web.blueprint import bp, csrf
from lrs.web.throttle import LoginThrottle

log = logging.getLogger(__name__)
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def _secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    app.config["SECRET_KEY"] = secrets.token_hex(32)
    log.warning("LRS_SECRET_KEY is not set: web sessions are signed with a key made for this process, "
                "so they end when it restarts and another process does not know them. Set LRS_SECRET_KEY.")


def register(app: Flask) -> None:
    _secret_key(app)
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_MINUTES"])
    # CSRFProtect checks nothing by itself: the web blueprint calls it before each of its views.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    # A token lasts as long as the session that holds it (LRS_SESSION_MINUTES), not an hour.
    app.config["WTF_CSRF_TIME_LIMIT"] = None
    csrf.init_app(app)
    Babel(app, locale_selector=language.selected, default_locale=language.DEFAULT,
          default_translation_directories=str(TRANSLATIONS))
    app.extensions["lrs.web.throttle"] = LoginThrottle(
        app.config["LOGIN_FAILURES_PER_USERNAME"], app.config["LOGIN_FAILURES_PER_ADDRESS"],
        app.config["LOGIN_WINDOW_MINUTES"] * 60)
    app.register_blueprint(bp)
    app.register_blueprint(front.bp)
