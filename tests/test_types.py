"""House rule: lrs/ and projections/ pass mypy --strict (STYLE.md section 10)."""
from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]


def test_lrs_and_projections_pass_mypy_strict() -> None:
    stdout, stderr, status = api.run([
        "--strict", "--cache-dir", str(ROOT / ".mypy_cache"), str(ROOT / "lrs"), str(ROOT / "projections"),
    ])
    assert status == 0, stdout + stderr
