"""Engines and transactions: SQLite pragmas and BEGIN IMMEDIATE, PostgreSQL table locks."""
from __future__ import annotations

import functools
import re
import time
from contextlib import contextmanager
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy import (
    Boolean, Column, ColumnElement, Connection, Dialect, Engine, Integer, String, Table, any_, bindparam, create_engine,
    event, insert,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from lrs.store import hooks


def normalize_url(url: str) -> str:
    """Let users write postgresql:// and still get psycopg 3 (SQLAlchemy defaults to psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        connect_args = {"timeout": 60, **kwargs.pop("connect_args", {})}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below): pysqlite's implicit transactions would defer the
        # write lock until the first INSERT, after we already read the chain head.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(conn_or_engine: Connection | Engine) -> bool:
    return conn_or_engine.dialect.name == "sqlite"


def one_of(conn: Connection, column: Column[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values`. PostgreSQL: `= ANY(one array parameter)`, a short statement that
    SQLAlchemy and psycopg convert once and keep; an IN list of hundreds of parameters is new
    text to them each time (psycopg parses it again for every batch of an append)."""
    if is_sqlite(conn):
        return column.in_(values)
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows in the caller's transaction. PostgreSQL: one INSERT of the columns as
    arrays (`unnest`), one round trip (COPY needs two, and psycopg's executemany one statement
    per row), which a `pipelined()` block sends along with the statements around it; SQLite:
    the driver's executemany, which is already a tight C loop."""
    if not rows:
        return
    if is_sqlite(conn):
        if (plain := _plain_insert(table)) is None:
            conn.execute(insert(table), list(rows))
            return
        names, sql = plain
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with _as_sqlalchemy_errors(conn, sql):
            cursor.executemany(sql, [[row.get(name) for name in names] for row in rows])
        cursor.close()
        return
    names, sql = _unnest_insert(table, conn.dialect)
    with _as_sqlalchemy_errors(conn, sql):
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(sql, [[row.get(name) for row in rows] for name in names])


@functools.lru_cache(maxsize=128)
def _plain_insert(table: Table) -> tuple[list[str], str] | None:
    """SQLite: the INSERT a table's rows can go through the driver with, without SQLAlchemy
    binding each row's dict again (most of a replay's saving time), when every column is text,
    an integer or a boolean (which sqlite3 stores as SQLAlchemy does) with no default of its own;
    else None."""
    if any(not isinstance(c.type, (String, Integer, Boolean)) or c.default is not None or c.server_default is not None
           for c in table.columns):
        return None
    names = [c.name for c in table.columns]
    return names, f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"


_MODIFIERS = re.compile(r' COLLATE "[^"]*"|\(\d+(, *\d+)?\)')


@functools.lru_cache(maxsize=128)
def _unnest_insert(table: Table, dialect: Dialect) -> tuple[list[str], str]:
    names = [c.name for c in table.columns]
    # Binary parameters: psycopg escapes text arrays slowly. Cast to the bare type: an explicit
    # cast to VARCHAR(36) would cut a longer value where the column's own (assignment) cast
    # refuses it, as COPY did; the column's collation applies.
    arrays = ", ".join(f"%b::{_MODIFIERS.sub('', c.type.compile(dialect=dialect))}[]" for c in table.columns)
    return names, f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})"


@contextmanager
def pipelined(conn: Connection) -> Iterator[None]:
    """PostgreSQL: the writes of the block go out together and their results come back
    together at its end (psycopg's pipeline mode), one round trip instead of one per
    statement; an error surfaces at the latest when the block ends. Only statements whose
    results the block does not read may run in it (SQLAlchemy cannot read rows in pipeline
    mode). SQLite: nothing to save, the block just runs."""
    if is_sqlite(conn):
        yield
        return
    with _as_sqlalchemy_errors(conn, "(pipelined writes)"):
        with conn.connection.driver_connection.pipeline():  # type: ignore[union-attr]
            yield


@contextmanager
def _as_sqlalchemy_errors(conn: Connection, statement: str) -> Iterator[None]:
    """Errors of the driver, used directly, raised as SQLAlchemy raises them (DBAPIError and
    its kinds, which lrs/store/failures.py maps to 503 or 400), the connection invalidated when
    it was lost, as SQLAlchemy does for the statements it runs."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as exc:
        lost = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        if lost:
            conn.invalidate(exc)
        raise DBAPIError.instance(statement, None, exc, dbapi.Error, connection_invalidated=lost,
                                  dialect=conn.dialect) from exc


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that may append to the log: writers are serialized from its first statement.

    The chain needs the previous hash, and a reader tailing by seq must never see seq 11
    committed before seq 10, so only one appending transaction runs at a time. SQLite:
    BEGIN IMMEDIATE takes the database write lock. PostgreSQL: EXCLUSIVE mode on `events`
    blocks other writers but not plain SELECTs. The wait for that lock goes to the engine's
    hooks (lrs/store/hooks.py), when it has some.
    """
    observed = hooks.of(engine)
    with engine.connect() as conn:
        if is_sqlite(conn):
            conn.execution_options(sqlite_begin="IMMEDIATE")
        asked = time.perf_counter()
        with conn.begin():  # SQLite: BEGIN IMMEDIATE runs here, waiting for the lock
            if not is_sqlite(conn):
                conn.exec_driver_sql("LOCK TABLE events IN EXCLUSIVE MODE")
            if observed is not None:
                observed.lock_waited(time.perf_counter() - asked)
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction: one consistent snapshot on both databases."""
    with engine.connect() as conn:
        with conn.begin():
            if not is_sqlite(conn):
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield conn
