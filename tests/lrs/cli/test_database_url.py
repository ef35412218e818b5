"""A --database-url a command cannot use stops it with one line naming the URL (never its
password) and what to check, and exit status 1: no traceback, for every command that opens one."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from lrs.cli import main
from tests.fixtures.databases import PG_URL, require_reachable

COMMANDS = [["db", "upgrade"], ["serve", "--port", "1"], ["credentials", "list"], ["projections", "status"],
            ["jp", "199001012020121001", "--year", "2026"]]
PASSWORD = "hunter2"


def _refusal(args: list[str], url: str) -> str:
    result = CliRunner().invoke(main, [*args, "--database-url", url])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # click's exit, not an error escaping
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output and PASSWORD not in result.output
    return lines[0]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("url, says", [
    ("garbage", "'garbage' is not a database URL: use sqlite:///"),
    (f"postgres//user:{PASSWORD}@host/db", "'postgres//user:***@host/db' is not a database URL"),
    (f"mysql://user:{PASSWORD}@localhost/db", "mysql://user:***@localhost/db is for mysql, which Jejak does not support"),
    ("postgresql+psycopg2://localhost/db", "asks for the driver psycopg2, which Jejak does not use"),
    (f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/test",
     "cannot reach the PostgreSQL server at 127.0.0.1:1 (postgresql://postgres:***@127.0.0.1:1/test): "
     "check that it is running"),
], ids=["garbage", "garbage-with-password", "mysql", "psycopg2", "unreachable"])
def test_an_unusable_url_is_one_line_for_every_command(args: list[str], url: str, says: str) -> None:
    assert says in _refusal(args, url)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_sqlite_file_that_cannot_be_opened_is_one_line(args: list[str], tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "lrs.sqlite"
    assert f"cannot open the SQLite database {path}" in _refusal(args, f"sqlite:///{path}")


@pytest.fixture(scope="module")
def pg_server() -> str:
    require_reachable(PG_URL)
    return PG_URL


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_postgresql_database_that_does_not_exist_is_one_line(args: list[str], pg_server: str) -> None:
    url = make_url(pg_server).set(database="jejak_no_such_database", password=PASSWORD)
    said = _refusal(args, url.render_as_string(hide_password=False))
    assert 'the database "jejak_no_such_database" does not exist on the PostgreSQL server at' in said
    assert "createdb jejak_no_such_database" in said


@pytest.mark.parametrize("args", [["db", "upgrade"], ["credentials", "list"]], ids=" ".join)
def test_a_postgresql_user_that_is_refused_is_one_line(args: list[str], pg_server: str) -> None:
    url = make_url(pg_server).set(username="jejak_no_such_role", password=PASSWORD)
    said = _refusal(args, url.render_as_string(hide_password=False))
    assert "refused the user jejak_no_such_role" in said and "check the user name and password" in said

