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
    activities, agent_names, documents, figure_work, jp_figures, metadata, projection_checkpoints, statement_targets,
    statements,
)

Row = dict[str, Any]
CACHE_KB = 32_768  # the scratch file's page cache: its indexes are written in random order

# Each read model folded from the log and rebuilt in the scratch file to be compared: its table
# and the columns it is ordered by (its primary key; every column where rows have none, so
# equal rows sit together). `statements`, `statement_agents` and `statement_activities` are
# compared by digests instead (model_digests.py); the scratch file holds `statements` rows only
# for the StatementRef closure.
STATEMENT_MODELS: tuple[tuple[Table, tuple[str, ...]], ...] = (
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
    if key[0] == "seq" and len(key) > 1:
        yield from _by_seq(conn, table, key, batch)
        return
    sqlite = is_sqlite(conn)
    order = [table.c[c] if sqlite or not isinstance(table.c[c].type, (String, Text)) else table.c[c].collate("C")
             for c in key]
    for row in conn.execution_options(yield_per=batch).execute(select(table).order_by(*order)):
        yield dict(row._mapping)


def _by_seq(conn: Connection, table: Table, key: tuple[str, ...], batch: int) -> Iterator[Row]:
    """The index rows of a statement, read in the order of its seq index and sorted by the rest
    of the key here: the database need not sort the whole table (millions of rows) for it."""
    group: list[Row] = []
    for found in conn.execution_options(yield_per=batch).execute(select(table).order_by(table.c.seq)):
        row = dict(found._mapping)
        if group and group[0]["seq"] != row["seq"]:
            yield from sorted(group, key=lambda r: tuple(r[c] for c in key))
            group = []
        group.append(row)
    yield from sorted(group, key=lambda r: tuple(r[c] for c in key))


def scratch(path: Path) -> Engine:
    """A new SQLite file at `path` holding empty read-model tables (no log: a rebuild reads the
    log of the database it checks). It is thrown away after, so it never waits for the disk."""
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def fast(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=OFF")
        dbapi_connection.execute(f"PRAGMA cache_size=-{CACHE_KB}")

    tables = [statements, *(t for t, _ in (*STATEMENT_MODELS, *PROJECTION_MODELS, FIGURES))]
    # Computing figures also keeps their roll-ups, claim and competency rows and snapshots: they are
    # made here too, though only jp_figures is compared (lrs verify --figures checks the rest).
    companions = [metadata.tables[name] for name in ("rollups", "rollup_parts", "rollup_years", "claim_figures",
                                                     "competency_profiles", "competency_figures", "snapshots",
                                                     "snapshot_parts")]
    metadata.create_all(engine, tables=[*tables, *companions, figure_work, projection_checkpoints])
    with engine.begin() as conn:
        for index in UNREAD:
            conn.exec_driver_sql(f"DROP INDEX {index}")
    return engine


# Indexes of the statement read model that only GET /statements reads: a rebuild writes them
# for nothing (the writes themselves look statements up by id, voiding target and target).
UNREAD = ("ix_statements_stored_ms", "ix_statements_verb", "ix_statements_registration", "ix_statements_authority")
