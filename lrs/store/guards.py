"""Database-level guards: the log refuses UPDATE, DELETE (and on PostgreSQL, TRUNCATE)."""
from __future__ import annotations

from sqlalchemy import Connection

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END",
    "CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END",
]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'events are append-only: %% refused', TG_OP;
    END $$""",
    "DROP TRIGGER IF EXISTS events_no_change ON events",
    "CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events "
    "FOR EACH ROW EXECUTE FUNCTION events_append_only()",
    "DROP TRIGGER IF EXISTS events_no_truncate ON events",
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
    "FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()",
]


def install(conn: Connection) -> None:
    """Create the append-only triggers on `events` (idempotent)."""
    for sql in SQLITE if conn.dialect.name == "sqlite" else POSTGRESQL:
        conn.exec_driver_sql(sql)
