"""Request ids (X-Request-ID, the client's when sane), one access record per request, JSON log
lines carrying the request id, and LRS_LOG_LEVEL."""
from __future__ import annotations

import json
import logging
import re
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from lrs.cli import main
from lrs.ops import logs
from lrs.server import LrsServer
from tests.fixtures.builders import basic

GENERATED = re.compile(r"[0-9a-f]{32}")


def _access(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "lrs.access"]


@pytest.mark.parametrize("path, headers, status", [
    ("/xapi/statements", "auth", 200),
    ("/xapi/statements", {"X-Experience-API-Version": "1.0.3"}, 401),
    ("/xapi/statements?agent=%00", "auth", 400),
    ("/xapi/nothing-here", "auth", 404),
    ("/health", {}, 200),
    ("/", {}, 200),
    ("/app/login", {}, 200),
])
def test_every_response_carries_a_request_id(client: FlaskClient, auth, path, headers, status) -> None:
    response = client.get(path, headers=auth if headers == "auth" else headers)
    assert response.status_code == status
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


def test_two_requests_get_two_ids(client: FlaskClient) -> None:
    assert client.get("/health").headers["X-Request-ID"] != client.get("/health").headers["X-Request-ID"]


@pytest.mark.parametrize("sent", ["3f2c9a1e-7b4d-4c55-9e0a-1d2b3c4d5e6f", "lb-8812.a:1", "x" * 128])
def test_a_sane_client_request_id_is_kept(client: FlaskClient, sent: str) -> None:
    assert client.get("/health", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent


@pytest.mark.parametrize("sent", ["", "x" * 129, "two words", "a\tb", "naïve", "<script>"])
def test_an_odd_client_request_id_is_replaced(client: FlaskClient, sent: str) -> None:
    assert GENERATED.fullmatch(client.get("/health", headers={"X-Request-ID": sent}).headers["X-Request-ID"])


def test_each_request_has_one_access_record(client: FlaskClient, auth, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="lrs.access")
    ok = client.get("/xapi/statements?limit=1", headers={**auth, "X-Request-ID": "req-1"})
    refused = client.get("/xapi/statements", headers=basic("tester", "wrong"))
    first, second = _access(caplog)
    assert (first.method, first.path, first.status, first.request_id, first.credential) == (  # type: ignore[attr-defined]
        "GET", "/xapi/statements", 200, "req-1", "tester")
    assert first.duration_ms >= 0  # type: ignore[attr-defined]
    assert first.getMessage() == "GET /xapi/statements 200"
    assert (second.status, second.credential) == (401, None)  # type: ignore[attr-defined]
    assert second.request_id == refused.headers["X-Request-ID"] != ok.headers["X-Request-ID"]  # type: ignore[attr-defined]


def test_a_web_session_is_the_access_records_credential(client: FlaskClient, engine, caplog) -> None:
    from tests.fixtures.web import log_in, office

    office(engine)
    log_in(client, "pegawai-a")
    caplog.set_level(logging.INFO, logger="lrs.access")
    client.get("/app/me")
    # Only this request's record: a server thread an earlier test left may log meanwhile.
    mine = [r for r in _access(caplog) if r.path == "/app/me"]  # type: ignore[attr-defined]
    assert [r.credential for r in mine] == ["pegawai-a"]  # type: ignore[attr-defined]


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_log_records_are_json_lines_with_the_request_id(app: Flask, root_logging, capsys) -> None:
    logs.configure("INFO")
    logs.configure("INFO")  # once only: one handler
    with app.test_request_context("/xapi/statements", headers={"X-Request-ID": "abc-123"}):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("lrs.test").exception("it failed")
    logging.getLogger("lrs.test").debug("not at INFO")
    [line] = _json_lines(capsys.readouterr().err)
    assert (line["level"], line["logger"], line["message"], line["request_id"]) == (
        "ERROR", "lrs.test", "it failed", "abc-123")
    assert "RuntimeError: boom" in line["exception"]
    assert line["time"].endswith("+00:00")


def test_a_request_logs_its_access_line_as_json(client: FlaskClient, auth, root_logging, capsys) -> None:
    logs.configure("INFO")
    client.get("/xapi/about", headers={"X-Request-ID": "about-1"})
    [line] = [entry for entry in _json_lines(capsys.readouterr().err) if entry["logger"] == "lrs.access"]
    assert {k: line[k] for k in ("method", "path", "status", "request_id", "credential")} == {
        "method": "GET", "path": "/xapi/about", "status": 200, "request_id": "about-1", "credential": None}
    assert isinstance(line["duration_ms"], float)


def test_the_log_level_is_configurable(root_logging) -> None:
    logs.configure("warning")
    assert root_logging.level == logging.WARNING
    logs.configure("DEBUG")
    assert root_logging.level == logging.DEBUG
    with pytest.raises(ValueError, match="LRS_LOG_LEVEL must be one of DEBUG, INFO"):
        logs.configure("loud")


def test_a_server_worker_logs_json_at_lrs_log_level(database_url: str, root_logging, monkeypatch) -> None:
    monkeypatch.setenv("LRS_LOG_LEVEL", "ERROR")
    app = LrsServer(database_url, {"bind": "127.0.0.1:0"}).load()
    try:
        assert root_logging.level == logging.ERROR
        assert any(isinstance(h.formatter, logs.JsonFormatter) for h in root_logging.handlers)
    finally:
        app.extensions["lrs.replays"].close()
        app.extensions["lrs.engine"].dispose()


def test_serve_refuses_an_unknown_log_level_in_one_line() -> None:
    # A URL that would stop it next: without the check, serve never starts a server here.
    result = CliRunner().invoke(main, ["serve", "--database-url", "garbage"], env={"LRS_LOG_LEVEL": "loud"})
    assert result.exit_code == 1
    assert result.stderr == "Error: LRS_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'loud'\n"
