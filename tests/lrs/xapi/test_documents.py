"""Document values: merge rule, preconditions, identity digests and event payloads (pure)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lrs.errors import BadRequest, DocumentConflict, PreconditionFailed
from lrs.xapi.documents import (
    Content, DocumentKey, Preconditions, PutRule, Resource, Scope, content_of, key_of, merge,
    payload,
)

AGENT = {"mbox": "mailto:siti@example.go.id"}


def js(value: object, content_type: str = "application/json") -> Content:
    return Content(content_type, json.dumps(value).encode())


def test_merge_replaces_top_level_properties_whole_and_keeps_the_rest() -> None:
    stored = js({"x": "foo", "y": "bar", "car": {"make": "Ford", "model": "Escape"}})
    merged = merge(stored, js({"x": "bash", "z": "faz", "car": {"make": "Dodge"}}))
    assert merged is not None and merged.content_type == "application/json"
    assert json.loads(merged.data) == {"x": "bash", "y": "bar", "z": "faz", "car": {"make": "Dodge"}}


def test_merge_that_changes_nothing_returns_none() -> None:
    assert merge(js({"a": 1, "b": [1]}), js({"b": [1]})) is None
    assert merge(js({"a": 1}), js({})) is None


def test_merge_tells_true_from_one() -> None:
    merged = merge(js({"a": 1}), js({"a": True}))
    assert merged is not None and json.loads(merged.data) == {"a": True}


@pytest.mark.parametrize("stored, posted", [
    (js({"a": 1}), Content("application/octet-stream", b"abc")),
    (Content("text/plain", b"abc"), js({"a": 1})),
    (js([1, 2]), js({"a": 1})),
    (js({"a": 1}), js([1])),
    (js({"a": 1}), Content("application/json", b'{"a": 1}{')),
])
def test_merge_refuses_anything_but_two_json_objects(stored: Content, posted: Content) -> None:
    with pytest.raises(BadRequest):
        merge(stored, posted)


def test_content_type_parameters_do_not_hide_json() -> None:
    assert Content("Application/JSON; charset=utf-8", b"{}").is_json
    assert not Content("application/jsonx", b"{}").is_json


def test_etag_is_sha1_hex_of_the_bytes() -> None:
    assert Content("text/plain", b"abc").etag == "a9993e364706816aba3e25717850c26c9cd0d89d"


ETAG = "a9993e364706816aba3e25717850c26c9cd0d89d"


@pytest.mark.parametrize("pre, etag", [
    (Preconditions(), None),
    (Preconditions(), ETAG),
    (Preconditions(if_match=frozenset({ETAG})), ETAG),
    (Preconditions(if_match=frozenset({"other", ETAG})), ETAG),
    (Preconditions(if_match=frozenset({"*"})), ETAG),
    (Preconditions(if_none_match=frozenset({"*"})), None),
    (Preconditions(if_none_match=frozenset({"other"})), ETAG),
])
def test_preconditions_that_hold(pre: Preconditions, etag: str | None) -> None:
    pre.check(etag)


@pytest.mark.parametrize("pre, etag", [
    (Preconditions(if_match=frozenset({"other"})), ETAG),
    (Preconditions(if_match=frozenset({ETAG})), None),
    (Preconditions(if_match=frozenset({"*"})), None),
    (Preconditions(if_none_match=frozenset({"*"})), ETAG),
    (Preconditions(if_none_match=frozenset({ETAG})), ETAG),
])
def test_preconditions_that_fail(pre: Preconditions, etag: str | None) -> None:
    with pytest.raises(PreconditionFailed):
        pre.check(etag)


def test_a_weak_if_match_tag_is_named_as_never_matching() -> None:
    with pytest.raises(PreconditionFailed, match=r'weak \(W/"a999.*send "a999'):
        Preconditions(if_match=frozenset(), weak_if_match=frozenset({ETAG})).check(ETAG)


def test_put_without_headers_follows_the_rule() -> None:
    bare = Preconditions()
    bare.check_put(ETAG, PutRule.ALLOWED)
    bare.check_put(None, PutRule.CONFLICT_IF_EXISTS)
    with pytest.raises(DocumentConflict):
        bare.check_put(ETAG, PutRule.CONFLICT_IF_EXISTS)
    with pytest.raises(DocumentConflict):
        bare.check_put(ETAG, PutRule.REQUIRED)
    with pytest.raises(BadRequest):
        bare.check_put(None, PutRule.REQUIRED)
    Preconditions(if_none_match=frozenset({"*"})).check_put(None, PutRule.REQUIRED)


def test_identity_ignores_the_agent_name_and_separates_resources_and_registrations() -> None:
    state = Scope(Resource.STATE, "http://x/a", AGENT)
    assert DocumentKey(state, "s").digest == DocumentKey(Scope(Resource.STATE, "http://x/a", AGENT), "s").digest
    others = [
        DocumentKey(Scope(Resource.STATE, "http://x/a", AGENT, "3f1c0b5e-0000-4000-8000-000000000000"), "s"),
        DocumentKey(Scope(Resource.ACTIVITY_PROFILE, "http://x/a"), "s"),
        DocumentKey(Scope(Resource.AGENT_PROFILE, None, AGENT), "s"),
        DocumentKey(state, "t"),
    ]
    digests = {k.digest for k in others} | {DocumentKey(state, "s").digest}
    assert len(digests) == 5
    assert others[0].scope.digest == state.digest  # a list without registration covers it


@given(data=st.binary(max_size=64), registration=st.none() | st.uuids().map(str))
def test_payload_round_trips_identity_and_bytes(data: bytes, registration: str | None) -> None:
    key = DocumentKey(Scope(Resource.STATE, "http://x/a", AGENT, registration), "s1")
    content = Content("application/octet-stream", data)
    body = json.loads(json.dumps(payload(key, content)))
    assert key_of(body) == key
    assert content_of(body) == content
    assert body["sha1"] == content.etag


def test_text_is_kept_as_text_in_the_payload_and_binary_as_base64() -> None:
    key = DocumentKey(Scope(Resource.AGENT_PROFILE, None, AGENT), "p")
    assert payload(key, js({"a": "é"}))["text"] == '{"a": "\\u00e9"}'
    assert "base64" in payload(key, Content("image/png", b"\x89PNG\xff"))
    assert set(payload(key, None)) == {"resource", "id", "agent"}
