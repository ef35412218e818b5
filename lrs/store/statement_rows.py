"""SQL for the statement read model's write side: rows, indexes, voids and StatementRef closure."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Collection, Iterable, Mapping, Sequence

from sqlalchemy import Connection, and_, exists, insert, or_, select, update

from lrs.events import Event
from lrs.store import activity_rows, agent_rows
from lrs.store.engine import bulk_insert, one_of
from lrs.store.tables import (
    events, statement_activities, statement_agents, statement_targets, statements,
)
from lrs.xapi.statement import ifi, is_voiding, statement_ref, terms_of


@dataclass(frozen=True)
class StoredStatement:
    seq: int
    id: str
    voiding_target: str | None
    body: dict[str, Any]


def find_by_ids(conn: Connection, ids: Iterable[str]) -> dict[str, StoredStatement]:
    """Stored statements among `ids`, with their bodies, keyed by id. (Two steps: most ids of
    a batch are new, and the planner should never be tempted to join the whole log.)"""
    wanted = list(set(ids))
    rows: list[Any] = []
    for start in range(0, len(wanted), 500):
        rows += conn.execute(
            select(statements.c.seq, statements.c.id, statements.c.voiding_target)
            .where(one_of(conn, statements.c.id, wanted[start:start + 500]))
        ).all()
    if not rows:
        return {}
    bodies = {seq: payload for seq, payload in conn.execute(
        select(events.c.seq, events.c.payload).where(one_of(conn, events.c.seq, [r.seq for r in rows]))
    )}
    return {r.id: StoredStatement(r.seq, r.id, r.voiding_target, json.loads(bodies[r.seq])) for r in rows}


@dataclass(frozen=True)
class Lookups:
    """What insert_rows() reads before it writes, read ahead (look_up()) so that its writes can
    go to the database together (engine.pipelined)."""

    definitions: Mapping[str, str]
    names: Collection[tuple[str, str]]


def look_up(conn: Connection, statements: Sequence[Mapping[str, Any]]) -> Lookups:
    """The stored Activity definitions and agent names these statements may change."""
    return Lookups(activity_rows.look_up(conn, statements), agent_rows.look_up(conn, statements))


def reads_while_inserting(statements: Iterable[Mapping[str, Any]]) -> bool:
    """True when insert_rows() must read between its writes even with Lookups: a StatementRef's
    closure is read from the rows written before it."""
    return any(statement_ref(statement) for statement in statements)


def stored_ms(stored: datetime) -> int:
    return int(stored.timestamp() * 1000)


Rows = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]


def rows_of(seq: int, stored: datetime, statement: Mapping[str, Any]) -> Rows:
    """The `statements` row (not yet voided) and the `statement_agents` and
    `statement_activities` rows of one stored statement: a function of its event alone, so
    `lrs verify` computes them without writing them (lrs/read/statement_checks.py)."""
    ref = statement_ref(statement)
    context = statement.get("context") or {}
    row = {
        "seq": seq, "id": statement["id"], "stored_ms": stored_ms(stored),
        "verb_id": statement["verb"]["id"], "registration": context.get("registration"),
        "voided": False, "voiding_target": ref if ref and is_voiding(statement) else None,
        "authority": ifi(statement["authority"]) if "authority" in statement else None,
    }
    terms = terms_of(statement)
    return (row, [{"seq": seq, "ifi": i, "direct": d} for i, d in terms.agents],
            [{"seq": seq, "activity_id": a, "direct": d} for a, d in terms.activities])


def insert_rows(conn: Connection, stored: Sequence[tuple[Event, Mapping[str, Any]]],
                lookups: Lookups | None = None) -> None:
    """Index newly appended statements and apply voiding in both directions. With `lookups`
    (look_up() of these statements in this transaction) and no StatementRef among them
    (reads_while_inserting), it only writes."""
    rows, agents, activities, targets = [], [], [], []
    voided_now: list[str] = []
    for event, statement in stored:
        row, its_agents, its_activities = rows_of(event.seq, event.stored, statement)
        rows.append(row)
        if row["voiding_target"]:
            voided_now.append(row["voiding_target"])
        agents += its_agents
        activities += its_activities
        if ref := statement_ref(statement):
            targets.append({"seq": event.seq, "target_id": ref})
    bulk_insert(conn, statements, rows)
    bulk_insert(conn, statement_agents, agents)
    bulk_insert(conn, statement_activities, activities)
    if targets:
        _extend_closure(conn, targets, {r["seq"]: r["id"] for r in rows})
    new_ids = [r["id"] for r in rows]
    _apply_voids(conn, voided_now, new_ids)
    activity_rows.record(conn, stored, lookups.definitions if lookups else None)
    agent_rows.record(conn, stored, lookups.names if lookups else None)


def insert_closure(conn: Connection, stored: Sequence[tuple[Event, Mapping[str, Any]]]) -> None:
    """The `statement_targets` rows of newly appended statements, with the `statements` rows of
    those holding a StatementRef: all that the closure reads (a statement without one has no
    targets, so no closure passes through it). `lrs verify` rebuilds the closure so, in a
    scratch database, without writing every statement row again."""
    rows, targets = [], []
    for event, statement in stored:
        if ref := statement_ref(statement):
            rows.append(rows_of(event.seq, event.stored, statement)[0])
            targets.append({"seq": event.seq, "target_id": ref})
    if targets:
        bulk_insert(conn, statements, rows)
        _extend_closure(conn, targets, {r["seq"]: r["id"] for r in rows})


def _extend_closure(conn: Connection, direct: list[dict[str, Any]], ids: dict[int, str]) -> None:
    """Record each StatementRef target plus everything that target itself targets; and hand
    the same to statements stored earlier that already point at the new statement."""
    conn.execute(insert(statement_targets), direct)
    for row in direct:
        seq = row["seq"]
        closure = {row["target_id"], *conn.execute(
            select(statement_targets.c.target_id)
            .join(statements, statements.c.seq == statement_targets.c.seq)
            .where(statements.c.id == row["target_id"])
        ).scalars()}
        referrers = set(conn.execute(
            select(statement_targets.c.seq).where(statement_targets.c.target_id == ids[seq])
        ).scalars())
        have = {(s, t) for s, t in conn.execute(
            select(statement_targets.c.seq, statement_targets.c.target_id)
            .where(statement_targets.c.seq.in_(referrers | {seq}))
        )}
        missing = [
            {"seq": s, "target_id": t} for s in referrers | {seq} for t in closure
            if (s, t) not in have
        ]
        if missing:
            conn.execute(insert(statement_targets), missing)


def _apply_voids(conn: Connection, targets: list[str], new_ids: list[str]) -> None:
    """Void targets of new voiding statements, and new statements whose voiding came first, in
    one UPDATE (nothing read back). A voiding statement itself is never voided (xAPI Data 2.3.2)."""
    voiding = statements.alias("voiding")
    hit = [one_of(conn, statements.c.id, targets)] if targets else []
    if new_ids:
        hit.append(and_(one_of(conn, statements.c.id, new_ids),
                        exists().where(voiding.c.voiding_target == statements.c.id)))
    if hit:
        conn.execute(update(statements).where(statements.c.voiding_target.is_(None), or_(*hit)).values(voided=True))
