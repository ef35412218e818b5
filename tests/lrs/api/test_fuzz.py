"""Fuzzing the xAPI endpoints through the WSGI app (SQLite): valid statements mutated one field
at a time, random JSON, broken multipart, odd headers and query parameters. Whatever comes in,
the answer is never a 5xx, and a 4xx names what is wrong (tests/fixtures/fuzzing.py).
bench/fuzz.py runs the same strategies with many more examples and prints the statuses."""
from __future__ import annotations

import json
import uuid
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.app import create_app
from lrs.store.engine import make_engine
from tests.fixtures import fuzzing
from tests.fixtures.builders import add_credential
from tests.fixtures.databases import SqliteTemplate

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FlaskClient, dict[str, str]]]:
    """One app on its own SQLite store for the whole module, and a credential's headers."""
    url = SqliteTemplate(tmp_path_factory.mktemp("fuzz")).fresh_url()
    engine = make_engine(url)
    headers = add_credential(engine, "fuzzer", "s3cret", ["all"])
    engine.dispose()
    app: Flask = create_app({"TESTING": True, "DATABASE_URL": url, "MAX_CONTENT_LENGTH": 1_000_000,
                             "PROJECT_IN_BACKGROUND": False, "AUTH_FAILURE_LIMIT": 0})
    yield app.test_client(), headers
    app.extensions["lrs.replays"].close()
    app.extensions["lrs.engine"].dispose()


def _json(value: Any) -> dict[str, Any]:
    """A JSON body as a client may send it: lone surrogates escaped, NaN and Infinity literal."""
    return {"data": json.dumps(value).encode(), "content_type": "application/json"}


def _check(response: Any, method: str) -> None:
    found = fuzzing.problem(method, response.status_code, response.get_data())
    assert found is None, found


@FUZZ
@given(statement=fuzzing.mutated_statements(), as_list=st.booleans())
def test_post_of_a_mutated_statement(fuzzed: tuple[FlaskClient, dict[str, str]], statement: Any,
                                     as_list: bool) -> None:
    client, auth = fuzzed
    _check(client.post("/xapi/statements", **_json([statement] if as_list else statement), headers=auth), "POST")


@FUZZ
@given(statement=fuzzing.mutated_statements(), version=st.sampled_from(["1.0.3", "2.0.0"]))
def test_put_of_a_mutated_statement(fuzzed: tuple[FlaskClient, dict[str, str]], statement: Any,
                                    version: str) -> None:
    client, auth = fuzzed
    answer = client.put(f"/xapi/statements?statementId={uuid.uuid4()}", **_json(statement),
                        headers={**auth, "X-Experience-API-Version": version})
    _check(answer, "PUT")


@FUZZ
@given(body=fuzzing.json_values.map(json.dumps) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_post_of_random_json_or_bytes(fuzzed: tuple[FlaskClient, dict[str, str]], body: str) -> None:
    client, auth = fuzzed
    _check(client.post("/xapi/statements", data=body.encode("utf-8", "surrogatepass"),
                       content_type="application/json", headers=auth), "POST")


@FUZZ
@given(multipart=fuzzing.broken_multipart())
def test_broken_multipart(fuzzed: tuple[FlaskClient, dict[str, str]], multipart: tuple[str, bytes]) -> None:
    client, auth = fuzzed
    content_type, body = multipart
    _check(client.post("/xapi/statements", data=body, content_type=content_type, headers=auth), "POST")


@FUZZ
@given(resource=st.sampled_from(fuzzing.RESOURCES), method=st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD"]),
       params=fuzzing.query_params, headers=fuzzing.odd_headers, body=st.binary(max_size=100))
def test_odd_headers_and_parameters(fuzzed: tuple[FlaskClient, dict[str, str]], resource: str, method: str,
                                    params: dict[str, str], headers: dict[str, str], body: bytes) -> None:
    client, auth = fuzzed
    sent = {**auth, **headers}
    _check(client.open(resource, method=method, query_string=params, headers=sent, data=body), method)


@FUZZ
@given(resource=st.sampled_from(fuzzing.DOCUMENT_RESOURCES), method=st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
       params=fuzzing.query_params, document=fuzzing.json_values)
def test_documents_with_random_parameters(fuzzed: tuple[FlaskClient, dict[str, str]], resource: str, method: str,
                                          params: dict[str, str], document: Any) -> None:
    client, auth = fuzzed
    params = {"activityId": fuzzing.ACTIVITY, "agent": json.dumps({"mbox": "mailto:siti@example.go.id"}), **params}
    _check(client.open(resource, method=method, query_string=params, **_json(document), headers=auth), method)


@FUZZ
@given(params=fuzzing.query_params)
def test_get_statements_with_random_parameters(fuzzed: tuple[FlaskClient, dict[str, str]],
                                               params: dict[str, str]) -> None:
    client, auth = fuzzed
    _check(client.get("/xapi/statements", query_string=params, headers=auth), "GET")
