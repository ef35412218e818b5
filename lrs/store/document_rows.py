"""SQL for the document read model: current documents, folded from document events."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import Connection, delete, insert, select, update

from lrs.events import DOCUMENT_DELETED, DOCUMENT_EVENTS, Event
from lrs.store.tables import documents, events
from lrs.xapi.documents import Content, DocumentKey, Scope, content_of, key_of


@dataclass(frozen=True)
class DocumentRow:
    doc_id: str
    registration: str | None
    seq: int           # the event whose payload holds the content
    content_type: str
    etag: str
    updated_ms: int


def _row(row: Any) -> DocumentRow:
    return DocumentRow(row.doc_id, row.registration, row.seq, row.content_type, row.etag, row.updated_ms)


def find(conn: Connection, key: DocumentKey) -> DocumentRow | None:
    row = conn.execute(select(documents).where(documents.c.key == key.digest)).first()
    return _row(row) if row else None


def in_scope(conn: Connection, scope: Scope, since_ms: int | None = None) -> list[DocumentRow]:
    """Current documents of a scope (of one registration when the scope names one), changed
    after `since_ms` when given, oldest change first."""
    query = select(documents).where(documents.c.scope == scope.digest)
    if scope.registration is not None:
        query = query.where(documents.c.registration == scope.registration)
    if since_ms is not None:
        query = query.where(documents.c.updated_ms > since_ms)
    return [_row(r) for r in conn.execute(query.order_by(documents.c.updated_ms, documents.c.seq))]


def apply(conn: Connection, appended: Iterable[Event]) -> None:
    """Fold document events into the read model. The row depends only on the events, so the
    same call rebuilds the table from the log."""
    for event in appended:
        if event.type not in DOCUMENT_EVENTS:
            continue
        body = event.payload
        key = key_of(body)
        if event.type == DOCUMENT_DELETED:
            conn.execute(delete(documents).where(documents.c.key == key.digest))
        else:
            _upsert(conn, key, event, body)


def _upsert(conn: Connection, key: DocumentKey, event: Event, body: dict[str, Any]) -> None:
    values = {
        "seq": event.seq, "content_type": body["contentType"], "etag": body["sha1"],
        "updated_ms": int(event.stored.timestamp() * 1000),
    }
    if conn.execute(update(documents).where(documents.c.key == key.digest).values(values)).rowcount:
        return
    conn.execute(insert(documents).values(
        key=key.digest, scope=key.scope.digest, registration=key.scope.registration,
        doc_id=key.doc_id, **values,
    ))


def content(conn: Connection, row: DocumentRow) -> Content:
    """A stored document's content, from the payload of the event that holds it."""
    text: str = conn.execute(select(events.c.payload).where(events.c.seq == row.seq)).scalar_one()
    return content_of(json.loads(text))
