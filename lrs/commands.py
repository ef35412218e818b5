"""Write side: record statements (and, later, documents). No Flask, no SQL text."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

from sqlalchemy import Engine

from lrs.errors import BadRequest, InvalidStatement, StatementConflict
from lrs.events import STATEMENT_STORED, EventDraft
from lrs.store import attachment_blobs, chain, log, statement_rows
from lrs.store.engine import writing
from lrs.xapi import statement as xs


def _check_batch_ids(batch: Sequence[Mapping[str, Any]]) -> None:
    seen: set[str] = set()
    for index, item in enumerate(batch):
        if "id" in item:
            if item["id"] in seen:
                raise BadRequest(f"statement[{index}].id {item['id']} appears twice in one request")
            seen.add(item["id"])


def _check_voids(
    batch: Sequence[Mapping[str, Any]], stored: Mapping[str, statement_rows.StoredStatement],
    targets: Mapping[str, statement_rows.StoredStatement],
) -> None:
    """A voiding statement may not target another voiding statement (xAPI Data 2.3.2)."""
    voiding_in_batch = {s["id"] for s in batch if xs.is_voiding(s) and "id" in s}
    for index, item in enumerate(batch):
        if not xs.is_voiding(item):
            continue
        target = xs.statement_ref(item)
        hit = targets.get(target or "")
        if target in voiding_in_batch or (hit is not None and hit.voiding_target is not None):
            raise InvalidStatement(
                f"statement[{index}].object.id {target} is itself a voiding statement; "
                "a voiding statement cannot be voided"
            )


def record_statements(
    engine: Engine, batch: Sequence[dict[str, Any]], *, authority: Mapping[str, Any],
    attachments: Sequence[tuple[str, str, bytes]] = (), now: datetime | None = None,
) -> list[str]:
    """Store validated statements in one transaction and return their ids in request order.
    The statements are completed in place (id, stored, authority, ...): pass parsed JSON that
    the caller does not keep using.

    A statement whose id is already stored with equivalent content is accepted without a new
    event; with different content the whole request is refused (StatementConflict).
    `attachments` are (sha2, content type, bytes) parts, stored once per sha2 in the same
    transaction; the statements' own `attachments` entries carry the sha2 into the chain.
    """
    _check_batch_ids(batch)
    statements = [xs.normalize(s) for s in batch]
    ids = [s["id"] for s in statements if "id" in s]
    refs = [r for s in statements if (r := xs.statement_ref(s))]
    with writing(engine) as conn:
        existing = statement_rows.find_by_ids(conn, ids + refs)
        fresh = []
        for index, item in enumerate(statements):
            known = existing.get(item.get("id", ""))
            if known is None:
                fresh.append(item)
            elif not xs.equivalent(item, known.body):
                raise StatementConflict(
                    f"statement[{index}].id {item['id']} is already stored with different content"
                )
        _check_voids(fresh, existing, existing)
        moment = now or datetime.now(timezone.utc)
        head = log.head(conn)
        stored_at = max(chain.truncate_ms(moment), head.stored) if head else chain.truncate_ms(moment)
        stamp = chain.format_stored(stored_at)
        for item in fresh:
            xs.complete(item, authority=authority, stored=stamp)
        appended = log.append(
            conn, [EventDraft(STATEMENT_STORED, item) for item in fresh], stored_at
        )
        if appended:
            statement_rows.insert_rows(conn, list(zip(appended, fresh)))
            attachment_blobs.put(conn, attachments)
    return [s["id"] for s in statements]
