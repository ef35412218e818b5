"""What `lrs verify` checks, walking the log once with memory flat in its length
(lrs/store/proofs.py): in a database, every hash, every published key and signed checkpoint and
every attachment's bytes, then every read-model row against a rebuild from the log
(lrs/read/model_checks.py); in an export file, the same from the hash before its first event;
and either against a checkpoint kept outside the log. No SQL text."""
from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import Connection, Engine

from lrs.errors import BadRequest, InvalidCheckpoint
from lrs.events import Event
from lrs.read import model_checks
from lrs.store import attachment_blobs, chain, export_file, log, read_models
from lrs.store.engine import reading
from lrs.store.proofs import ATTACHMENT, CHAIN, Hashed, Problem, Walk, check_outside
from lrs.store.signing import Checkpoint, PublicKey

Progress = Callable[[int], None]  # called with the seq reached
Steps = Callable[[str, int, int], None]  # called with a phase, what it has done and of how much
EVERY = 10_000  # events between progress calls


@dataclass(frozen=True)
class Outside:
    """A checkpoint kept outside the log (`lrs checkpoint` output, /api/v1/audit/checkpoints),
    with the public key it was published with, if it carries one."""

    checkpoint: Checkpoint
    public_key: str | None

    @classmethod
    def from_text(cls, text: str, source: str) -> Outside:
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise InvalidCheckpoint(f"{source} is not JSON ({exc})") from exc
        checkpoint = Checkpoint.from_json(value, source)
        public_key = value.get("public_key")
        if public_key is not None:
            PublicKey.from_json({"key_id": checkpoint.key_id, "public_key": public_key}, source)
        return cls(checkpoint, public_key)


@dataclass(frozen=True)
class Verification:
    source: str  # "the database", or the export file
    first_seq: int
    head_seq: int
    head_hash: str
    events: int
    checkpoints: int  # checkpoint.signed events checked
    keys: int  # keys published
    attachments: int  # attachments whose bytes were rehashed
    outside: Checkpoint | None
    problems: list[Problem]
    problem_count: int  # problems found (only the first ones are listed)
    rows: int | None = None  # read-model rows compared with a rebuild from the log; None: not checked

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "source": self.source, "events": self.events, "first_seq": self.first_seq,
            "head": {"seq": self.head_seq, "hash": self.head_hash}, "checkpoints": self.checkpoints,
            "keys": self.keys, "attachments": self.attachments,
            "outside_checkpoint": self.outside.as_json() if self.outside else None,
            "problem_count": self.problem_count, "problems": [p.as_json() for p in self.problems],
            "read_models": {"checked": self.rows is not None, "rows": self.rows},
        }


def _result(walk: Walk, source: str, attachments: int, outside: Outside | None,
            rows: int | None = None) -> Verification:
    return Verification(source, walk.first, walk.head[0], walk.head[1], walk.events, walk.checkpoints, len(walk.keys),
                        attachments, outside.checkpoint if outside else None, walk.problems.listed, walk.problems.count,
                        rows)


