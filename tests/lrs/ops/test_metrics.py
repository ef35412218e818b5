"""/metrics: Prometheus text without credentials; requests by resource and status, latency, the
append lock's wait, statements stored, projection lag, kept replays; summed over processes in
multiprocess mode (as gunicorn's workers count)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from tests.fixtures.builders import make_statement


def _samples(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True)) for s in family.samples}


def test_scrape_needs_no_credentials_nor_version_header(client: FlaskClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "X-Experience-API-Version" not in response.headers
    assert b"lrs_database_up 1.0" in response.data


def test_counters_move_after_requests(client: FlaskClient, auth: dict[str, str]) -> None:
    before = _samples(client)
    posted = client.post("/xapi/statements", json=[make_statement(), make_statement()], headers=auth)
    assert posted.status_code == 200
    assert client.get("/xapi/statements", headers=auth).status_code == 200
    assert client.get("/xapi/statements?limit=x", headers=auth).status_code == 400
    after = _samples(client)
    post = ("lrs_http_requests_total", (("method", "POST"), ("resource", "/xapi/statements"), ("status", "200")))
    bad = ("lrs_http_requests_total", (("method", "GET"), ("resource", "/xapi/statements"), ("status", "400")))
    assert after[post] - before.get(post, 0) == 1
    assert after[bad] - before.get(bad, 0) == 1
    assert after[("lrs_statements_stored_total", ())] - before[("lrs_statements_stored_total", ())] == 2
    stored = ("lrs_events_appended_total", (("type", "statement.stored"),))
    assert after[stored] == 2
    waits = ("lrs_append_lock_wait_seconds_count", ())
    assert after[waits] - before[waits] >= 1
    latency = ("lrs_http_request_duration_seconds_count", (("method", "GET"), ("resource", "/xapi/statements")))
    assert after[latency] == 2
    assert after[("lrs_asof_replays_kept", ())] == 0


def test_projection_lag_counts_events_not_folded(client: FlaskClient, auth: dict[str, str], app) -> None:
    from lrs.store.engine import writing
    from lrs.store import log
    from lrs.events import EventDraft
    from datetime import datetime, timezone

    with writing(app.extensions["lrs.engine"]) as conn:  # an event no projection folded yet
        log.append(conn, [EventDraft("statement.stored", {"id": "x"})], datetime.now(timezone.utc))
    lags = {labels: value for (name, labels), value in _samples(client).items() if name == "lrs_projection_lag_events"}
    assert lags and set(lags.values()) == {1}


def test_an_unknown_path_is_counted_under_one_label(client: FlaskClient) -> None:
    assert client.get("/no/such/place/12345", headers={"X-Experience-API-Version": "1.0.3"}).status_code == 404
    samples = _samples(client)
    assert samples[("lrs_http_requests_total", (("method", "GET"), ("resource", "(unmatched)"), ("status", "404")))] == 1
    assert not any("12345" in str(labels) for _name, labels in samples)


def test_as_of_replays_kept_is_reported(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post("/xapi/statements", json=make_statement(), headers=auth)
    client.get("/api/v1/pegawai/199001012020011001/jp?year=2026&as_of=1", headers=auth)
    assert _samples(client)[("lrs_asof_replays_kept", ())] == 1


SERVE = textwrap.dedent("""
    import sys
    from lrs.app import create_app
    from tests.fixtures.builders import basic, make_statement
    app = create_app({"TESTING": True, "DATABASE_URL": sys.argv[1], "PROJECT_IN_BACKGROUND": False})
    client = app.test_client()
    if sys.argv[2] == "post":
        assert client.post("/xapi/statements", json=make_statement(), headers=basic("tester", "s3cret")).status_code == 200
    else:
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
""")


def test_processes_sharing_a_metrics_folder_are_summed(database_url: str, auth: dict[str, str], tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _worker in range(2):
        subprocess.run([sys.executable, "-c", SERVE, database_url, "post"], env=env, check=True)
    scraped = subprocess.run([sys.executable, "-c", SERVE, database_url, "scrape"], env=env, check=True,
                             capture_output=True, text=True).stdout
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(scraped) for s in family.samples}
    assert samples[("lrs_statements_stored_total", ())] == 2
    post = ("lrs_http_requests_total", (("method", "POST"), ("resource", "/xapi/statements"), ("status", "200")))
    assert samples[post] == 2
    assert samples[("lrs_database_up", ())] == 1


def test_the_server_prepares_an_empty_metrics_folder(tmp_path: Path, monkeypatch) -> None:
    from lrs import server

    (tmp_path / "counter_123.db").write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    server._metrics_folder()
    assert list(tmp_path.iterdir()) == []


def test_a_scrape_without_the_database_says_so(tmp_path: Path) -> None:
    from lrs.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'no-such-folder' / 'lrs.sqlite'}"})
    try:
        samples = _samples(app.test_client())
    finally:
        app.extensions["lrs.engine"].dispose()
    assert samples[("lrs_database_up", ())] == 0
    assert not any(name == "lrs_projection_lag_events" for name, _labels in samples)
