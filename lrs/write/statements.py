"""Write side of statements: every rule a statement must meet, whoever sends it (the xAPI API,
the web app, the CLI, tests, bench loads), then one transaction that appends it to the log with
its read model rows. No Flask, no SQL text. Projections catch up after each append commits."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import Engine

from lrs.errors import BadRequest, InvalidStatement, StatementConflict
from lrs.events import STATEMENT_STORED, EventDraft
from lrs.store import attachment_blobs, chain, log, statement_rows
from lrs.store.engine import writing
from lrs.xapi import multipart, signature, versions
from lrs.xapi import statement as xs
from lrs.xapi.multipart import Part
from lrs.xapi.validate import validate_statement
from projections import runner

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


def validate_statements(items: Sequence[Any], version: str, parts: Sequence[Part] = ()) -> list[dict[str, Any]]:
    """Every rule a statement of xAPI `version` must meet as a client sends it: the schema, the
    rules it cannot say, Jejak's xAPI Profile, its attachments against the parts sent, and its
    signature; then the statements are prepared for storage under `version`, in place.
    InvalidStatement (or BadRequest) names the statement and the field."""
    for index, item in enumerate(items):
        try:
            validate_statement(item, version)
        except InvalidStatement as exc:
            prefix = f"statement[{index}]: " if len(items) > 1 else ""
            raise InvalidStatement(prefix + str(exc)) from exc
    statements: list[dict[str, Any]] = list(items)
    multipart.check_attachments(statements, parts)
    signature.check_signatures(statements, parts)
    for item in statements:  # after the signature check, which compares the statements as sent
        versions.prepare_for_storage(item, version)
    return statements


def record_statements(
    engine: Engine, batch: Sequence[Any], *, authority: Mapping[str, Any], version: str = versions.V1,
    attachments: Sequence[Part] = (), now: datetime | None = None,
    project: bool | Callable[[], None] = True,
) -> list[str]:
    """Check statements as sent by a client of xAPI `version` (validate_statements), store them
    in one transaction and return their ids in request order. The statements are completed in
    place (id, stored, authority, ...): pass parsed JSON that the caller does not keep using.

    A statement whose id is already stored with equivalent content is accepted without a new
    event; with different content the whole request is refused (StatementConflict).
    `attachments` are the parts sent with the statements, stored once per sha2 in the same
    transaction; the statements' own `attachments` entries carry the sha2 into the chain.
    `project=False` leaves the projections to a worker (`lrs projections run`; bulk loads); a
    callable is called instead of catching up here (a server's Projector.notify).
    """
    batch = validate_statements(batch, version, attachments)
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
            attachment_blobs.put(conn, [(p.sha2, p.content_type, p.content) for p in attachments])
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
