"""`lrs policy publish`: shows what a version changes in the policy in force, refuses one that
drops values unless --replace, and --dry-run publishes nothing."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import Engine

from lrs.cli import main
from lrs.write.reference import publish_policy
from tests.fixtures.jp import overlay

TARGETS_24 = {"targets": {"PNS": {"target_jp": {"value": 24, "source": "SE 1"}},
                          "PPPK": {"target_jp": {"value": 24, "source": "SE 1"}}}}
COACHING_4 = {"learning_forms": {"NK_COACHING": {"jp_rule": {"per": "session",
                                                             "jp_per_unit": {"value": 4, "source": "SE 2"}}}}}
CHANGES = ["  learning_forms/NK_COACHING/jp_rule/jp_per_unit: null -> 4",
           "  targets/PNS/target_jp: 24 -> 20",
           "  targets/PPPK/target_jp: 24 -> null"]
HEADING = "overlay.kemenkeu@2 for instansi KEMENKEU from 2026-01-01 (replacing overlay.kemenkeu@1):"


def _publish(database_url: str, path: Path, document: dict[str, Any], *options: str) -> tuple[int, list[str], str]:
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(main, ["policy", "publish", str(path), *options, "--database-url", database_url])
    return result.exit_code, result.stdout.splitlines(), result.stderr


def test_publish_refuses_to_drop_keys_and_shows_the_difference(database_url: str, tmp_path: Path,
                                                               engine: Engine) -> None:
    publish_policy(engine, overlay(**TARGETS_24))
    code, out, err = _publish(database_url, tmp_path / "v2.json",
                              overlay(version="2", effective_from="2026-01-01", **COACHING_4))
    assert code == 1
    assert out == [HEADING, *CHANGES]
    assert "would drop targets/PNS/target_jp, targets/PPPK/target_jp" in err and "--replace" in err


def test_dry_run_shows_the_difference_and_publishes_nothing(database_url: str, tmp_path: Path,
                                                            engine: Engine) -> None:
    publish_policy(engine, overlay(**TARGETS_24))
    document = overlay(version="2", effective_from="2026-01-01", **COACHING_4)
    code, out, err = _publish(database_url, tmp_path / "v2.json", document, "--dry-run", "--replace")
    assert (code, out) == (0, [HEADING, *CHANGES, "dry run: nothing published"]), err
    code, out, err = _publish(database_url, tmp_path / "v2.json", document, "--replace")
    assert code == 0, err
    assert out[:-1] == [HEADING, *CHANGES] and out[-1].startswith("published overlay.kemenkeu version 2")


def test_first_version_of_an_overlay_replaces_nothing(database_url: str, tmp_path: Path, engine: Engine) -> None:
    code, out, err = _publish(database_url, tmp_path / "v1.json", overlay(**TARGETS_24), "--dry-run")
    assert (code, out) == (0, [
        "overlay.kemenkeu@1 for instansi KEMENKEU from 2025-01-01 (replacing no version):",
        "  targets/PNS/target_jp: 20 -> 24", "  targets/PPPK/target_jp: null -> 24",
        "dry run: nothing published"]), err
