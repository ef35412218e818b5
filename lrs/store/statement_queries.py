"""SQL for the statement read model's read side: GET /statements filters and single lookups."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from sqlalchemy import Connection, ColumnElement, Select, and_, exists, func, or_, select, true, union
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
    authority: str | None = None  # statements/read/mine: only what this authority (IFI) stored

    def matches_content(self) -> bool:
        """Whether any filter looks at content (only those follow StatementRefs)."""
        return any(v is not None for v in (self.agent, self.verb, self.activity, self.registration))


def _agent_rows(f: StatementFilter) -> tuple[FromClause, list[ColumnElement[bool]]]:
    a = statement_agents.alias()
    where = [a.c.ifi == f.agent]
    if not f.related_agents:
        where.append(a.c.direct.is_(True))
    return a, where


def _activity_rows(f: StatementFilter) -> tuple[FromClause, list[ColumnElement[bool]]]:
    b = statement_activities.alias()
    where = [b.c.activity_id == f.activity]
    if not f.related_activities:
        where.append(b.c.direct.is_(True))
    return b, where


def _content(f: StatementFilter, s: FromClause, skip: str | None = None) -> ColumnElement[bool]:
    """Conditions on the statement `s` itself (not on time or position); `skip` names the
    index table the query is already driven by."""
    conditions: list[ColumnElement[bool]] = []
    if f.verb is not None:
        conditions.append(s.c.verb_id == f.verb)
    if f.registration is not None:
        conditions.append(s.c.registration == f.registration)
    for name, present, rows in (("agent", f.agent, _agent_rows), ("activity", f.activity, _activity_rows)):
        if present is not None and name != skip:
            table, where = rows(f)
            conditions.append(exists().where(table.c.seq == s.c.seq, *where))
    return and_(true(), *conditions)


def _window(f: StatementFilter, s: FromClause, after: int | None, before: int | None,
            ) -> list[ColumnElement[bool]]:
    """Time and position conditions, always on the returned statement `s`."""
    conditions: list[ColumnElement[bool]] = [s.c.voided.is_(False)]
    if f.since_ms is not None:
        conditions.append(s.c.stored_ms > f.since_ms)
    if f.until_ms is not None:
        conditions.append(s.c.stored_ms <= f.until_ms)
    if f.authority is not None:  # the stored authority only: an agent's mention elsewhere is not it
        conditions.append(s.c.authority == f.authority)
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
    # Drive the query from the most selective index: an agent's or activity's rows, in seq
    # order, rather than walking every statement and probing each one.
    driver, skip = None, None
    if f.agent is not None:
        driver, skip = _agent_rows(f), "agent"
    elif f.activity is not None:
        driver, skip = _activity_rows(f), "activity"
    if driver is not None:
        table, where = driver
        seq = table.c.seq
        own: Select[Any] = (
            select(seq).select_from(table.join(s, s.c.seq == seq))
            .where(*where, _content(f, s, skip), *_window(f, s, after, before))
        )
    else:
        seq = s.c.seq
        own = select(seq).where(_content(f, s), *_window(f, s, after, before))
    own = own.order_by(seq.asc() if ascending else seq.desc()).limit(limit)
    if not f.matches_content():
        return list(conn.execute(own).scalars())
    # Statements that target a match: walk the (few) StatementRef rows newest first and probe
    # each target by id, so a common verb never makes us scan all its statements.
    t, c = statements.alias("t"), statement_targets.alias("c")
    via_ref: Select[Any] = (
        select(c.c.seq)
        .select_from(c.join(s, s.c.seq == c.c.seq))
        .where(exists().where(t.c.id == c.c.target_id, _content(f, t)), *_window(f, s, after, before))
        .order_by(c.c.seq.asc() if ascending else c.c.seq.desc()).limit(limit)
    )
    both = union(select(own.subquery().c.seq), select(via_ref.subquery().c.seq)).subquery()
    ordered = both.c.seq.asc() if ascending else both.c.seq.desc()
    return list(conn.execute(select(both.c.seq).order_by(ordered).limit(limit)).scalars())


def _exported(f: StatementFilter, include_voided: bool) -> list[ColumnElement[bool]]:
    """What `lrs statements export` takes: the GET filters (a statement that targets a match
    through a StatementRef matches too), without or with the voided statements."""
    s = statements
    window = _window(f, s, None, None)
    if include_voided:
        window = window[1:]  # the first is "not voided"
    if not f.matches_content():
        return window
    t, c = statements.alias("t"), statement_targets.alias("c")
    via_ref = exists().where(c.c.seq == s.c.seq, t.c.id == c.c.target_id, _content(f, t))
    return [*window, or_(_content(f, s), via_ref)]


def count_exported(conn: Connection, f: StatementFilter, *, include_voided: bool) -> int:
    return int(conn.execute(select(func.count()).select_from(statements)
                            .where(*_exported(f, include_voided))).scalar_one())


def stream_exported(conn: Connection, f: StatementFilter, *, include_voided: bool,
                    batch: int = 1000) -> Iterator[str]:
    """The bodies of the matching statements, oldest first, fetched `batch` rows at a time
    through a server-side cursor (PostgreSQL; SQLite's cursor steps anyway): memory stays flat
    however many there are. The caller's transaction must stay open while it is read."""
    query = (select(events.c.payload).join(statements, statements.c.seq == events.c.seq)
             .where(*_exported(f, include_voided)).order_by(statements.c.seq))
    result = conn.execute(query, execution_options={"stream_results": True, "yield_per": batch})
    for rows in result.partitions():
        for (payload,) in rows:
            yield payload


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
