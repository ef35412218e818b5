"""Every read model's rows in the order of its key, the same order on SQLite and PostgreSQL,
and the scratch SQLite file a rebuild of them goes into: what `lrs verify` compares, table by
table, to tell a row edited, added or removed by hand (lrs/read/model_checks.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Connection, Engine, String, Table, Text, event, select

from lrs.store.engine import is_sqlite, make_engine
from lrs.store.read_models import TABLES
from lrs.store.tables import (
    activities, agent_names, documents, figure_work, jp_figures, metadata, projection_checkpoints,
    statement_activities, statement_agents, statement_targets, statements,
)

Row = dict[str, Any]

# Each read model folded from the log: its table and the columns it is ordered by (its primary
# key; every column where rows have none, so equal rows sit together).
STATEMENT_MODELS: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (statements, ("seq",)),
    (statement_agents, ("seq", "ifi", "direct")),
    (statement_activities, ("seq", "activity_id", "direct")),
    (statement_targets, ("seq", "target_id")),
    (documents, ("key",)),
    (activities, ("id",)),
    (agent_names, ("ifi", "name")),
)
PROJECTION_MODELS: tuple[tuple[Table, tuple[str, ...]], ...] = tuple(TABLES[name] for name in sorted(TABLES))
FIGURES: tuple[Table, tuple[str, ...]] = (jp_figures, ("nip", "year"))


def in_key_order(conn: Connection, table: Table, key: tuple[str, ...], *, batch: int = 5000) -> Iterator[Row]:
    """Every row of `table` ordered by `key`, read `batch` rows at a time (a server-side cursor
    on PostgreSQL). Text sorts by code point on both databases (SQLite's BINARY collation,
    PostgreSQL's "C", whatever the database's own collation), as Python compares str."""
    sqlite = is_sqlite(conn)
    order = [table.c[c] if sqlite or not isinstance(table.c[c].type, (String, Text)) else table.c[c].collate("C")
             for c in key]
    for row in conn.execution_options(yield_per=batch).execute(select(table).order_by(*order)):
        yield dict(row._mapping)


def scratch(path: Path) -> Engine:
    """A new SQLite file at `path` holding empty read-model tables (no log: a rebuild reads the
    log of the database it checks). It is thrown away after, so it never waits for the disk."""
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def fast(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    tables = [t for t, _ in (*STATEMENT_MODELS, *PROJECTION_MODELS, FIGURES)]
    metadata.create_all(engine, tables=[*tables, figure_work, projection_checkpoints])
    return engine
