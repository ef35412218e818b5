"""SQL for canonical Activity definitions: merged as statements are stored, read by GET /activities."""
from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from sqlalchemy import Connection, bindparam, insert, select, update

from lrs.events import Event
from lrs.store.tables import activities
from lrs.xapi.activities import definitions, merge_definition


def record(conn: Connection, stored: Sequence[tuple[Event, Mapping[str, Any]]]) -> None:
    """Merge the Activity definitions of newly stored statements into the canonical ones, in
    log order. Runs in the appending transaction, so no other writer interleaves."""
    changed: dict[str, tuple[int, dict[str, Any]]] = {}
    for event, statement in stored:
        for activity_id, definition in definitions(statement):
            base = changed[activity_id][1] if activity_id in changed else None
            changed[activity_id] = (event.seq, merge_definition(base or {}, definition))
    if not changed:
        return
    wanted = list(changed)
    known: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        known.update((row.id, row.definition) for row in conn.execute(
            select(activities.c.id, activities.c.definition)
            .where(activities.c.id.in_(wanted[start:start + 500]))
        ))
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for activity_id, (seq, definition) in changed.items():
        before = known.get(activity_id)
        merged = merge_definition(json.loads(before) if before else {}, definition)
        text = json.dumps(merged, ensure_ascii=False, sort_keys=True)
        if text == before:
            continue  # the usual case: statements repeat the definition they sent before
        if before is None:
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
