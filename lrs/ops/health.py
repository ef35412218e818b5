"""/health and /ready, for a load balancer or an orchestrator: no credentials, no xAPI version
header, JSON. /health says the process answers; /ready that it can serve: the database answers,
its schema is the newest, and no projection is more than LRS_READY_MAX_LAG events behind the log.
With a read replica (LRS_READ_DATABASE_URL) it also says how many events the replica is behind
the primary, or that it cannot be reached: reads then go to the primary, so the server is still
ready."""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from lrs.store import failures
from lrs.store.schema import current_revision, head_revision
from lrs.api.context import primary
from lrs.api.routing import replica
from lrs.read import freshness
from projections import runner

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
# A probe must see the state now, never a copy a cache kept.
NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/health")
def health() -> ResponseReturnValue:
    return {"status": "up"}, 200, NO_STORE


@bp.get("/ready")
def ready() -> ResponseReturnValue:
    limit = int(current_app.config["READY_MAX_LAG"])
    body: dict[str, Any] = {"status": "ready", "database": "reachable", "schema": "current",
                            "projection_lag": None, "projection_lag_limit": limit}
    not_ready = _check(primary(), limit, body)
    if (read_from := replica()) is not None and not not_ready:
        body["replica"] = _replica(primary(), read_from)
    if not not_ready:
        return body, 200, NO_STORE
    body.update(status="not ready", not_ready=not_ready)
    return body, 503, {**NO_STORE, "Retry-After": str(failures.RETRY_AFTER_SECONDS)}


def _check(engine: Engine, limit: int, body: dict[str, Any]) -> list[str]:
    """What keeps the server from being ready, each naming its part; fills in `body`."""
    try:
        revision = current_revision(engine)
        if revision != head_revision():
            body["schema"] = "missing" if revision is None else "old"
            return [f"schema: the database is at revision {revision or '(none)'}, not the newest "
                    f"{head_revision()}; run `lrs db upgrade`"]
        lag = max((behind for _name, _seq, behind in runner.status(engine)), default=0)
    except DBAPIError as exc:
        # The driver's words may name hosts and users: the log has them, the public answer not.
        log.warning("not ready: the database did not answer: %s", failures.first_line(exc))
        body.update(database="unreachable", schema="unknown")
        return ["database: it cannot be reached or did not answer; the server log says why"]
    body["projection_lag"] = lag
    if lag > limit:
        return [f"projections: {lag} events behind the log, more than LRS_READY_MAX_LAG ({limit})"]
    return []


def _replica(primary: Engine, read_from: Engine) -> dict[str, Any]:
    try:
        behind = freshness.position_of(primary).seq - freshness.position_of(read_from).seq
    except DBAPIError as exc:
        log.warning("the read replica did not answer: %s", failures.first_line(exc))
        return {"status": "unreachable: reads go to the primary"}
    return {"status": "reachable", "events_behind": max(behind, 0)}
