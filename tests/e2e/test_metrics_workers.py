"""/metrics of a real `lrs serve` with several gunicorn workers: whichever worker answers a
scrape, it counts the requests and statements of all of them (prometheus_client multiprocess
mode, set up by lrs/server.py)."""
from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import LiveServer
from tests.fixtures.builders import make_statement

pytestmark = pytest.mark.slow
POSTS = 8


def _scrape(server: LiveServer) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {s.name + str(sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_every_scrape_sums_all_workers(lrs_servers, tmp_path: Path) -> None:
    server: LiveServer = lrs_servers(env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}, workers=3)
    for _ in range(POSTS):  # a new connection each: gunicorn hands them to whichever worker accepts
        assert server.request("POST", "statements", make_statement()).status == 200
    posted = "lrs_http_requests_total[('method', 'POST'), ('resource', '/xapi/statements'), ('status', '200')]"
    for _ in range(6):
        samples = _scrape(server)
        assert samples["lrs_statements_stored_total[]"] == POSTS
        assert samples[posted] == POSTS
    assert any((tmp_path / "metrics").glob("counter_*.db"))


def test_without_a_metrics_folder_the_server_makes_one(live_server: LiveServer) -> None:
    for _ in range(3):
        assert live_server.request("POST", "statements", make_statement()).status == 200
    for _ in range(3):
        assert _scrape(live_server)["lrs_statements_stored_total[]"] == 3
