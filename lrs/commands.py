"""Write side: record statements, publish policies, record roster rows, trust sources.
No Flask, no SQL text. Projections catch up after each append commits."""
from __future__ import annotations

import json
import logging
from datetime import date, datetime, timezone
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import Connection, Engine

from lrs.errors import BadRequest, InvalidPolicy, InvalidStatement, StatementConflict
from lrs.events import (
    CREDENTIAL_BOUND, POLICY_PUBLISHED, ROSTER_RECORDED, SOURCE_TRUSTED, STANDARD_RECORDED, STATEMENT_STORED,
    Event, EventDraft,
)
from lrs.store import attachment_blobs, chain, credentials, log, read_models, statement_rows
from lrs.store.engine import writing
from lrs.xapi import statement as xs
from projections import runner
from projections.policy import PolicySet, Published, validate

logger = logging.getLogger(__name__)


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
    project: bool | Callable[[], None] = True,
) -> list[str]:
    """Store validated statements in one transaction and return their ids in request order.
    The statements are completed in place (id, stored, authority, ...): pass parsed JSON that
    the caller does not keep using.

    A statement whose id is already stored with equivalent content is accepted without a new
    event; with different content the whole request is refused (StatementConflict).
    `attachments` are (sha2, content type, bytes) parts, stored once per sha2 in the same
    transaction; the statements' own `attachments` entries carry the sha2 into the chain.
    `project=False` leaves the projections to a worker (`lrs projections run`; bulk loads); a
    callable is called instead of catching up here (a server's Projector.notify).
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
        stored_at = log.stored_time(conn, now or datetime.now(timezone.utc))
        stamp = chain.format_stored(stored_at)
        for item in fresh:
            xs.complete(item, authority=authority, stored=stamp)
        appended = log.append(
            conn, [EventDraft(STATEMENT_STORED, item) for item in fresh], stored_at
        )
        if appended:
            statement_rows.insert_rows(conn, list(zip(appended, fresh)))
            attachment_blobs.put(conn, attachments)
    if appended and callable(project):
        project()
    elif appended and project:
        # After the commit, outside the append lock. The statements are stored: a client told
        # otherwise would send them again. A failed fold is logged with its traceback, and the
        # next append or `lrs projections run` picks up from the checkpoint.
        try:
            runner.catch_up(engine)
        except Exception:
            logger.exception("projection catch-up failed after seq %d; it will be retried", appended[-1].seq)
    return [s["id"] for s in statements]


def _append(
    engine: Engine, drafts: list[EventDraft], now: datetime | None,
    also: Callable[[Connection], None] | None = None,
) -> list[Event]:
    """Append drafts and run `also` (a row that must exist exactly when the events do) in one
    serialized transaction, then catch the projections up."""
    with writing(engine) as conn:
        if also is not None:
            also(conn)
        appended = log.append(conn, drafts, now or datetime.now(timezone.utc))  # link() clamps
    runner.catch_up(engine)
    return appended


def publish_policy(engine: Engine, document: Any, *, now: datetime | None = None) -> Event:
    """Validate a policy document (national, or an instansi overlay on the national policy in
    force on its effective date) and append it as a `policy.published` event."""
    runner.catch_up(engine)
    with engine.connect() as conn:
        rows = read_models.policy_rows(conn)
    known = PolicySet.of([Published(json.loads(r["document"]), int(r["seq"])) for r in rows])
    if isinstance(document, dict) and isinstance(document.get("effective_from"), str):
        try:
            national = known.national(date.fromisoformat(document["effective_from"]))
        except ValueError as exc:
            raise InvalidPolicy(f"effective_from {document['effective_from']!r} is not a date") from exc
    else:
        national = None
    validate(document, national)
    if any((r["policy_id"], r["version"]) == (document["policy_id"], document["version"]) for r in rows):
        raise InvalidPolicy(f"policy {document['policy_id']} version {document['version']} is published "
                            "already; publish a new version instead of editing one")
    return _append(engine, [EventDraft(POLICY_PUBLISHED, document)], now)[0]


def record_roster(engine: Engine, rows: Sequence[Mapping[str, Any]], *, now: datetime | None = None) -> int:
    """Append one `roster.recorded` event per row, all in one transaction."""
    return len(_append(engine, [EventDraft(ROSTER_RECORDED, dict(row)) for row in rows], now))


def record_standards(engine: Engine, rows: Sequence[Mapping[str, Any]], *, now: datetime | None = None) -> int:
    """Append one `standard.recorded` event per row (a position's competency standard), in one
    transaction."""
    return len(_append(engine, [EventDraft(STANDARD_RECORDED, dict(row)) for row in rows], now))


def trust_source(engine: Engine, key: str, *, now: datetime | None = None) -> Event:
    """Record that statements sent with credential `key` come from a trusted source."""
    return _append(engine, [EventDraft(SOURCE_TRUSTED, {"key": key})], now)[0]


def record_credential(engine: Engine, row: credentials.CredentialRow, binding: Mapping[str, Any] | None = None) -> None:
    """Store a credential with, in the same transaction, its `source.trusted` event (a trusted
    source) and its `credential.bound` event (bound to a person or role: `binding` holds nip,
    role, instansi, unit_kerja), so the log and the credentials never disagree.
    IntegrityError when the key exists."""
    drafts = []
    if row.trusted_source:
        drafts.append(EventDraft(SOURCE_TRUSTED, {"key": row.key}))
    if binding:
        drafts.append(EventDraft(CREDENTIAL_BOUND, {"key": row.key, **binding}))
    if not drafts:
        with writing(engine) as conn:
            credentials.insert_credential(conn, row)
        return
    _append(engine, drafts, None, also=lambda conn: credentials.insert_credential(conn, row))
