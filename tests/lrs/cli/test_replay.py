"""`lrs replay`: the read models as of a seq or stored time, rebuilt without touching the live
ones and written as canonical files with their digests; the same as-of gives the same bytes
twice, and on another store from an export (SQLite and PostgreSQL, and across them)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine

from lrs.cli import main
from lrs.store import chain, log, read_models
from projections import runner
from tests.fixtures.populated import populate, tables

EVERY = sorted(f"{name}.jsonl" for name in runner.BY_NAME)


def _replay(database_url: str, out: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["replay", "--out", str(out), *args, "--database-url", database_url])
    return result.exit_code, result.stdout, result.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _digest(out: str) -> str:
    return next(line.split()[1] for line in out.splitlines() if line.startswith("digest "))


def _head(engine: Engine) -> int:
    with engine.connect() as conn:
        return read_models.head_seq(conn)


def test_the_same_as_of_twice_gives_the_same_bytes_and_leaves_the_live_read_models(
        database_url: str, engine: Engine, tmp_path: Path) -> None:
    populate(engine)
    head = _head(engine)
    middle = head // 2
    live = tables(engine)
    code, first, err = _replay(database_url, tmp_path / "a", "--as-of", str(middle))
    assert code == 0, err
    code, second, err = _replay(database_url, tmp_path / "b", "--as-of", str(middle))
    assert code == 0, err
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert first.splitlines()[1:] == second.splitlines()[1:]  # all but the line naming the directory
    assert tables(engine) == live  # the live read models and checkpoints are as they were

    written = _files(tmp_path / "a")
    assert sorted(written) == sorted([*EVERY, "SHA256SUMS"])
    manifest = written.pop("SHA256SUMS")
    assert manifest.decode().splitlines() == [f"{hashlib.sha256(data).hexdigest()}  {name}"
                                              for name, data in written.items()]
    assert _digest(first) == hashlib.sha256(manifest).hexdigest()
    with engine.connect() as conn:
        at = log.at(conn, [middle])[middle]
    assert f"as of seq {middle} (event hash {at.hash})" in first
    for data in written.values():  # canonical JSON, one row a line, in key order
        rows = data.decode().splitlines()
        assert all(chain.canonical_json(json.loads(row)) == row for row in rows)

    code, by_time, err = _replay(database_url, tmp_path / "c", "--as-of", chain.format_stored(at.stored))
    assert code == 0, err
    with engine.connect() as conn:
        named = read_models.seq_at(conn, at.stored)  # the last event stored by then: `middle` or later
    assert f"as of seq {named} " in by_time
    code, whole, err = _replay(database_url, tmp_path / "d", "--as-of", str(head))
    assert code == 0, err
    assert _digest(whole) != _digest(first)  # as of the head is another state than half way


def test_an_export_imported_elsewhere_replays_to_the_same_files(database_url: str, engine: Engine,
                                                                empty_store: str, tmp_path: Path) -> None:
    populate(engine)
    exported = tmp_path / "jejak.ndjson.gz"
    result = CliRunner().invoke(main, ["export", "--out", str(exported), "--database-url", database_url])
    assert result.exit_code == 0, result.stderr
    result = CliRunner().invoke(main, ["import", str(exported), "--database-url", empty_store])
    assert result.exit_code == 0, result.stderr
    head = _head(engine)
    for as_of in (str(head // 3), str(head)):
        code, here, err = _replay(database_url, tmp_path / f"here-{as_of}", "--as-of", as_of)
        assert code == 0, err
        code, there, err = _replay(empty_store, tmp_path / f"there-{as_of}", "--as-of", as_of)
        assert code == 0, err
        assert _digest(here) == _digest(there)
        assert _files(tmp_path / f"here-{as_of}") == _files(tmp_path / f"there-{as_of}")
    assert (tmp_path / f"there-{head}" / "jp_claims.jsonl").read_bytes().count(b"\n") > 3  # not empty files


def test_projection_limits_the_files(database_url: str, engine: Engine, tmp_path: Path) -> None:
    populate(engine)
    head = str(_head(engine))
    code, some, err = _replay(database_url, tmp_path / "some", "--as-of", head, "--projection", "roster",
                              "--projection", "policies")
    assert code == 0, err
    assert sorted(_files(tmp_path / "some")) == ["SHA256SUMS", "policies.jsonl", "roster.jsonl"]
    code, every, err = _replay(database_url, tmp_path / "every", "--as-of", head)
    assert code == 0, err
    assert (tmp_path / "some" / "roster.jsonl").read_bytes() == (tmp_path / "every" / "roster.jsonl").read_bytes()
    assert _digest(some) != _digest(every)
    code, _, err = _replay(database_url, tmp_path / "none", "--as-of", head, "--projection", "rooster")
    assert code == 1 and "--projection 'rooster' is not a read model; the read models are assessments" in err
    assert not (tmp_path / "none").exists()


def test_replay_refuses_an_as_of_beyond_the_head_and_a_directory_in_use(database_url: str, engine: Engine,
                                                                         tmp_path: Path) -> None:
    populate(engine)
    head = _head(engine)
    code, _, err = _replay(database_url, tmp_path / "late", "--as-of", str(head + 1))
    assert code == 1 and f"as_of {head + 1} is beyond the end of the log (its last seq is {head})" in err
    assert list(tmp_path.iterdir()) == []
    used = tmp_path / "used"
    used.mkdir()
    (used / "mine.txt").write_text("mine")
    code, _, err = _replay(database_url, used, "--as-of", str(head))
    assert code == 1 and "exists and is not an empty directory; choose another --out" in err
    assert _files(used) == {"mine.txt": b"mine"}
    (tmp_path / "next.partial").mkdir()
    code, _, err = _replay(database_url, tmp_path / "next", "--as-of", str(head))
    assert code == 1 and "next.partial exists (a replay stopped half-way, or someone else's)" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _replay(database_url, empty, "--as-of", str(head))
    assert code == 0 and sorted(_files(empty)) == sorted([*EVERY, "SHA256SUMS"]), err
