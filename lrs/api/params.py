"""Query parameters of the xAPI resources, parsed with marshmallow."""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Mapping

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from lrs.errors import BadRequest, InvalidStatement
from lrs.xapi.documents import Resource
from lrs.xapi import json_limits
from lrs.xapi.formats import FORMATS
from lrs.xapi.statement import ifi
from lrs.xapi.validate import validate_agent

IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")  # as the statement schema's "iri"
MAX_SEQ = 2**63 - 1  # the largest log position either database can hold (BIGINT, SQLite INTEGER)


class Timestamp(fields.Field[int]):
    """An ISO 8601 date-time with a zone; yields milliseconds since the epoch (floored)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValidationError("must be an ISO 8601 timestamp") from exc
        if moment.tzinfo is None:
            raise ValidationError("must carry a time zone (Z or +hh:mm)")
        return int(moment.timestamp() * 1_000_000) // 1000


def _json_agent(value: Any, what: str) -> dict[str, Any]:
    """A parameter holding a JSON Agent or identified Group, checked against the schema."""
    try:
        agent = json_limits.loads(value, "the parameter")
    except json.JSONDecodeError as exc:
        raise ValidationError(f"must be a JSON {what}") from exc
    except BadRequest as exc:
        raise ValidationError(str(exc)) from exc
    try:
        validate_agent(agent, "agent")
    except InvalidStatement as exc:
        raise ValidationError(str(exc)) from exc
    checked: dict[str, Any] = agent
    return checked


class AgentParam(fields.Field[str]):
    """A JSON Agent or identified Group; yields its IFI string."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        key = ifi(_json_agent(value, "Agent or identified Group"))
        if key is None:
            raise ValidationError("must name an inverse functional identifier")
        return key


class AgentObject(fields.Field[dict[str, Any]]):
    """A JSON Agent with an inverse functional identifier (not a Group: Communication 2.4, 2.6)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        agent = _json_agent(value, "Agent")
        if agent.get("objectType", "Agent") != "Agent":
            raise ValidationError("must be an Agent, not a Group (use the group's identifier in an Agent)")
        return agent


class Iri(fields.String):
    """An absolute IRI: a scheme, a colon, then no whitespace (as in the statement schema)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if not IRI.fullmatch(text):
            raise ValidationError("must be an absolute IRI, e.g. http://example.com/activity/1")
        return text


class StatementQuery(Schema):
    class Meta:
        unknown = RAISE

    statementId = fields.UUID()
    voidedStatementId = fields.UUID()
    agent = AgentParam()
    verb = fields.String(validate=validate.Length(min=1))
    activity = fields.String(validate=validate.Length(min=1))
    registration = fields.UUID()
    related_activities = fields.Boolean(load_default=False)
    related_agents = fields.Boolean(load_default=False)
    since = Timestamp()
    until = Timestamp()
    limit = fields.Integer(validate=validate.Range(min=0), load_default=0)
    format = fields.String(validate=validate.OneOf(FORMATS), load_default="exact")
    attachments = fields.Boolean(load_default=False)
    ascending = fields.Boolean(load_default=False)
    # Ours: the `more` link's position, a log seq (a 64-bit integer on both databases).
    cursor = fields.Integer(validate=validate.Range(min=0, max=MAX_SEQ))


def statement_query(args: Mapping[str, str]) -> dict[str, Any]:
    """GET /statements parameters. Unknown names are refused; statementId and
    voidedStatementId stand alone but for format and attachments (Communication 2.1.3)."""
    query = _load(StatementQuery(), args, "GET /statements")
    ids = [k for k in ("statementId", "voidedStatementId") if k in args]
    if len(ids) > 1:
        raise BadRequest("statementId and voidedStatementId cannot be used together")
    if ids and (extra := set(args) - {ids[0], "format", "attachments"}):
        raise BadRequest(
            f"{ids[0]} may only be combined with format and attachments, not {sorted(extra)}"
        )
    return query


def _load(schema: Schema, args: Mapping[str, str], what: str) -> dict[str, Any]:
    multi = getattr(args, "getlist", None)
    if multi is not None and any(len(multi(k)) > 1 for k in args):
        raise BadRequest(f"{what}: a parameter appears more than once")
    try:
        loaded: dict[str, Any] = schema.load(dict(args))
    except ValidationError as exc:
        raise BadRequest(f"invalid {what} parameters: {_flatten(exc.messages)}") from exc
    return loaded


def _flatten(messages: Any) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in messages.items())
    if isinstance(messages, list):
        return " ".join(str(m) for m in messages)
    return str(messages)


def statement_id(args: Mapping[str, str], required: bool) -> str | None:
    """The statementId parameter of PUT/POST, lower-cased, validated as a UUID."""
    unknown = set(args) - {"statementId"}
    if unknown:
        raise BadRequest(f"unknown parameter(s) {sorted(unknown)} for this request")
    value = args.get("statementId")
    if value is None:
        if required:
            raise BadRequest("PUT /statements requires the statementId parameter")
        return None
    try:
        loaded: Any = fields.UUID().deserialize(value)
    except ValidationError as exc:
        raise BadRequest(f"statementId {value!r} is not a UUID") from exc
    return str(loaded)


class _DocumentQuery(Schema):
    class Meta:
        unknown = RAISE

    since = Timestamp()


class StateQuery(_DocumentQuery):
    activityId = Iri(required=True)
    agent = AgentObject(required=True)
    registration = fields.UUID()
    stateId = fields.String(validate=validate.Length(min=1))


class ActivityProfileQuery(_DocumentQuery):
    activityId = Iri(required=True)
    profileId = fields.String(validate=validate.Length(min=1))


class AgentProfileQuery(_DocumentQuery):
    agent = AgentObject(required=True)
    profileId = fields.String(validate=validate.Length(min=1))


DOCUMENT_QUERIES: dict[Resource, type[Schema]] = {
    Resource.STATE: StateQuery,
    Resource.ACTIVITY_PROFILE: ActivityProfileQuery,
    Resource.AGENT_PROFILE: AgentProfileQuery,
}


def document_query(resource: Resource, method: str, args: Mapping[str, str]) -> dict[str, Any]:
    """Parameters of a document resource request. The document id (stateId, profileId) is
    required but for GET (a list) and a State DELETE (of them all); `since` belongs to GET."""
    query = _load(DOCUMENT_QUERIES[resource](), args, f"{method} {resource.value}")
    id_name = "stateId" if resource is Resource.STATE else "profileId"
    listing = method in ("GET", "HEAD") or (method == "DELETE" and resource is Resource.STATE)
    if id_name not in query and not listing:
        raise BadRequest(f"{method} needs the {id_name} parameter")
    if "since" in query and method not in ("GET", "HEAD"):
        raise BadRequest(f"since is a parameter of GET, not of {method}")
    return query


class ActivityQuery(Schema):
    class Meta:
        unknown = RAISE

    activityId = Iri(required=True)


class AgentQuery(Schema):
    class Meta:
        unknown = RAISE

    agent = AgentObject(required=True)


def activity_query(args: Mapping[str, str]) -> str:
    activity_id: str = _load(ActivityQuery(), args, "GET /activities")["activityId"]
    return activity_id


def agent_query(args: Mapping[str, str]) -> dict[str, Any]:
    agent: dict[str, Any] = _load(AgentQuery(), args, "GET /agents")["agent"]
    return agent
