"""A wheel carries everything the product reads at run time: the migrations (`lrs db upgrade` on
an installed copy), the schema files (validation, policy, profile), the templates, the static
files and the compiled catalogs. Built the way pip installs from a checkout."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("setup.py", "setup.cfg", "pyproject.toml", "README.md", "lrs", "projections", "schemas")
# Checkout folder -> where its files sit in the wheel, and the suffixes the product reads there.
RUNTIME_FILES = {
    "lrs/store/migrations": ("lrs/store/migrations", (".py", ".mako")),
    "schemas": ("lrs/schemas", (".json", ".jsonld")),
    "lrs/web/templates": ("lrs/web/templates", (".html",)),
    "lrs/web/static": ("lrs/web/static", (".css", ".js", ".svg", ".woff2")),
    "lrs/web/translations": ("lrs/web/translations", (".mo",)),
    "lrs/reports_api/templates": ("lrs/reports_api/templates", (".html",)),
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    # From a copy of the sources: a build/ folder left in the checkout would lend its files.
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif (ROOT / name).exists():
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
                   check=True, capture_output=True)
    (built,) = out.glob("*.whl")
    with zipfile.ZipFile(built) as archive:
        return set(archive.namelist())


@pytest.mark.slow
@pytest.mark.parametrize("folder", sorted(RUNTIME_FILES))
def test_the_wheel_carries_the_files_read_at_run_time(wheel: set[str], folder: str) -> None:
    installed, suffixes = RUNTIME_FILES[folder]
    wanted = {installed + "/" + p.relative_to(ROOT / folder).as_posix()
              for p in (ROOT / folder).rglob("*") if p.suffix in suffixes and "__pycache__" not in p.parts}
    assert wanted, f"nothing found under {folder}"
    assert sorted(wanted - wheel) == []
