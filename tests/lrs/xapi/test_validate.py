"""Statement validation: valid shapes pass, each xAPI rule fails with a message naming the field."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from lrs.errors import InvalidStatement
from lrs.xapi import validate as v
from lrs.xapi.statement import is_voiding
from lrs.xapi.validate import validate_agent, validate_statement

Statement = dict[str, Any]

UUID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
SHA256 = "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
AGENT = {"objectType": "Agent", "name": "Ann", "mbox": "mailto:ann@example.com"}
VERB = {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}}
ACTIVITY = {"objectType": "Activity", "id": "http://example.com/activities/quiz"}
ATTACHMENT = {
    "usageType": "http://adlnet.gov/expapi/attachments/signature",
    "display": {"en-US": "Signature"},
    "contentType": "application/octet-stream",
    "length": 4235,
    "sha2": SHA256,
}


def stmt(**fields: Any) -> Statement:
    """A minimal valid statement, with `fields` replacing or adding top-level properties."""
    base: Statement = {"actor": copy.deepcopy(AGENT), "verb": copy.deepcopy(VERB), "object": copy.deepcopy(ACTIVITY)}
    base.update(copy.deepcopy(fields))
    return base


def definition(interaction_type: str, **lists: Any) -> Statement:
    return stmt(object={
        "id": "http://example.com/q1",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "interactionType": interaction_type,
            "correctResponsesPattern": ["a"],
            **lists,
        },
    })


def components(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i, "description": {"en-US": f"Option {i}"}} for i in ids]


def full_statement() -> Statement:
    """A statement using nearly every property, about 1.5 KB of JSON."""
    return stmt(
        id=UUID,
        object={
            "objectType": "Activity",
            "id": "http://example.com/activities/quiz/q1",
            "definition": {
                "name": {"en-US": "Question 1", "id": "Soal 1"},
                "description": {"en-US": "Which sports are ball games?"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "moreInfo": "https://example.com/quiz/q1",
                "interactionType": "choice",
                "correctResponsesPattern": ["golf[,]tetris"],
                "choices": components("golf", "tetris", "chess"),
            },
        },
        result={
            "score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100},
            "success": True,
            "completion": True,
            "response": "golf[,]tetris",
            "duration": "PT1H30M",
            "extensions": {"http://example.com/ext/attempts": None},
        },
        context={
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "instructor": {"name": "Irene", "account": {"homePage": "https://lms.example.com", "name": "irene"}},
            "contextActivities": {
                "parent": [{"id": "http://example.com/activities/quiz"}],
                "grouping": {"id": "http://example.com/courses/101", "objectType": "Activity"},
            },
            "revision": "2",
            "platform": "Example LMS",
            "language": "en-US",
            "extensions": {"http://example.com/ext/session": {"n": [1]}},
        },
        timestamp="2013-05-18T05:32:34.804Z",
        attachments=[ATTACHMENT],
    )


def sub_statement(**fields: Any) -> Statement:
    sub: Statement = {"objectType": "SubStatement", "actor": AGENT, "verb": VERB, "object": ACTIVITY}
    sub.update(fields)
    return stmt(object=sub)


def invalid(statement: object, *fragments: str) -> str:
    """Assert the statement is refused and that the message contains each fragment; return the message."""
    with pytest.raises(InvalidStatement) as caught:
        validate_statement(statement)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# --------------------------------------------------------------------------- valid statements

VALID: dict[str, Statement] = {
    "minimal": stmt(),
    "full": full_statement(),
    "object type omitted": stmt(object={"id": "http://example.com/a"}),
    "uppercase id": stmt(id=UUID.upper()),
    "nil-like uuid of another variant": stmt(id="00000000-0000-0000-0000-000000000000"),
    "mbox_sha1sum": stmt(actor={"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}),
    "openid": stmt(actor={"openid": "http://openid.example.org/12345"}),
    "account": stmt(actor={"account": {"homePage": "http://www.example.com", "name": "1625378"}}),
    "identified group": stmt(actor={"objectType": "Group", "mbox": "mailto:team@example.com"}),
    "identified group with members": stmt(
        actor={"objectType": "Group", "account": {"homePage": "http://x.com", "name": "t"}, "member": [AGENT]}
    ),
    "identified group with empty member": stmt(actor={"objectType": "Group", "openid": "http://t.example", "member": []}),
    "anonymous group": stmt(actor={"objectType": "Group", "name": "ad hoc", "member": [AGENT, {"mbox": "mailto:b@x.org"}]}),
    "agent object": stmt(object={"objectType": "Agent", "mbox": "mailto:bob@example.com"}),
    "group object": stmt(object={"objectType": "Group", "member": [AGENT]}),
    "statement ref object": stmt(object={"objectType": "StatementRef", "id": UUID}),
    "voiding": stmt(verb={"id": VOIDED, "display": {"en-US": "voided"}}, object={"objectType": "StatementRef", "id": UUID}),
    "sub statement": sub_statement(
        result={"success": False, "duration": "P1DT2H"},
        context={"revision": "1", "platform": "p", "contextActivities": {"other": {"id": "http://example.com/o"}}},
        timestamp="2013-05-18T05:32:34+07:00",
        attachments=[ATTACHMENT],
    ),
    "sub statement of an agent": sub_statement(object={"objectType": "Agent", "mbox": "mailto:x@y.z"}),
    "sub statement of a statement ref": sub_statement(object={"objectType": "StatementRef", "id": UUID}),
    "client-set server fields": stmt(
        id=UUID,
        stored="2013-05-18T05:32:34.804+00:00",
        version="1.0.3",
        authority={"objectType": "Agent", "account": {"homePage": "http://lrs.example.com", "name": "client"}},
    ),
    "oauth group authority": stmt(authority={
        "objectType": "Group",
        "member": [{"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
                   {"mbox": "mailto:bob@example.com"}],
    }),
    "version 1.0": stmt(version="1.0"),
    "version 1.0.0": stmt(version="1.0.0"),
    "team and group instructor": stmt(context={
        "instructor": {"objectType": "Group", "member": [AGENT]},
        "team": {"objectType": "Group", "mbox": "mailto:t@example.com"},
    }),
    "empty language map": stmt(verb={"id": "http://example.com/v", "display": {}}),
    "attachment with fileUrl and description": stmt(attachments=[{
        **ATTACHMENT, "fileUrl": "https://example.com/sig.bin", "description": {"en": "d"},
        "contentType": "text/plain; charset=utf-8", "length": 0,
        "sha2": "a" * 128,
    }]),
    "score bounds equal raw": stmt(result={"score": {"raw": 0, "min": 0, "max": 1, "scaled": -1}}),
    "score raw only": stmt(result={"score": {"raw": -7.5}}),
    "score min only": stmt(result={"score": {"raw": 3, "min": 1}}),
    "integral float length": stmt(attachments=[{**ATTACHMENT, "length": 12.0}]),
    "true-false": definition("true-false"),
    "fill-in": definition("fill-in"),
    "long-fill-in": definition("long-fill-in"),
    "numeric": definition("numeric"),
    "other": definition("other"),
    "choice": definition("choice", choices=components("a", "b")),
    "sequencing": definition("sequencing", choices=components("a", "b")),
    "likert": definition("likert", scale=components("likert_0", "likert_1")),
    "matching": definition("matching", source=components("1", "2"), target=components("A", "B")),
    "performance": definition("performance", steps=components("pong", "dg")),
    "interaction without components": definition("choice"),
    "definition without interaction": stmt(object={"id": "http://example.com/a", "definition": {"name": {"en": "A"}}}),
    "context activities in sub statement": sub_statement(
        context={"contextActivities": {"parent": [{"id": "http://a.example", "definition": {
            "interactionType": "likert", "scale": components("1", "2")}}]}}
    ),
}


@pytest.mark.parametrize("statement", VALID.values(), ids=VALID.keys())
def test_valid_statements_pass(statement: Statement) -> None:
    validate_statement(statement)


def test_full_statement_is_typical_size() -> None:
    assert 1400 <= len(json.dumps(full_statement(), separators=(",", ":"))) <= 1700


@pytest.mark.parametrize("iri", [
    "http://example.com/verbs/tested",
    "urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    "https://w3id.org/xapi/adl/verbs/logged-in",
    "tag:adlnet.gov,2013:expapi:0.9:activities",
    "http://例え.テスト/活動",
    "x:y",
])
def test_absolute_iris_pass(iri: str) -> None:
    validate_statement(stmt(verb={"id": iri}, object={"id": iri}))


@pytest.mark.parametrize("tag", [
    "en", "en-US", "zh-Hant-TW", "es-419", "x-private", "de-CH-1901", "sl-rozaj-biske", "zh-yue-HK",
    "en-a-bbb-x-a-ccc", "tlh", "i-klingon", "EN-us", "und", "sr-Latn-RS", "hy-Latn-IT-arevela", "qaa-Qaaa-QM-x-southern",
])
def test_language_tags_pass(tag: str) -> None:
    validate_statement(stmt(verb={"id": "http://example.com/v", "display": {tag: "x"}}, context={"language": tag}))


@pytest.mark.parametrize("duration", ["PT1H30M", "P1DT2H", "PT0.5S", "P1W", "P1Y2M3DT4H5M6.75S", "PT36H", "P0D", "PT1,5S"])
def test_durations_pass(duration: str) -> None:
    validate_statement(stmt(result={"duration": duration}))


@pytest.mark.parametrize("timestamp", [
    "2013-05-18T05:32:34.804Z", "2013-05-18T05:32:34+07:00", "2013-05-18T05:32:34.804+0000", "20130518T053234Z",
    "2013-05-18t05:32:34.123456789z", "2013-05-18T05:32Z", "2013-05-18T05:32:34-05:30", "2016-02-29T23:59:59+14",
])
def test_timestamps_pass(timestamp: str) -> None:
    validate_statement(stmt(timestamp=timestamp, stored=timestamp))


# --------------------------------------------------------------------------- invalid statements

INVALID: list[tuple[str, Any, tuple[str, ...]]] = [
    # top level
    ("not an object", [stmt()], ("statement must be an object",)),
    ("null statement", None, ("statement must not be null",)),
    ("missing actor", {"verb": VERB, "object": ACTIVITY}, ("statement.actor is required",)),
    ("missing verb", {"actor": AGENT, "object": ACTIVITY}, ("statement.verb is required",)),
    ("missing object", {"actor": AGENT, "verb": VERB}, ("statement.object is required",)),
    ("unknown key", stmt(foo=1), ("statement.foo is not allowed", "allowed here: id, actor")),
    ("key case", stmt(Verb=VERB), ("statement.Verb is not allowed", "case-sensitive", "'verb'")),
    ("null id", stmt(id=None), ("statement.id must not be null",)),
    ("bad id", stmt(id="fd41c918b88b4b20a0a5a4c32391aaa0"), ("statement.id must be a UUID",)),
    ("id with newline", stmt(id=UUID + "\n"), ("statement.id must be a UUID",)),
    ("braced id", stmt(id="{" + UUID + "}"), ("statement.id must be a UUID",)),
    # agents
    ("agent without ifi", stmt(actor={"name": "x"}), ("statement.actor must have exactly one inverse functional identifier", "none was given")),
    ("agent with two ifis", stmt(actor={"mbox": "mailto:a@b.c", "openid": "http://o.example"}), ("statement.actor", "found 2: mbox, openid")),
    ("agent unknown key", stmt(actor={**AGENT, "email": "a@b.c"}), ("statement.actor.email is not allowed",)),
    ("agent lower objectType", stmt(actor={**AGENT, "objectType": "agent"}), ('statement.actor.objectType must be one of "Agent", "Group"',)),
    ("activity as actor", stmt(actor={**AGENT, "objectType": "Activity"}), ("statement.actor.objectType must be one of",)),
    ("mbox without mailto", stmt(actor={"mbox": "ann@example.com"}), ("statement.actor.mbox must be \"mailto:\" followed by an email address",)),
    ("mailto without address", stmt(actor={"mbox": "mailto:should.fail.com"}),
     ("statement.actor.mbox must be \"mailto:\" followed by an email address",)),
    ("identified group as authority", stmt(authority={"objectType": "Group", "mbox": "mailto:g@example.com",
     "member": [{"mbox": "mailto:a@example.com"}, {"mbox": "mailto:b@example.com"}]}),
     ("statement.authority is a Group, so it must be an anonymous Group",)),
    ("bare mailto", stmt(actor={"mbox": "mailto:"}), ("statement.actor.mbox must be \"mailto:\" followed by an email address",)),
    ("short sha1", stmt(actor={"mbox_sha1sum": "abc"}), ("statement.actor.mbox_sha1sum must be the 40 hexadecimal",)),
    ("relative openid", stmt(actor={"openid": "example.com/me"}), ("statement.actor.openid must be an absolute IRI",)),
    ("account without name", stmt(actor={"account": {"homePage": "http://x.com"}}), ("statement.actor.account.name is required",)),
    ("account relative homePage", stmt(actor={"account": {"homePage": "x.com", "name": "n"}}), ("statement.actor.account.homePage must be an absolute IRI",)),
    ("account extra key", stmt(actor={"account": {"homePage": "http://x.com", "name": "n", "id": 1}}), ("statement.actor.account.id is not allowed",)),
    ("numeric account name", stmt(actor={"account": {"homePage": "http://x.com", "name": 7}}), ("statement.actor.account.name must be a string",)),
    ("null agent name", stmt(actor={**AGENT, "name": None}), ("statement.actor.name must not be null",)),
    # groups
    ("anonymous group without member", stmt(actor={"objectType": "Group", "name": "g"}), ("statement.actor is an anonymous Group", '"member"')),
    ("anonymous group empty member", stmt(actor={"objectType": "Group", "member": []}), ("statement.actor.member must list at least one Agent",)),
    ("group with two ifis", stmt(actor={"objectType": "Group", "mbox": "mailto:g@x.y", "openid": "http://g.example", "member": [AGENT]}), ("statement.actor must have exactly one", "found 2")),
    ("group as member", stmt(actor={"objectType": "Group", "member": [{"objectType": "Group", "mbox": "mailto:g@x.y"}]}), ('statement.actor.member[0].objectType must be "Agent"',)),
    ("bad member", stmt(actor={"objectType": "Group", "member": [AGENT, {"name": "nobody"}]}), ("statement.actor.member[1] must have exactly one inverse functional identifier",)),
    ("member not array", stmt(actor={"objectType": "Group", "member": AGENT}), ("statement.actor.member must be an array",)),
    ("team is agent", stmt(context={"team": AGENT}), ("statement.context.team.objectType must be \"Group\"",)),
    ("team without objectType", stmt(context={"team": {"mbox": "mailto:t@x.y"}}), ('statement.context.team must have "objectType": "Group"',)),
    # verb
    ("verb without id", stmt(verb={"display": {"en": "x"}}), ("statement.verb.id is required",)),
    ("relative verb id", stmt(verb={"id": "completed"}), ("statement.verb.id must be an absolute IRI", '"completed"')),
    ("verb id with space", stmt(verb={"id": "http://example.com/a verb"}), ("statement.verb.id must be an absolute IRI",)),
    ("empty verb id", stmt(verb={"id": ""}), ("statement.verb.id must be an absolute IRI",)),
    ("scheme only", stmt(verb={"id": "http:"}), ("statement.verb.id must be an absolute IRI",)),
    ("verb extra key", stmt(verb={**VERB, "name": "x"}), ("statement.verb.name is not allowed",)),
    ("verb as string", stmt(verb="http://example.com/v"), ("statement.verb must be an object", '"http://example.com/v"')),
    # language maps
    ("underscore language tag", stmt(verb={**VERB, "display": {"en_US": "x"}}), ('statement.verb.display has an invalid key "en_US"', "RFC 5646")),
    ("spaced language tag", stmt(verb={**VERB, "display": {"bad tag": "x"}}), ('statement.verb.display has an invalid key "bad tag"',)),
    ("overlong language subtag", stmt(verb={**VERB, "display": {"abcdefghi": "x"}}), ('has an invalid key "abcdefghi"',)),
    ("non-string language map value", stmt(verb={**VERB, "display": {"en-US": 5}}), ('statement.verb.display["en-US"] must be a string',)),
    ("null language map value", stmt(verb={**VERB, "display": {"en-US": None}}), ('statement.verb.display["en-US"] must not be null',)),
    ("language map as string", stmt(verb={**VERB, "display": "completed"}), ("statement.verb.display must be an object",)),
    ("bad context language", stmt(context={"language": "en_US"}), ("statement.context.language must be an RFC 5646 language tag",)),
    # objects
    ("activity without id", stmt(object={"objectType": "Activity"}), ("statement.object.id is required",)),
    ("relative activity id", stmt(object={"id": "quiz"}), ("statement.object.id must be an absolute IRI",)),
    ("unknown objectType", stmt(object={"objectType": "Course", "id": "http://x.com"}), ("statement.object.objectType must be one of", '"Course"')),
    ("activity extra key", stmt(object={**ACTIVITY, "name": "q"}), ("statement.object.name is not allowed",)),
    ("agent object without objectType is an activity", stmt(object={"mbox": "mailto:a@b.c"}), ("statement.object",)),
    ("statement ref without id", stmt(object={"objectType": "StatementRef"}), ("statement.object.id is required",)),
    ("statement ref bad id", stmt(object={"objectType": "StatementRef", "id": "http://x.com"}), ("statement.object.id must be a UUID",)),
    ("statement ref extra key", stmt(object={"objectType": "StatementRef", "id": UUID, "definition": {}}), ("statement.object.definition is not allowed",)),
    ("group object without ifi or member", stmt(object={"objectType": "Group"}), ("statement.object is an anonymous Group",)),
    # sub statements
    ("sub statement with id", sub_statement(id=UUID), ("statement.object.id is not allowed in a SubStatement",)),
    ("sub statement with stored", sub_statement(stored="2013-05-18T05:32:34Z"), ("statement.object.stored is not allowed in a SubStatement",)),
    ("sub statement with version", sub_statement(version="1.0.0"), ("statement.object.version is not allowed in a SubStatement",)),
    ("sub statement with authority", sub_statement(authority=AGENT), ("statement.object.authority is not allowed in a SubStatement",)),
    ("nested sub statement", sub_statement(object={"objectType": "SubStatement", "actor": AGENT, "verb": VERB, "object": ACTIVITY}),
     ("statement.object.object.objectType must be", "cannot contain another SubStatement")),
    ("sub statement without verb", stmt(object={"objectType": "SubStatement", "actor": AGENT, "object": ACTIVITY}), ("statement.object.verb is required",)),
    ("sub statement bad actor", sub_statement(actor={"name": "x"}), ("statement.object.actor must have exactly one",)),
    ("sub statement unknown key", sub_statement(extra=True), ("statement.object.extra is not allowed",)),
    ("sub statement revision for agent", sub_statement(object=AGENT, context={"revision": "1"}),
     ("statement.object.context.revision is only allowed when the statement's object is an Activity",)),
    ("sub statement bad score", sub_statement(result={"score": {"raw": 5, "max": 4}}), ("statement.object.result.score.raw must be less than or equal to max",)),
    ("sub statement duplicate components", sub_statement(object={"id": "http://q.example", "definition": {
        "interactionType": "choice", "choices": components("a", "a")}}), ("statement.object.object.definition.choices[1].id repeats",)),
    # activity definitions
    ("unknown interactionType", definition("essay"), ("statement.object.definition.interactionType must be one of", '"essay"')),
    ("interactionType case", definition("Choice"), ("statement.object.definition.interactionType must be one of",)),
    ("components without interactionType", stmt(object={"id": "http://q.example", "definition": {"choices": components("a")}}),
     ('statement.object.definition must have an "interactionType"',)),
    ("pattern without interactionType", stmt(object={"id": "http://q.example", "definition": {"correctResponsesPattern": ["a"]}}),
     ('statement.object.definition must have an "interactionType"',)),
    ("choices on likert", definition("likert", choices=components("a")), ('statement.object.definition.interactionType must be "choice" or "sequencing"', '"likert"')),
    ("scale on choice", definition("choice", scale=components("a")), ('statement.object.definition.interactionType must be "likert"',)),
    ("source on sequencing", definition("sequencing", source=components("a")), ('interactionType must be "matching" when the definition has a "source" list',)),
    ("target on performance", definition("performance", target=components("a")), ('"matching" when the definition has a "target" list',)),
    ("steps on numeric", definition("numeric", steps=components("a")), ('"performance" when the definition has a "steps" list',)),
    ("duplicate component ids", definition("choice", choices=components("a", "b", "a")),
     ("statement.object.definition.choices[2].id repeats the id \"a\" of statement.object.definition.choices[0].id",)),
    ("duplicate target ids", definition("matching", source=components("1"), target=components("A", "A")), ("statement.object.definition.target[1].id repeats",)),
    ("component without id", definition("likert", scale=[{"description": {"en": "x"}}]), ("statement.object.definition.scale[0].id is required",)),
    ("empty component id", definition("likert", scale=[{"id": ""}]), ("statement.object.definition.scale[0].id must not be empty",)),
    ("component extra key", definition("likert", scale=[{"id": "1", "label": "x"}]), ("statement.object.definition.scale[0].label is not allowed",)),
    ("pattern not strings", definition("numeric", correctResponsesPattern=[4]), ("statement.object.definition.correctResponsesPattern[0] must be a string",)),
    ("pattern not array", definition("numeric", correctResponsesPattern="4"), ("statement.object.definition.correctResponsesPattern must be an array",)),
    ("relative type", stmt(object={"id": "http://q.example", "definition": {"type": "quiz"}}), ("statement.object.definition.type must be an absolute IRI",)),
    ("relative moreInfo", stmt(object={"id": "http://q.example", "definition": {"moreInfo": "/info"}}), ("statement.object.definition.moreInfo must be an absolute IRI",)),
    ("definition unknown key", stmt(object={"id": "http://q.example", "definition": {"title": "x"}}), ("statement.object.definition.title is not allowed",)),
    ("definition extension key", stmt(object={"id": "http://q.example", "definition": {"extensions": {"difficulty": 1}}}),
     ('statement.object.definition.extensions has an invalid key "difficulty": must be an absolute IRI',)),
    # result
    ("scaled above 1", stmt(result={"score": {"scaled": 1.5}}), ("statement.result.score.scaled must be less than or equal to 1", "got 1.5")),
    ("scaled below -1", stmt(result={"score": {"scaled": -1.01}}), ("statement.result.score.scaled must be greater than or equal to -1",)),
    ("raw as string", stmt(result={"score": {"raw": "95"}}), ("statement.result.score.raw must be a number", '"95"')),
    ("raw as boolean", stmt(result={"score": {"raw": True}}), ("statement.result.score.raw must be a number",)),
    ("raw above max", stmt(result={"score": {"raw": 11, "min": 0, "max": 10}}), ("statement.result.score.raw must be less than or equal to max", "raw 11")),
    ("raw below min", stmt(result={"score": {"raw": -1, "min": 0}}), ("statement.result.score.raw must be greater than or equal to min",)),
    ("min equals max", stmt(result={"score": {"min": 5, "max": 5}}), ("statement.result.score.min must be less than max",)),
    ("min above max", stmt(result={"score": {"min": 6, "max": 5}}), ("statement.result.score.min must be less than max",)),
    ("score extra key", stmt(result={"score": {"percent": 5}}), ("statement.result.score.percent is not allowed",)),
    ("success as string", stmt(result={"success": "true"}), ("statement.result.success must be a boolean",)),
    ("completion as number", stmt(result={"completion": 1}), ("statement.result.completion must be a boolean",)),
    ("response as number", stmt(result={"response": 42}), ("statement.result.response must be a string",)),
    ("null result property", stmt(result={"success": None}), ("statement.result.success must not be null",)),
    ("bad duration", stmt(result={"duration": "1 hour"}), ("statement.result.duration must be an ISO 8601 duration",)),
    ("empty duration", stmt(result={"duration": "P"}), ("statement.result.duration must be an ISO 8601 duration",)),
    ("dangling T duration", stmt(result={"duration": "P1DT"}), ("statement.result.duration",)),
    ("alternative duration format", stmt(result={"duration": "P0001-02-03T04:05:06"}), ("statement.result.duration",)),
    ("negative duration", stmt(result={"duration": "-PT1H"}), ("statement.result.duration",)),
    ("lowercase duration", stmt(result={"duration": "pt1h"}), ("statement.result.duration",)),
    ("result extension key", stmt(result={"extensions": {"attempts": 1}}), ('statement.result.extensions has an invalid key "attempts"',)),
    ("result extra key", stmt(result={"grade": "A"}), ("statement.result.grade is not allowed",)),
    # context
    ("bad registration", stmt(context={"registration": "abc"}), ("statement.context.registration must be a UUID",)),
    ("context activities unknown key", stmt(context={"contextActivities": {"parents": []}}), ("statement.context.contextActivities.parents is not allowed",)),
    ("context activity not object", stmt(context={"contextActivities": {"parent": "http://x.com"}}),
     ("statement.context.contextActivities.parent must be an Activity object or an array of Activity objects",)),
    ("context activity relative id", stmt(context={"contextActivities": {"parent": [{"id": "http://ok.example"}, {"id": "nope"}]}}),
     ("statement.context.contextActivities.parent[1].id must be an absolute IRI",)),
    ("context activity agent", stmt(context={"contextActivities": {"other": [{"objectType": "Agent", "mbox": "mailto:a@b.c"}]}}),
     ('statement.context.contextActivities.other[0].objectType must be "Activity"',)),
    ("context activity single missing id", stmt(context={"contextActivities": {"grouping": {"objectType": "Activity"}}}),
     ("statement.context.contextActivities.grouping.id is required",)),
    ("context duplicate component ids", stmt(context={"contextActivities": {"category": {"id": "http://c.example", "definition": {
        "interactionType": "sequencing", "choices": components("x", "x")}}}}), ("statement.context.contextActivities.category.definition.choices[1].id repeats",)),
    ("revision with agent object", stmt(object=AGENT, context={"revision": "1"}), ("statement.context.revision is only allowed when the statement's object is an Activity",)),
    ("platform with statement ref", stmt(object={"objectType": "StatementRef", "id": UUID}, context={"platform": "p"}),
     ("statement.context.platform is only allowed when the statement's object is an Activity",)),
    ("revision not string", stmt(context={"revision": 2}), ("statement.context.revision must be a string",)),
    ("context statement not ref", stmt(context={"statement": {"id": UUID}}), ("statement.context.statement.objectType is required",)),
    ("context statement bad id", stmt(context={"statement": {"objectType": "StatementRef", "id": "1"}}), ("statement.context.statement.id must be a UUID",)),
    ("instructor without ifi", stmt(context={"instructor": {"name": "x"}}), ("statement.context.instructor must have exactly one",)),
    ("context extra key", stmt(context={"course": "x"}), ("statement.context.course is not allowed",)),
    ("context extension key", stmt(context={"extensions": {"": 1}}), ("statement.context.extensions has an invalid key \"\"",)),
    ("null extensions", stmt(context={"extensions": None}), ("statement.context.extensions must not be null",)),
    # timestamps
    ("negative zero offset", stmt(timestamp="2013-05-18T05:32:34.804-00:00"), ("statement.timestamp must be an ISO 8601 date and time", "-00:00")),
    ("negative zero basic offset", stmt(timestamp="2013-05-18T05:32:34-0000"), ("statement.timestamp",)),
    ("no time zone", stmt(timestamp="2013-05-18T05:32:34.804"), ("statement.timestamp must be an ISO 8601 date and time with a time zone",)),
    ("date only", stmt(timestamp="2013-05-18"), ("statement.timestamp",)),
    ("space separator", stmt(timestamp="2013-05-18 05:32:34Z"), ("statement.timestamp",)),
    ("impossible date", stmt(timestamp="2013-02-30T05:32:34Z"), ("statement.timestamp",)),
    ("hour 24", stmt(timestamp="2013-05-18T24:00:00Z"), ("statement.timestamp",)),
    ("empty fraction", stmt(timestamp="2013-05-18T05:32:34.Z"), ("statement.timestamp",)),
    ("epoch number", stmt(timestamp=1368855154), ("statement.timestamp must be a string",)),
    ("bad stored", stmt(stored="yesterday"), ("statement.stored must be an ISO 8601 date and time",)),
    # version and authority
    ("version 1.1", stmt(version="1.1.0"), ("statement.version must be a 1.0.x version", '"1.1.0"')),
    ("version 0.95", stmt(version="0.95"), ("statement.version",)),
    ("version with suffix", stmt(version="1.0.3-beta"), ("statement.version",)),
    ("version number", stmt(version=1.0), ("statement.version must be a string",)),
    ("authority group of one", stmt(authority={"objectType": "Group", "member": [AGENT]}),
     ("statement.authority.member must contain exactly 2 Agents",)),
    ("authority group of three", stmt(authority={"objectType": "Group", "member": [AGENT, AGENT, AGENT]}),
     ("statement.authority.member must contain exactly 2 Agents",)),
    ("authority group without member", stmt(authority={"objectType": "Group", "mbox": "mailto:g@x.y"}),
     ('statement.authority is a Group, so it must have a "member" array of exactly 2 Agents',)),
    ("authority bad agent", stmt(authority={"name": "lrs"}), ("statement.authority must have exactly one inverse functional identifier",)),
    # attachments
    ("attachments not array", stmt(attachments=ATTACHMENT), ("statement.attachments must be an array",)),
    *[(f"attachment without {key}", stmt(attachments=[{k: v for k, v in ATTACHMENT.items() if k != key}]), (f"statement.attachments[0].{key} is required",))
      for key in ("usageType", "display", "contentType", "length", "sha2")],
    ("attachment negative length", stmt(attachments=[{**ATTACHMENT, "length": -1}]), ("statement.attachments[0].length must be greater than or equal to 0",)),
    ("attachment fractional length", stmt(attachments=[{**ATTACHMENT, "length": 1.5}]), ("statement.attachments[0].length must be an integer",)),
    ("attachment bad sha2", stmt(attachments=[{**ATTACHMENT, "sha2": "xyz"}]), ("statement.attachments[0].sha2 must be a hexadecimal SHA-2 hash",)),
    ("attachment sha1 as sha2", stmt(attachments=[{**ATTACHMENT, "sha2": "a" * 40}]), ("statement.attachments[0].sha2",)),
    ("attachment bad content type", stmt(attachments=[{**ATTACHMENT, "contentType": "pdf"}]), ("statement.attachments[0].contentType must be an Internet media type",)),
    ("attachment relative usageType", stmt(attachments=[{**ATTACHMENT, "usageType": "signature"}]), ("statement.attachments[0].usageType must be an absolute IRI",)),
    ("attachment relative fileUrl", stmt(attachments=[{**ATTACHMENT, "fileUrl": "sig.bin"}]), ("statement.attachments[0].fileUrl must be an absolute IRI",)),
    ("attachment extra key", stmt(attachments=[{**ATTACHMENT, "data": "AAAA"}]), ("statement.attachments[0].data is not allowed",)),
    ("attachment bad display", stmt(attachments=[{**ATTACHMENT, "display": {"en-US": ["x"]}}]), ('statement.attachments[0].display["en-US"] must be a string',)),
    # voiding
    ("voiding an activity", stmt(verb={"id": VOIDED}, object={"id": "http://example.com/a"}), ("statement.object must be a StatementRef because the verb is " + VOIDED,)),
    ("voiding a typed activity", stmt(verb={"id": VOIDED}), ('statement.object.objectType must be "StatementRef"', '"Activity"')),
    ("voiding an agent", stmt(verb={"id": VOIDED}, object=AGENT), ('statement.object.objectType must be "StatementRef" because the verb is',)),
    ("voiding a sub statement", stmt(verb={"id": VOIDED}, object={"objectType": "SubStatement", "actor": AGENT, "verb": VERB, "object": ACTIVITY}),
     ("statement.object.objectType must be \"StatementRef\"",)),
]


@pytest.mark.parametrize(("statement", "fragments"), [(s, f) for _, s, f in INVALID], ids=[name for name, _, _ in INVALID])
def test_invalid_statements_fail_naming_the_field(statement: Any, fragments: tuple[str, ...]) -> None:
    invalid(statement, *fragments)


@pytest.mark.parametrize("language_tag", ["en_US", "bad tag", "e", "en-", "-en", "en--US", "en-US-", "toolongtag", "en-x", "x", "1en", "en-US\n"])
def test_invalid_language_tags_fail(language_tag: str) -> None:
    invalid(stmt(context={"language": language_tag}), "statement.context.language must be an RFC 5646 language tag")


@pytest.mark.parametrize("path", [
    ("id",), ("timestamp",), ("version",), ("actor", "mbox"), ("actor", "objectType"), ("verb", "display"),
    ("object", "objectType"), ("object", "definition"), ("result", "score", "raw"), ("context", "platform"),
    ("context", "contextActivities", "parent"), ("attachments",),
])
def test_null_values_fail(path: tuple[str, ...]) -> None:
    statement = full_statement()
    statement.update(version="1.0.0")
    node = statement
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = None
    invalid(statement, "statement." + ".".join(path) + " must not be null")


def test_extension_values_may_be_null_or_anything() -> None:
    validate_statement(stmt(result={"extensions": {"http://e.example/a": None, "http://e.example/b": [{"x": None}], "urn:c": False}}))


def test_long_values_are_truncated_in_messages() -> None:
    message = invalid(stmt(verb={"id": "not an iri " * 50}))
    assert len(message) < 400 and message.endswith('..."')


# --------------------------------------------------------------------------- validate_agent and is_voiding

@pytest.mark.parametrize("agent", [
    AGENT, {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
    {"objectType": "Group", "account": {"homePage": "http://x.com", "name": "team"}},
    {"objectType": "Group", "mbox": "mailto:g@x.y", "member": [AGENT]},
])
def test_validate_agent_accepts_agents_and_identified_groups(agent: dict[str, Any]) -> None:
    validate_agent(agent, "agent")


@pytest.mark.parametrize(("agent", "fragment"), [
    ({"objectType": "Group", "member": [AGENT]}, "agent must be an Agent or an identified Group"),
    ({"name": "x"}, "agent must have exactly one inverse functional identifier"),
    ({"mbox": "a@b.c"}, "agent.mbox must be \"mailto:\" followed by an email address"),
    ({"mbox": "mailto:a@b.c", "openid": "http://o.example"}, "found 2"),
    ({"objectType": "Activity", "id": "http://x.com"}, "agent.objectType must be one of"),
    ("mailto:a@b.c", "agent must be an object"),
    (None, "agent must not be null"),
])
def test_validate_agent_rejects(agent: Any, fragment: str) -> None:
    with pytest.raises(InvalidStatement) as caught:
        validate_agent(agent, "agent")
    assert fragment in str(caught.value)


def test_validate_agent_uses_the_given_name() -> None:
    with pytest.raises(InvalidStatement, match=r"^query\.agent\.account\.homePage "):
        validate_agent({"account": {"homePage": "nope", "name": "n"}}, "query.agent")


def test_is_voiding() -> None:
    assert is_voiding(stmt(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": UUID}))
    assert not is_voiding(stmt())
    assert not is_voiding({"verb": "http://adlnet.gov/expapi/verbs/voided"})
    assert not is_voiding({})


# --------------------------------------------------------------------------- the schema and the machinery

def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(v.load_schema())


def test_schema_is_not_read_at_import_time() -> None:
    code = "import lrs.xapi.validate as m; assert m.load_schema.cache_info().currsize == 0"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=v.SCHEMA_DIR.parents[1])


@pytest.mark.parametrize("statement", [*VALID.values(), *(s for _, s, _ in INVALID)], ids=[*VALID, *(n for n, _, _ in INVALID)])
def test_fast_check_agrees_with_jsonschema(statement: Any) -> None:
    compiled = v._compiled("statement")
    assert compiled.check(statement) == compiled.validator.is_valid(statement)


def _mutations() -> st.SearchStrategy[Any]:
    """A valid statement with one node replaced by an arbitrary JSON value, or one key removed."""
    scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | st.sampled_from([
        "", "x", "Agent", "Group", "Activity", "SubStatement", "StatementRef", "choice", "likert", UUID,
        "mailto:a@b.c", "http://example.com/x", "en-US", "PT1H", "2013-05-18T05:32:34Z", "1.0.0", VOIDED,
    ])
    json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=2) | st.dictionaries(
        st.sampled_from(["id", "objectType", "mbox", "member", "en", "http://e.example/x", "name"]), inner, max_size=2), max_leaves=4)

    def mutate(base: Statement, data: st.DataObject) -> Any:
        node: Any = base
        for _ in range(data.draw(st.integers(0, 5))):
            keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
            if not keys:
                break
            key = data.draw(st.sampled_from(keys))
            if not isinstance(node[key], (dict, list)) or data.draw(st.booleans()):
                if isinstance(node, dict) and data.draw(st.booleans()):
                    del node[key]
                else:
                    node[key] = data.draw(json_values)
                return base
            node = node[key]
        return base

    return st.builds(lambda name, data: mutate(copy.deepcopy(VALID[name]), data), st.sampled_from(sorted(VALID)), st.data())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_fast_check_agrees_with_jsonschema_on_mutations(statement: Any) -> None:
    compiled = v._compiled("statement")
    assert compiled.check(statement) == compiled.validator.is_valid(statement)
    if not compiled.check(statement):
        invalid(statement, "statement")


def test_validators_are_compiled_once() -> None:
    validate_statement(stmt())
    assert v._compiled("statement") is v._compiled("statement")


def _first_fragment(check: Callable[[], None]) -> str:
    with pytest.raises(InvalidStatement) as caught:
        check()
    return str(caught.value).split(" ", 1)[0]


def test_shallowest_error_is_reported_first() -> None:
    statement = stmt(result={"score": {"raw": "x"}})
    del statement["verb"]
    assert _first_fragment(lambda: validate_statement(statement)) == "statement.verb"
