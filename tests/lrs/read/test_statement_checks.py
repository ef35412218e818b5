"""The statement rows checked by digests per block of seqs (lrs/read/statement_checks.py), on
SQLite and PostgreSQL, with blocks of 4 seqs so a small store has many: the database's
digests of untouched rows are the ones computed from the log (no block is read row by row),
and a row edited, added or removed in a middle block is named by table and key, reading only
that block's rows."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, and_, select

from lrs.events import STATEMENT_STORED, parse_payload
from lrs.read.statement_checks import StatementRowsCheck
from lrs.store import log, model_digests
from lrs.store.engine import reading
from lrs.store.proofs import Problems
from lrs.store.tables import statement_activities, statement_agents, statements
from lrs.write.statements import record_statements
from tests.fixtures.jp import LMS, claim, void
from tests.fixtures.populated import populate
from tests.fixtures.tampering import add_row, edit_row, remove_row

SIZE = 4


@pytest.fixture
def store(engine: Engine) -> Engine:
    """populate()'s store and 24 more claims (one voided): statements over a dozen blocks."""
    populate(engine)
    claims = [claim(jp=1 + n % 5) for n in range(24)]
    record_statements(engine, claims, authority=LMS)
    record_statements(engine, [void(claims[3]["id"])], authority=LMS)
    return engine


def _check(engine: Engine) -> tuple[Problems, StatementRowsCheck, int]:
    problems = Problems()
    with reading(engine) as conn, model_digests.alongside(engine, conn, SIZE) as digests:
        check = StatementRowsCheck(conn, problems, digests, block=SIZE)
        for seq, kind, stored, payload, _, _ in log.raw_rows(conn):
            if kind == STATEMENT_STORED:
                check.add(seq, stored, parse_payload(payload.decode("utf-8")))
        compared = check.finish()
    return problems, check, compared


def _rows(engine: Engine, table: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.seq))]


def test_untouched_rows_match_their_digests_block_by_block(store: Engine) -> None:
    problems, check, compared = _check(store)
    assert not problems, problems.listed
    assert check.drilled == []  # the database's digests equal those computed from the log
    every = sum(len(_rows(store, t)) for t in (statements, statement_agents, statement_activities))
    blocks = {r["seq"] // SIZE for r in _rows(store, statements)}
    assert compared == every and len(blocks) >= 8


def test_rows_changed_in_a_middle_block_are_named_and_only_its_block_is_read(store: Engine) -> None:
    seqs = sorted(r["seq"] for r in _rows(store, statements))
    middle = seqs[len(seqs) // 2]
    verb = next(r["verb_id"] for r in _rows(store, statements) if r["seq"] == middle)
    edit_row(store, statements, statements.c.seq == middle, verb_id="http://adlnet.gov/expapi/verbs/forged")
    agent = next(r for r in _rows(store, statement_agents) if r["seq"] == middle)
    remove_row(store, statement_agents, and_(*[statement_agents.c[c] == agent[c] for c in ("seq", "ifi", "direct")]))
    activity = next(r for r in _rows(store, statement_activities) if r["seq"] == middle)
    add_row(store, statement_activities, {**activity, "activity_id": "https://forged.example/activity"})
    problems, check, _ = _check(store)
    named = [(p.table, dict(p.key or {}), p.message) for p in problems.listed]
    assert named == [
        ("statements", {"seq": middle}, f"statements row seq {middle}: verb_id is "
                                        f"'http://adlnet.gov/expapi/verbs/forged', the log implies {verb!r}"),
        ("statement_agents", {"seq": middle, "ifi": agent["ifi"], "direct": agent["direct"]},
         f"statement_agents row seq {middle}, ifi {agent['ifi']!r}, direct {agent['direct']!r}, which the log "
         "implies, is missing: it was removed"),
        ("statement_activities", {"seq": middle, "activity_id": "https://forged.example/activity",
                                  "direct": activity["direct"]},
         f"statement_activities row seq {middle}, activity_id 'https://forged.example/activity', direct "
         f"{activity['direct']!r} is not implied by the log: it was added"),
    ]
    block = middle // SIZE
    assert check.drilled == [("statements", block), ("statement_agents", block), ("statement_activities", block)]


def test_rows_past_the_log_and_a_block_removed_whole_are_named(store: Engine) -> None:
    rows = _rows(store, statements)
    first = rows[0]
    add_row(store, statements, {**first, "seq": 1_000, "id": "00000000-0000-4000-8000-000000000000"})
    gone = [r for r in rows if r["seq"] // SIZE == rows[len(rows) // 2]["seq"] // SIZE]
    remove_row(store, statements, statements.c.seq.in_([r["seq"] for r in gone]))
    problems, _, _ = _check(store)
    named = [(p.table, dict(p.key or {}), p.message.split(": ")[-1]) for p in problems.listed]
    assert named == [*[("statements", {"seq": r["seq"]}, "it was removed") for r in gone],
                     ("statements", {"seq": 1_000}, "it was added")]


def test_a_voided_flag_the_voids_do_not_imply_is_named(store: Engine) -> None:
    voided = next(r for r in _rows(store, statements) if r["voided"])
    edit_row(store, statements, statements.c.seq == voided["seq"], voided=False)
    problems, check, _ = _check(store)
    assert [(p.table, p.key, p.message) for p in problems.listed] == [
        ("statements", {"seq": voided["seq"]}, f"statements row seq {voided['seq']}: voided is False, the log implies "
                                               "True")]
    assert check.drilled == []  # voided is not in the digests


def test_a_row_text_tells_apart_values_that_run_together() -> None:
    assert model_digests.row_text(["a,b", None]) != model_digests.row_text(["a", "b,-"])
    assert model_digests.row_text(["1:a"]) != model_digests.row_text([1, "a"])
    assert model_digests.row_text([True, 1, "1"]) == "1,1,1:1,\n"
