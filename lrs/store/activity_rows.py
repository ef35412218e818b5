"""SQL for canonical Activity definitions: merged as statements are stored, read by GET /activities."""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import Connection, bindparam, insert, select, update

from lrs.events import Event
from lrs.store.engine import one_of
from lrs.store.tables import activities
from lrs.xapi.activities import definitions, merge_definition


def look_up(conn: Connection, statements: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The stored definitions (JSON text) of the Activities these statements define, by id: what
    record() reads, read ahead so that its writes need no answer from the database."""
    wanted = list({activity_id for statement in statements for activity_id, _ in definitions(statement)})
    known: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        known.update((row.id, row.definition) for row in conn.execute(
            select(activities.c.id, activities.c.definition)
            .where(one_of(conn, activities.c.id, wanted[start:start + 500]))
        ))
    return known


def record(conn: Connection, stored: Sequence[tuple[Event, Mapping[str, Any]]],
           known: Mapping[str, str] | None = None) -> None:
    """Merge the Activity definitions of newly stored statements into the canonical ones, in
    log order; `seq` is the statement that changed the definition last. The rows depend only on
    the events, not on how they were batched (a request, an import). Runs in the appending
    transaction, so no other writer interleaves. `known`: look_up() of these statements, read
    in the same transaction (then only writes are sent)."""
    named = [(event.seq, activity_id, definition)
             for event, statement in stored for activity_id, definition in definitions(statement)]
    if not named:
        return
    if known is None:
        known = look_up(conn, (statement for _, statement in stored))
    current: dict[str, dict[str, Any]] = {activity_id: json.loads(text) for activity_id, text in known.items()}
    changed: dict[str, int] = {}
    for seq, activity_id, definition in named:
        before = current.get(activity_id)
        merged = merge_definition(before or {}, definition)
        if merged != before:  # the usual case is equal: statements repeat the definition they sent before
            current[activity_id] = merged
            changed[activity_id] = seq
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for activity_id, seq in changed.items():
        text = json.dumps(current[activity_id], ensure_ascii=False, sort_keys=True)
        if activity_id not in known:
            inserts.append({"id": activity_id, "seq": seq, "definition": text})
        else:
            updates.append({"activity_id": activity_id, "seq": seq, "definition": text})
    if inserts:
        conn.execute(insert(activities), inserts)
    if updates:
        conn.execute(
            update(activities).where(activities.c.id == bindparam("activity_id"))
            .values(seq=bindparam("seq"), definition=bindparam("definition")),
            updates,
        )


def find_definition(conn: Connection, activity_id: str) -> dict[str, Any] | None:
    text = conn.execute(
        select(activities.c.definition).where(activities.c.id == activity_id)
    ).scalar()
    if text is None:
        return None
    definition: dict[str, Any] = json.loads(text)
    return definition
