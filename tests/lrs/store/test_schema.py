"""The alembic migrations build exactly the schema lrs/store/tables.py declares."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from lrs.store.tables import metadata


def test_migrated_database_matches_the_table_declarations(engine: Engine) -> None:
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
