"""`lrs export`: the events of the log (a range, or all of it) with their hashes, and the
attachment bytes they name, from one snapshot into an export file (lrs/store/export_file.py),
streamed so memory stays flat. No SQL text."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

from sqlalchemy import Connection, Engine

from lrs.errors import BadRequest, InvalidCheckpoint
from lrs.events import STATEMENT_STORED
from lrs.store import attachment_blobs, chain, log, read_models
from lrs.store.engine import reading
from lrs.store.export_file import ExportWriter
from lrs.store.signing import PublicKey

EVERY = 1000  # events between progress calls


@dataclass(frozen=True)
class Exported:
    from_seq: int
    to_seq: int
    events: int
    attachments: int


def export_range(engine: Engine) -> tuple[int, int]:
    """(1, head seq): what a whole export holds, for a progress bar."""
    with reading(engine) as conn:
        return 1, read_models.head_seq(conn)


def export(engine: Engine, path: Path, *, from_seq: int = 1, to_seq: int | None = None,
           progress: Callable[[int], None] | None = None, now: datetime | None = None) -> Exported:
    """Write the events from_seq..to_seq (default: to the head) to `path`, which must not exist."""
    with reading(engine) as conn:
        head = read_models.head_seq(conn)
        last = head if to_seq is None else to_seq
        if from_seq < 1:
            raise BadRequest(f"--from-seq must be at least 1, not {from_seq}")
        if last > head:
            raise BadRequest(f"--to-seq {last} is past the head of the log (seq {head})")
        if last < from_seq and not (from_seq == 1 and last == 0):  # an empty log exports empty
            raise BadRequest(f"--to-seq {last} is before --from-seq {from_seq}")
        prev_hash = chain.GENESIS_HASH if from_seq == 1 else log.at(conn, [from_seq - 1])[from_seq - 1].hash
        with ExportWriter(path) as out:
            out.header(from_seq, last, prev_hash, _keys_before(conn, from_seq), now or datetime.now(timezone.utc))
            sent: set[str] = set()
            for event in log.stream(conn, after=from_seq - 1, until=last):
                out.event(event)
                # Cheap test first: few statements carry attachments.
                if event.type == STATEMENT_STORED and '"sha2"' in event.payload_json:
                    named = _sha2s(event.payload) - sent
                    for sha2, content_type, content in attachment_blobs.get(conn, named):
                        out.attachment(sha2, content_type, content)
                    sent |= named
                if progress is not None and event.seq % EVERY == 0:
                    progress(event.seq)
            exported = Exported(from_seq, last, out.events, out.attachments)
    if progress is not None:
        progress(last)
    return exported


def _keys_before(conn: Connection, seq: int) -> list[PublicKey]:
    """Keys published before the range, so its checkpoints can be checked from the file alone.
    A malformed key event is left out (`lrs verify` reports it)."""
    keys = []
    for event in log.key_events(conn, before=seq):
        try:
            keys.append(PublicKey.from_json(event.payload, "key.published"))
        except InvalidCheckpoint:
            continue
    return keys


def _sha2s(statement: Mapping[str, Any]) -> set[str]:
    """The sha2 of every attachment a statement (or its sub-statement) names."""
    holders = [statement, statement.get("object") or {}]
    return {str(a["sha2"]).lower() for h in holders for a in h.get("attachments") or () if "sha2" in a}
