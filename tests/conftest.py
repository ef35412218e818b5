"""Fixtures: database (SQLite and PostgreSQL) -> engine -> app -> client, as in flaskr."""
from __future__ import annotations

import logging
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from tests.fixtures.builders import add_credential
from tests.fixtures.databases import PG_URL, PgSchema, SqliteTemplate


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[PgSchema]:
    schema = PgSchema(PG_URL)
    yield schema
    schema.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    if backend == "sqlite":
        yield request.getfixturevalue("sqlite_template").fresh_url()
    else:
        pg: PgSchema = request.getfixturevalue("pg_schema")
        yield pg.url
        pg.empty()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    from lrs.store.engine import make_engine

    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    from lrs.app import create_app

    # Statements fold in the request here, so a test reads its reports right after a POST;
    # tests/projections/test_projector.py covers the background projector a server uses.
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "MAX_CONTENT_LENGTH": 1_000_000,
                      "PROJECT_IN_BACKGROUND": False})
    yield app
    app.extensions["lrs.replays"].close()
    app.extensions["lrs.engine"].dispose()


@pytest.fixture
def auth(engine: Engine) -> dict[str, str]:
    """Headers of a credential with scope `all`."""
    return add_credential(engine, "tester", "s3cret", ["all"])


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def root_logging() -> Iterator[logging.Logger]:
    """The root logger without a server's JSON handler (lrs/ops/logs.py configure), put back as it
    was after the test: a test that starts a server's worker leaves the process's logging alone."""
    from lrs.ops.logs import JsonFormatter

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    root.handlers[:] = [h for h in handlers if not isinstance(h.formatter, JsonFormatter)]
    yield root
    root.setLevel(level)
    root.handlers[:] = handlers
