"""Write side of the document resources (State, Activity Profile, Agent Profile): PUT, POST
(merge) and DELETE. No Flask, no SQL text. Every change is an event appended in the transaction that updates the
read model; preconditions are checked inside that transaction, which is serialized against
every other writer, so two clients holding one ETag cannot both win."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Sequence

from sqlalchemy import Connection, Engine

from lrs.events import DOCUMENT_DELETED, DOCUMENT_MERGED, DOCUMENT_STORED, EventDraft
from lrs.store import document_rows as rows
from lrs.store import log
from lrs.store.engine import writing
from lrs.xapi.documents import Content, DocumentKey, Preconditions, PutRule, Scope, merge, payload


def put_document(
    engine: Engine, key: DocumentKey, content: Content, pre: Preconditions, *,
    rule: PutRule, now: datetime | None = None,
) -> None:
    """Store `content` as the document, replacing any stored one (PUT)."""
    if content.is_json:
        content.json_value()  # Content-Type says JSON: it must be (Communication 3.2.s3.b6)
    with writing(engine) as conn:
        row = rows.find(conn, key)
        pre.check_put(row.etag if row else None, rule)
        if row is None or rows.content(conn, row) != content:
            _append(conn, [(DOCUMENT_STORED, key, content)], now)


def post_document(
    engine: Engine, key: DocumentKey, content: Content, pre: Preconditions, *,
    now: datetime | None = None,
) -> None:
    """POST: store a new document, or merge a JSON object into the stored JSON object."""
    if content.is_json:
        content.json_object("posted")
    with writing(engine) as conn:
        row = rows.find(conn, key)
        pre.check(row.etag if row else None)
        if row is None:
            _append(conn, [(DOCUMENT_STORED, key, content)], now)
            return
        merged = merge(rows.content(conn, row), content)
        if merged is not None:
            _append(conn, [(DOCUMENT_MERGED, key, merged)], now)


def delete_document(
    engine: Engine, key: DocumentKey, pre: Preconditions, *, now: datetime | None = None
) -> None:
    """Delete one document; deleting a document that does not exist changes nothing."""
    with writing(engine) as conn:
        row = rows.find(conn, key)
        pre.check(row.etag if row else None)
        if row is not None:
            _append(conn, [(DOCUMENT_DELETED, key, None)], now)


def delete_documents(engine: Engine, scope: Scope, *, now: datetime | None = None) -> int:
    """Delete every document of the scope (State: of every registration unless the scope
    names one); one event per document. Returns how many were deleted."""
    with writing(engine) as conn:
        found = rows.in_scope(conn, scope)
        keys = [
            DocumentKey(dataclasses.replace(scope, registration=r.registration), r.doc_id)
            for r in found
        ]
        _append(conn, [(DOCUMENT_DELETED, key, None) for key in keys], now)
    return len(found)


def _append(
    conn: Connection, changes: Sequence[tuple[str, DocumentKey, Content | None]],
    now: datetime | None,
) -> None:
    drafts = [EventDraft(kind, payload(key, content)) for kind, key, content in changes]
    appended = log.append(conn, drafts, now or datetime.now(timezone.utc))
    rows.apply(conn, appended)
