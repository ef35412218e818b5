"""The append's write helpers (lrs/store/engine.py) on both databases: bulk_insert (PostgreSQL:
one INSERT of arrays), pipelined() (PostgreSQL: writes sent together) and one_of()."""
from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timezone

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from lrs.store.engine import bulk_insert, one_of, pipelined, reading, writing
from lrs.store.tables import agent_names, statements

# Text an array literal or COPY would have to escape; NUL never reaches the store.
AWKWARD = ['', 'NULL', '"quoted"', "back\\slash", "{braces,comma}", "tab\tnew\nline", "Ünïcode 漢字 😀", " ", "'"]


def row(seq: int, **values: object) -> dict[str, object]:
    return {"seq": seq, "id": f"00000000-0000-4000-8000-{seq:012d}", "stored_ms": 1_700_000_000_000 + seq,
            "verb_id": "http://adlnet.gov/expapi/verbs/completed", "registration": None, "voided": False,
            "voiding_target": None, "authority": None, **values}


def test_bulk_insert_keeps_every_value_as_given(engine: Engine) -> None:
    rows = [row(n + 1, verb_id=f"https://verbs.example/{text}", authority=text, voided=n % 2 == 0,
                registration=None if n % 3 else f"10000000-0000-4000-8000-{n:012d}")
            for n, text in enumerate(AWKWARD)]
    with writing(engine) as conn:
        bulk_insert(conn, statements, rows)
    with reading(engine) as conn:
        stored = [dict(r._mapping) for r in conn.execute(select(statements).order_by(statements.c.seq))]
    assert stored == rows


def test_a_refused_write_in_a_pipelined_block_fails_the_transaction(engine: Engine) -> None:
    with pytest.raises(IntegrityError):
        with writing(engine) as conn:
            with pipelined(conn):
                bulk_insert(conn, statements, [row(1)])
                bulk_insert(conn, statements, [row(2), row(1)])  # seq 1 again
                bulk_insert(conn, agent_names, [{"ifi": "mbox:mailto:a@example.go.id", "name": "A", "seq": 2}])
    with reading(engine) as conn:
        assert conn.execute(select(statements.c.seq)).all() == []
        assert conn.execute(select(agent_names.c.ifi)).all() == []


def test_writes_of_a_pipelined_block_are_all_stored(engine: Engine) -> None:
    with writing(engine) as conn:
        with pipelined(conn):
            bulk_insert(conn, statements, [row(n) for n in range(1, 301)])
            bulk_insert(conn, agent_names, [{"ifi": f"mbox:mailto:p{n}@example.go.id", "name": "P", "seq": n}
                                            for n in range(1, 301)])
    with reading(engine) as conn:
        assert len(conn.execute(select(statements.c.seq)).all()) == 300
        assert len(conn.execute(select(agent_names.c.ifi)).all()) == 300


@pytest.mark.parametrize("wanted", [[], [2], [3, 1, 3], list(range(0, 600, 7))])
def test_one_of_finds_what_in_finds(engine: Engine, wanted: list[int]) -> None:
    with writing(engine) as conn:
        bulk_insert(conn, statements, [row(n) for n in range(1, 101)])
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in wanted]
    with reading(engine) as conn:
        found = set(conn.execute(select(statements.c.seq).where(one_of(conn, statements.c.id, ids))).scalars())
    assert found == {n for n in wanted if 1 <= n <= 100}


def test_stored_times_keep_their_instant(engine: Engine) -> None:
    from lrs.store.tables import events

    moment = datetime(2026, 12, 7, 21, 30, 15, 123000, tzinfo=timezone.utc)
    with writing(engine) as conn:
        bulk_insert(conn, events, [{"seq": 1, "type": "statement.stored", "stored": moment, "payload": "{}",
                                    "prev_hash": "0" * 64, "hash": "1" * 64}])
    with reading(engine) as conn:
        stored = conn.execute(select(events.c.stored)).scalar_one()
    assert stored.replace(tzinfo=stored.tzinfo or timezone.utc) == moment


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite does not enforce VARCHAR lengths
def test_a_value_postgresql_refuses_is_a_data_error_as_sqlalchemy_raises_it(engine: Engine) -> None:
    from sqlalchemy.exc import DataError

    for together in (False, True):
        with pytest.raises(DataError):  # lrs/store/failures.py answers it with 400
            with writing(engine) as conn:
                with pipelined(conn) if together else nullcontext():
                    bulk_insert(conn, statements, [row(1, registration="x" * 37)])

