"""SQL for the names statements give each agent identifier (the Person object's `name`)."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from sqlalchemy import Connection, insert, select

from lrs.events import Event
from lrs.store.tables import agent_names
from lrs.xapi.agents import named_agents


def record(conn: Connection, stored: Sequence[tuple[Event, Mapping[str, Any]]]) -> None:
    """Remember names of agents in newly stored statements that were not known yet."""
    first: dict[tuple[str, str], int] = {}
    for event, statement in stored:
        for pair in named_agents(statement):
            first.setdefault(pair, event.seq)
    if not first:
        return
    ifis = sorted({ifi for ifi, _ in first})
    have: set[tuple[str, str]] = set()
    for start in range(0, len(ifis), 500):
        have.update((r.ifi, r.name) for r in conn.execute(
            select(agent_names.c.ifi, agent_names.c.name)
            .where(agent_names.c.ifi.in_(ifis[start:start + 500]))
        ))
    rows = [{"ifi": i, "name": n, "seq": s} for (i, n), s in first.items() if (i, n) not in have]
    if rows:
        conn.execute(insert(agent_names), rows)


def names_of(conn: Connection, ifi: str) -> list[str]:
    """Names given to the agent identifier `ifi`, in the order they first appeared."""
    return list(conn.execute(
        select(agent_names.c.name).where(agent_names.c.ifi == ifi).order_by(agent_names.c.seq)
    ).scalars())
