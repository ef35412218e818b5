"""Read side of the document resources (State, Activity Profile, Agent Profile): one document,
or the ids of a scope's documents. No Flask, no SQL text."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Engine

from lrs.errors import NotFound
from lrs.store import document_rows as rows
from lrs.store.engine import reading
from lrs.xapi.documents import Content, DocumentKey, Scope


@dataclass(frozen=True)
class Document:
    content: Content
    updated: datetime


@dataclass(frozen=True)
class DocumentIds:
    ids: list[str]
    updated: datetime | None  # the latest change among them


def get_document(engine: Engine, key: DocumentKey) -> Document:
    with reading(engine) as conn:
        row = rows.find(conn, key)
        if row is None:
            raise NotFound(f"no document with id {key.doc_id!r} here")
        return Document(rows.content(conn, row), _moment(row.updated_ms))


def find_document_ids(engine: Engine, scope: Scope, *, since_ms: int | None = None) -> DocumentIds:
    """Ids of the scope's documents changed after `since_ms` (exclusive), oldest change first;
    an id stored under several registrations is listed once."""
    with reading(engine) as conn:
        found = rows.in_scope(conn, scope, since_ms)
    ids = list(dict.fromkeys(r.doc_id for r in found))
    return DocumentIds(ids, _moment(found[-1].updated_ms) if found else None)


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, timezone.utc)
