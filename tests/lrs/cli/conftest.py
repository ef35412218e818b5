"""Another empty store, SQLite or PostgreSQL, to import an export into."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.fixtures.databases import PG_URL, PgSchema, SqliteTemplate


@pytest.fixture(scope="module")
def other_pg() -> Iterator[PgSchema]:
    """A second PostgreSQL store to import into."""
    schema = PgSchema(PG_URL)
    yield schema
    schema.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request: pytest.FixtureRequest, sqlite_template: SqliteTemplate) -> Iterator[str]:
    """The URL of another empty, migrated store."""
    if request.param == "sqlite":
        yield sqlite_template.fresh_url()
    else:
        pg: PgSchema = request.getfixturevalue("other_pg")
        yield pg.url
        pg.empty()
