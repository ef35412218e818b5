"""`lrs projections rebuild|run|status` with the snapshot flags."""
from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import Engine

from lrs.cli import main
from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from tests.fixtures.jp import LMS, claim, roster_row


def test_rebuild_takes_snapshots_and_status_lists_them(engine: Engine, database_url: str) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    record_statements(engine, [claim(jp=n) for n in range(1, 9)], authority=LMS, project=False)
    cli = CliRunner()
    rebuilt = cli.invoke(main, ["projections", "rebuild", "--snapshot-every", "2", "--snapshots-kept", "3",
                                "--database-url", database_url])
    assert rebuilt.exit_code == 0, rebuilt.output
    status = cli.invoke(main, ["projections", "status", "--json", "--database-url", database_url])
    assert status.exit_code == 0, status.output
    kept = [json.loads(line) for line in status.stdout.splitlines()][-1]
    assert kept["name"] == "snapshots" and 0 < len(kept["kept"]) <= 3
    assert all(s["seq"] % 2 == 0 and s["rows"] > 0 and s["usable"] for s in kept["kept"])
    assert "snapshots\tkept" in cli.invoke(main, ["projections", "status", "--database-url", database_url]).stdout
    none = cli.invoke(main, ["projections", "rebuild", "--snapshot-every", "0", "--database-url", database_url])
    assert none.exit_code == 0, none.output
    status = cli.invoke(main, ["projections", "status", "--json", "--database-url", database_url])
    assert json.loads(status.stdout.splitlines()[-1])["kept"] == []
