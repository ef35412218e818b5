"""The hash chain: canonical event text, linking and verification (pure, no database)."""
from __future__ import annotations

import dataclasses

import hashlib
from datetime import datetime, timezone

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from lrs.events import EventDraft
from lrs.store import chain

NOW = datetime(2026, 11, 25, 8, 30, 15, 123456, tzinfo=timezone.utc)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


def test_event_text_is_rfc8785_of_the_whole_event() -> None:
    payload = {"b": [1, 2.5, "ü"], "a": None}
    text = chain.event_text(7, "statement.stored", NOW, chain.canonical_json(payload))
    whole = {"seq": 7, "type": "statement.stored", "stored": chain.format_stored(NOW), "payload": payload}
    assert text.encode() == rfc8785.dumps(whole)


def test_hash_is_sha256_of_prev_hash_and_canonical_event() -> None:
    [event] = chain.link(None, [EventDraft("statement.stored", {"x": 1})], NOW)
    text = chain.event_text(1, event.type, event.stored, event.payload_json)
    assert event.prev_hash == chain.GENESIS_HASH
    assert event.hash == hashlib.sha256((chain.GENESIS_HASH + text).encode()).hexdigest()


def test_stored_never_goes_back_in_time() -> None:
    [first] = chain.link(None, [EventDraft("t", {})], NOW)
    [second] = chain.link(first, [EventDraft("t", {})], datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert second.stored == first.stored and second.seq == 2


@settings(max_examples=60)
@given(st.lists(json_values.map(lambda v: {"v": v}), min_size=1, max_size=6), st.data())
def test_flipping_any_byte_breaks_verification(payloads: list[dict], data: st.DataObject) -> None:
    events = chain.link(None, [EventDraft("t", p) for p in payloads], NOW)
    assert chain.verify(events) is None
    index = data.draw(st.integers(0, len(events) - 1))
    victim = events[index]
    field = data.draw(st.sampled_from(["payload_json", "hash", "prev_hash", "type"]))
    original = getattr(victim, field)
    position = data.draw(st.integers(0, len(original) - 1))
    flipped = original[:position] + chr((ord(original[position]) + 1) % 0x7F or 0x41) + original[position + 1:]
    tampered = events[:index] + [dataclasses.replace(victim, **{field: flipped})] + events[index + 1:]
    assert chain.verify(tampered) == victim.seq


@given(json_values)
def test_canonicalisation_is_idempotent(value: object) -> None:
    import json

    once = chain.canonical_json(value)
    assert chain.canonical_json(json.loads(once)) == once


json_with_floats = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=400)
@given(json_with_floats)
def test_fast_canonical_form_equals_rfc8785(value: object) -> None:
    import copy

    import pytest

    from lrs.errors import InvalidStatement

    try:
        expected = rfc8785.dumps(copy.deepcopy(value)).decode()
    except rfc8785.IntegerDomainError:
        with pytest.raises(InvalidStatement):
            chain.canonical_json(value)
        return
    except UnicodeEncodeError:
        return
    try:
        assert chain.canonical_json(value) == expected
    except InvalidStatement as exc:
        assert "surrogate" in str(exc)


def test_whole_floats_beyond_2_53_take_the_full_algorithm() -> None:
    value = [9007199254740992.0, 1e15 + 0.0, -(2.0**60)]
    assert chain.canonical_json(list(value)) == rfc8785.dumps(value).decode()
