"""A `statements/read/mine` credential lists exactly the statements it stored: matched on the
stored authority, never on its agent appearing elsewhere in someone else's statement."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, insert, select, text

from lrs.errors import NotAuthorized
from lrs.events import STATEMENT_STORED, EventDraft
from lrs.read.credentials import Credential
from lrs.read.statements import find_statements, get_statement
from lrs.store import log
from lrs.store.engine import make_engine, writing
from lrs.store.schema import _config, upgrade
from lrs.store.statement_queries import StatementFilter
from lrs.store.tables import statements
from lrs.write.reference import default_authority
from lrs.write.statements import record_statements
from lrs.xapi import statement as xs
from tests.fixtures.builders import make_statement
from tests.fixtures.databases import PG_URL

MINE = Credential("lms-a", ("statements/write", "statements/read/mine"), default_authority("lms-a"))
OTHER = Credential("lms-b", ("all",), default_authority("lms-b"))


def listed(engine: Engine, reader: Credential, f: StatementFilter | None = None) -> list[str]:
    page = find_statements(engine, f or StatementFilter(), reader=reader, ascending=True, limit=None, page_limit=100, cursor=None)
    return [json.loads(p)["id"] for p in page.payloads]


def test_read_mine_does_not_list_statements_of_others_that_name_its_agent(engine: Engine) -> None:
    me = MINE.authority
    [own] = record_statements(engine, [make_statement()], authority=me)
    foreign = record_statements(engine, [
        make_statement(context={"instructor": me}),
        make_statement(actor=me),
        make_statement(object={"objectType": "Agent", **me}),
        make_statement(context={"team": {"objectType": "Group", "member": [me]}}),
    ], authority=OTHER.authority)
    assert listed(engine, MINE) == [own]
    assert listed(engine, MINE, StatementFilter(agent=xs.ifi(me), related_agents=True)) == [own]
    assert set(listed(engine, OTHER)) == {own, *foreign}


def test_read_mine_lists_its_statements_whatever_they_name(engine: Engine) -> None:
    me = MINE.authority
    ids = record_statements(engine, [
        make_statement(actor=me),  # its own agent as the actor as well as the authority
        make_statement(context={"instructor": OTHER.authority}),
        make_statement(verb={"id": "http://adlnet.gov/expapi/verbs/attempted"}),
    ], authority=me)
    assert listed(engine, MINE) == ids
    assert listed(engine, MINE, StatementFilter(verb="http://adlnet.gov/expapi/verbs/attempted")) == ids[2:]
    assert get_statement(engine, ids[0], voided=False, reader=MINE)["id"] == ids[0]


def test_read_mine_with_an_authority_that_has_no_identifier_reads_nothing(engine: Engine) -> None:
    record_statements(engine, [make_statement()], authority=OTHER.authority)
    anonymous = Credential("odd", ("statements/read/mine",), {"objectType": "Group", "member": []})
    with pytest.raises(NotAuthorized, match="authority without an identifier"):
        listed(engine, anonymous)


@pytest.fixture
def database_at_0007(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database migrated only to revision 0007, before statements carried their authority."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
        admin = None
    else:
        schema = f"test_mig_{uuid.uuid4().hex[:10]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0009")  # the revision before 0010 added the authority column
    engine.dispose()
    yield url
    if admin is not None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_upgrade_gives_statements_stored_before_it_their_authority(database_at_0007: str) -> None:
    engine = make_engine(database_at_0007)
    stored = []
    with writing(engine) as conn:  # as the code before revision 0010 stored them
        for authority in (MINE.authority, OTHER.authority):
            body = xs.complete(xs.normalize(make_statement(context={"instructor": MINE.authority})),
                               authority=authority, stored="2026-01-01T00:00:00.000Z")
            [event] = log.append(conn, [EventDraft(STATEMENT_STORED, body)], datetime.now(timezone.utc))
            conn.execute(insert(statements).values(
                seq=event.seq, id=body["id"], stored_ms=0, verb_id=body["verb"]["id"], voided=False))
            stored.append(body["id"])
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(select(statements.c.authority).order_by(statements.c.seq)).scalars().all() == [
            xs.ifi(MINE.authority), xs.ifi(OTHER.authority)]
    assert listed(engine, MINE) == stored[:1]
    engine.dispose()
