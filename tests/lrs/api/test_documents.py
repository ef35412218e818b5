"""State, Activity Profile and Agent Profile over HTTP: PUT, POST merge, GET (HEAD), DELETE,
ETags and preconditions, parameters, scopes, and the events behind every change."""
from __future__ import annotations

import hashlib
import json
import threading
import uuid
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from tests.fixtures.builders import add_credential

ACTIVITY = "https://lms.example.go.id/course/anti-korupsi"
AGENT = {"objectType": "Agent", "name": "Siti", "mbox": "mailto:siti@example.go.id"}
STATE = "/xapi/activities/state"
ACTIVITY_PROFILE = "/xapi/activities/profile"
AGENT_PROFILE = "/xapi/agents/profile"


def url(path: str, **params: object) -> str:
    encoded = {k: json.dumps(v) if isinstance(v, dict) else str(v) for k, v in params.items()}
    return f"{path}?{urlencode(encoded)}"


def state(**extra: object) -> str:
    return url(STATE, activityId=ACTIVITY, agent=AGENT, **extra)


def send(client: FlaskClient, method: str, target: str, auth: dict, body: object = None,
         content_type: str = "application/json", **headers: str):
    data = body if body is None or isinstance(body, (str, bytes)) else json.dumps(body)
    return client.open(target, method=method, data=data,
                       headers={**auth, "Content-Type": content_type, **headers})


# Each document resource: where it lives and the parameters naming one document.
RESOURCES = [
    pytest.param(STATE, {"activityId": ACTIVITY, "agent": AGENT}, "stateId", id="state"),
    pytest.param(ACTIVITY_PROFILE, {"activityId": ACTIVITY}, "profileId", id="activity-profile"),
    pytest.param(AGENT_PROFILE, {"agent": AGENT}, "profileId", id="agent-profile"),
]


@pytest.mark.parametrize("path, scope, id_name", RESOURCES)
def test_document_lifecycle_on_every_resource(client, auth, path, scope, id_name) -> None:
    one = url(path, **scope, **{id_name: "doc-1"})
    create = {"If-None-Match": "*"}
    assert send(client, "PUT", one, auth, {"x": "foo", "y": "bar"}, **create).status_code == 204
    got = client.get(one, headers=auth)
    assert got.status_code == 200 and got.get_json() == {"x": "foo", "y": "bar"}
    assert got.headers["ETag"] == '"' + hashlib.sha1(got.data).hexdigest() + '"'
    assert got.headers["Content-Type"] == "application/json"
    assert "Last-Modified" in got.headers
    assert send(client, "POST", one, auth, {"x": "bash", "z": "faz"}).status_code == 204
    assert client.get(one, headers=auth).get_json() == {"x": "bash", "y": "bar", "z": "faz"}
    head = client.head(one, headers=auth)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"]
    assert client.get(url(path, **scope), headers=auth).get_json() == ["doc-1"]
    assert client.delete(one, headers=auth).status_code == 204
    assert client.get(one, headers=auth).status_code == 404
    assert client.get(url(path, **scope), headers=auth).get_json() == []


def test_binary_document_comes_back_byte_for_byte_with_its_content_type(client, auth) -> None:
    data = bytes(range(256))
    assert send(client, "PUT", state(stateId="blob"), auth, data, "image/png").status_code == 204
    got = client.get(state(stateId="blob"), headers=auth)
    assert got.data == data and got.headers["Content-Type"] == "image/png"
    assert got.headers["ETag"] == f'"{hashlib.sha1(data).hexdigest()}"'


