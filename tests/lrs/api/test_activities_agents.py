"""GET (HEAD) /xapi/activities and /xapi/agents: canonical definitions and Person objects."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.fixtures.builders import add_credential, make_statement

MEETING = "http://www.example.com/meetings/34534"
SITI = {"objectType": "Agent", "name": "Siti", "mbox": "mailto:siti@example.go.id"}


def activity(client, auth, activity_id: str = MEETING):
    return client.get(f"/xapi/activities?{urlencode({'activityId': activity_id})}", headers=auth)


def agent(client, auth, who: object):
    return client.get(f"/xapi/agents?{urlencode({'agent': json.dumps(who)})}", headers=auth)


def about_meeting(definition: dict) -> dict:
    return make_statement(object={"objectType": "Activity", "id": MEETING, "definition": definition})


def test_activity_definitions_merge_across_statements(client, auth) -> None:
    first = {"type": "http://adlnet.gov/expapi/activities/meeting",
             "name": {"en-US": "example meeting", "en-GB": "example meeting"},
             "moreInfo": "http://virtualmeeting.example.com/1"}
    second = {"name": {"fr-FR": "réunion", "en-GB": "a meeting"},
              "moreInfo": "http://virtualmeeting.example.com/2"}
    assert client.post("/xapi/statements", json=[about_meeting(first), about_meeting(second)],
                       headers=auth).status_code == 200
    response = activity(client, auth)
    assert response.status_code == 200 and response.headers["ETag"]
    assert response.get_json() == {"objectType": "Activity", "id": MEETING, "definition": {
        "type": "http://adlnet.gov/expapi/activities/meeting",
        "name": {"en-US": "example meeting", "en-GB": "a meeting", "fr-FR": "réunion"},
        "moreInfo": "http://virtualmeeting.example.com/2",
    }}
    client.post("/xapi/statements", json=make_statement(object={"id": MEETING}), headers=auth)
    assert activity(client, auth).get_json()["definition"]["moreInfo"].endswith("/2")


def test_a_stored_activity_reads_back_as_sent(client, auth) -> None:
    sent = {"objectType": "Activity", "id": MEETING, "definition": {
        "name": {"en-US": "meeting"}, "extensions": {"http://example.com/ext": {"a": [1, 2]}}}}
    client.post("/xapi/statements", json=make_statement(object=sent), headers=auth)
    assert activity(client, auth).get_json() == sent


def test_context_activity_definitions_count_too(client, auth) -> None:
    parent = {"id": "https://lms.example.go.id/course/1", "definition": {"name": {"id-ID": "Kursus"}}}
    client.post("/xapi/statements", json=make_statement(context={"contextActivities": {"parent": parent}}),
                headers=auth)
    assert activity(client, auth, parent["id"]).get_json()["definition"] == parent["definition"]


def test_unknown_activity_is_the_id_alone_and_head_has_no_body(client, auth) -> None:
    assert activity(client, auth, "http://unknown.example/1").get_json() == {
        "objectType": "Activity", "id": "http://unknown.example/1",
    }
    head = client.head(f"/xapi/activities?activityId={MEETING}", headers=auth)
    assert head.status_code == 200 and head.data == b""


@pytest.mark.parametrize("query", ["", "activityId=not-an-iri", f"activityId={MEETING}&agent=x",
                                   f"activityId={MEETING}&activityId={MEETING}"])
def test_activities_parameters_are_checked(client, auth, query) -> None:
    assert client.get(f"/xapi/activities?{query}", headers=auth).status_code == 400


def test_person_carries_the_identifier_and_every_name_seen(client, auth) -> None:
    client.post("/xapi/statements", json=make_statement(actor=SITI), headers=auth)
    client.post("/xapi/statements", json=make_statement(actor={**SITI, "name": "Siti Rahma"}), headers=auth)
    response = agent(client, auth, {"mbox": SITI["mbox"]})
    assert response.status_code == 200
    assert response.get_json() == {"objectType": "Person", "name": ["Siti", "Siti Rahma"],
                                   "mbox": [SITI["mbox"]]}


def test_unknown_agent_is_a_person_of_what_was_asked(client, auth) -> None:
    account = {"homePage": "https://siasn.bkn.go.id", "name": "199001012020122001"}
    assert agent(client, auth, {"name": "Budi", "account": account}).get_json() == {
        "objectType": "Person", "name": ["Budi"], "account": [account],
    }
    head = client.head(f"/xapi/agents?{urlencode({'agent': json.dumps(SITI)})}", headers=auth)
    assert head.status_code == 200 and head.data == b""


@pytest.mark.parametrize("who", [
    {"objectType": "Agent", "name": "no identifier"},
    {"objectType": "Group", "mbox": "mailto:team@example.go.id"},
    "not an object",
])
def test_agents_refuses_what_is_not_an_identified_agent(client, auth, who) -> None:
    assert agent(client, auth, who).status_code == 400


def test_agents_needs_the_agent_parameter(client, auth) -> None:
    assert client.get("/xapi/agents", headers=auth).status_code == 400


def test_activities_and_agents_need_the_profile_scope(client, engine) -> None:
    reader = add_credential(engine, "reader", "r", ["statements/read"])
    profile = add_credential(engine, "profile", "p", ["profile"])
    assert activity(client, reader).status_code == 403
    assert agent(client, reader, SITI).status_code == 403
    assert activity(client, profile).status_code == 200
    assert agent(client, profile, SITI).status_code == 200
