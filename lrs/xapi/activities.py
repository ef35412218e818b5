"""Canonical Activity definitions: which definitions a statement carries and how they merge
(xAPI 1.0.3 Data 2.4.4.1, Communication 2.5)."""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from lrs.xapi.statement import CONTEXT_ACTIVITY_KEYS

LANGUAGE_MAPS = ("name", "description")


def _activities(statement: Mapping[str, Any]) -> Iterator[Any]:
    # isinstance(x, dict), not Mapping: this runs for every stored statement, and parsed JSON
    # objects are dicts (typing's Mapping check is several times slower).
    holders = [statement]
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        holders.append(obj)
    for holder in holders:
        target = holder.get("object")
        if isinstance(target, dict) and target.get("objectType", "Activity") == "Activity":
            yield target
        activities = (holder.get("context") or {}).get("contextActivities") or {}
        for key in CONTEXT_ACTIVITY_KEYS:
            value = activities.get(key) or []
            yield from [value] if isinstance(value, dict) else value


def definitions(statement: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(activity id, definition) of every Activity in the statement that carries a definition,
    in the order they appear."""
    return [
        (str(activity["id"]), dict(activity["definition"]))
        for activity in _activities(statement)
        if isinstance(activity, dict) and activity.get("definition") and "id" in activity
    ]


def merge_definition(stored: Mapping[str, Any], later: Mapping[str, Any]) -> dict[str, Any]:
    """A later definition's properties replace the stored ones, except the language maps
    `name` and `description`, which gain or replace one language at a time."""
    merged = {**stored, **later}
    for key in LANGUAGE_MAPS:
        if isinstance(stored.get(key), dict) and isinstance(later.get(key), dict):
            merged[key] = {**stored[key], **later[key]}
    return merged


def activity_object(activity_id: str, definition: Mapping[str, Any] | None) -> dict[str, Any]:
    """What GET /activities returns: with no definition known, the Activity with its id alone
    (Communication 2.5.s2.b1)."""
    found: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definition:
        found["definition"] = dict(definition)
    return found
