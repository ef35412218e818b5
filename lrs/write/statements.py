"""Write side of statements: every rule a statement must meet, whoever sends it (the xAPI API,
the web app, the CLI, tests, bench loads), then one transaction that appends it to the log with
its read model rows. No Flask, no SQL text. Projections catch up after each append commits."""
from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import Connection, Engine

from lrs.errors import BadRequest, InvalidStatement, LrsError, NotAuthorized, StatementConflict
from lrs.events import STATEMENT_STORED, Event, EventDraft
from lrs.store import attachment_blobs, chain, log, statement_rows
from lrs.store.engine import pipelined
from lrs.write import group_commit
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
    batch: Sequence[Mapping[str, Any]], targets: Mapping[str, statement_rows.StoredStatement],
    authority: Mapping[str, Any],
) -> None:
    """A voiding statement may not target another voiding statement (xAPI Data 2.3.2), and only
    the credential that stored a statement may void it (the xAPI lets an LRS refuse a void for
    its permissions): otherwise anyone able to write could take a pegawai's claim out of their
    JP. A target not stored (yet) may be voided (xAPI Data 2.3.2 asks not to refuse that)."""
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
        if hit is not None and dict(hit.body.get("authority") or {}) != dict(authority):
            raise NotAuthorized(
                f"statement[{index}] voids statement {target}, which another credential stored: "
                "only the credential that stored a statement may void it"
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


@dataclass
class _Request:
    """One request's statements on their way into a group commit."""

    statements: list[dict[str, Any]]
    attachments: Sequence[Part]
    authority: Mapping[str, Any]
    now: datetime | None
    pristine: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pristine = [dict(s) for s in self.statements]  # complete() changes only the top level

    def reset(self) -> None:
        """Back to the statements as submitted (in place), before the request runs again alone."""
        for statement, pristine in zip(self.statements, self.pristine):
            statement.clear()
            statement.update(pristine)

    def keys(self) -> list[str]:
        """The ids it sends and the ids it refers to: what the store must look up."""
        return [s["id"] for s in self.statements if "id" in s] + [
            r for s in self.statements if (r := xs.statement_ref(s))]


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
    Requests of this process waiting for the log's lock meanwhile share its transaction
    (lrs/write/group_commit.py); one given its own `now` is stored alone.
    `project=False` leaves the projections to a worker (`lrs projections run`; bulk loads); a
    callable is called instead of catching up here (a server's Projector.notify).
    """
    batch = validate_statements(batch, version, attachments)
    _check_batch_ids(batch)
    request = _Request([xs.normalize(s) for s in batch], attachments, authority, now)
    if now is None:
        appended = group_commit.commit(engine, request, _store, reset=_Request.reset)
    else:
        appended = group_commit.alone(engine, request, _store)
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
    return [s["id"] for s in request.statements]


def _fresh(request: _Request, known: Mapping[str, statement_rows.StoredStatement]) -> list[dict[str, Any]]:
    """The request's statements not stored yet; StatementConflict when one of its ids is stored
    with other content, InvalidStatement when it voids a voiding statement."""
    fresh = []
    for index, item in enumerate(request.statements):
        stored = known.get(item.get("id", ""))
        if stored is None:
            fresh.append(item)
        elif not xs.equivalent(item, stored.body):
            raise StatementConflict(
                f"statement[{index}].id {item['id']} is already stored with different content"
            )
    _check_voids(fresh, known, request.authority)
    return fresh


def _store(conn: Connection, jobs: Sequence[group_commit.Job[_Request, list[Event]]]) -> None:
    """Append the requests' new statements under the log's lock, in order, as if one after the
    other: a statement an earlier request of the group stored counts as stored for the later
    ones. A request refused by its own rules gets its error; the others are stored."""
    known = dict(statement_rows.find_by_ids(conn, [key for job in jobs for key in job.item.keys()]))
    now = jobs[0].item.now if len(jobs) == 1 else None
    last = log.head(conn)
    stored_at = log.stored_after(last, now or datetime.now(timezone.utc))
    stamp = chain.format_stored(stored_at)
    accepted: list[tuple[group_commit.Job[_Request, list[Event]], list[dict[str, Any]]]] = []
    for job in jobs:
        try:
            fresh = _fresh(job.item, known)
        except LrsError as exc:
            job.error = exc
            continue
        for item in fresh:
            xs.complete(item, authority=job.item.authority, stored=stamp)
            voids = xs.statement_ref(item) if xs.is_voiding(item) else None
            known[item["id"]] = statement_rows.StoredStatement(0, item["id"], voids, item)
        accepted.append((job, fresh))
    everything = [item for _, fresh in accepted for item in fresh]
    # Read what the rows depend on first, then send every write together (PostgreSQL: one round
    # trip while the log's lock is held, instead of one or two per table).
    lookups = statement_rows.look_up(conn, everything) if everything else None
    together = nullcontext() if statement_rows.reads_while_inserting(everything) else pipelined(conn)
    with together:
        appended = log.append_after(conn, last, [EventDraft(STATEMENT_STORED, item) for item in everything],
                                    stored_at)
        if appended:
            statement_rows.insert_rows(conn, list(zip(appended, everything)), lookups)
    at = 0
    for job, fresh in accepted:
        job.result, at = appended[at:at + len(fresh)], at + len(fresh)
        if fresh:
            attachment_blobs.put(conn, [(p.sha2, p.content_type, p.content) for p in job.item.attachments])
