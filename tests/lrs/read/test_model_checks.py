"""`lrs verify` checks every read-model row against a rebuild from the log, on SQLite and
PostgreSQL: a row of each read model edited, added or removed by hand (as someone with the
database's rights could; no trigger guards the read models) is named by table and key, and a
store nobody touched verifies clean."""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, and_, select

from lrs.cli import main
from lrs.read.verification import verify_store
from lrs.store.tables import (
    activities, agent_names, credential_bindings, documents, figure_work, jp_claims, jp_figures, roster_entries,
    statement_activities, statement_agents, statement_targets, statements,
)
from lrs.write import documents as document_writes
from lrs.write.statements import record_statements
from lrs.xapi.documents import Content, DocumentKey, Preconditions, PutRule, Resource, Scope
from projections import runner
from tests.fixtures.jp import LMS, NIP_A, claim
from tests.fixtures.populated import populate
from tests.fixtures.tampering import add_row, edit_row, remove_row

COURSE = "https://lms.example.go.id/course/anti-korupsi"


@pytest.fixture
def store(engine: Engine) -> Engine:
    """populate()'s store, with an Activity definition, a named agent and an Agent Profile."""
    populate(engine)
    defined = claim(jp=2, activity=COURSE)
    defined["object"]["definition"] = {"name": {"id-ID": "Anti korupsi"}, "type": "http://adlnet.gov/expapi/activities/course"}
    defined["actor"]["name"] = "Siti Aminah"
    record_statements(engine, [defined], authority=LMS)
    profile = DocumentKey(Scope(Resource.AGENT_PROFILE, None, {"mbox": "mailto:siti@example.go.id"}), "preferences")
    document_writes.put_document(engine, profile, Content("application/json", b'{"bahasa": "id"}'), Preconditions(),
                                 rule=PutRule.ALLOWED)
    runner.catch_up(engine)
    return engine


def _first(engine: Engine, table: Any, *where: Any) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(table).where(*where).limit(1)).first()
    assert row is not None
    return dict(row._mapping)


def _named(engine: Engine) -> list[tuple[str, str, dict[str, Any], str]]:
    result = verify_store(engine)
    assert not result.ok and result.problem_count == len(result.problems)
    return [(p.kind, p.table or "", dict(p.key or {}), p.message) for p in result.problems]


def test_an_untouched_store_verifies_with_every_row_compared(store: Engine) -> None:
    result = verify_store(store)
    assert result.ok, result.problems
    with store.connect() as conn:
        some = sum(len(conn.execute(select(t)).all()) for t in (statements, statement_agents, jp_claims, jp_figures))
    assert result.rows is not None and result.rows > some


def test_a_statement_row_edited_is_named(store: Engine) -> None:
    row = _first(store, statements, statements.c.voided.is_(False), statements.c.voiding_target.is_(None))
    edit_row(store, statements, statements.c.seq == row["seq"], voided=True)
    assert _named(store) == [("read_model", "statements", {"seq": row["seq"]},
                              f"statements row seq {row['seq']}: voided is True, the log implies False")]


def test_a_statement_row_removed_and_one_added_are_named(store: Engine) -> None:
    row = _first(store, statements)
    remove_row(store, statements, statements.c.seq == row["seq"])
    add_row(store, statements, {**row, "seq": 10_000, "id": "00000000-0000-4000-8000-000000000000"})
    assert _named(store) == [
        ("read_model", "statements", {"seq": row["seq"]},
         f"statements row seq {row['seq']}, which the log implies, is missing: it was removed"),
        ("read_model", "statements", {"seq": 10_000}, "statements row seq 10000 is not implied by the log: it was added"),
    ]


@pytest.mark.parametrize("table", [statement_agents, statement_activities, statement_targets])
def test_index_rows_edited_added_and_removed_are_named(store: Engine, table: Any) -> None:
    row = _first(store, table)
    text = "ifi" if table is statement_agents else "activity_id" if table is statement_activities else "target_id"
    key = ("seq", text, "direct") if table is not statement_targets else ("seq", text)
    remove_row(store, table, and_(*[table.c[c] == row[c] for c in key]))
    add_row(store, table, {**row, text: "forged"})
    named = {json.dumps(found, sort_keys=True): (kind, name, message) for kind, name, found, message in _named(store)}
    added = {c: ("forged" if c == text else row[c]) for c in key}
    removed = {c: row[c] for c in key}
    assert sorted(named) == sorted(json.dumps(k, sort_keys=True) for k in (added, removed))
    kind, name, message = named[json.dumps(added, sort_keys=True)]
    assert (kind, name) == ("read_model", table.name) and message.endswith("is not implied by the log: it was added")
    kind, name, message = named[json.dumps(removed, sort_keys=True)]
    assert message.endswith("which the log implies, is missing: it was removed")


def test_documents_edited_added_and_removed_are_named(store: Engine) -> None:
    with store.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(documents).order_by(documents.c.key))]
    assert len(rows) == 2  # the State and the Agent Profile (the Activity Profile was deleted)
    edit_row(store, documents, documents.c.key == rows[0]["key"], etag="0" * 40)
    remove_row(store, documents, documents.c.key == rows[1]["key"])
    add_row(store, documents, {**rows[1], "key": "f" * 64})
    named = _named(store)
    assert [(n[1], n[2]) for n in named] == [("documents", {"key": rows[0]["key"]}), ("documents", {"key": rows[1]["key"]}),
                                             ("documents", {"key": "f" * 64})]
    assert f"etag is '{'0' * 40}', the log implies '{rows[0]['etag']}'" in named[0][3]


