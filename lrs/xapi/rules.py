"""xAPI statement rules that JSON Schema cannot express, plus the timestamp format and JSON path rendering."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from lrs.errors import InvalidStatement

IFIS: tuple[str, ...] = ("mbox", "mbox_sha1sum", "openid", "account")
INTERACTION_LISTS: tuple[str, ...] = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KEYS: tuple[str, ...] = ("parent", "grouping", "category", "other")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Calendar date (extended or basic), "T", time with at least hours and minutes, optional seconds
# and fraction, then a mandatory zone: Z or +hh[:mm]. fromisoformat() then checks the ranges.
_TIMESTAMP = re.compile(
    r"[0-9]{4}(-?)[0-9]{2}\1[0-9]{2}[Tt]"
    r"[0-9]{2}(?::?[0-9]{2})(?::?[0-9]{2}(?P<fraction>[.,][0-9]+)?)?"
    r"(?P<zone>[Zz]|(?P<sign>[+-])(?P<zh>[0-9]{2})(?::?(?P<zm>[0-9]{2}))?)"
)


def is_timestamp(value: object) -> bool:
    """ISO 8601 date and time with a zone; "-00:00" (unknown local offset, RFC 3339) is refused."""
    if not isinstance(value, str):
        return True  # formats only constrain strings; "type" reports the rest
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return False
    if match["sign"] == "-" and match["zh"] == "00" and match["zm"] in (None, "00"):
        return False
    try:
        datetime.fromisoformat(value.upper())
    except ValueError:  # e.g. month 13, 25 o'clock, February 30
        return False
    return True


def utc_timestamp(value: str) -> str:
    """A valid timestamp as RFC 3339 in UTC ("2023-05-04T17:00:00.250Z" for
    "2023-05-04T12:00:00.250-05:00"), keeping the fraction of a second exactly as sent: offsets
    are whole minutes, so the fraction never changes. A moment that has no UTC form within years
    1 to 9999 (e.g. 0001-01-01T00:00+01:00) is returned unchanged."""
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        raise ValueError(f"not a timestamp: {value!r}")
    try:
        moment = datetime.fromisoformat(value.upper()).astimezone(timezone.utc)
    except OverflowError:
        return value
    fraction = (match["fraction"] or "").replace(",", ".")
    return f"{moment.replace(microsecond=0, tzinfo=None).isoformat()}{fraction}Z"


def render_path(root: str, parts: Iterable[str | int]) -> str:
    """Render a JSON path as statement.context.contextActivities.parent[0].id (odd keys quoted)."""
    out = [root]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENTIFIER.fullmatch(part):
            out.append(f".{part}")
        else:
            out.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(out)


def check_statement(statement: Mapping[str, Any], root: str) -> None:
    """Check the cross-field rules of a schema-valid statement and of its SubStatement, if any."""
    _check_parts(statement, (root,))
    obj = statement["object"]
    if obj.get("objectType") == "SubStatement":
        _check_parts(obj, (root, "object"))


def _check_parts(statement: Mapping[str, Any], path: tuple[str | int, ...]) -> None:
    result = statement.get("result")
    if result is not None and "score" in result:
        _check_score(result["score"], (*path, "result", "score"))
    obj = statement["object"]
    if obj.get("objectType", "Activity") == "Activity":
        _check_activity(obj, (*path, "object"))
    context = statement.get("context")
    if context is None or "contextActivities" not in context:
        return
    for key, value in context["contextActivities"].items():
        if isinstance(value, list):
            for index, activity in enumerate(value):
                _check_activity(activity, (*path, "context", "contextActivities", key, index))
        else:
            _check_activity(value, (*path, "context", "contextActivities", key))


def _check_score(score: Mapping[str, Any], path: tuple[str | int, ...]) -> None:
    raw, low, high = score.get("raw"), score.get("min"), score.get("max")
    where = _where(path)
    if low is not None and high is not None and not low < high:
        raise InvalidStatement(f"{where}.min must be less than max; got min {low} and max {high}")
    if raw is None:
        return
    if low is not None and raw < low:
        raise InvalidStatement(f"{where}.raw must be greater than or equal to min; got raw {raw} and min {low}")
    if high is not None and raw > high:
        raise InvalidStatement(f"{where}.raw must be less than or equal to max; got raw {raw} and max {high}")


def _check_activity(activity: Mapping[str, Any], path: tuple[str | int, ...]) -> None:
    definition = activity.get("definition")
    if definition is None:
        return
    for name in INTERACTION_LISTS:
        components = definition.get(name)
        if components:
            _check_distinct_ids(components, (*path, "definition", name))


def _check_distinct_ids(components: Sequence[Mapping[str, Any]], path: tuple[str | int, ...]) -> None:
    seen: dict[str, int] = {}
    for index, component in enumerate(components):
        first = seen.setdefault(component["id"], index)
        if first != index:
            raise InvalidStatement(
                f"{_where((*path, index, 'id'))} repeats the id {json.dumps(component['id'], ensure_ascii=False)} "
                f"of {_where((*path, first, 'id'))}; interaction component ids must be distinct within a list"
            )


def _where(path: tuple[str | int, ...]) -> str:
    root = path[0]
    assert isinstance(root, str)
    return render_path(root, path[1:])
