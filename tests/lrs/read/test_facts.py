"""A report reads its facts inside one snapshot, so it never mixes two projector checkpoints."""
from __future__ import annotations

from sqlalchemy import Engine, insert, select

from lrs.read.facts import facts_at
from lrs.store.engine import is_sqlite
from lrs.store.read_models import TABLES
from lrs.store.tables import trusted_sources


def test_facts_are_read_in_one_snapshot(engine: Engine) -> None:
    table = TABLES["sources"][0]
    with facts_at(engine, None, None) as conn:
        assert conn.in_transaction()
        if not is_sqlite(conn):
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar_one() == "repeatable read"
        first = conn.execute(select(table)).all()
        with engine.begin() as other:  # the projector commits meanwhile
            other.execute(insert(trusted_sources).values(key="lms", seq=1))
        assert conn.execute(select(table)).all() == first
    with facts_at(engine, None, None) as conn:
        assert len(conn.execute(select(table)).all()) == len(first) + 1
