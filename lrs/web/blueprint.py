"""The one blueprint of the people's pages (/app/), shared by the modules that add its views, and
the CSRF check before each of them (Flask-WTF; CSRFProtect.init_app binds it to each app)."""
from __future__ import annotations

from flask import Blueprint, current_app
from flask_wtf.csrf import CSRFProtect  # type: ignore[import-untyped]

from lrs.web import language

bp = Blueprint("web", __name__, url_prefix="/app", template_folder="templates", static_folder="static")
csrf = CSRFProtect()



def check_csrf() -> None:
    """Every POST of the blueprint carries its form's token (400 otherwise); no other blueprint
    is checked (the app sets WTF_CSRF_CHECK_DEFAULT off), so xAPI clients never need one."""
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


bp.before_request(language.remember_choice)
bp.before_request(check_csrf)
