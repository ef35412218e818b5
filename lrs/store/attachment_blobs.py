"""SQL for attachment bytes: content-addressed by SHA-256, each stored once."""
from __future__ import annotations

import hashlib
from typing import Iterable, Iterator

from sqlalchemy import Connection, func, insert, select

from lrs.store.tables import attachments
from lrs.xapi.multipart import ALGORITHM_BY_HEX_LENGTH


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


def mismatched(conn: Connection, batch: int = 200) -> Iterator[str]:
    """sha2 keys whose stored bytes no longer hash to them. Statements carry each attachment's
    sha2 inside the chained log, so a swapped evidence file shows up here (`lrs verify`)."""
    after = ""
    while True:
        rows = conn.execute(
            select(attachments.c.sha2, attachments.c.content)
            .where(attachments.c.sha2 > after).order_by(attachments.c.sha2).limit(batch)
        ).all()
        if not rows:
            return
        for sha2, content in rows:
            if not hashes_to(sha2, bytes(content)):
                yield sha2
        after = rows[-1][0]


def hashes_to(sha2: str, content: bytes) -> bool:
    """The bytes hash to `sha2` (SHA-2 of the length its hex digits say)."""
    algorithm = ALGORITHM_BY_HEX_LENGTH.get(len(sha2))
    return algorithm is not None and hashlib.new(algorithm, content).hexdigest() == sha2


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(attachments)).scalar_one())
