"""Only `lrs serve` and `lrs db upgrade` migrate; every other command refuses an older schema and
names the command that upgrades it."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner

from lrs.cli import main
from lrs.store.engine import make_engine
from lrs.store.schema import _config, is_current

NIP = "199001012020121001"


def _at_revision(path: Path, revision: str | None) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    if revision is not None:
        config = _config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    engine.dispose()
    return url


@pytest.mark.parametrize("revision", [None, "0005"])
@pytest.mark.parametrize("args", [
    ["jp", NIP, "--year", "2026"], ["recognitions", NIP, "--year", "2026"], ["pending", NIP],
    ["competencies", NIP, "--year", "2026"], ["competency-gaps", "KEMENKEU", "Biro SDM", "--year", "2026"],
    ["projections", "status"], ["credentials", "list"], ["verify"],
    ["credentials", "create", "--key", "k", "--secret", "s"],
])
def test_a_command_on_an_older_schema_says_to_upgrade(tmp_path: Path, revision: str | None, args: list[str]) -> None:
    url = _at_revision(tmp_path / "old.sqlite", revision)
    result = CliRunner().invoke(main, [*args, "--database-url", url])
    assert result.exit_code == 1, result.output
    assert "lrs db upgrade" in result.output
    engine = make_engine(url)
    assert not is_current(engine)  # nothing migrated it
    engine.dispose()


def test_db_upgrade_then_the_command_runs(tmp_path: Path) -> None:
    url = _at_revision(tmp_path / "old.sqlite", "0005")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade", "--database-url", url]).exit_code == 0
    result = runner.invoke(main, ["jp", NIP, "--year", "2026", "--database-url", url])
    assert result.exit_code == 1 and "not in the roster" in result.output
