"""/health and /ready answer without credentials or the xAPI version header, in JSON; /ready
names what keeps the server from serving: the database, its schema, the projections' lag."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Engine

from lrs.app import create_app
from lrs.store import schema
from lrs.store.engine import make_engine
from lrs.write.statements import record_statements
from tests.fixtures.builders import make_statement

AUTHORITY = {"objectType": "Agent", "mbox": "mailto:lms@example.go.id"}


def _app(url: str, **config: object) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "PROJECT_IN_BACKGROUND": False, **config})
    yield app
    app.extensions["lrs.replays"].close()
    app.extensions["lrs.engine"].dispose()


@pytest.fixture
def unreachable(backend: str, tmp_path: Path) -> Iterator[Flask]:
    if backend == "postgresql":
        url = "postgresql+psycopg://postgres:hunter2@127.0.0.1:1/test"  # nothing listens on port 1
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'lrs.sqlite'}"
    yield from _app(url)


def test_health_answers_without_credentials_or_version_header(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "up"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "X-Experience-API-Version" not in response.headers


def test_health_needs_no_database(unreachable: Flask) -> None:
    assert unreachable.test_client().get("/health").status_code == 200


def test_ready_on_a_current_database_is_200(client) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "database": "reachable", "schema": "current",
                                   "projection_lag": 0, "projection_lag_limit": 10_000}


def test_ready_without_the_database_is_503_naming_it(unreachable: Flask) -> None:
    response = unreachable.test_client().get("/ready")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["database"] == "unreachable"
    assert [p.split(":")[0] for p in body["not_ready"]] == ["database"]
    assert "hunter2" not in response.get_data(as_text=True)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_ready_on_an_old_schema_is_503_naming_the_revisions(database_url: str, tmp_path: Path) -> None:
    copy = tmp_path / "old.sqlite"
    shutil.copyfile(database_url.removeprefix("sqlite:///"), copy)
    engine = make_engine(f"sqlite:///{copy}")
    head = schema.head_revision()
    [previous] = [r.down_revision for r in ScriptDirectory.from_config(schema._config()).walk_revisions()
                  if r.revision == head]
    with engine.begin() as conn:
        config = schema._config()
        config.attributes["connection"] = conn
        command.stamp(config, str(previous))
    engine.dispose()
    for app in _app(f"sqlite:///{copy}"):
        response = app.test_client().get("/ready")
        assert response.status_code == 503
        body = response.get_json()
        assert body["schema"] == "old"
        [problem] = body["not_ready"]
        assert problem.startswith("schema:") and str(previous) in problem and str(head) in problem
        assert "lrs db upgrade" in problem


def test_ready_on_an_empty_database_is_503(tmp_path: Path) -> None:
    for app in _app(f"sqlite:///{tmp_path / 'empty.sqlite'}"):
        body = app.test_client().get("/ready").get_json()
        assert body["schema"] == "missing"
        assert body["not_ready"][0].startswith("schema: the database is at revision (none)")


def test_ready_while_projections_lag_past_the_limit_is_503(database_url: str, engine: Engine) -> None:
    record_statements(engine, [make_statement(), make_statement()], authority=AUTHORITY, project=False)
    for app in _app(database_url, READY_MAX_LAG=1):
        response = app.test_client().get("/ready")
        assert response.status_code == 503
        body = response.get_json()
        assert body["projection_lag"] == 2
        assert body["not_ready"] == [
            "projections: 2 events behind the log, more than LRS_READY_MAX_LAG (1)"]
    for app in _app(database_url, READY_MAX_LAG=2):
        assert app.test_client().get("/ready").status_code == 200


def test_the_lag_limit_is_read_from_the_environment(database_url: str, monkeypatch) -> None:
    monkeypatch.setenv("LRS_READY_MAX_LAG", "7")
    for app in _app(database_url):
        assert app.test_client().get("/ready").get_json()["projection_lag_limit"] == 7
