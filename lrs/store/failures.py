"""What a database error means for the client that caused it: the database is away (retry),
full (retry when an operator made room), or it refused a value of the request (a client error).
Every other database error is a bug and stays one."""
from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError, DataError, InterfaceError, OperationalError

from lrs.errors import BadRequest, InsufficientStorage, LrsError, ServiceUnavailable

# A server restart or a failover takes seconds: long enough for the pool to reconnect
# (pool_pre_ping), short enough that a client honouring it loses little. A full disk needs
# an operator, so clients are asked to wait longer.
RETRY_AFTER_SECONDS = 5
RETRY_AFTER_FULL_SECONDS = 60

_DISK_FULL_SQLSTATE = "53100"        # PostgreSQL disk_full
_READ_ONLY_SQLSTATE = "25006"        # read_only_sql_transaction: a standby, during a failover
_DISK_FULL_TEXT = ("database or disk is full", "no space left on device")


def first_line(exc: DBAPIError) -> str:
    """The driver's own message, first line: no SQL text, no parameters."""
    lines = str(exc.orig).strip().splitlines()
    return lines[0] if lines else type(exc.orig).__name__


def is_disk_full(exc: DBAPIError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == _DISK_FULL_SQLSTATE:
        return True
    if getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return True
    return any(text in str(orig).lower() for text in _DISK_FULL_TEXT)


def typed(exc: DBAPIError) -> LrsError | None:
    """The typed error a database error stands for, or None when it is a bug (a 500)."""
    if is_disk_full(exc):
        return InsufficientStorage(
            "the database has no space left, so this request was not stored; send it again later",
            RETRY_AFTER_FULL_SECONDS)
    if isinstance(exc, (OperationalError, InterfaceError)) or (
            getattr(exc.orig, "sqlstate", None) == _READ_ONLY_SQLSTATE):
        return ServiceUnavailable(
            "the database is unavailable; send the request again later", RETRY_AFTER_SECONDS)
    if isinstance(exc, DataError):
        return BadRequest(f"the database refused a value of this request: {first_line(exc)}")
    return None
