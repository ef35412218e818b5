"""Document values: identity, content, the JSON merge rule, preconditions, and event payloads.
Pure: no Flask, no SQL (xAPI 1.0.3 Communication 2.2, 3.1)."""
from __future__ import annotations

import base64
import enum
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Mapping

from lrs.errors import BadRequest, DocumentConflict, PreconditionFailed
from lrs.xapi import json_limits
from lrs.xapi.agents import identity
from lrs.xapi.media_types import media_type
from lrs.xapi.statement import ifi

JSON_TYPE = "application/json"


class Resource(enum.Enum):
    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"


class PutRule(enum.Enum):
    """What a PUT carrying neither If-Match nor If-None-Match may do (Communication 3.1)."""

    ALLOWED = "allowed"                    # xAPI 1.0.3 State: no concurrency headers needed
    CONFLICT_IF_EXISTS = "conflict"        # 409 when the document exists (xAPI 2.0, all three)
    REQUIRED = "required"                  # 1.0.3 profiles: 409 when it exists, else 400


@dataclass(frozen=True)
class Scope:
    """The documents one list or delete-all covers. `agent` is the agent's identifier only
    (lrs.xapi.agents.identity), so one person's documents do not depend on the name sent."""

    resource: Resource
    activity_id: str | None = None
    agent: Mapping[str, Any] | None = None
    registration: str | None = None  # State only; None in a list or delete means "any"

    @property
    def digest(self) -> str:
        """The part of the identity shared by every document of a list: resource, activity, agent."""
        agent = ifi(self.agent) if self.agent is not None else None
        return _sha256([self.resource.value, self.activity_id, agent])


@dataclass(frozen=True)
class DocumentKey:
    scope: Scope
    doc_id: str  # stateId or profileId

    @property
    def digest(self) -> str:
        return _sha256([self.scope.digest, self.scope.registration, self.doc_id])


def _sha256(parts: list[Any]) -> str:
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Content:
    """A document's bytes and the Content-Type they were sent with."""

    content_type: str
    data: bytes

    @property
    def etag(self) -> str:
        """SHA-1 hex of the bytes, as xAPI 1.0.3 Communication 3.1 requires of the ETag."""
        return hashlib.sha1(self.data).hexdigest()

    @property
    def is_json(self) -> bool:
        return media_type(self.content_type) == JSON_TYPE

    def json_value(self) -> Any:
        try:
            return json_limits.loads(self.data, "the document")
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"the document is sent as {JSON_TYPE} but is not valid JSON: {exc}") from exc

    def json_object(self, which: str) -> dict[str, Any]:
        value = self.json_value()
        if not isinstance(value, dict):
            raise BadRequest(f"the {which} document is not a JSON object, so it cannot be merged")
        return value


def merge(stored: Content, posted: Content) -> Content | None:
    """POST into an existing document (Communication 2.2.s7, s8): both must be JSON objects;
    each top-level property posted replaces the stored one whole. None when that changes
    nothing (every posted property already has that value)."""
    for which, content in (("stored", stored), ("posted", posted)):
        if not content.is_json:
            raise BadRequest(
                f"the {which} document has Content-Type {content.content_type!r}; POST merges only "
                f"{JSON_TYPE} documents (use PUT to replace it)"
            )
    old, new = stored.json_object("stored"), posted.json_object("posted")
    if all(key in old and _same(old[key], value) for key, value in new.items()):
        return None
    merged = {**old, **new}
    text = json.dumps(merged, ensure_ascii=False, separators=(",", ":"))
    try:
        return Content(JSON_TYPE, text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate, sent escaped ("\ud800"), stays escaped
        return Content(JSON_TYPE, json.dumps(merged, separators=(",", ":")).encode("ascii"))


def _same(a: Any, b: Any) -> bool:
    """JSON equality that tells true from 1 (Python's == does not)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@dataclass(frozen=True)
class Preconditions:
    """The If-Match and If-None-Match headers: None when absent, else the entity tags named
    ("*" for any). RFC 7232 2.3.2: If-Match compares strongly, so a weak tag (W/"...") there
    never matches and is not in `if_match` (only in `weak_if_match`, to say so); If-None-Match
    compares weakly, so its weak tags are in `if_none_match` like the others."""

    if_match: frozenset[str] | None = None
    if_none_match: frozenset[str] | None = None
    weak_if_match: frozenset[str] = frozenset()

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None

    def check(self, etag: str | None) -> None:
        """Raise PreconditionFailed unless the headers hold for the stored document's ETag
        (None: no document), as RFC 7232 section 3 describes."""
        if self.if_match is not None:
            if etag is None:
                raise PreconditionFailed("If-Match names a document that does not exist")
            if "*" not in self.if_match and etag in self.weak_if_match:
                raise PreconditionFailed(
                    f'If-Match names the ETag as weak (W/"{etag}"), which never matches: If-Match '
                    f'compares ETags strongly (RFC 7232 3.1); send "{etag}"'
                )
            if "*" not in self.if_match and etag not in self.if_match:
                raise PreconditionFailed(
                    f'If-Match does not name the document\'s current ETag "{etag}"; '
                    "GET it again and retry with that ETag"
                )
        if self.if_none_match is not None and etag is not None:
            if "*" in self.if_none_match or etag in self.if_none_match:
                raise PreconditionFailed(
                    "If-None-Match: the document exists already (its ETag matches)"
                )

    def check_put(self, etag: str | None, rule: PutRule) -> None:
        """`check`, then the rule for a PUT that carries neither header."""
        self.check(etag)
        if self.given or rule is PutRule.ALLOWED:
            return
        if etag is not None:
            raise DocumentConflict(
                "the document exists and the PUT carries neither If-Match nor If-None-Match: "
                "GET the document, check its current state, and PUT again with If-Match set "
                "to its ETag"
            )
        if rule is PutRule.REQUIRED:
            raise BadRequest(
                "a PUT to a profile document needs an If-Match header (the ETag of the version "
                "it replaces) or If-None-Match: * (when creating it) (xAPI Communication 3.1)"
            )


def payload(key: DocumentKey, content: Content | None) -> dict[str, Any]:
    """The event payload naming a document and, unless it is deleted, carrying its content:
    UTF-8 text as text, other bytes as base64, so the log alone holds every version."""
    scope = key.scope
    body: dict[str, Any] = {"resource": scope.resource.value, "id": key.doc_id}
    if scope.activity_id is not None:
        body["activityId"] = scope.activity_id
    if scope.agent is not None:
        body["agent"] = dict(scope.agent)
    if scope.registration is not None:
        body["registration"] = scope.registration
    if content is not None:
        body["contentType"] = content.content_type
        body["sha1"] = content.etag
        try:
            body["text"] = content.data.decode("utf-8")
        except UnicodeDecodeError:
            body["base64"] = base64.b64encode(content.data).decode("ascii")
    return body


def key_of(body: Mapping[str, Any]) -> DocumentKey:
    scope = Scope(
        Resource(body["resource"]), body.get("activityId"),
        identity(body["agent"]) if "agent" in body else None, body.get("registration"),
    )
    return DocumentKey(scope, body["id"])


def content_of(body: Mapping[str, Any]) -> Content:
    if "text" in body:
        data = str(body["text"]).encode("utf-8")
    else:
        data = base64.b64decode(body["base64"])
    return Content(body["contentType"], data)
