"""Statement values: what the LRS fills in, what a statement names (for the query indexes),
and when two statements with one id are the same statement."""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from lrs.vocabulary import VOIDED_VERB

CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")
# Properties the LRS sets or may overwrite; they do not count when comparing two statements.
LRS_PROPERTIES = ("stored", "authority", "version")


def ifi(agent: Mapping[str, Any]) -> str | None:
    """The inverse functional identifier of an Agent or identified Group, as one string."""
    if "mbox" in agent:
        return "mbox:" + str(agent["mbox"])
    if "mbox_sha1sum" in agent:
        return "mbox_sha1sum:" + str(agent["mbox_sha1sum"]).lower()
    if "openid" in agent:
        return "openid:" + str(agent["openid"])
    if "account" in agent:
        account = agent["account"]
        return "account:" + json.dumps([account.get("homePage"), account.get("name")])
    return None


def normalize(statement: dict[str, Any]) -> dict[str, Any]:
    """contextActivities values become arrays (the spec's returned form); ids are lower case."""
    for target in (statement, statement.get("object") or {}):
        activities = (target.get("context") or {}).get("contextActivities")
        if isinstance(activities, dict):
            for key in CONTEXT_ACTIVITY_KEYS:
                if isinstance(activities.get(key), dict):
                    activities[key] = [activities[key]]
    if "id" in statement:
        statement["id"] = str(statement["id"]).lower()
    return statement


def complete(
    statement: dict[str, Any], *, authority: Mapping[str, Any], stored: str
) -> dict[str, Any]:
    """Fill what the LRS owns: id (if absent), stored, authority, version and timestamp."""
    statement.setdefault("id", str(uuid.uuid4()))
    statement["stored"] = stored
    statement["authority"] = dict(authority)
    statement.setdefault("version", "1.0.0")
    statement.setdefault("timestamp", stored)
    return statement


def is_voiding(statement: Mapping[str, Any]) -> bool:
    """True when the statement's verb is the voiding verb (xAPI Data 2.3.2)."""
    verb = statement.get("verb")
    return isinstance(verb, Mapping) and verb.get("id") == VOIDED_VERB


def statement_ref(statement: Mapping[str, Any]) -> str | None:
    """The id the statement's object points to, when the object is a StatementRef."""
    obj = statement.get("object", {})
    if obj.get("objectType") == "StatementRef":
        return str(obj["id"]).lower()
    return None


@dataclass
class Terms:
    """What GET /statements filters look for in one statement."""

    agents: set[tuple[str, bool]] = field(default_factory=set)      # (ifi, direct)
    activities: set[tuple[str, bool]] = field(default_factory=set)  # (activity id, direct)


def _add_agent(terms: Terms, agent: Any, direct: bool) -> None:
    if not isinstance(agent, Mapping):
        return
    if (key := ifi(agent)) is not None:
        terms.agents.add((key, direct))
    for member in agent.get("member") or ():
        if (key := ifi(member)) is not None:
            # Members of an identified group are related agents; of an anonymous group, the
            # group has no identity of its own so its members stand for it.
            terms.agents.add((key, direct and ifi(agent) is None))


def _add_context(terms: Terms, context: Mapping[str, Any]) -> None:
    _add_agent(terms, context.get("instructor"), False)
    _add_agent(terms, context.get("team"), False)
    # xAPI 2.0 context agents and groups are related agents, like the instructor and the team.
    for related in context.get("contextAgents") or ():
        _add_agent(terms, related.get("agent"), False)
    for related in context.get("contextGroups") or ():
        _add_agent(terms, related.get("group"), False)
    for key in CONTEXT_ACTIVITY_KEYS:
        value = (context.get("contextActivities") or {}).get(key) or []
        for activity in [value] if isinstance(value, Mapping) else value:
            terms.activities.add((activity["id"], False))


def _add_object(terms: Terms, obj: Mapping[str, Any], direct: bool) -> None:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        terms.activities.add((obj["id"], direct))
    elif kind in ("Agent", "Group"):
        _add_agent(terms, obj, direct)


def terms_of(statement: Mapping[str, Any]) -> Terms:
    """Each agent and activity once: a direct mention makes a related one redundant."""
    terms = Terms()
    _add_agent(terms, statement["actor"], True)
    _add_object(terms, statement["object"], True)
    _add_agent(terms, statement.get("authority"), False)
    _add_context(terms, statement.get("context") or {})
    obj = statement["object"]
    if obj.get("objectType") == "SubStatement":
        _add_agent(terms, obj["actor"], False)
        _add_object(terms, obj["object"], False)
        _add_context(terms, obj.get("context") or {})
    terms.agents -= {(key, False) for key, direct in terms.agents if direct}
    terms.activities -= {(key, False) for key, direct in terms.activities if direct}
    return terms


_SECONDS = re.compile(r"(?P<whole>[0-9]+)(?:[.,](?P<fraction>[0-9]+))?S$")


def duration_key(duration: str) -> str:
    """A duration with its seconds cut to hundredths (PT1.2567S and PT1.25S give PT1.25S; PT2.50S
    gives PT2.5S): precision beyond 0.01 s does not count when durations, or statements holding
    them, are compared (xAPI 1.0.3 Data 4.6; IEEE 9274.1.1 4.2.7)."""
    match = _SECONDS.search(duration)
    if match is None:
        return duration
    fraction = (match["fraction"] or "")[:2].rstrip("0")
    return f"{duration[:match.start()]}{match['whole']}{'.' + fraction if fraction else ''}S"


def _comparable(statement: Mapping[str, Any], keep_timestamp: bool) -> dict[str, Any]:
    drop = LRS_PROPERTIES if keep_timestamp else LRS_PROPERTIES + ("timestamp",)
    value = normalize(json.loads(json.dumps({k: v for k, v in statement.items() if k not in drop})))
    obj = value.get("object")
    sub = obj if isinstance(obj, dict) and obj.get("objectType") == "SubStatement" else {}
    if "timestamp" in sub:  # an xAPI 2.0 LRS stores it in UTC, so compare the instant
        sub["timestamp"] = _instant(sub["timestamp"])
    for holder in (value, sub):
        result = holder.get("result")
        if isinstance(result, dict) and isinstance(result.get("duration"), str):
            result["duration"] = duration_key(result["duration"])
    return value


def _instant(value: Any) -> Any:
    """A timestamp as a comparable instant (microseconds, UTC); anything else as it is."""
    try:
        return datetime.fromisoformat(str(value).upper()).astimezone(timezone.utc).isoformat()
    except (ValueError, OverflowError):
        return value


def _same_instant(a: Any, b: Any) -> bool:
    return bool(_instant(a) == _instant(b))


def equivalent(incoming: Mapping[str, Any], stored: Mapping[str, Any]) -> bool:
    """Whether a statement sent again with a stored id is the same statement (then it is
    accepted without a new event) or a conflict (409). Properties the LRS sets are ignored;
    timestamps compare as instants, durations to the hundredth of a second."""
    has_ts = "timestamp" in incoming
    a, b = _comparable(incoming, has_ts), _comparable(stored, has_ts)
    if has_ts and not _same_instant(a.pop("timestamp"), b.pop("timestamp", None)):
        return False
    return a == b
