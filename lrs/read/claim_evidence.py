"""A claim's statement and its evidence for the web pages: whose claim a stored statement is
(the NIP its actor's account names, and the reporting period of its activity), its title,
description and the attachments it names, and their bytes for whoever may see that pegawai's pages (lrs/read/access_web.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping

from sqlalchemy import Engine

from lrs.errors import NotAuthorized, NotFound
from lrs.read import access
from lrs.read.access_web import Viewer
from lrs.store import attachment_blobs, read_models, statement_rows
from lrs.store.engine import reading
from projections.rules.policy import PolicySet


@dataclass(frozen=True)
class Evidence:
    """One attachment a claim names (its bytes are stored once per sha2)."""

    sha2: str
    content_type: str
    length: int
    usage_type: str


@dataclass(frozen=True)
class StoredClaim:
    statement: Mapping[str, Any]
    nip: str | None  # the pegawai its actor's account names, when the policy's homePage carries it
    year: int  # the reporting period of its activity (timestamp, else stored)

    @property
    def authority(self) -> Any:
        return self.statement.get("authority")


def _attachments(statement: Mapping[str, Any]) -> list[Evidence]:
    return [Evidence(str(a["sha2"]).lower(), str(a.get("contentType", "")), int(a.get("length", 0)),
                     str(a.get("usageType", "")))
            for a in statement.get("attachments") or () if isinstance(a, Mapping) and "sha2" in a]


@dataclass(frozen=True)
class Details:
    """What a claim says of itself: its activity's name and description (in the first language
    the statement gives), and the attachments it names."""

    title: str | None
    description: str | None
    evidence: tuple[Evidence, ...]


def _first(language_map: Any) -> str | None:
    if isinstance(language_map, Mapping) and language_map:
        return str(next(iter(language_map.values())))
    return None


def details_of(engine: Engine, statement_ids: Iterable[str]) -> dict[str, Details]:
    """The details of each stored statement among `statement_ids`."""
    with reading(engine) as conn:
        found = statement_rows.find_by_ids(conn, list(statement_ids))
    details = {}
    for statement_id, stored in found.items():
        definition = (stored.body.get("object") or {}).get("definition") or {}
        details[statement_id] = Details(_first(definition.get("name")), _first(definition.get("description")),
                                        tuple(_attachments(stored.body)))
    return details


def get_claim(engine: Engine, statement_id: str) -> StoredClaim:
    """The stored statement `statement_id` with whose it is; NotFound when it is not stored."""
    with reading(engine) as conn:
        found = statement_rows.find_by_ids(conn, [statement_id.lower()]).get(statement_id.lower())
        policies = PolicySet.from_rows(read_models.policy_rows(conn))
    if found is None:
        raise NotFound(f"no statement with id {statement_id}")
    body = found.body
    moment = datetime.fromisoformat(str(body.get("timestamp") or body["stored"]).replace("Z", "+00:00"))
    day = policies.day_of(moment)
    account = (body.get("actor") or {}).get("account") or {}
    homes = policies.policy_in_force(day).iris("account_home_pages")
    nip = str(account["name"]) if account.get("homePage") in homes and "name" in account else None
    return StoredClaim(body, nip, policies.period_of(day))


def get_evidence(engine: Engine, viewer: Viewer, statement_id: str, sha2: str) -> tuple[str, bytes]:
    """The content type and bytes of attachment `sha2` of claim `statement_id`, for a viewer who
    may see the pages of the pegawai the claim is of (NotAuthorized otherwise); NotFound when the
    statement is not stored or names no such attachment."""
    claim = get_claim(engine, statement_id)
    refused = NotAuthorized(f"credential {viewer.key!r} may not see the evidence of claim {statement_id}")
    if claim.nip is None:
        raise refused
    if claim.nip != viewer.nip:  # who may read the pegawai's figures (lrs/read/access.py) sees their evidence
        try:
            access.require_pegawai(engine, viewer.credential, claim.nip, claim.year)
        except NotAuthorized as exc:
            raise refused from exc
    wanted = sha2.lower()
    if wanted not in {e.sha2 for e in _attachments(claim.statement)}:
        raise NotFound(f"claim {statement_id} has no attachment with sha2 {sha2}")
    with reading(engine) as conn:
        blobs = attachment_blobs.get(conn, {wanted})
    if not blobs:
        raise NotFound(f"the attachment {sha2} of claim {statement_id} was sent with a fileUrl, not stored here")
    _, content_type, content = blobs[0]
    return content_type, content
