"""Browser fixtures: a real `lrs serve` (gunicorn, two workers) on a fresh SQLite database, and
Playwright driving Debian's Chromium (`apt-get install chromium`; Playwright's own browser
download is not reachable here). Without Chromium the tests fail, never skip."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import Engine

from lrs.store.engine import make_engine
from tests.e2e.conftest import LiveServer
from tests.fixtures.databases import SqliteTemplate

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def web_database(sqlite_template: SqliteTemplate) -> str:
    return sqlite_template.fresh_url()


@pytest.fixture
def web_engine(web_database: str) -> Iterator[Engine]:
    engine = make_engine(web_database)
    yield engine
    engine.dispose()


@pytest.fixture
def web_server(web_database: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(web_database, tmp_path / "server.log").start()
    yield server
    code = server.terminate()
    assert code == 0, server.stderr()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed: apt-get install -y chromium (.ci/run does it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium)
        yield launched
        launched.close()
