"""create_app(): configuration, store, error mapping and blueprints. Nothing is built at import."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask
from sqlalchemy import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from lrs import api, ops, reports_api, web
from lrs.config import DefaultConfig
from lrs.read.credentials import Authenticator
from lrs.store.engine import make_engine
from lrs.write.checkpoints import Checkpointer, read_key
from projections.projector import Projector
from projections.replays import Replays
from projections import runner, snapshots
from projections.snapshots import Snapshots


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object(DefaultConfig)
    app.config.from_prefixed_env("LRS")  # LRS_DATABASE_URL=postgresql+psycopg://...
    app.config.update(overrides or {})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["lrs.engine"] = engine
    if app.config["READ_DATABASE_URL"]:
        app.extensions["lrs.read_engine"] = make_engine(app.config["READ_DATABASE_URL"])
    app.extensions["lrs.authenticator"] = Authenticator(
        engine, app.config["AUTH_CACHE_SECONDS"], failure_limit=app.config["AUTH_FAILURE_LIMIT"],
        failure_window=app.config["AUTH_FAILURE_WINDOW_SECONDS"],
    )
    app.extensions["lrs.replays"] = Replays(engine, app.config["AS_OF_REPLAYS_KEPT"])
    keep = Snapshots(int(app.config["SNAPSHOT_EVERY"]), int(app.config["SNAPSHOTS_KEPT"]))
    snapshots.configure(engine, keep)  # every catch-up on it: the projector's and those run in a request
    projector = (Projector(engine, float(app.config["PROJECT_GATHER_SECONDS"]), keep=keep)
                 if app.config["PROJECT_IN_BACKGROUND"] else None)
    if projector is not None:  # a request's catch-up leaves a large fan-out of figures to its thread
        runner.hand_off(engine, projector.more)
    app.extensions["lrs.projector"] = projector
    app.extensions["lrs.checkpointer"] = _checkpointer(app, engine)
    api.register(app)
    reports_api.register(app)
    web.register(app)
    ops.register(app)
    app.url_map.strict_slashes = False
    if app.config["TRUSTED_PROXIES"]:
        proxies = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    return app


def _checkpointer(app: Flask, engine: Engine) -> Checkpointer | None:
    """The signing thread, when the server has a key and an interval. It starts on the first
    request, so in a gunicorn worker after the fork (a thread does not survive one)."""
    every = float(app.config["CHECKPOINT_SECONDS"])
    if not app.config["SIGNING_KEY_FILE"] or every <= 0:
        return None
    checkpointer = Checkpointer(engine, read_key(str(app.config["SIGNING_KEY_FILE"])), every)
    app.before_request(checkpointer.start)
    return checkpointer
