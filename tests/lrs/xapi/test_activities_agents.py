"""Canonical Activity definitions and Person objects (pure)."""
from __future__ import annotations

from lrs.xapi.activities import activity_object, definitions, merge_definition
from lrs.xapi.agents import identity, named_agents, person
from tests.fixtures.builders import make_statement

MEETING = "http://www.example.com/meetings/1"


def test_merge_definition_merges_language_maps_and_replaces_the_rest() -> None:
    stored = {"name": {"en-US": "meeting", "en-GB": "meeting"}, "type": "http://t/1",
              "extensions": {"http://e/1": 1}}
    later = {"name": {"fr-FR": "réunion", "en-GB": "a meeting"}, "type": "http://t/2",
             "extensions": {"http://e/2": 2}, "description": {"en-US": "d"}}
    assert merge_definition(stored, later) == {
        "name": {"en-US": "meeting", "en-GB": "a meeting", "fr-FR": "réunion"},
        "type": "http://t/2", "extensions": {"http://e/2": 2}, "description": {"en-US": "d"},
    }


def test_definitions_are_found_in_object_context_and_sub_statement() -> None:
    statement = make_statement(
        object={"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"},
                "verb": {"id": "http://v"},
                "object": {"id": "http://inner", "definition": {"name": {"en": "inner"}}},
                "context": {"contextActivities": {"other": [{"id": "http://o", "definition": {"type": "http://t"}}]}}},
        context={"contextActivities": {"parent": [{"id": "http://p", "definition": {"name": {"en": "p"}}},
                                                  {"id": "http://bare"}]}},
    )
    assert [a for a, _ in definitions(statement)] == ["http://p", "http://inner", "http://o"]


def test_activity_object_without_definition_is_the_id_alone() -> None:
    assert activity_object(MEETING, None) == {"objectType": "Activity", "id": MEETING}
    assert activity_object(MEETING, {"type": "http://t"})["definition"] == {"type": "http://t"}


def test_identity_keeps_only_the_identifier() -> None:
    assert identity({"objectType": "Agent", "name": "Siti", "mbox": "mailto:s@x.id"}) == {"mbox": "mailto:s@x.id"}
    account = {"homePage": "https://siasn.bkn.go.id", "name": "1990"}
    assert identity({"account": account, "name": "Siti"}) == {"account": account}


def test_named_agents_covers_actor_authority_members_and_context() -> None:
    statement = make_statement(
        actor={"objectType": "Group", "name": "Tim", "mbox": "mailto:tim@x.id",
               "member": [{"name": "Budi", "mbox": "mailto:budi@x.id"}]},
        object={"objectType": "Agent", "name": "Ani", "openid": "http://openid/ani"},
        context={"instructor": {"name": "Dewi", "mbox_sha1sum": "A" * 40}},
        authority={"name": "LMS", "account": {"homePage": "https://lms", "name": "lms"}},
    )
    assert named_agents(statement) == {
        ("mbox:mailto:budi@x.id", "Budi"), ("openid:http://openid/ani", "Ani"),
        ("mbox_sha1sum:" + "a" * 40, "Dewi"), ('account:["https://lms", "lms"]', "LMS"),
    }


def test_person_has_arrays_and_the_given_name_first() -> None:
    agent = {"objectType": "Agent", "name": "Siti", "mbox": "mailto:s@x.id"}
    assert person(agent, ["Siti R.", "Siti"]) == {
        "objectType": "Person", "name": ["Siti", "Siti R."], "mbox": ["mailto:s@x.id"],
    }
    assert person({"openid": "http://o"}, []) == {"objectType": "Person", "openid": ["http://o"]}
