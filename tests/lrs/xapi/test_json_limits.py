"""JSON the LRS takes: nesting up to MAX_DEPTH, strings without NUL or lone surrogates."""
from __future__ import annotations

import pytest

from lrs.errors import BadRequest, InvalidStatement
from lrs.xapi.json_limits import MAX_DEPTH, check_strings, depth, loads


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_depth_counts_the_outermost_level() -> None:
    assert [depth(v) for v in (1, "x", [], {}, [{}], {"a": [1, {"b": []}]})] == [0, 0, 1, 1, 2, 4]


@pytest.mark.parametrize("as_bytes", [False, True])
def test_loads_takes_max_depth_and_refuses_one_more(as_bytes: bool) -> None:
    def text(levels: int) -> str | bytes:
        return nested(levels).encode() if as_bytes else nested(levels)

    assert depth(loads(text(MAX_DEPTH), "the body")) == MAX_DEPTH
    for levels in (MAX_DEPTH + 1, 100_000):  # the second would exhaust Python's recursion
        with pytest.raises(BadRequest, match=f"the body nests arrays and objects deeper than {MAX_DEPTH}"):
            loads(text(levels), "the body")


def test_loads_leaves_invalid_json_to_the_caller() -> None:
    with pytest.raises(ValueError):
        loads(b"{", "the body")


def test_many_shallow_brackets_are_fine() -> None:
    assert len(loads("[" + ",".join(["[]"] * 5000) + "]", "the body")) == 5000


@pytest.mark.parametrize("value, message", [
    ({"a": ["ok", {"b": "x\u0000"}]}, 'statement.a[1].b holds a NUL character'),
    ({"a": {"\u0000": 1}}, "statement.a has a property name that holds a NUL character"),
    ({"a": "\ud800"}, r"statement.a holds a lone UTF-16 surrogate (\ud800 without its pair)"),
    ({"a": {"k\udfff": 1}}, r"statement.a has a property name that holds a lone UTF-16 surrogate (\udfff"),
    ({"odd key": ["\udc00é"]}, r'statement["odd key"][0] holds a lone UTF-16 surrogate (\udc00'),
])
def test_check_strings_names_the_field(value: object, message: str) -> None:
    with pytest.raises(InvalidStatement) as caught:
        check_strings(value, "statement")
    assert str(caught.value).startswith(message), str(caught.value)


def test_check_strings_passes_every_real_character() -> None:
    check_strings({"a": ["Bahasa Indonesia", "日本語", "\U0001F600", "tab\tand\nnewline"], "é": 1.5}, "statement")


def test_depth_stops_counting_past_the_level_asked() -> None:
    assert depth(loads(nested(50), "x"), stop_past=10) == 11
    assert depth(loads(nested(50), "x"), stop_past=60) == 50
