"""Version negotiation and what storing under xAPI 2.0 adds; 2.0 context agents in the query
terms and the ids format; durations compared to the hundredth of a second."""
from __future__ import annotations

from datetime import datetime

import pytest

from lrs.xapi.formats import formatter
from lrs.xapi.rules import utc_timestamp
from lrs.xapi.statement import duration_key, equivalent, ifi, terms_of
from lrs.xapi.versions import ABOUT, V1, V2, about_versions, from_header, prepare_for_storage
from tests.fixtures.builders import make_statement

COACH = {"objectType": "Agent", "name": "Coach", "mbox": "mailto:coach@example.go.id"}
TEAM = {"objectType": "Group", "name": "Tim", "account": {"homePage": "https://sso.example.go.id", "name": "tim-7"}}
CONTEXT_2_0 = {
    "contextAgents": [{"objectType": "contextAgent", "agent": COACH, "relevantTypes": ["https://example.com/t/coach"]}],
    "contextGroups": [{"objectType": "contextGroup", "group": TEAM}],
}


@pytest.mark.parametrize("header, version", [
    ("1.0.3", V1), ("1.0.0", V1), ("1.0", V1), ("1.0.2", V1), (" 1.0.3 ", V1), ("1.0.17", V1),
    ("2.0.0", V2), ("2.0", V2), ("2.0.1", V2),
    ("0.95", None), ("1.1.0", None), ("2.1.0", None), ("3.0.0", None), ("1.0.x", None), ("", None), (None, None),
])
def test_header_names_a_version(header: str | None, version: str | None) -> None:
    assert from_header(header) == version


def test_about_lists_both_versions_and_the_1_0_patches() -> None:
    assert {"1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"} == set(ABOUT)
    assert about_versions(None) == about_versions(V2) == list(ABOUT)


def test_about_shows_a_1_0_client_the_1_0_versions_only() -> None:
    assert about_versions(V1) == ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]


@pytest.mark.parametrize("sent, utc", [
    ("2023-05-04T12:00:00-05:00", "2023-05-04T17:00:00Z"),
    ("2023-05-04T12:00:00.123456789+07:00", "2023-05-04T05:00:00.123456789Z"),
    ("2023-05-04T12:00:00.601+00:00", "2023-05-04T12:00:00.601Z"),
    ("2023-05-04T12:00:00.250Z", "2023-05-04T12:00:00.250Z"),
    ("20230504T120000,5+0530", "2023-05-04T06:30:00.5Z"),
    ("2023-05-04t23:30z", "2023-05-04T23:30:00Z"),
    ("2024-01-01T01:00:00+14", "2023-12-31T11:00:00Z"),
    ("0999-01-01T00:30:00+01:00", "0998-12-31T23:30:00Z"),
    ("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00+01:00"),  # no UTC form in years 1-9999: kept
])
def test_timestamps_convert_to_utc_keeping_their_precision(sent: str, utc: str) -> None:
    assert utc_timestamp(sent) == utc
    assert datetime.fromisoformat(utc.upper()) == datetime.fromisoformat(sent.upper())


def test_storing_under_2_0_sets_version_and_utc_timestamps() -> None:
    sub = {**make_statement(), "objectType": "SubStatement", "timestamp": "2023-05-04T12:00:00+07:00"}
    statement = make_statement(timestamp="2023-05-04T12:00:00.5-05:00", object=sub)
    prepare_for_storage(statement, V2)
    assert statement["version"] == "2.0.0"
    assert statement["timestamp"] == "2023-05-04T17:00:00.5Z"
    assert statement["object"]["timestamp"] == "2023-05-04T05:00:00Z"


def test_storing_under_2_0_keeps_a_version_the_client_sent() -> None:
    statement = make_statement(version="1.0.3")
    prepare_for_storage(statement, V2)
    assert statement["version"] == "1.0.3"


def test_storing_under_1_0_3_changes_nothing() -> None:
    statement = make_statement(timestamp="2023-05-04T12:00:00-05:00")
    before = dict(statement)
    prepare_for_storage(statement, V1)
    assert statement == before


def test_context_agents_and_groups_are_related_agents() -> None:
    terms = terms_of(make_statement(context=CONTEXT_2_0))
    assert (ifi(COACH), False) in terms.agents and (ifi(TEAM), False) in terms.agents
    sub = {**make_statement(), "objectType": "SubStatement", "context": CONTEXT_2_0}
    assert (ifi(COACH), False) in terms_of(make_statement(object=sub)).agents


def test_ids_format_reduces_context_agents_and_groups() -> None:
    shaped = formatter("ids", [])(make_statement(context=CONTEXT_2_0))
    assert shaped["context"]["contextAgents"] == [{
        "objectType": "contextAgent", "agent": {"objectType": "Agent", "mbox": COACH["mbox"]},
        "relevantTypes": ["https://example.com/t/coach"],
    }]
    assert shaped["context"]["contextGroups"] == [{
        "objectType": "contextGroup", "group": {"objectType": "Group", "account": TEAM["account"]},
    }]


@pytest.mark.parametrize("duration, key", [
    ("P1DT12H36M0.12567S", "P1DT12H36M0.12S"), ("PT2.50S", "PT2.5S"), ("PT1.001S", "PT1S"),
    ("PT1,239S", "PT1.23S"), ("PT1S", "PT1S"), ("P1D", "P1D"), ("PT1H", "PT1H"),
])
def test_duration_key_keeps_hundredths_of_a_second(duration: str, key: str) -> None:
    assert duration_key(duration) == key


def test_statements_differing_below_a_hundredth_of_a_second_are_equivalent() -> None:
    stored = make_statement(id="6e0c4f4a-3f3e-4f0a-9d5e-3c1f0b8a7e21", result={"duration": "PT0.12S"})
    assert equivalent({**stored, "result": {"duration": "PT0.1299S"}}, stored)
    assert not equivalent({**stored, "result": {"duration": "PT0.13S"}}, stored)


def test_sub_statement_timestamps_compare_as_instants() -> None:
    # stored through 1.0.3 as sent, sent again through 2.0 (converted to UTC): the same statement
    sub = {**make_statement(), "objectType": "SubStatement", "timestamp": "2023-05-04T12:00:00.5+07:00"}
    stored = make_statement(id="6e0c4f4a-3f3e-4f0a-9d5e-3c1f0b8a7e21", object=sub)
    again = make_statement(id=stored["id"], object={**sub, "timestamp": "2023-05-04T05:00:00.500Z"})
    assert equivalent(again, stored)
    assert not equivalent(make_statement(id=stored["id"], object={**sub, "timestamp": "2023-05-04T05:00:01Z"}), stored)
