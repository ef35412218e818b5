"""`lrs import`: an export of a whole log into an empty store, in one transaction: every event
exactly as logged (seq, stored, hash: log.append_verbatim checks each link), its statement and
document read model rows as the live appends write them, the attachment bytes; then the
projections are rebuilt. A non-empty store, a malformed file, a broken chain, a checkpoint or key
that does not verify, or attachment bytes that do not match their sha2 refuse the whole import,
and nothing is written. Credentials (their secrets) are not in the log and do not come along.
No SQL text."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from sqlalchemy import Connection, Engine

from lrs.errors import BrokenChain, ImportRefused
from lrs.events import STATEMENT_STORED, Event
from lrs.store import attachment_blobs, document_rows, log, statement_rows
from lrs.store.engine import writing
from lrs.store.export_file import Attachment, opened
from lrs.store.proofs import Walk
from projections import runner

EVERY = 1000  # events between progress calls


@dataclass(frozen=True)
class Imported:
    events: int
    attachments: int
    checkpoints: int
    head_seq: int
    head_hash: str


def import_file(engine: Engine, path: Path, *, batch: int = 2000,
                progress: Callable[[int], None] | None = None) -> Imported:
    """Import the export at `path` into the empty store behind `engine`, then rebuild the
    projections. ImportRefused (or InvalidExport) says why nothing was written."""
    attachments = 0
    with writing(engine) as conn:  # no other writer can append meanwhile
        if (head := log.head(conn)) is not None:
            raise ImportRefused(f"the store is not empty: its log holds events up to seq {head.seq}; import into "
                                "a new database (`lrs db upgrade` creates its schema)")
        with opened(path) as (header, body):
            if header.from_seq != 1:
                raise ImportRefused(f"{path} holds seqs {header.from_seq} to {header.to_seq}: a store starts "
                                    "from an export of the whole log (without --from-seq)")
            walk = Walk(check_chain=False)  # append_verbatim checks every link
            chunk: list[Event] = []
            for item in body:
                if isinstance(item, Attachment):
                    _attachment(conn, item, path)
                    attachments += 1
                    continue
                walk.add(item)
                chunk.append(item)
                if len(chunk) >= batch:
                    _write(conn, chunk, walk, path)
                    chunk = []
                if progress is not None and item.seq % EVERY == 0:
                    progress(item.seq)
            _write(conn, chunk, walk, path)
        if walk.pending:
            signed = log.at(conn, [c.seq for _, c in walk.pending])
            walk.resolve({seq: (e.hash, e.stored) for seq, e in signed.items()})
            _refuse_on_problems(walk, path)
    runner.rebuild(engine)
    if progress is not None:
        progress(walk.head[0])
    return Imported(walk.events, attachments, walk.checkpoints, *walk.head)


def _write(conn: Connection, chunk: Sequence[Event], walk: Walk, path: Path) -> None:
    """Append a chunk as logged, with the rows the live appends write in the same transaction."""
    _refuse_on_problems(walk, path)
    if not chunk:
        return
    try:
        log.append_verbatim(conn, chunk)
    except BrokenChain as exc:
        raise ImportRefused(f"{path}: {exc}") from exc
    stored = [(e, e.payload) for e in chunk if e.type == STATEMENT_STORED]
    if stored:
        statement_rows.insert_rows(conn, stored)
    document_rows.apply(conn, chunk)


def _attachment(conn: Connection, item: Attachment, path: Path) -> None:
    if not attachment_blobs.hashes_to(item.sha2, item.content):
        raise ImportRefused(f"{path}: the bytes of attachment {item.sha2} do not hash to it")
    attachment_blobs.put(conn, [(item.sha2, item.content_type, item.content)])


def _refuse_on_problems(walk: Walk, path: Path) -> None:
    if walk.problems:
        listed = "; ".join(p.message for p in walk.problems.listed[:5])
        more = f" (and {walk.problems.count - 5} more)" if walk.problems.count > 5 else ""
        raise ImportRefused(f"{path}: {listed}{more}")
