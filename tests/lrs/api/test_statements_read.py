"""GET /xapi/statements: filters, StatementRef targets, paging by log position, formats."""
from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest

from tests.fixtures.builders import make_statement

SITI = {"mbox": "mailto:siti@example.go.id"}
BUDI = {"objectType": "Agent", "account": {"homePage": "https://siasn.bkn.go.id", "name": "199001012020121001"}}
COURSE = "https://lms.example.go.id/course/1"
OTHER = "https://lms.example.go.id/course/2"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"


def store(client, auth, *statements) -> list[str]:
    response = client.post("/xapi/statements", json=list(statements), headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(client, auth, query: str = "") -> list[str]:
    response = client.get(f"/xapi/statements{query}", headers=auth)
    assert response.status_code == 200, response.get_json()
    return [s["id"] for s in response.get_json()["statements"]]


def agent_param(agent: dict) -> str:
    return quote(json.dumps(agent))


def test_newest_first_by_default_and_ascending_on_request(client, auth) -> None:
    first, second = store(client, auth, make_statement(), make_statement())
    assert ids(client, auth) == [second, first]
    assert ids(client, auth, "?ascending=true") == [first, second]


def test_agent_filter_matches_actor_and_agent_object_only_unless_related(client, auth) -> None:
    as_actor, as_object, as_instructor = store(
        client, auth,
        make_statement(actor=BUDI),
        make_statement(object=BUDI),
        make_statement(context={"instructor": BUDI}),
    )
    assert set(ids(client, auth, f"?agent={agent_param(BUDI)}")) == {as_actor, as_object}
    related = ids(client, auth, f"?agent={agent_param(BUDI)}&related_agents=true")
    assert set(related) == {as_actor, as_object, as_instructor}


def test_verb_activity_registration_filters(client, auth) -> None:
    reg = str(uuid.uuid4())
    a, b, c = store(
        client, auth,
        make_statement(verb={"id": ATTEMPTED}),
        make_statement(object={"id": OTHER}, context={"registration": reg}),
        make_statement(context={"contextActivities": {"grouping": [{"id": OTHER}]}}),
    )
    assert ids(client, auth, f"?verb={quote(ATTEMPTED)}") == [a]
    assert ids(client, auth, f"?activity={quote(OTHER)}") == [b]
    assert set(ids(client, auth, f"?activity={quote(OTHER)}&related_activities=true")) == {b, c}
    assert ids(client, auth, f"?registration={reg}") == [b]


def test_statement_targeting_a_match_matches_too(client, auth) -> None:
    [target] = store(client, auth, make_statement(verb={"id": ATTEMPTED}))
    [ref] = store(client, auth, make_statement(
        verb={"id": "https://jejak.example/xapi/verbs/approved"},
        object={"objectType": "StatementRef", "id": target}))
    assert ids(client, auth, f"?verb={quote(ATTEMPTED)}") == [ref, target]


def test_voided_target_still_pulls_in_its_voiding_statement(client, auth) -> None:
    [target] = store(client, auth, make_statement(verb={"id": ATTEMPTED}))
    [voider] = store(client, auth, make_statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": target}))
    assert ids(client, auth, f"?verb={quote(ATTEMPTED)}") == [voider]


def test_since_is_exclusive_and_until_inclusive(client, auth) -> None:
    [first] = store(client, auth, make_statement())
    stored = client.get(f"/xapi/statements?statementId={first}", headers=auth).get_json()["stored"]
    [second] = store(client, auth, make_statement())
    after = ids(client, auth, f"?since={quote(stored)}")
    assert first not in after
    assert first in ids(client, auth, f"?until={quote(stored)}")
    assert second in ids(client, auth, "?since=2000-01-01T00:00:00Z")


def test_paging_follows_more_without_skips_or_repeats_while_statements_arrive(client, auth) -> None:
    stored = [sid for _ in range(7) for sid in store(client, auth, make_statement())]
    seen: list[str] = []
    url = "/xapi/statements?limit=3"
    while url:
        page = client.get(url, headers=auth).get_json()
        seen += [s["id"] for s in page["statements"]]
        store(client, auth, make_statement())  # arrives mid-paging, newer than the cursor
        url = page["more"]
    assert seen == list(reversed(stored))


def test_ascending_paging_includes_new_arrivals_once(client, auth) -> None:
    stored = [sid for _ in range(4) for sid in store(client, auth, make_statement())]
    seen: list[str] = []
    url, added = "/xapi/statements?limit=2&ascending=true", []
    while url:
        page = client.get(url, headers=auth).get_json()
        seen += [s["id"] for s in page["statements"]]
        if len(added) < 2:
            added += store(client, auth, make_statement())
        url = page["more"]
    assert seen == stored + added


def test_format_ids_keeps_only_identifiers(client, auth) -> None:
    [sid] = store(client, auth, make_statement(actor={**BUDI, "name": "Budi"}))
    statement = client.get(f"/xapi/statements?statementId={sid}&format=ids", headers=auth).get_json()
    assert statement["actor"] == {"objectType": "Agent", "account": BUDI["account"]}
    assert statement["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed"}
    assert statement["object"] == {"id": "https://lms.example.go.id/course/1"}


def test_format_canonical_picks_one_language(client, auth) -> None:
    [sid] = store(client, auth, make_statement(
        verb={"id": ATTEMPTED, "display": {"en-US": "attempted", "id-ID": "mencoba"}}))
    statement = client.get(f"/xapi/statements?statementId={sid}&format=canonical",
                           headers={**auth, "Accept-Language": "id-ID"}).get_json()
    assert statement["verb"]["display"] == {"id-ID": "mencoba"}


@pytest.mark.parametrize("query", [
    "?bogus=1", "?limit=-1", "?format=full", "?since=yesterday", "?agent=notjson",
    "?agent=" + quote(json.dumps({"name": "no ifi"})),
    f"?statementId={uuid.uuid4()}&verb=x", f"?statementId={uuid.uuid4()}&voidedStatementId={uuid.uuid4()}",
])
def test_bad_query_parameters_are_400(client, auth, query: str) -> None:
    response = client.get(f"/xapi/statements{query}", headers=auth)
    assert response.status_code == 400, query


def test_unknown_statement_id_is_404(client, auth) -> None:
    assert client.get(f"/xapi/statements?statementId={uuid.uuid4()}", headers=auth).status_code == 404


def test_last_modified_is_set(client, auth) -> None:
    store(client, auth, make_statement())
    assert "GMT" in client.get("/xapi/statements", headers=auth).headers["Last-Modified"]


def test_alternate_request_syntax_posts_and_gets(client, auth) -> None:
    form = {"Authorization": auth["Authorization"], "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json", "content": json.dumps(make_statement())}
    response = client.post("/xapi/statements?method=POST", data=form)
    assert response.status_code == 200, response.get_json()
    [sid] = response.get_json()
    got = client.post("/xapi/statements?method=GET", data={**form, "content": "", "statementId": sid})
    assert got.get_json()["id"] == sid


def test_alternate_syntax_with_extra_query_parameters_is_400(client, auth) -> None:
    response = client.post(f"/xapi/statements?method=GET&statementId={uuid.uuid4()}",
                           data={"Authorization": auth["Authorization"], "X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 400


def test_agent_named_twice_in_one_statement_is_returned_once(client, auth) -> None:
    [sid] = store(client, auth, make_statement(actor=BUDI, context={"instructor": BUDI}))
    assert ids(client, auth, f"?agent={agent_param(BUDI)}&related_agents=true") == [sid]


def test_refs_are_followed_transitively_whatever_the_arrival_order(client, auth) -> None:
    approved = "https://jejak.example/xapi/verbs/approved"
    first, middle, last = (str(uuid.uuid4()) for _ in range(3))
    # `last` targets `middle`, which targets `first`; they arrive newest first
    store(client, auth, make_statement(id=last, verb={"id": approved},
                                       object={"objectType": "StatementRef", "id": middle}))
    store(client, auth, make_statement(id=middle, verb={"id": approved},
                                       object={"objectType": "StatementRef", "id": first}))
    store(client, auth, make_statement(id=first, verb={"id": ATTEMPTED}))
    assert ids(client, auth, f"?verb={quote(ATTEMPTED)}") == [first, middle, last]


def test_cursor_beyond_a_64_bit_position_is_400(client, auth) -> None:
    response = client.get(f"/xapi/statements?cursor={2**63}", headers=auth)
    assert response.status_code == 400
    assert "cursor" in response.get_json()["message"]
    assert client.get(f"/xapi/statements?cursor={2**63 - 1}", headers=auth).status_code == 200
