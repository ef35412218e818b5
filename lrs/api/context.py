"""What a request handler reads from the app: its engine and its kept as-of replays (built by
create_app, lrs/app.py). One place for every entrypoint: xAPI, /api/v1 and the web pages."""
from __future__ import annotations

from flask import current_app, g
from sqlalchemy import Engine

from lrs.api import routing
from projections.replays import Replays


def engine() -> Engine:
    """The request's database: the primary, or for a read the replica when one is configured and
    has replayed what the request must see (lrs/api/routing.py). Chosen once per request."""
    found: Engine | None = g.get("lrs_engine")
    if found is None:
        found = g.lrs_engine = routing.choose()
    return found


def primary() -> Engine:
    """The primary, whatever the request: credentials, and anything a read must not miss."""
    return routing.primary()


def replays() -> Replays:
    found: Replays = current_app.extensions["lrs.replays"]
    return found
