"""Schemathesis against /api/v1/openapi.json, through the WSGI app (no server): requests built
from the document, valid and not, never get a 5xx, and a 4xx names what is wrong. Some
statements are stored first, so the figures have something to fold."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings

from lrs.app import create_app
from lrs.store.engine import make_engine
from tests.fixtures import fuzzing
from tests.fixtures.builders import add_credential, make_statement
from tests.fixtures.databases import SqliteTemplate


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict[str, str]]]:
    url = SqliteTemplate(tmp_path_factory.mktemp("fuzz-api")).fresh_url()
    engine = make_engine(url)
    headers = add_credential(engine, "fuzzer", "s3cret", ["all"])
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": url, "PROJECT_IN_BACKGROUND": False, "AUTH_FAILURE_LIMIT": 0})
    client = app.test_client()
    assert client.post("/xapi/statements", json=[make_statement() for _ in range(3)], headers=headers).status_code == 200
    yield app, {"Authorization": headers["Authorization"]}
    app.extensions["lrs.replays"].close()
    app.extensions["lrs.engine"].dispose()


def test_every_operation_is_fuzzed(served: tuple[Flask, dict[str, str]]) -> None:
    app, _auth = served
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    # Schemathesis leaves out the document it reads.
    assert {label for label, _cases in fuzzing.api_v1_cases(app)} == {f"GET {p}" for p in paths} - {
        "GET /api/v1/openapi.json"}


def test_api_v1_answers_every_request_without_failing(served: tuple[Flask, dict[str, str]]) -> None:
    app, auth = served
    for _label, cases in fuzzing.api_v1_cases(app):

        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=cases)
        def answers(case: Any) -> None:
            response = case.call(headers=auth)
            found = fuzzing.problem(case.method.upper(), response.status_code, response.content)
            assert found is None, f"{case.method} {case.formatted_path} {case.query}: {found}"

        answers()
