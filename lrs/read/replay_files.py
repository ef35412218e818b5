"""`lrs replay`: the read models as they stood at a seq or stored time, rebuilt into a scratch
database (projections/runner.py replay(), never the live tables) and written as canonical files,
one per read model, with their SHA-256 and one digest of them all. The same log up to the same
seq gives the same bytes on any machine and from either database (an export imported
elsewhere): rows in key order (lrs/store/read_models.py), each line the RFC 8785 canonical JSON
of one row (lrs/store/chain.py)."""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from sqlalchemy import Engine

from lrs.errors import BadRequest
from lrs.read.facts import resolve_as_of
from lrs.store import chain, log, read_models
from lrs.store.engine import reading
from projections import runner

MANIFEST = "SHA256SUMS"  # `sha256sum -c SHA256SUMS` checks the files; its own SHA-256 is the digest
SUFFIX = ".jsonl"


@dataclass(frozen=True)
class Written:
    """One read model's file: its name in the directory, its rows and its SHA-256 (hex)."""

    projection: str
    file: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class Replayed:
    seq: int  # the last event the read models reflect
    hash: str  # that event's hash (the genesis hash at seq 0)
    files: tuple[Written, ...]
    digest: str  # SHA-256 of the manifest: one line "<sha256>  <file>" per file, by file name


def chosen(names: Sequence[str]) -> list[str]:
    """The read models to write (all when none is named), sorted; BadRequest names an unknown one."""
    unknown = [n for n in names if n not in runner.BY_NAME]
    if unknown:
        raise BadRequest(f"--projection {unknown[0]!r} is not a read model; the read models are "
                         f"{', '.join(sorted(runner.BY_NAME))}")
    return sorted(set(names) or runner.BY_NAME)


def replay_to_files(engine: Engine, as_of: str, out: Path, names: Sequence[str] = ()) -> Replayed:
    """Write the read models (`names`, default all) as of `as_of` (an event seq, or a stored time)
    into directory `out`, which must not exist or be empty. The files are written to
    `out`.partial and moved into place when all are complete."""
    wanted = chosen(names)
    until = resolve_as_of(engine, as_of)
    if until is None:
        raise BadRequest("--as-of is required: an event seq, or a stored time (ISO 8601)")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BadRequest(f"{out} exists and is not an empty directory; choose another --out")
    with reading(engine) as conn:
        at = log.hashes_of(conn, [until]).get(until, chain.GENESIS_HASH)
    partial = out.with_name(out.name + ".partial")
    if partial.exists():
        raise BadRequest(f"{partial} exists (a replay stopped half-way, or someone else's): remove it, "
                         "or choose another --out")
    partial.mkdir(parents=True)
    try:
        scratch = runner.replay(engine, until)
        try:
            with scratch.connect() as conn:
                files = tuple(_write(partial, name, read_models.rows_in_key_order(conn, name)) for name in wanted)
        finally:
            scratch.dispose()
    except BaseException:
        shutil.rmtree(partial)  # made by this call above: never leave half the files behind
        raise
    manifest = "".join(f"{f.sha256}  {f.file}\n" for f in sorted(files, key=lambda f: f.file)).encode("utf-8")
    (partial / MANIFEST).write_bytes(manifest)
    if out.exists():
        out.rmdir()  # empty, checked above
    partial.rename(out)
    return Replayed(until, at, files, hashlib.sha256(manifest).hexdigest())


def _write(folder: Path, name: str, rows: Iterable[dict[str, Any]]) -> Written:
    digest = hashlib.sha256()
    count = 0
    file = name + SUFFIX
    with (folder / file).open("wb") as handle:
        for row in rows:
            line = (chain.canonical_json(row) + "\n").encode("utf-8")
            digest.update(line)
            handle.write(line)
            count += 1
    return Written(name, file, count, digest.hexdigest())
