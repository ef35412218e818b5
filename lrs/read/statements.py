"""Read side of statements: by id and by filter, with who may read what (`statements/read/mine`
sees only what its own credential stored) and the page cap; Activities and Agents.
No Flask, no SQL text."""
from __future__ import annotations

import dataclasses
import json
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from sqlalchemy import Engine

from lrs.errors import NotAuthorized, NotFound
from lrs.read.credentials import Credential
from lrs.store import activity_rows, agent_rows, attachment_blobs, statement_queries
from lrs.store.engine import reading
from lrs.store.statement_queries import StatementFilter
from lrs.xapi.activities import activity_object
from lrs.xapi.agents import person
from lrs.xapi.statement import ifi


@dataclass(frozen=True)
class StatementPage:
    payloads: list[str]        # canonical JSON text of each statement, in order
    next_cursor: int | None    # the position the `more` link continues from


def _only_mine(reader: Credential) -> str | None:
    """The authority a reader may read the statements of: None for every statement
    (`statements/read`), its own for a `statements/read/mine` credential; NotAuthorized else."""
    if reader.allows("statements/read"):
        return None
    reader.require("statements/read/mine")
    if (mine := ifi(reader.authority)) is None:  # never "no filter": that would be every statement
        raise NotAuthorized(
            f"credential {reader.key!r} has an authority without an identifier, so the statements "
            "it stored cannot be told from others"
        )
    return mine


def get_statement(engine: Engine, statement_id: str, *, voided: bool, reader: Credential) -> dict[str, Any]:
    """One statement. A voided statement is found only by voidedStatementId, and a statement
    that is not voided only by statementId (xAPI Communication 2.1.3); a statement another
    credential stored is not found by a `statements/read/mine` reader."""
    mine = _only_mine(reader)
    with reading(engine) as conn:
        payload = statement_queries.get_payload(conn, statement_id.lower(), voided=voided)
    found = load(payload) if payload is not None else None
    if found is None or (mine is not None and found.get("authority") != reader.authority):
        which = "voided statement" if voided else "statement"
        raise NotFound(f"no {which} with id {statement_id}")
    return found


def find_statements(
    engine: Engine, f: StatementFilter, *, reader: Credential, ascending: bool, limit: int | None,
    page_limit: int, cursor: int | None,
) -> StatementPage:
    """One page of matching statements the reader may see: at most `limit` (0 or None: as many
    as `page_limit`, the server's cap, which a larger `limit` cannot pass). The cursor is a log
    position, so paging never skips or repeats a statement while new ones arrive (stored times
    can tie; positions cannot)."""
    if (mine := _only_mine(reader)) is not None:
        f = dataclasses.replace(f, authority=mine)
    limit = min(limit or page_limit, page_limit)
    after, before = (cursor, None) if ascending else (None, cursor)
    with reading(engine) as conn:
        seqs = statement_queries.find_seqs(
            conn, f, ascending=ascending, limit=limit + 1, after=after, before=before
        )
        page = seqs[:limit]
        payloads = statement_queries.payloads(conn, page)
    return StatementPage(payloads, page[-1] if len(seqs) > limit else None)


@contextmanager
def exported(engine: Engine, f: StatementFilter, *, include_voided: bool = False,
             ) -> Iterator[tuple[int, Iterator[dict[str, Any]]]]:
    """How many statements match and the statements themselves, oldest first, as GET returns
    them (format exact; voided statements left out unless asked), read in one snapshot while
    the caller stays in the block (`lrs statements export`)."""
    with reading(engine) as conn:
        count = statement_queries.count_exported(conn, f, include_voided=include_voided)
        yield count, (load(p) for p in statement_queries.stream_exported(conn, f, include_voided=include_voided))


def attachments_of(engine: Engine, statements: list[dict[str, Any]]) -> list[tuple[str, str, bytes]]:
    """The stored attachment parts (sha2, content type, bytes) the statements name."""
    holders = [s for st in statements for s in (st, st.get("object", {}))]
    wanted = {str(a["sha2"]).lower() for h in holders for a in h.get("attachments") or () if "sha2" in a}
    with reading(engine) as conn:
        return attachment_blobs.get(conn, wanted)


def load(payload: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(payload)
    return value


def get_activity(engine: Engine, activity_id: str) -> dict[str, Any]:
    """The canonical Activity object: the definitions statements sent, merged."""
    with reading(engine) as conn:
        definition = activity_rows.find_definition(conn, activity_id)
    return activity_object(activity_id, definition)


def get_person(engine: Engine, agent: Mapping[str, Any]) -> dict[str, Any]:
    """The Person object of an Agent: its identifier and every name statements gave it."""
    key = ifi(agent)
    with reading(engine) as conn:
        names = agent_rows.names_of(conn, key) if key is not None else []
    return person(agent, names)
