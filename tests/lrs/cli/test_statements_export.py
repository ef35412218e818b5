"""`lrs statements export`: the statements as GET /xapi/statements returns them, oldest first,
to NDJSON or CSV, filtered like GET, voided statements left out unless asked; a file is written
whole or not at all."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.cli import main
from lrs.write.statements import record_statements
from tests.fixtures.builders import make_statement

AUTHORITY = {"objectType": "Agent", "mbox": "mailto:lms@example.go.id"}
SITI = {"objectType": "Agent", "name": "Siti", "mbox": "mailto:siti@example.go.id"}
BUDI = {"objectType": "Agent", "name": "Budi", "mbox": "mailto:budi@example.go.id"}
START = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _export(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["statements", "export", *args, "--database-url", database_url])
    return result.exit_code, result.stdout, result.stderr


def _ids(ndjson: str) -> list[str]:
    return [json.loads(line)["id"] for line in ndjson.splitlines()]


def _store(engine: Engine, *statements: dict[str, Any], day: int = 0) -> list[str]:
    return record_statements(engine, list(statements), authority=AUTHORITY, now=START + timedelta(days=day))


def test_exports_every_statement_as_get_returns_it_oldest_first(
        engine: Engine, database_url: str, client: FlaskClient, auth: dict[str, str]) -> None:
    first = _store(engine, make_statement(actor=SITI), day=0)
    second = _store(engine, make_statement(actor=BUDI, result={"success": True}), day=1)
    status, out, err = _export(database_url)
    assert status == 0, err
    assert _ids(out) == first + second
    got = client.get("/xapi/statements", headers=auth).get_json()["statements"]
    assert [json.loads(line) for line in out.splitlines()] == list(reversed(got))
    assert "exported 2 statements" in err


def test_voided_statements_are_left_out_unless_asked(engine: Engine, database_url: str) -> None:
    [kept, voided] = _store(engine, make_statement(), make_statement())
    [voiding] = _store(engine, make_statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
                                              object={"objectType": "StatementRef", "id": voided}))
    assert _ids(_export(database_url)[1]) == [kept, voiding]
    assert _ids(_export(database_url, "--include-voided")[1]) == [kept, voided, voiding]


def test_filters_match_as_get_does(engine: Engine, database_url: str) -> None:
    [siti] = _store(engine, make_statement(actor=SITI), day=0)
    [budi] = _store(engine, make_statement(actor=BUDI, object={"id": "https://lms.example.go.id/course/2"}), day=2)
    assert _ids(_export(database_url, "--agent", json.dumps({"mbox": "mailto:siti@example.go.id"}))[1]) == [siti]
    assert _ids(_export(database_url, "--activity", "https://lms.example.go.id/course/2")[1]) == [budi]
    assert _ids(_export(database_url, "--since", (START + timedelta(days=1)).isoformat())[1]) == [budi]
    assert _ids(_export(database_url, "--until", (START + timedelta(days=1)).isoformat())[1]) == [siti]
    assert _ids(_export(database_url, "--verb", "http://adlnet.gov/expapi/verbs/attempted")[1]) == []


def test_bad_filters_are_named(database_url: str, engine: Engine) -> None:
    status, _out, err = _export(database_url, "--since", "yesterday")
    assert status == 2 and "--since" in err and "ISO 8601" in err
    status, _out, err = _export(database_url, "--agent", '{"name": "no identifier"}')
    assert status == 2 and "--agent" in err


def test_csv_has_a_row_a_statement_with_the_statement_last(engine: Engine, database_url: str) -> None:
    [stored] = _store(engine, make_statement(actor=SITI, result={"success": True, "score": {"scaled": 0.9}}))
    status, out, err = _export(database_url, "--format", "csv")
    assert status == 0, err
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["id"] == stored and row["actor"] == "mbox:mailto:siti@example.go.id"
    assert row["success"] == "True" and row["score_scaled"] == "0.9"
    assert json.loads(row["statement"])["id"] == stored


def test_a_file_is_written_whole(engine: Engine, database_url: str, tmp_path: Path) -> None:
    ids = _store(engine, *[make_statement() for _ in range(25)])
    target = tmp_path / "statements.ndjson"
    status, out, err = _export(database_url, "--out", str(target))
    assert status == 0, err
    assert out == "" and _ids(target.read_text(encoding="utf-8")) == ids
    assert not (tmp_path / "statements.ndjson.partial").exists()
