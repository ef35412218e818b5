"""Signing in and out of the web pages. The login form's username and password are a credential's
key and secret, checked by the same Authenticator as HTTP Basic; the signed session cookie then
names the credential and when the session began. Each request reads the credential again (a
revocation ends its sessions at once) and refuses a session older than LRS_SESSION_MINUTES.
Failed logins are slowed per username and per client address (lrs/web/throttle.py)."""
from __future__ import annotations

import functools
import math
import time
from typing import Any, Callable, TypeVar, cast

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _  # type: ignore[import-untyped]

from lrs.errors import Unauthenticated
from lrs.read.access_web import Viewer, viewer_of
from lrs.read.credentials import Authenticator
from lrs.web.blueprint import bp
from lrs.web.forms import LoginForm
from lrs.web.throttle import LoginThrottle
from lrs.api.context import engine

CREDENTIAL, SINCE, LANG = "credential", "since", "lang"
View = TypeVar("View", bound=Callable[..., ResponseReturnValue])



def _authenticator() -> Authenticator:
    found: Authenticator = current_app.extensions["lrs.authenticator"]
    return found


def _throttle() -> LoginThrottle:
    found: LoginThrottle = current_app.extensions["lrs.web.throttle"]
    return found


def _begin(key: str) -> None:
    """A new session: nothing of the one before survives but the language (a new CSRF token too)."""
    lang = session.get(LANG)
    session.clear()
    session.permanent = True  # the cookie carries an expiry: it ends with the session
    session[CREDENTIAL] = key
    session[SINCE] = int(time.time())
    if lang is not None:
        session[LANG] = lang


def _end() -> None:
    lang = session.get(LANG)
    session.clear()
    if lang is not None:
        session[LANG] = lang


def current_viewer() -> Viewer | None:
    """The signed-in credential with its binding, or None (and the session ended) when there is
    none, it is older than LRS_SESSION_MINUTES, or the credential is revoked."""
    key, since = session.get(CREDENTIAL), session.get(SINCE)
    if key is None:
        return None
    lasts = current_app.config["SESSION_MINUTES"] * 60
    if not isinstance(since, int) or not 0 <= time.time() - since <= lasts:
        _end()
        flash(_("Your session has ended. Please log in again."), "info")
        return None
    try:
        credential = _authenticator().active(str(key))
    except Unauthenticated:
        _end()
        flash(_("Your credential is no longer valid. Please log in again."), "info")
        return None
    return viewer_of(engine(), credential)


def viewer() -> Viewer:
    """The viewer of a page behind `signed_in`."""
    found: Viewer = g.viewer
    return found


def signed_in(view: View) -> View:
    """Pages for a signed-in person; anyone else is sent to the login form, and back after it."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        found = current_viewer()
        if found is None:
            back = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("web.login", next=back))
        g.viewer = found
        return view(*args, **kwargs)
    return cast(View, wrapper)


def _next_page() -> str:
    """Where to go after logging in: a page of this app named by ?next=, else the home page."""
    wanted = request.args.get("next", "")
    if wanted.startswith("/app/") and "\\" not in wanted and not wanted.startswith("/app/login"):
        return wanted
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username, address = form.username.data, request.remote_addr or "unknown"
        wait = _throttle().wait_seconds(username, address)
        if wait > 0:
            form.form_errors.append(_("Too many failed logins. Try again in %(minutes)s minutes.",
                                      minutes=max(1, math.ceil(wait / 60))))
            status = 429
        else:
            try:
                credential = _authenticator().authenticate(username, form.password.data)
            except Unauthenticated:
                _throttle().failed(username, address)
                form.form_errors.append(_("Wrong username or password."))
            else:
                _throttle().succeeded(username)
                _begin(credential.key)
                return redirect(_next_page(), 303)
    elif request.method == "POST":
        status = 400
    return render_template("login.html", form=form, next=request.args.get("next")), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    # The blueprint checked the CSRF token already: another site cannot log a person out.
    _end()
    flash(_("You have logged out."), "info")
    return redirect(url_for("web.login"), 303)


@bp.context_processor
def page_globals() -> dict[str, Any]:
    """What every page's frame needs: who is signed in, when known."""
    return {"viewer": g.get("viewer")}
