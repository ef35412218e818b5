"""SQL for the names statements give each agent identifier (the Person object's `name`)."""
from __future__ import annotations

from typing import Any, Collection, Iterable, Mapping, Sequence

from sqlalchemy import Connection, insert, select

from lrs.events import Event
from lrs.store.engine import one_of
from lrs.store.tables import agent_names
from lrs.xapi.agents import named_agents


def look_up(conn: Connection, statements: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """The (ifi, name) pairs already known among those these statements name: what record()
    reads, read ahead so that its writes need no answer from the database."""
    ifis = sorted({ifi for statement in statements for ifi, _ in named_agents(statement)})
    have: set[tuple[str, str]] = set()
    for start in range(0, len(ifis), 500):
        have.update((r.ifi, r.name) for r in conn.execute(
            select(agent_names.c.ifi, agent_names.c.name)
            .where(one_of(conn, agent_names.c.ifi, ifis[start:start + 500]))
        ))
    return have


def record(conn: Connection, stored: Sequence[tuple[Event, Mapping[str, Any]]],
           have: Collection[tuple[str, str]] | None = None) -> None:
    """Remember names of agents in newly stored statements that were not known yet. `have`:
    look_up() of these statements, read in the same transaction."""
    first: dict[tuple[str, str], int] = {}
    for event, statement in stored:
        for pair in named_agents(statement):
            first.setdefault(pair, event.seq)
    if not first:
        return
    if have is None:
        have = look_up(conn, (statement for _, statement in stored))
    rows = [{"ifi": i, "name": n, "seq": s} for (i, n), s in first.items() if (i, n) not in have]
    if rows:
        conn.execute(insert(agent_names), rows)


def names_of(conn: Connection, ifi: str) -> list[str]:
    """Names given to the agent identifier `ifi`, in the order they first appeared."""
    return list(conn.execute(
        select(agent_names.c.name).where(agent_names.c.ifi == ifi).order_by(agent_names.c.seq)
    ).scalars())
