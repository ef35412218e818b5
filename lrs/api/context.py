"""What a request handler reads from the app: its engine and its kept as-of replays (built by
create_app, lrs/app.py). One place for every entrypoint: xAPI, /api/v1 and the web pages."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import Engine

from projections.replays import Replays


def engine() -> Engine:
    found: Engine = current_app.extensions["lrs.engine"]
    return found


def replays() -> Replays:
    found: Replays = current_app.extensions["lrs.replays"]
    return found
