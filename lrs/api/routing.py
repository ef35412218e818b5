"""Which database a request reads: the primary (DATABASE_URL), or for a GET or HEAD a PostgreSQL
streaming replica (READ_DATABASE_URL) once it has replayed what the request must see.

What a request must see is the last write its client made, when it says so: every successful
write answers `X-Jejak-Seq` (the log position after it), and a read sending that value back as
`X-Jejak-Read-After` sees the write (the web pages do it for the person through their session).
A read waits up to READ_REPLICA_WAIT_MS for the replica to replay that position, then reads the
primary. A replica that cannot be reached is passed over for the primary too. Reads on the
replica answer `X-Jejak-Read-From: replica`, with `X-Jejak-Seq` the position they show, and
`X-Experience-API-Consistent-Through` the stored time of that position, not the clock."""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, request, session
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from lrs.read import freshness
from lrs.store.replication import Position

READ_AFTER = "X-Jejak-Read-After"
SEQ = "X-Jejak-Seq"
READ_FROM = "X-Jejak-Read-From"
READS = ("GET", "HEAD")
SESSION_KEY = "read_after"  # the web session's last write

log = logging.getLogger(__name__)


def primary() -> Engine:
    found: Engine = current_app.extensions["lrs.engine"]
    return found


def replica() -> Engine | None:
    found: Engine | None = current_app.extensions.get("lrs.read_engine")
    return found


def _wanted() -> int:
    """The log position this read must see: the client's X-Jejak-Read-After (digits; anything
    else is ignored, as a hint cannot be wrong), and the web session's last write."""
    raw = request.headers.get(READ_AFTER, "").strip()
    wanted = int(raw) if raw.isdigit() and len(raw) <= 18 else 0
    if request.blueprint == "web":
        wanted = max(wanted, int(session.get(SESSION_KEY, 0)))
    return wanted


def choose() -> Engine:
    """The engine for this request (chosen once; lrs/api/context.py engine() keeps it)."""
    found = replica()
    if found is None or request.method not in READS:
        return primary()
    wait = float(current_app.config["READ_REPLICA_WAIT_MS"]) / 1000
    try:
        at = freshness.caught_up(found, _wanted(), wait)
    except DBAPIError as exc:
        log.warning("the read replica is unreachable (%s); reading the primary", type(exc.orig).__name__)
        return primary()
    if at is None:
        return primary()
    g.read_position = at
    return found


def read_position() -> Position | None:
    """Where the replica this request reads stood, or None when it reads the primary."""
    found: Position | None = g.get("read_position")
    return found


def _after(response: Response) -> Response:
    if replica() is None:
        return response
    if request.method in READS:
        at = read_position()
        response.headers[READ_FROM] = "primary" if at is None else "replica"
        if at is not None:
            response.headers[SEQ] = str(at.seq)
    elif response.status_code < 400:
        head = freshness.position_of(primary()).seq
        response.headers[SEQ] = str(head)
        if request.blueprint == "web":
            session[SESSION_KEY] = head
    return response


def register(app: Flask) -> None:
    app.after_request(_after)
