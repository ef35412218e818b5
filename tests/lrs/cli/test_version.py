"""`lrs --version` prints the installed distribution's version and needs no database."""
from __future__ import annotations

import importlib.metadata

from click.testing import CliRunner

from lrs.cli import main


def test_version_is_the_installed_package_version() -> None:
    result = CliRunner().invoke(main, ["--version"], env={"LRS_DATABASE_URL": "mysql://nowhere/none"})
    assert result.exit_code == 0
    assert result.output == f"lrs (Jejak LRS) {importlib.metadata.version('jejak-lrs')}\n"
