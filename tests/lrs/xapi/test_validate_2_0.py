"""xAPI 2.0 (IEEE 9274.1.1) statement validation: context agents and groups, the version property,
and the 2.0 schema's reuse of the 1.0.3 one through $dynamicRef."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from lrs.errors import InvalidStatement
from lrs.xapi import validate as v
from lrs.xapi.validate import validate_statement
from lrs.xapi.versions import V1, V2
from tests.lrs.xapi.test_validate import INVALID, VALID, full_statement, stmt

Statement = dict[str, Any]

AGENT = {"objectType": "Agent", "mbox": "mailto:coach@example.com"}
GROUP = {"objectType": "Group", "mbox": "mailto:team@example.com"}
TYPES = ["https://example.com/xapi/relevant-types/coach"]
CONTEXT_AGENT = {"objectType": "contextAgent", "agent": AGENT, "relevantTypes": TYPES}
CONTEXT_GROUP = {"objectType": "contextGroup", "group": GROUP, "relevantTypes": TYPES}


def with_context(**context: Any) -> Statement:
    return stmt(context=context)


def in_sub_statement(**context: Any) -> Statement:
    return stmt(object={
        "objectType": "SubStatement", "actor": AGENT, "verb": {"id": "http://example.com/v"},
        "object": {"id": "http://example.com/a"}, "context": context,
    })


def invalid_2_0(statement: object, *fragments: str) -> str:
    with pytest.raises(InvalidStatement) as caught:
        validate_statement(statement, V2)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


VALID_2_0: dict[str, Statement] = {
    "context agent": with_context(contextAgents=[CONTEXT_AGENT]),
    "context agent without relevantTypes": with_context(contextAgents=[{"objectType": "contextAgent", "agent": AGENT}]),
    "several context agents": with_context(contextAgents=[CONTEXT_AGENT, {**CONTEXT_AGENT, "agent": {"openid": "http://id.example/c"}}]),
    "empty context agents": with_context(contextAgents=[]),
    "identified context group": with_context(contextGroups=[CONTEXT_GROUP]),
    "anonymous context group": with_context(contextGroups=[{**CONTEXT_GROUP, "group": {"objectType": "Group", "member": [AGENT]}}]),
    "both, with the 1.0.3 properties": with_context(
        registration="ec531277-b57b-4c15-8d91-d292c5b2b8f7", instructor=AGENT, team=GROUP,
        contextActivities={"parent": [{"id": "http://example.com/p"}]}, revision="1", platform="LMS",
        language="id-ID", statement={"objectType": "StatementRef", "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"},
        extensions={"http://example.com/x": 1}, contextAgents=[CONTEXT_AGENT], contextGroups=[CONTEXT_GROUP],
    ),
    "in a sub statement": in_sub_statement(contextAgents=[CONTEXT_AGENT], contextGroups=[CONTEXT_GROUP]),
    "version 2.0.0": stmt(version="2.0.0"),
    "version 2.0": stmt(version="2.0"),
    "version 1.0.3": stmt(version="1.0.3"),
    "rfc 3339 offset": stmt(timestamp="2008-09-15T15:53:00.601+00:00"),
}

INVALID_2_0: list[tuple[str, Statement, tuple[str, ...]]] = [
    ("context agent objectType", with_context(contextAgents=[{**CONTEXT_AGENT, "objectType": "Agent"}]),
     ("statement.context.contextAgents[0].objectType", '"contextAgent"')),
    ("context agent without objectType", with_context(contextAgents=[{"agent": AGENT}]),
     ("statement.context.contextAgents[0].objectType is required",)),
    ("context agent without agent", with_context(contextAgents=[{"objectType": "contextAgent"}]),
     ("statement.context.contextAgents[0].agent is required",)),
    ("context agent that is a group", with_context(contextAgents=[{**CONTEXT_AGENT, "agent": GROUP}]),
     ("statement.context.contextAgents[0].agent.objectType must be \"Agent\"",)),
    ("context agent with an invalid agent", with_context(contextAgents=[{**CONTEXT_AGENT, "agent": {"key": "x"}}]),
     ("statement.context.contextAgents[0].agent",)),
    ("empty relevantTypes", with_context(contextAgents=[{**CONTEXT_AGENT, "relevantTypes": []}]),
     ("statement.context.contextAgents[0].relevantTypes must list at least one IRI",)),
    ("relevantTypes not IRIs", with_context(contextAgents=[{**CONTEXT_AGENT, "relevantTypes": ["abc"]}]),
     ("statement.context.contextAgents[0].relevantTypes[0] must be an absolute IRI",)),
    ("relevantTypes not an array", with_context(contextAgents=[{**CONTEXT_AGENT, "relevantTypes": TYPES[0]}]),
     ("relevantTypes must be an array",)),
    ("context agent extra property", with_context(contextAgents=[{**CONTEXT_AGENT, "role": "coach"}]),
     ("statement.context.contextAgents[0].role is not allowed",)),
    ("context agents not an array", with_context(contextAgents=CONTEXT_AGENT),
     ("statement.context.contextAgents must be an array",)),
    ("context group objectType", with_context(contextGroups=[{**CONTEXT_GROUP, "objectType": "Group"}]),
     ("statement.context.contextGroups[0].objectType", '"contextGroup"')),
    ("context group that is an agent", with_context(contextGroups=[{**CONTEXT_GROUP, "group": AGENT}]),
     ("statement.context.contextGroups[0].group",)),
    ("context group with an invalid group", with_context(contextGroups=[{"objectType": "contextGroup", "group": {"key": "x"}}]),
     ("statement.context.contextGroups[0].group",)),
    ("context group empty relevantTypes", with_context(contextGroups=[{**CONTEXT_GROUP, "relevantTypes": []}]),
     ("statement.context.contextGroups[0].relevantTypes must list at least one IRI",)),
    ("in a sub statement", in_sub_statement(contextAgents=[{**CONTEXT_AGENT, "relevantTypes": []}]),
     ("statement.object.context.contextAgents[0].relevantTypes",)),
    ("version 2.1.0", stmt(version="2.1.0"), ("statement.version must be a 1.0.x or 2.0.x version", '"2.1.0"')),
    ("version 0.95", stmt(version="0.95"), ("statement.version",)),
    ("unknown context property", with_context(contextPeople=[]), ("statement.context.contextPeople is not allowed",)),
]


@pytest.mark.parametrize("statement", VALID_2_0.values(), ids=VALID_2_0.keys())
def test_valid_2_0_statements_pass(statement: Statement) -> None:
    validate_statement(statement, V2)


@pytest.mark.parametrize("name, statement, fragments", INVALID_2_0, ids=[n for n, _, _ in INVALID_2_0])
def test_invalid_2_0_statements_fail_naming_the_field(name: str, statement: Statement, fragments: tuple[str, ...]) -> None:
    invalid_2_0(statement, *fragments)


@pytest.mark.parametrize("statement", VALID.values(), ids=VALID.keys())
def test_every_valid_1_0_3_statement_is_valid_2_0(statement: Statement) -> None:
    validate_statement(statement, V2)


@pytest.mark.parametrize("name, statement", [(n, s) for n, s, _ in INVALID], ids=[n for n, _, _ in INVALID])
def test_1_0_3_refusals_hold_in_2_0_but_version(name: str, statement: Any) -> None:
    if isinstance(statement, dict) and str(statement.get("version", "")).startswith("2.0"):
        validate_statement(statement, V2)
    else:
        with pytest.raises(InvalidStatement):
            validate_statement(statement, V2)


@pytest.mark.parametrize("statement, fragment", [
    (with_context(contextAgents=[CONTEXT_AGENT]), "statement.context.contextAgents is not allowed"),
    (with_context(contextGroups=[CONTEXT_GROUP]), "statement.context.contextGroups is not allowed"),
    (in_sub_statement(contextAgents=[CONTEXT_AGENT]), "statement.object.context.contextAgents is not allowed"),
    (stmt(version="2.0.0"), "statement.version must be a 1.0.x version"),
], ids=["contextAgents", "contextGroups", "in a sub statement", "version 2.0.0"])
def test_1_0_3_refuses_2_0_properties_and_says_how_to_send_them(statement: Statement, fragment: str) -> None:
    with pytest.raises(InvalidStatement) as caught:
        validate_statement(statement, V1)
    assert fragment in str(caught.value)
    assert str(caught.value).endswith("valid xAPI 2.0, which a request asks for with X-Experience-API-Version: 2.0.0")


def test_1_0_3_refusal_of_an_invalid_2_0_statement_has_no_2_0_hint() -> None:
    with pytest.raises(InvalidStatement) as caught:
        validate_statement(with_context(contextAgents=[{**CONTEXT_AGENT, "relevantTypes": []}]), V1)
    assert "2.0" not in str(caught.value)


# --------------------------------------------------------------------------- the schema and the machinery

def test_2_0_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(v.load_schema(v.SCHEMAS[V2]))


def _reference_validator(version: str) -> Draft202012Validator:
    """jsonschema on the schema files themselves, resolving $ref and $dynamicRef its own way."""
    schemas = [v.load_schema(name) for name in v.SCHEMAS.values()]
    registry: Registry[Any] = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)
    checker = v._compiled("statement", version).validator.format_checker
    return Draft202012Validator(v.load_schema(v.SCHEMAS[version]), registry=registry, format_checker=checker)


CASES = {
    **VALID, **VALID_2_0, **{n: s for n, s, _ in INVALID}, **{f"2.0 {n}": s for n, s, _ in INVALID_2_0},
}


@pytest.mark.parametrize("version", [V1, V2])
@pytest.mark.parametrize("statement", CASES.values(), ids=CASES.keys())
def test_inlined_schema_agrees_with_jsonschema_on_the_schema_files(version: str, statement: Any) -> None:
    compiled = v._compiled("statement", version)
    expected = _reference_validator(version).is_valid(statement)
    assert compiled.validator.is_valid(statement) == expected
    assert compiled.check(statement) == expected


def _mutations_2_0() -> st.SearchStrategy[Any]:
    """A valid 2.0 statement with one node of its context agents or groups replaced, or removed."""
    values = st.none() | st.booleans() | st.integers(-1, 1) | st.sampled_from([
        "", "contextAgent", "contextGroup", "Agent", "Group", "mailto:a@b.c", "abc", "http://example.com/t",
    ]) | st.lists(st.sampled_from(["http://example.com/t", "abc", 1]), max_size=2) | st.just(AGENT) | st.just(GROUP)

    def mutate(base: Statement, data: st.DataObject) -> Any:
        context = base["context"] if "context" in base else base["object"]["context"]
        key = data.draw(st.sampled_from(sorted(k for k in context if k in ("contextAgents", "contextGroups"))))
        items = context[key]
        if not items:
            return base
        item = items[data.draw(st.integers(0, len(items) - 1))]
        field = data.draw(st.sampled_from(sorted(item)))
        if data.draw(st.booleans()):
            del item[field]
        else:
            item[field] = data.draw(values)
        return base

    names = sorted(n for n, s in VALID_2_0.items() if "contextAgents" in json.dumps(s) or "contextGroups" in json.dumps(s))
    return st.builds(lambda name, data: mutate(copy.deepcopy(VALID_2_0[name]), data), st.sampled_from(names), st.data())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations_2_0())
def test_fast_check_agrees_with_jsonschema_on_2_0_mutations(statement: Any) -> None:
    compiled = v._compiled("statement", V2)
    assert compiled.check(statement) == _reference_validator(V2).is_valid(statement)
    if not compiled.check(statement):
        invalid_2_0(statement, "statement.")


def test_versions_compile_separately_and_once() -> None:
    assert v._compiled("statement", V2) is v._compiled("statement", V2)
    assert v._compiled("statement", V2) is not v._compiled("statement", V1)


def test_full_statement_with_context_agents_is_valid_2_0() -> None:
    statement = full_statement()
    statement["context"]["contextAgents"] = [CONTEXT_AGENT]
    validate_statement(statement, V2)
    with pytest.raises(InvalidStatement):
        validate_statement(statement, V1)


@pytest.mark.parametrize("schema, reason", [
    ({"$defs": {"a": {"$ref": "#/properties/x"}}}, "unsupported \\$ref"),
    ({"$defs": {"a": {"$dynamicRef": "#nowhere"}}}, "no \\$dynamicAnchor 'nowhere'"),
    ({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"items": {"$ref": "#/$defs/a"}}}}, "cycle"),
])
def test_inliner_refuses_what_it_cannot_inline(monkeypatch: pytest.MonkeyPatch, schema: dict[str, Any], reason: str) -> None:
    monkeypatch.setattr(v, "load_schema", lambda name=v.STATEMENT_SCHEMA: schema)
    with pytest.raises(ValueError, match=reason):
        v._Inliner(v.STATEMENT_SCHEMA).definition("a")
