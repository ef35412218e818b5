"""What the State, Activity Profile and Agent Profile resources share: one blueprint factory
for PUT, POST, GET (HEAD) and DELETE of documents (xAPI 1.0.3 Communication 2.2, 3.1)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import ETags
from werkzeug.http import parse_etags

from lrs.read import documents as reads
from lrs.write import documents as changes
from lrs.api import params
from lrs.api.auth import credential
from lrs.api.bodies import json_reply, read_body, reply
from lrs.api.headers import xapi_version
from lrs.xapi import versions
from lrs.xapi.agents import identity
from lrs.xapi.documents import Content, DocumentKey, Preconditions, PutRule, Resource, Scope
from lrs.api.context import engine as _engine

DEFAULT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class DocumentResource:
    resource: Resource
    id_param: str     # stateId or profileId
    scope: str        # the credential scope it needs besides `all`
    put_rule: PutRule  # what an xAPI 1.0.x PUT without If-Match / If-None-Match may do


def _put_rule(spec: DocumentResource) -> PutRule:
    """xAPI 2.0 (9274.1.1 4.1.4) makes every document PUT without a precondition header a
    conflict when the document exists; 1.0.3 exempts State and refuses a bare profile PUT."""
    return PutRule.CONFLICT_IF_EXISTS if xapi_version() == versions.V2 else spec.put_rule



WRITES = ("PUT", "POST", "DELETE")


def _query(spec: DocumentResource) -> dict[str, Any]:
    credential().require(spec.scope, writing=request.method in WRITES)
    return params.document_query(spec.resource, request.method, request.args)


def _scope(spec: DocumentResource, query: Mapping[str, Any]) -> Scope:
    agent = query.get("agent")
    registration = query.get("registration")
    return Scope(
        spec.resource, query.get("activityId"), identity(agent) if agent is not None else None,
        str(registration) if registration is not None else None,
    )


def _key(spec: DocumentResource, query: Mapping[str, Any]) -> DocumentKey:
    return DocumentKey(_scope(spec, query), query[spec.id_param])


def _content() -> Content:
    return Content(request.headers.get("Content-Type") or DEFAULT_TYPE, read_body())


def _tags(header: str) -> ETags | None:
    return parse_etags(request.headers[header]) if header in request.headers else None


def _preconditions() -> Preconditions:
    """If-Match compares strongly (its weak tags never match), If-None-Match weakly (RFC 7232 3.1, 3.2)."""
    if_match, if_none_match = _tags("If-Match"), _tags("If-None-Match")
    return Preconditions(
        None if if_match is None else _named(if_match, weak=False),
        None if if_none_match is None else _named(if_none_match, weak=True),
        frozenset() if if_match is None else frozenset(if_match.as_set(include_weak=True)) - if_match.as_set(),
    )


def _named(tags: ETags, *, weak: bool) -> frozenset[str]:
    return frozenset({"*"}) if tags.star_tag else frozenset(tags.as_set(include_weak=weak))


def blueprint(import_name: str, name: str, url: str, spec: DocumentResource) -> Blueprint:
    """The blueprint of one document resource at `url`."""
    bp = Blueprint(name, import_name, url_prefix=url)

    @bp.put("")
    def put_document() -> ResponseReturnValue:
        key = _key(spec, _query(spec))
        changes.put_document(_engine(), key, _content(), _preconditions(), rule=_put_rule(spec))
        return "", 204

    @bp.post("")
    def post_document() -> ResponseReturnValue:
        key = _key(spec, _query(spec))
        changes.post_document(_engine(), key, _content(), _preconditions())
        return "", 204

    @bp.get("")
    def get_documents() -> ResponseReturnValue:
        query = _query(spec)
        if spec.id_param in query:
            found = reads.get_document(_engine(), _key(spec, query))
            return reply(found.content.data, found.content.content_type, found.updated)
        listed = reads.find_document_ids(_engine(), _scope(spec, query), since_ms=query.get("since"))
        return json_reply(listed.ids, listed.updated)

    @bp.delete("")
    def delete_documents() -> ResponseReturnValue:
        query = _query(spec)
        if spec.id_param in query:
            changes.delete_document(_engine(), _key(spec, query), _preconditions())
        else:
            changes.delete_documents(_engine(), _scope(spec, query))
        return "", 204

    return bp
