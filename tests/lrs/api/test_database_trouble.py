"""A database that cannot be reached, or has no room left: 503 (507 for a full disk) with
Retry-After and a JSON body, nothing acknowledged lost, and recovery without a restart."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy.exc
from flask import Flask
from sqlalchemy import event

from lrs.app import create_app
from tests.fixtures.builders import add_credential, basic, make_statement

HEADERS = basic("tester", "s3cret")


def _app(url: str) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": url, "PROJECT_IN_BACKGROUND": False})


@pytest.fixture
def unreachable_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgresql":
        return "postgresql+psycopg://postgres@127.0.0.1:1/test"  # nothing listens on port 1
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'lrs.sqlite'}"  # cannot be opened


@pytest.fixture
def unreachable(unreachable_url: str) -> Iterator[Flask]:
    app = _app(unreachable_url)
    yield app
    app.extensions["lrs.replays"].close()
    app.extensions["lrs.engine"].dispose()


def _assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["error"] == "ServiceUnavailable"
    assert "database" in response.get_json()["message"]


def test_unreachable_database_is_503_with_retry_after(unreachable: Flask) -> None:
    client = unreachable.test_client()
    _assert_unavailable(client.get("/xapi/statements", headers=HEADERS))
    _assert_unavailable(client.post("/xapi/statements", json=make_statement(), headers=HEADERS))
    assert client.get("/xapi/about").status_code == 200  # needs no database


@pytest.fixture
def small_disk(database_url: str, backend: str) -> Iterator[tuple[Flask, dict[str, bool]]]:
    """An app on SQLite whose database may not grow while `full["on"]`: a full disk."""
    app = _app(database_url)
    full = {"on": False}

    @event.listens_for(app.extensions["lrs.engine"], "checkout")
    def cap(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages if full['on'] else 2**30}")
        cursor.close()

    yield app, full
    app.extensions["lrs.replays"].close()
    app.extensions["lrs.engine"].dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_full_disk_is_507_and_loses_nothing_acknowledged(small_disk, engine) -> None:
    app, full = small_disk
    add_credential(engine, "tester", "s3cret", ["all"])
    client = app.test_client()
    [kept] = client.post("/xapi/statements", json=make_statement(), headers=HEADERS).get_json()
    full["on"] = True
    big = [make_statement(result={"response": "x" * 5000}) for _ in range(50)]
    response = client.post("/xapi/statements", json=big, headers=HEADERS)
    assert response.status_code == 507
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["error"] == "InsufficientStorage"
    full["on"] = False  # room again: no restart needed
    listed = client.get("/xapi/statements", headers=HEADERS).get_json()["statements"]
    assert [s["id"] for s in listed] == [kept]
    assert client.post("/xapi/statements", json=big, headers=HEADERS).status_code == 200


def test_postgresql_disk_full_is_507(app: Flask, auth) -> None:
    """PostgreSQL reports a full disk as SQLSTATE 53100 (disk_full)."""
    import psycopg.errors

    @app.get("/test-disk-full")
    def disk_full() -> str:
        raise sqlalchemy.exc.OperationalError(
            "INSERT", {}, psycopg.errors.DiskFull("could not extend file: No space left on device"))

    response = app.test_client().get("/test-disk-full", headers=auth)
    assert response.status_code == 507
    assert int(response.headers["Retry-After"]) > 0


def test_connection_lost_midway_is_503(app: Flask, auth) -> None:
    @app.get("/test-closed")
    def closed() -> str:
        raise sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("connection already closed"))

    _assert_unavailable(app.test_client().get("/test-closed", headers=auth))
