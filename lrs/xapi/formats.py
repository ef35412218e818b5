"""The `format` parameter of GET /statements: exact, ids and canonical forms of a statement."""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

FORMATS = ("exact", "ids", "canonical")
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
LANGUAGE_MAPS = ("display", "name", "description")


def _agent_ids(agent: Mapping[str, Any]) -> dict[str, Any]:
    reduced = {k: agent[k] for k in ("objectType", *IFI_KEYS) if k in agent}
    if agent.get("objectType") == "Group" and "member" in agent and not any(
        k in agent for k in IFI_KEYS
    ):
        reduced["member"] = [_agent_ids(m) for m in agent["member"]]
    return reduced


def _object_ids(obj: Mapping[str, Any]) -> dict[str, Any]:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return {"id": obj["id"]}
    if kind in ("Agent", "Group"):
        return _agent_ids(obj)
    if kind == "SubStatement":
        return _statement_ids(obj)
    return dict(obj)


def _context_ids(context: Mapping[str, Any]) -> dict[str, Any]:
    reduced = dict(context)
    for key in ("instructor", "team"):
        if key in reduced:
            reduced[key] = _agent_ids(reduced[key])
    # xAPI 2.0: the agent or group inside each context agent or group is reduced like the others.
    for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
        if key in reduced:
            reduced[key] = [{**item, inner: _agent_ids(item[inner])} for item in reduced[key]]
    if "contextActivities" in reduced:
        reduced["contextActivities"] = {
            k: [_object_ids(a) for a in v] for k, v in reduced["contextActivities"].items()
        }
    return reduced


def _statement_ids(statement: Mapping[str, Any]) -> dict[str, Any]:
    reduced = dict(statement)
    reduced["actor"] = _agent_ids(statement["actor"])
    reduced["verb"] = {"id": statement["verb"]["id"]}
    reduced["object"] = _object_ids(statement["object"])
    if "authority" in reduced:
        reduced["authority"] = _agent_ids(reduced["authority"])
    if "context" in reduced:
        reduced["context"] = _context_ids(reduced["context"])
    return reduced


def pick_language(
    language_map: Mapping[str, str], accepted: Sequence[str]
) -> dict[str, str]:
    """One entry of a language map: the first accepted language it has (a prefix such as
    'en' matches 'en-US'), else 'und', else the first entry."""
    if not language_map:
        return {}
    lowered = {k.lower(): k for k in language_map}
    for wanted in accepted:
        wanted = wanted.lower()
        if wanted == "*":
            break
        if wanted in lowered:
            return {lowered[wanted]: language_map[lowered[wanted]]}
        for low, key in lowered.items():
            if low.split("-")[0] == wanted.split("-")[0]:
                return {key: language_map[key]}
    key = lowered.get("und") or next(iter(language_map))
    return {key: language_map[key]}


def _canonical(value: Any, accepted: Sequence[str]) -> Any:
    if isinstance(value, list):
        return [_canonical(v, accepted) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key in LANGUAGE_MAPS and isinstance(item, dict) and all(
            isinstance(v, str) for v in item.values()
        ):
            out[key] = pick_language(item, accepted)
        elif key == "extensions":
            out[key] = item  # extension values are opaque data, not language maps
        else:
            out[key] = _canonical(item, accepted)
    return out


def formatter(name: str, accepted: Sequence[str]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The function that shapes a stored statement for the requested `format`."""
    if name == "ids":
        return _statement_ids
    if name == "canonical":
        return lambda statement: _canonical(statement, accepted)
    return lambda statement: statement