def verify_store(engine: Engine, *, outside: Outside | None = None, progress: Steps | None = None,
                 from_seq: int = 1, to_seq: int | None = None, models: bool = True) -> Verification:
    """The log of the database (seqs `from_seq` to `to_seq`, default all) in one snapshot, its
    attachments, and `outside`; then, when the walk covered the whole log and `models`, every
    read-model row against a rebuild from the log."""
    if from_seq < 1 or (to_seq is not None and to_seq < from_seq):
        raise BadRequest(f"--from-seq {from_seq} to --to-seq {to_seq} is not a range of the log")
    with reading(engine) as conn:
        head = read_models.head_seq(conn)
        last = head if to_seq is None else min(to_seq, head)
        walk = _start(conn, from_seq, outside)
        checking = models and from_seq == 1 and last == head
        with ExitStack() as owned:
            # The read models are checked in the same pass (their live digests read first).
            check = owned.enter_context(model_checks.ReadModelCheck(engine, conn, head, walk.problems,
                                                                    progress=progress)) if checking else None
            if progress is not None:
                progress("verifying", 0, last - from_seq + 1)
            for row in log.raw_rows(conn, after=from_seq - 1, until=last):
                walk.add_row(row)
                if check is not None:
                    check.add(row)
                if progress is not None and row[0] % EVERY == 0:
                    progress("verifying", row[0] - from_seq + 1, last - from_seq + 1)
            if progress is not None:
                progress("verifying", last - from_seq + 1, last - from_seq + 1)
            if walk.pending:
                signed = log.at(conn, [c.seq for _, c in walk.pending])
                walk.resolve({seq: (e.hash, e.stored) for seq, e in signed.items()})
            for sha2 in attachment_blobs.mismatched(conn):
                walk.problems.add(ATTACHMENT, None, f"the bytes of attachment {sha2} no longer hash to it")
            attachments = attachment_blobs.count(conn)
            if outside is not None:
                check_outside(outside.checkpoint, outside.public_key, walk.keys, walk.problems, first=walk.first,
                              last=walk.head[0], hashed=walk.watched.get(outside.checkpoint.seq))
            rows = check.finish() if check is not None else None
    return _result(walk, "the database", attachments, outside, rows)


def _start(conn: Connection, from_seq: int, outside: Outside | None) -> Walk:
    """A walk of the log from `from_seq`: after the hash of the event before it, with the keys
    published before it."""
    watch = [outside.checkpoint.seq] if outside else ()
    if from_seq == 1:
        return Walk(watch=watch)
    before = log.at(conn, [from_seq - 1]).get(from_seq - 1)
    keys = []
    for event in log.key_events(conn, before=from_seq):
        try:
            keys.append(PublicKey.from_json(event.payload, f"the key.published event at seq {event.seq}"))
        except (InvalidCheckpoint, ValueError):
            continue  # named by a walk that covers it
    walk = Walk(after=from_seq - 1, prev_hash=before.hash if before else chain.GENESIS_HASH, keys=keys, watch=watch)
    if before is None:
        walk.problems.add(CHAIN, from_seq - 1, f"the log holds no event at seq {from_seq - 1}, the one before "
                                               f"--from-seq {from_seq}")
    return walk


def verify_file(path: Path, *, outside: Outside | None = None, progress: Progress | None = None) -> Verification:
    """An export file on its own: its chain from the hash before its first event, its keys and
    checkpoints, its attachments' bytes, and `outside` (whose seq must lie in the file's range)."""
    attachments = 0
    with export_file.opened(path) as (header, body):
        walk = Walk(after=header.from_seq - 1, prev_hash=header.prev_hash, keys=header.keys,
                    watch=[outside.checkpoint.seq] if outside else ())
        for item in body:
            if isinstance(item, Event):
                walk.add(item)
                if progress is not None and item.seq % EVERY == 0:
                    progress(item.seq)
            else:
                attachments += 1
                if not attachment_blobs.hashes_to(item.sha2, item.content):
                    walk.problems.add(ATTACHMENT, None, f"the bytes of attachment {item.sha2} do not hash to it")
    if walk.pending:
        walk.resolve(_hashes_in(path, {c.seq for _, c in walk.pending}))
    if outside is not None:
        check_outside(outside.checkpoint, outside.public_key, walk.keys, walk.problems, first=walk.first,
                      last=walk.head[0], hashed=walk.watched.get(outside.checkpoint.seq), what="the file")
    if progress is not None:
        progress(walk.head[0])
    return _result(walk, str(path), attachments, outside)


def _hashes_in(path: Path, seqs: set[int]) -> dict[int, Hashed]:
    """A second pass over the file for the events that checkpoints sign further back than the
    walk keeps (our checkpoints sign the event just before them, so this is rare)."""
    with export_file.opened(path) as (_, body):
        return {e.seq: (e.hash, e.stored) for e in body if isinstance(e, Event) and e.seq in seqs}