def test_post_merge_replaces_objects_one_level_deep(client, auth) -> None:
    target = state(stateId="car")
    send(client, "POST", target, auth, {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale"})
    send(client, "POST", target, auth, {"car": {"make": "Dodge"}, "series": {"nascar": 1}})
    assert client.get(target, headers=auth).get_json() == {
        "car": {"make": "Dodge"}, "driver": "Dale", "series": {"nascar": 1},
    }


@pytest.mark.parametrize("first, second", [
    (({"a": 1}, "application/json"), ("abcdefg", "application/octet-stream")),
    (("/ asdf / undefined", "application/octet-stream"), ({"a": 1}, "application/json")),
    (({"a": 1}, "application/json"), ('{"a": 1}{', "application/json")),
    (([1, 2], "application/json"), ({"a": 1}, "application/json")),
])
def test_post_that_cannot_merge_is_400_and_changes_nothing(client, auth, first, second) -> None:
    target = state(stateId="m")
    assert send(client, "PUT", target, auth, *first).status_code == 204
    before = client.get(target, headers=auth)
    response = send(client, "POST", target, auth, *second)
    assert response.status_code == 400
    assert client.get(target, headers=auth).data == before.data


def test_post_of_json_that_is_not_an_object_is_400_even_for_a_new_document(client, auth) -> None:
    assert send(client, "POST", state(stateId="n"), auth, "[1, 2]", "application/json").status_code == 400
    assert send(client, "PUT", state(stateId="n"), auth, "{nope", "application/json").status_code == 400
    assert client.get(state(stateId="n"), headers=auth).status_code == 404


def test_if_match_and_if_none_match_give_412_and_keep_the_document(client, auth) -> None:
    target = url(AGENT_PROFILE, agent=AGENT, profileId="prefs")
    send(client, "PUT", target, auth, {"v": 1}, **{"If-None-Match": "*"})
    etag = client.get(target, headers=auth).headers["ETag"]
    assert send(client, "PUT", target, auth, {"v": 2}, **{"If-None-Match": "*"}).status_code == 412
    assert send(client, "PUT", target, auth, {"v": 2}, **{"If-Match": '"' + "1" * 40 + '"'}).status_code == 412
    assert send(client, "POST", target, auth, {"w": 2}, **{"If-Match": '"bad"'}).status_code == 412
    assert client.delete(target, headers={**auth, "If-Match": '"bad"'}).status_code == 412
    assert client.get(target, headers=auth).get_json() == {"v": 1}
    assert send(client, "PUT", target, auth, {"v": 2}, **{"If-Match": etag}).status_code == 204
    assert send(client, "PUT", target, auth, {"v": 3}, **{"If-Match": etag}).status_code == 412
    assert client.get(target, headers=auth).get_json() == {"v": 2}


@pytest.mark.parametrize("path, params", [
    (STATE, {"activityId": ACTIVITY, "agent": AGENT, "stateId": "weak"}),
    (ACTIVITY_PROFILE, {"activityId": ACTIVITY, "profileId": "weak"}),
    (AGENT_PROFILE, {"agent": AGENT, "profileId": "weak"}),
])
def test_if_match_compares_strongly_and_if_none_match_weakly(client, auth, path, params) -> None:
    """RFC 7232 3.1, 3.2: W/"..." never matches for If-Match; for If-None-Match it matches."""
    target = url(path, **params)
    send(client, "PUT", target, auth, {"v": 1}, **{"If-None-Match": "*"})
    etag = client.get(target, headers=auth).headers["ETag"]
    weak = "W/" + etag
    refused = send(client, "PUT", target, auth, {"v": 2}, **{"If-Match": weak})
    assert refused.status_code == 412
    assert "W/" in refused.get_json()["message"] and "strongly" in refused.get_json()["message"]
    assert send(client, "POST", target, auth, {"w": 2}, **{"If-Match": weak}).status_code == 412
    assert client.delete(target, headers={**auth, "If-Match": weak}).status_code == 412
    assert send(client, "PUT", target, auth, {"v": 2}, **{"If-None-Match": weak}).status_code == 412
    assert send(client, "PUT", target, auth, {"v": 2}, **{"If-None-Match": '"other", ' + weak}).status_code == 412
    assert client.get(target, headers=auth).get_json() == {"v": 1}
    assert send(client, "PUT", target, auth, {"v": 2}, **{"If-Match": f'{weak}, {etag}'}).status_code == 204
    assert client.get(target, headers=auth).get_json() == {"v": 2}


def test_profile_put_without_headers_is_409_when_it_exists_and_400_when_not(client, auth) -> None:
    target = url(ACTIVITY_PROFILE, activityId=ACTIVITY, profileId="p")
    response = send(client, "PUT", target, auth, {"v": 1})
    assert response.status_code == 400 and "If-None-Match" in response.get_json()["message"]
    send(client, "POST", target, auth, {"v": 1})
    conflict = send(client, "PUT", target, auth, {"v": 2})
    assert conflict.status_code == 409 and "If-Match" in conflict.get_json()["message"]
    assert client.get(target, headers=auth).get_json() == {"v": 1}


def test_state_put_without_headers_overwrites(client, auth) -> None:
    target = state(stateId="s")
    assert send(client, "PUT", target, auth, {"v": 1}).status_code == 204
    assert send(client, "PUT", target, auth, {"v": 2}).status_code == 204
    assert client.get(target, headers=auth).get_json() == {"v": 2}


def test_two_clients_with_one_etag_exactly_one_wins(app, client, auth) -> None:
    target = url(AGENT_PROFILE, agent=AGENT, profileId="race")
    send(client, "PUT", target, auth, {"v": 0}, **{"If-None-Match": "*"})
    etag = client.get(target, headers=auth).headers["ETag"]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def update(value: int) -> None:
        own = app.test_client()
        barrier.wait()
        statuses.append(send(own, "PUT", target, auth, {"v": value}, **{"If-Match": etag}).status_code)

    threads = [threading.Thread(target=update, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [204, 412]
    assert client.get(target, headers=auth).get_json()["v"] in (1, 2)


def test_state_registration_separates_documents_and_delete_all_clears_every_one(client, auth) -> None:
    registration = str(uuid.uuid4())
    send(client, "PUT", state(stateId="a"), auth, {"r": None})
    send(client, "PUT", state(stateId="a", registration=registration), auth, {"r": registration})
    send(client, "PUT", state(stateId="b", registration=registration), auth, {"r": registration})
    assert client.get(state(stateId="a"), headers=auth).get_json() == {"r": None}
    assert client.get(state(registration=registration), headers=auth).get_json() == ["a", "b"]
    assert client.get(state(), headers=auth).get_json() == ["a", "b"]
    assert client.delete(state(registration=registration), headers=auth).status_code == 204
    assert client.get(state(), headers=auth).get_json() == ["a"]
    assert client.delete(state(), headers=auth).status_code == 204
    assert client.get(state(), headers=auth).get_json() == []


def test_list_since_returns_documents_changed_after_it(client, auth) -> None:
    send(client, "PUT", state(stateId="old"), auth, {})
    assert client.get(state(since="2000-01-01T00:00:00Z"), headers=auth).get_json() == ["old"]
    assert client.get(state(since="2999-01-01T00:00:00Z"), headers=auth).get_json() == []
    assert client.get(state(since="yesterday"), headers=auth).status_code == 400


@pytest.mark.parametrize("method, target", [
    ("PUT", url(STATE, agent=AGENT, stateId="s")),                     # no activityId
    ("GET", url(STATE, activityId=ACTIVITY, stateId="s")),             # no agent
    ("POST", url(STATE, activityId=ACTIVITY, agent=AGENT)),            # no stateId
    ("PUT", url(STATE, activityId=ACTIVITY, agent="not JSON", stateId="s")),
    ("PUT", url(STATE, activityId="not an IRI", agent=AGENT, stateId="s")),
    ("GET", url(STATE, activityId=ACTIVITY, agent=AGENT, registration="nope")),
    ("PUT", url(STATE, activityId=ACTIVITY, agent=AGENT, stateId="s", since="2020-01-01T00:00:00Z")),
    ("GET", url(STATE, activityId=ACTIVITY, agent=AGENT, stateid="s")),  # wrong case: unknown
    ("DELETE", url(ACTIVITY_PROFILE, activityId=ACTIVITY)),            # profiles: no delete-all
    ("GET", url(AGENT_PROFILE, agent={"objectType": "Group", "mbox": "mailto:g@x.id"})),
    ("GET", url(AGENT_PROFILE, agent={"objectType": "Agent", "name": "no identifier"})),
    ("GET", url(ACTIVITY_PROFILE, activityId=ACTIVITY, agent=AGENT)),  # agent is not a parameter here
])
def test_missing_malformed_or_unknown_parameters_are_400(client, auth, method, target) -> None:
    response = send(client, method, target, auth, {"a": 1}, **{"If-None-Match": "*"})
    assert response.status_code == 400, response.get_json()


def test_document_scopes(client, engine) -> None:
    state_only = add_credential(engine, "cmi5-player", "p", ["state"])
    statements_only = add_credential(engine, "reporter", "r", ["statements/read"])
    profile_target = url(ACTIVITY_PROFILE, activityId=ACTIVITY, profileId="p")
    assert send(client, "PUT", state(stateId="s"), state_only, {}).status_code == 204
    assert send(client, "POST", profile_target, state_only, {}).status_code == 403
    assert client.get(state(stateId="s"), headers=statements_only).status_code == 403


def test_alternate_syntax_put_of_a_document(client, auth) -> None:
    form = {"Authorization": auth["Authorization"], "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json", "If-None-Match": "*", "activityId": ACTIVITY,
            "profileId": "alt", "content": json.dumps({"via": "form"})}
    response = client.post(f"{ACTIVITY_PROFILE}?method=PUT", data=form,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 204
    got = client.get(url(ACTIVITY_PROFILE, activityId=ACTIVITY, profileId="alt"), headers=auth)
    assert got.get_json() == {"via": "form"}


def test_each_change_appends_one_event_and_the_chain_verifies(client, auth, engine) -> None:
    from lrs.store import chain, log
    from lrs.store.engine import reading

    send(client, "PUT", state(stateId="e"), auth, {"a": 1})
    send(client, "POST", state(stateId="e"), auth, {"b": 2})
    send(client, "PUT", state(stateId="e"), auth, '{"a":1,"b":2}')  # the stored bytes: no change
    client.delete(state(stateId="e"), headers=auth)
    client.delete(state(stateId="e"), headers=auth)  # nothing left to delete
    with reading(engine) as conn:
        events = log.read(conn)
    assert [e.type for e in events] == ["document.stored", "document.merged", "document.deleted"]
    assert events[0].payload["agent"] == {"mbox": AGENT["mbox"]}
    assert events[0].payload["activityId"] == ACTIVITY
    assert chain.verify(events) is None
