"""Query parameters of the Statement resource, parsed with marshmallow."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from lrs.errors import BadRequest, InvalidStatement
from lrs.xapi.formats import FORMATS
from lrs.xapi.statement import ifi
from lrs.xapi.validate import validate_agent


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


class AgentParam(fields.Field[str]):
    """A JSON Agent or identified Group; yields its IFI string."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        try:
            agent = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationError("must be a JSON Agent or identified Group") from exc
        try:
            validate_agent(agent, "agent")
        except InvalidStatement as exc:
            raise ValidationError(str(exc)) from exc
        key = ifi(agent)
        if key is None:
            raise ValidationError("must name an inverse functional identifier")
        return key


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
    cursor = fields.Integer(validate=validate.Range(min=0))  # ours: the `more` link's position


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
