"""The README and docs/architecture.md name what the code has: every setting of lrs/config.py
with its default, every `lrs` command, every module of the layers. Text only: no database."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import click
from click.testing import CliRunner

from lrs.cli import main
from lrs.config import DefaultConfig
from projections.folds import roster
from tests.test_layers import LAYERS, SOURCES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
# Flask's own cookie settings, fixed by the product: settable, but not ours to document.
UNDOCUMENTED = {"SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_NAME"}
# Variables of the test suite, not of the LRS.
TEST_VARIABLES = {"LRS_TEST_PG_URL"}


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


def _settings() -> dict[str, object]:
    return {name: value for name, value in vars(DefaultConfig).items() if name.isupper() and name not in UNDOCUMENTED}


def _table_rows(section: str) -> dict[str, list[str]]:
    """First cell (without backticks) -> the other cells, of every table row of `section`."""
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if line.startswith("| `") and len(cells) >= 2:
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_the_readme_configuration_table_is_the_config() -> None:
    rows = _table_rows(_section(README, "## Configuration"))
    assert sorted(rows) == sorted(f"LRS_{name}" for name in _settings())
    for name, value in _settings().items():
        default = rows[f"LRS_{name}"][0].strip("`")
        if value in ("", None):
            assert default.startswith("("), f"LRS_{name}: {default}"
        else:
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            assert default == shown, f"LRS_{name}: the README says {default}, lrs/config.py {shown}"


def test_every_lrs_variable_the_docs_name_exists() -> None:
    known = {f"LRS_{name}" for name in _settings()} | TEST_VARIABLES
    for text in (README, ARCHITECTURE, (ROOT / "bench" / "README.md").read_text(encoding="utf-8")):
        assert set(re.findall(r"\bLRS_[A-Z_]*[A-Z]\b", text)) - known == set()


def _commands(group: click.Group, prefix: str = "lrs") -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


def test_the_readme_lists_every_command() -> None:
    listed = _section(README, "## Commands")
    missing = [c for c in _commands(main) if f"`{c}" not in listed and f"/ `{c}" not in listed]
    assert missing == []


def test_the_layer_table_names_every_module_and_no_other() -> None:
    table = "\n".join(line for line in _section(ARCHITECTURE, "## Layers").splitlines() if line.startswith("|"))
    for layer in LAYERS:
        for name in layer:
            assert f"`{name.replace('.', '/')}" in table or f"`{name.rsplit('.', 1)[-1]}" in table, name
    stems = {p.stem for p in SOURCES if p.name != "__init__.py"}
    missing = sorted(p.relative_to(ROOT).as_posix() for p in SOURCES
                     if p.name != "__init__.py" and not re.search(rf"\b{p.stem}\b", table))
    assert missing == []
    named = set(re.findall(r"`(?:[a-z_]+/)*([a-z_]+)\.py`", table))
    assert named - stems == set(), "the layer table names modules that do not exist"


def test_the_roster_help_names_every_column() -> None:
    shown = CliRunner().invoke(main, ["roster", "import", "--help"], terminal_width=200).output
    assert all(column in shown for column in (*roster.HEADER, *roster.OPTIONAL))


def _options(script: Path) -> list[str]:
    """The --options a bench script's argparse parser takes, except the hidden ones."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument":
            hidden = any(isinstance(k.value, ast.Attribute) and k.value.attr == "SUPPRESS" for k in node.keywords)
            names = [a.value for a in node.args if isinstance(a, ast.Constant) and str(a.value).startswith("--")]
            found += [] if hidden else names
    return found


def test_the_bench_readme_names_every_option_of_every_script() -> None:
    rows = {name: cells for name, cells in _table_rows((ROOT / "bench" / "README.md").read_text(encoding="utf-8")).items()
            if name.endswith(".py")}  # the scripts' table, not tables of figures
    scripts = [p for p in sorted((ROOT / "bench").glob("*.py")) if _options(p)]
    assert sorted(rows) == sorted(p.name for p in scripts)
    missing = [f"{p.name} {o}" for p in scripts for o in _options(p) if f"`{o}`" not in " ".join(rows[p.name])
               and f"`{o} " not in " ".join(rows[p.name])]
    assert missing == []
