"""Canonical Activity definitions and agent names as statements are indexed (both databases)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Engine, func, select

from lrs.events import STATEMENT_STORED, Event
from lrs.store import activity_rows, agent_rows
from lrs.store.engine import writing
from lrs.store.tables import activities
from tests.fixtures.builders import make_statement

MANY = 1200  # more than one IN (...) chunk


def event(seq: int) -> Event:
    return Event(seq, STATEMENT_STORED, datetime(2026, 1, 1, tzinfo=timezone.utc), "{}", "", "")


def about(n: int, name: str) -> dict:
    return make_statement(
        actor={"name": f"Pegawai {n}", "mbox": f"mailto:p{n}@example.go.id"},
        object={"id": f"https://lms.example.go.id/course/{n}", "definition": {"name": {"id-ID": name}}},
    )


def test_many_activities_are_inserted_then_updated_only_when_changed(engine: Engine) -> None:
    with writing(engine) as conn:
        activity_rows.record(conn, [(event(n + 1), about(n, "Kursus")) for n in range(MANY)])
        activity_rows.record(conn, [(event(MANY + n + 1), about(n, "Kursus")) for n in range(MANY)])
        assert conn.execute(select(func.max(activities.c.seq))).scalar() == MANY  # nothing rewritten
        activity_rows.record(conn, [(event(2 * MANY + 1), about(7, "Pelatihan"))])
        assert activity_rows.find_definition(conn, "https://lms.example.go.id/course/7") == {
            "name": {"id-ID": "Pelatihan"}}
        assert conn.execute(select(func.count()).select_from(activities)).scalar() == MANY


def test_names_are_kept_once_in_the_order_first_seen(engine: Engine) -> None:
    with writing(engine) as conn:
        agent_rows.record(conn, [(event(n + 1), about(n, "Kursus")) for n in range(MANY)])
        renamed = about(3, "Kursus")
        renamed["actor"]["name"] = "Pegawai Tiga"
        agent_rows.record(conn, [(event(MANY + 1), about(3, "Kursus")), (event(MANY + 2), renamed)])
        assert agent_rows.names_of(conn, "mbox:mailto:p3@example.go.id") == ["Pegawai 3", "Pegawai Tiga"]
        assert agent_rows.names_of(conn, "mbox:mailto:p1199@example.go.id") == ["Pegawai 1199"]


def test_a_definition_repeated_in_one_batch_keeps_the_seq_that_changed_it(engine: Engine) -> None:
    """The rows are a function of the events: one batch (an import) gives what one request per
    statement gave."""
    first, again, changed = about(1, "Kursus"), about(1, "Kursus"), about(1, "Pelatihan")
    with writing(engine) as conn:
        activity_rows.record(conn, [(event(1), first), (event(2), again)])
        assert conn.execute(select(activities.c.seq)).scalar() == 1
        activity_rows.record(conn, [(event(3), again), (event(4), changed), (event(5), again)])
        assert conn.execute(select(activities.c.seq, activities.c.definition)).one() == (
            5, '{"name": {"id-ID": "Kursus"}}')
