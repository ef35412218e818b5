"""What JSON this LRS takes: at most MAX_DEPTH levels of nesting, and strings every database
keeps alike (no NUL, no lone UTF-16 surrogate). Pure: no Flask, no SQL."""
from __future__ import annotations

import json
from typing import Any

from lrs.errors import BadRequest, InvalidStatement
from lrs.xapi.rules import render_path

# Levels of arrays and objects, the outermost counted. A statement's own structure needs about
# ten (a batch, a SubStatement, context, contextActivities, an activity's definition and its
# extensions), so 100 leaves ninety for what a client puts in an extension. It is Ruby's
# JSON.parse default (max_nesting) and under serde_json's 128, so whatever we accept the usual
# clients and another LRS can read back; and it is far below where Python's parser (about 990
# levels) and our canonical JSON (recursive) would fail.
MAX_DEPTH = 100

TOO_DEEP = f"nests arrays and objects deeper than {MAX_DEPTH} levels, the most this LRS takes"


def loads(data: bytes | str, what: str) -> Any:
    """json.loads, refusing nesting deeper than MAX_DEPTH with BadRequest ("{what} nests ...").
    Text that is not JSON raises ValueError (or UnicodeDecodeError) as json.loads does."""
    try:
        value = json.loads(data)
    except RecursionError as exc:
        raise BadRequest(f"{what} {TOO_DEEP}") from exc
    # Deeper than MAX_DEPTH needs more than MAX_DEPTH opening brackets: most bodies have fewer,
    # and counting them is far cheaper than walking the parsed value.
    if isinstance(data, bytes):
        opening = data.count(b"[") + data.count(b"{")
    else:
        opening = data.count("[") + data.count("{")
    if opening > MAX_DEPTH and depth(value, stop_past=MAX_DEPTH) > MAX_DEPTH:
        raise BadRequest(f"{what} {TOO_DEEP}")
    return value


def depth(value: Any, stop_past: int | None = None) -> int:
    """Levels of arrays and objects in a JSON value (0 for a scalar), level by level without
    recursion; once past `stop_past` levels it stops counting and returns that many plus one."""
    level, items = 0, [value] if type(value) in (dict, list) else []
    while items:
        level += 1
        if stop_past is not None and level > stop_past:
            break
        below = []
        for item in items:
            for child in item.values() if type(item) is dict else item:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        items = below
    return level


def check_strings(value: Any, root: str) -> None:
    """InvalidStatement naming a string (a value or a property name) that holds NUL (U+0000),
    which PostgreSQL cannot store in text (so SQLite must not either, or a store could never
    move to PostgreSQL), or a lone UTF-16 surrogate ("\\ud800" escaped alone), which is not a
    character and has no UTF-8 form. `root` names `value` in the message."""
    if not _all_clean(value):
        _raise_first(value, root)


def _all_clean(value: Any) -> bool:
    """The fast pass, without paths: most values are clean."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            if "\0" in item or (not item.isascii() and _problem(item)):
                return False
        elif kind is dict:
            for key in item:
                if "\0" in key or (not key.isascii() and _problem(key)):
                    return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
    return True


def _raise_first(value: Any, root: str) -> None:
    """Find the offending string again, this time keeping the path to name it."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if problem := _problem(item):
                raise InvalidStatement(f"{render_path(root, path)} {problem}")
        elif isinstance(item, dict):
            for key in item:
                if problem := _problem(key):
                    raise InvalidStatement(f"{render_path(root, path)} has a property name that {problem}")
            stack.extend((child, (*path, key)) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((child, (*path, index)) for index, child in reversed(list(enumerate(item))))


def _problem(text: str) -> str | None:
    if "\0" in text:
        return "holds a NUL character (U+0000), which this LRS does not store"
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        unit = f"\\u{ord(text[exc.start]):04x}"
        return (f"holds a lone UTF-16 surrogate ({unit} without its pair), which is not a "
                "Unicode character")
    return None
