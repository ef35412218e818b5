"""SQL for attachment bytes: content-addressed by SHA-256, each stored once."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection, insert, select

from lrs.store.tables import attachments


def put(conn: Connection, blobs: Iterable[tuple[str, str, bytes]]) -> None:
    """Store (sha2, content type, bytes) that are not stored yet."""
    wanted = {sha2: (ctype, content) for sha2, ctype, content in blobs}
    if not wanted:
        return
    have = set(conn.execute(select(attachments.c.sha2).where(attachments.c.sha2.in_(wanted))).scalars())
    rows = [{"sha2": k, "content_type": c, "content": b} for k, (c, b) in wanted.items() if k not in have]
    if rows:
        conn.execute(insert(attachments), rows)


def get(conn: Connection, sha2s: Iterable[str]) -> list[tuple[str, str, bytes]]:
    wanted = sorted(set(sha2s))
    if not wanted:
        return []
    query = select(attachments.c.sha2, attachments.c.content_type, attachments.c.content).where(
        attachments.c.sha2.in_(wanted)
    )
    return [(sha2, ctype, bytes(content)) for sha2, ctype, content in conn.execute(query)]