def test_an_activity_and_an_agent_name_edited_are_named(store: Engine) -> None:
    edit_row(store, activities, activities.c.id == COURSE, definition='{"name": {"id-ID": "Gratifikasi"}}')
    edit_row(store, agent_names, agent_names.c.name == "Siti Aminah", name="Budi")
    named = _named(store)
    assert [(n[1], n[2]) for n in named] == [
        ("activities", {"id": COURSE}),
        ("agent_names", {"ifi": named[1][2]["ifi"], "name": "Budi"}),  # added under the new name...
        ("agent_names", {"ifi": named[1][2]["ifi"], "name": "Siti Aminah"}),  # ...and missing under the old
    ]
    assert "definition is '{\"name\": {\"id-ID\": \"Gratifikasi\"}}', the log implies" in named[0][3]


def test_a_credential_binding_edited_is_named(store: Engine) -> None:
    edit_row(store, credential_bindings, credential_bindings.c.key == "atasan", nip=NIP_A)
    [(kind, table, key, message)] = _named(store)
    assert (kind, table, key) == ("read_model", "credential_bindings", {"key": "atasan"})
    assert message.startswith(f"credential_bindings row key 'atasan': nip is '{NIP_A}', the log implies ")


def test_projection_rows_edited_and_removed_are_named(store: Engine) -> None:
    row = _first(store, jp_claims, jp_claims.c.jp_declared == "4")
    edit_row(store, jp_claims, jp_claims.c.statement_id == row["statement_id"], jp_declared="40")
    roster = _first(store, roster_entries, roster_entries.c.nip == NIP_A)
    remove_row(store, roster_entries, roster_entries.c.nip == NIP_A)
    named = _named(store)
    assert [(n[1], n[2]) for n in named] == [
        ("jp_claims", {"statement_id": row["statement_id"]}),
        ("roster_entries", {"nip": NIP_A, "effective_from": roster["effective_from"]}),
    ]
    assert "jp_declared is '40', the log implies '4'" in named[0][3]


def test_stored_figures_edited_added_and_removed_are_named(store: Engine) -> None:
    with store.connect() as conn:
        every = [dict(r._mapping) for r in conn.execute(select(jp_figures).order_by(jp_figures.c.nip,
                                                                                  jp_figures.c.year))]
    rows = list({row["nip"]: row for row in reversed(every)}.values())[::-1]  # each nip's first year
    assert len(rows) >= 2

    def one(row: dict[str, Any]) -> Any:
        return (jp_figures.c.nip == row["nip"]) & (jp_figures.c.year == row["year"])

    edit_row(store, jp_figures, one(rows[0]), jp_counted="99")
    remove_row(store, jp_figures, one(rows[1]))
    add_row(store, jp_figures, {**rows[1], "nip": "000000000000000000"})
    named = {found["nip"]: (kind, name, found, message) for kind, name, found, message in _named(store)}
    assert sorted(named) == sorted(["000000000000000000", rows[0]["nip"], rows[1]["nip"]])
    assert {(kind, name) for kind, name, _, _ in named.values()} == {("figure", "jp_figures")}
    assert named["000000000000000000"][3].endswith("it was added, and the roster does not name the pegawai")
    assert f"jp_counted is '99', the log implies '{rows[0]['jp_counted']}'" in named[rows[0]["nip"]][3]
    assert named[rows[1]["nip"]][3].endswith("is missing: it was removed")


def test_the_command_names_them_and_exits_1(store: Engine, database_url: str) -> None:
    edit_row(store, credential_bindings, credential_bindings.c.key == "atasan", role="verifier")
    result = CliRunner().invoke(main, ["verify", "--json", "--database-url", database_url])
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert found["read_models"]["checked"] and found["read_models"]["rows"] > 0
    assert [(p["kind"], p["table"], p["key"]) for p in found["problems"]] == [
        ("read_model", "credential_bindings", {"key": "atasan"})]
    assert "comparing" in result.stderr  # the progress bars, on stderr
    result = CliRunner().invoke(main, ["verify", "--database-url", database_url])
    assert result.exit_code == 1 and "read_model: credential_bindings row key 'atasan': role is 'verifier'" in result.stdout


def test_a_range_walks_only_its_seqs_and_leaves_the_read_models(store: Engine, database_url: str) -> None:
    edit_row(store, credential_bindings, credential_bindings.c.key == "atasan", role="verifier")
    run: Callable[..., Any] = CliRunner().invoke
    result = run(main, ["verify", "--from-seq", "3", "--to-seq", "9", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert "chain verified: 7 events (seqs 3 to 9)" in result.stdout
    assert "read models not checked: only a walk of the whole log checks them" in result.stdout
    found = json.loads(run(main, ["verify", "--json", "--from-seq", "3", "--database-url", database_url]).stdout)
    assert found["first_seq"] == 3 and found["read_models"] == {"checked": False, "rows": None}


def test_a_figure_queued_for_recomputation_is_not_compared(store: Engine) -> None:
    row = _first(store, jp_figures)
    edit_row(store, jp_figures, (jp_figures.c.nip == row["nip"]) & (jp_figures.c.year == row["year"]), jp_counted="99")
    add_row(store, figure_work, {"nip": row["nip"], "year": row["year"], "reason": "claim", "seq": 1})
    assert verify_store(store).ok  # it waits to be computed again: the stored value may be old
