"""JSON nested deeper than the LRS takes, in a statement, a document or a parameter: 400 naming
the limit, never a RecursionError."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.fixtures.builders import make_statement

MAX_DEPTH = 100  # lrs/xapi/json_limits.py: levels of arrays and objects a JSON value may nest
STATE = "/xapi/activities/state?activityId=https://lms.example.go.id/a&agent=" + quote(
    json.dumps({"mbox": "mailto:siti@example.go.id"}))


def _nested(depth: int) -> str:
    """A JSON array nested `depth` levels deep (the outermost counts)."""
    return "[" * depth + "]" * depth


def _statement_with_extension(depth: int) -> str:
    """A statement whose body nests `depth` levels: the statement, result, extensions, then arrays."""
    text = json.dumps(make_statement(result={"extensions": {"https://jejak.example/e": "@"}}))
    return text.replace('"@"', _nested(depth - 3))


def test_statement_nested_to_the_limit_is_stored(client, auth) -> None:
    response = client.post("/xapi/statements", data=_statement_with_extension(MAX_DEPTH),
                           headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
def test_statement_nested_deeper_than_the_limit_is_400(client, auth, depth: int) -> None:
    response = client.post("/xapi/statements", data=_statement_with_extension(depth),
                           headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert f"{MAX_DEPTH} levels" in response.get_json()["message"]


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_json_document_nested_too_deep_is_400(client, auth, method: str) -> None:
    response = client.open(f"{STATE}&stateId=deep", method=method, data='{"a":' + _nested(5000) + "}",
                           headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert f"{MAX_DEPTH} levels" in response.get_json()["message"]


def test_agent_parameter_nested_too_deep_is_400(client, auth) -> None:
    agent = '{"mbox":"mailto:siti@example.go.id","name":' + _nested(2000) + "}"
    response = client.get(f"/xapi/statements?agent={quote(agent)}", headers=auth)
    assert response.status_code == 400
    assert f"{MAX_DEPTH} levels" in response.get_json()["message"]
