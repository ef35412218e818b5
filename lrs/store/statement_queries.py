"""SQL for the statement read model's read side: GET /statements filters and single lookups."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, ColumnElement, Select, and_, exists, func, select, true, union
from sqlalchemy.sql import FromClause

from lrs.store.tables import (
    events, statement_activities, statement_agents, statement_targets, statements,
)


@dataclass(frozen=True)
class StatementFilter:
    """The filters of GET /statements, already parsed. Times are ms since the epoch."""

    agent: str | None = None  # an IFI string (lrs.xapi.statement.ifi)
    related_agents: bool = False
    verb: str | None = None
    activity: str | None = None
    related_activities: bool = False
    registration: str | None = None
    since_ms: int | None = None  # exclusive
    until_ms: int | None = None  # inclusive
    authority: str | None = None  # statements/read/mine: only what this authority stored

    def matches_content(self) -> bool:
        """Whether any filter looks at content (only those follow StatementRefs)."""
        return any(v is not None for v in (self.agent, self.verb, self.activity, self.registration))


def _content(f: StatementFilter, s: FromClause) -> ColumnElement[bool]:
    """Conditions on the statement `s` itself (not on time or position)."""
    conditions: list[ColumnElement[bool]] = []
    if f.verb is not None:
        conditions.append(s.c.verb_id == f.verb)
    if f.registration is not None:
        conditions.append(s.c.registration == f.registration)
    if f.agent is not None:
        a = statement_agents.alias()
        where = [a.c.seq == s.c.seq, a.c.ifi == f.agent]
        if not f.related_agents:
            where.append(a.c.direct.is_(True))
        conditions.append(exists().where(*where))
    if f.activity is not None:
        b = statement_activities.alias()
        where = [b.c.seq == s.c.seq, b.c.activity_id == f.activity]
        if not f.related_activities:
            where.append(b.c.direct.is_(True))
        conditions.append(exists().where(*where))
    return and_(true(), *conditions)


def _window(f: StatementFilter, s: FromClause, after: int | None, before: int | None,
            ) -> list[ColumnElement[bool]]:
    """Time and position conditions, always on the returned statement `s`."""
    conditions: list[ColumnElement[bool]] = [s.c.voided.is_(False)]
    if f.since_ms is not None:
        conditions.append(s.c.stored_ms > f.since_ms)
    if f.until_ms is not None:
        conditions.append(s.c.stored_ms <= f.until_ms)
    if f.authority is not None:
        a = statement_agents.alias()
        conditions.append(exists().where(
            a.c.seq == s.c.seq, a.c.ifi == f.authority, a.c.direct.is_(False)
        ))
    if after is not None:
        conditions.append(s.c.seq > after)
    if before is not None:
        conditions.append(s.c.seq < before)
    return conditions


def find_seqs(
    conn: Connection, f: StatementFilter, *, ascending: bool, limit: int,
    after: int | None = None, before: int | None = None,
) -> list[int]:
    """Positions of matching, non-voided statements, in order, at most `limit` of them.
    A statement also matches when a statement it targets through StatementRefs does."""
    s = statements.alias("s")
    order = s.c.seq.asc() if ascending else s.c.seq.desc()
    own: Select[Any] = (
        select(s.c.seq).where(_content(f, s), *_window(f, s, after, before)).order_by(order)
        .limit(limit)
    )
    if not f.matches_content():
        return list(conn.execute(own).scalars())
    t, c = statements.alias("t"), statement_targets.alias("c")
    via_ref: Select[Any] = (
        select(s.c.seq)
        .select_from(c.join(s, s.c.seq == c.c.seq).join(t, t.c.id == c.c.target_id))
        .where(_content(f, t), *_window(f, s, after, before))
        .order_by(order).limit(limit)
    )
    both = union(select(own.subquery().c.seq), select(via_ref.subquery().c.seq)).subquery()
    ordered = both.c.seq.asc() if ascending else both.c.seq.desc()
    return list(conn.execute(select(both.c.seq).order_by(ordered).limit(limit)).scalars())


def payloads(conn: Connection, seqs: list[int]) -> list[str]:
    """Statement bodies (canonical JSON text) in the order of `seqs`."""
    if not seqs:
        return []
    query = select(events.c.seq, events.c.payload).where(events.c.seq.in_(seqs))
    rows = {seq: payload for seq, payload in conn.execute(query)}
    return [rows[seq] for seq in seqs]


def get_payload(conn: Connection, statement_id: str, *, voided: bool) -> str | None:
    """The body of one statement, if stored and voided (or not) as asked."""
    query = (
        select(events.c.payload).join(statements, statements.c.seq == events.c.seq)
        .where(statements.c.id == statement_id, statements.c.voided.is_(voided))
    )
    return conn.execute(query).scalar()


def last_stored(conn: Connection) -> Any:
    """The stored time of the newest statement, or None."""
    return conn.execute(select(func.max(events.c.stored))).scalar()
