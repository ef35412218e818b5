"""Agents outside statements: an agent's identifier alone, the names statements give it, and
the Person object of the Agents resource (xAPI 1.0.3 Communication 2.4)."""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from lrs.xapi.statement import ifi

IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")


def identity(agent: Mapping[str, Any]) -> dict[str, Any]:
    """The agent reduced to its inverse functional identifier, e.g. {"mbox": "mailto:..."}."""
    for key in IFI_KEYS:
        if key in agent:
            value = agent[key]
            if key == "account":
                value = {"homePage": value["homePage"], "name": value["name"]}
            return {key: value}
    raise ValueError("the agent has no inverse functional identifier")


def _agents(statement: Mapping[str, Any]) -> Iterator[Any]:
    """Every place a statement may hold an Agent or Group (objects only when they are one).
    Parsed JSON objects are dicts; isinstance(x, dict) is much faster than typing's Mapping."""
    yield statement.get("actor")
    yield statement.get("authority")
    contexts = [statement.get("context")]
    obj = statement.get("object")
    if isinstance(obj, dict):
        if obj.get("objectType") in ("Agent", "Group"):
            yield obj
        if obj.get("objectType") == "SubStatement":
            yield obj.get("actor")
            inner = obj.get("object")
            if isinstance(inner, dict) and inner.get("objectType") in ("Agent", "Group"):
                yield inner
            contexts.append(obj.get("context"))
    for context in contexts:
        if isinstance(context, dict):
            yield context.get("instructor")
            yield context.get("team")


def named_agents(statement: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(identifier, name) of every Agent in the statement, group members included, that has both."""
    found: set[tuple[str, str]] = set()
    for actor in _agents(statement):
        if not isinstance(actor, dict):
            continue
        for one in [actor, *(actor.get("member") or ())]:
            if one.get("objectType", "Agent") == "Agent" and "name" in one:
                if (key := ifi(one)) is not None:
                    found.add((key, str(one["name"])))
    return found


def person(agent: Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    """The Person object for `agent`: its identifier, its name and the names statements gave
    it. Each property is an array (Communication 2.4.s5); other identifiers are never joined."""
    result: dict[str, Any] = {"objectType": "Person"}
    all_names = ([str(agent["name"])] if "name" in agent else []) + names
    if all_names:
        result["name"] = list(dict.fromkeys(all_names))
    for key, value in identity(agent).items():
        result[key] = [value]
    return result
