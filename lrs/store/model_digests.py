"""Digests of the statement read model's big tables (`statements`, `statement_agents`,
`statement_activities`) per block of BLOCK seqs, so `lrs verify` compares each block of rows
with what the log implies without reading the rows themselves into Python: PostgreSQL computes
the digests on its side; SQLite's are computed here from its rows, the same way. Also the rows
of one block (to name the row when a digest differs) and the statements whose `voided` flag is
not what the voiding statements imply.

A block's digest is the SHA-256 of its rows' texts in key order. A row's text is its columns,
each written so that no two different rows give the same text: an integer in decimal, a flag
as 1 or 0, NULL as `-`, a text as its length in characters, a colon and the text; fields end
with `,` and rows with a newline."""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import (
    BigInteger, Boolean, ColumnElement, Connection, Engine, Integer, String, Table, Text, and_, case, cast, exists, func,
    literal, or_, select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from lrs.store.engine import is_sqlite
from lrs.store.log import read_ahead
from lrs.store.tables import statement_activities, statement_agents, statements

BLOCK = 4096  # seqs per digest: a mismatch reads this many seqs' rows again
Row = dict[str, Any]

# Each digested table: its columns in the order they are written (the key first, in key order).
# `voided` is not digested: it depends on later statements, and voided_mismatches() checks it.
DIGESTED: dict[str, tuple[Table, tuple[str, ...], int]] = {  # name: (table, columns, key width)
    "statements": (statements, ("seq", "id", "stored_ms", "verb_id", "registration", "voiding_target", "authority"), 1),
    "statement_agents": (statement_agents, ("seq", "ifi", "direct"), 3),
    "statement_activities": (statement_activities, ("seq", "activity_id", "direct"), 3),
}


def row_text(values: Iterable[Any]) -> str:
    """The text of one row: see the module's docstring (written for speed: a million
    statements have some five million rows)."""
    parts = []
    for value in values:
        if value is None:
            parts.append("-,")
        elif value is True:
            parts.append("1,")
        elif value is False:
            parts.append("0,")
        elif type(value) is int:
            parts.append(f"{value},")
        else:
            text = str(value)
            parts.append(f"{len(text)}:{text},")
    parts.append("\n")
    return "".join(parts)


def digest(texts: Sequence[str]) -> str:
    return hashlib.sha256("".join(texts).encode("utf-8")).hexdigest()


def _field_sql(table: Table, name: str) -> ColumnElement[Any]:
    column = table.c[name]
    if isinstance(column.type, Boolean):
        text: ColumnElement[Any] = case((column, literal("1")), else_=literal("0"))
    elif isinstance(column.type, (BigInteger, Integer)):
        text = cast(column, Text)
    else:
        text = cast(func.length(column), Text).op("||")(literal(":")).op("||")(column)
    return func.coalesce(text, literal("-")).op("||")(literal(","))


BlockDigests = tuple[int, dict[str, tuple[int, str | None]]]  # (block, {table: (rows, digest or None: none)})


@contextmanager
def alongside(engine: Engine, conn: Connection, size: int = BLOCK) -> Iterator[Iterator[BlockDigests]]:
    """Each block's digests of the three tables, in block order up to the last block holding
    any of their rows, in `conn`'s snapshot. PostgreSQL: computed by another connection that
    shares the snapshot, in a thread a few blocks ahead, so its backend works on the other core
    while the caller walks the log; one range of the seq index per block, never a sort of a
    whole table. SQLite: computed here when asked."""
    last = _last_block(conn, size)
    if is_sqlite(conn):
        yield ((block, _digests_of(conn, block, size)) for block in range(last + 1))
        return
    snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
    with engine.connect() as other, other.begin():
        other.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        blocks = iter(range(last + 1))

        def fetch() -> list[BlockDigests]:
            block = next(blocks, None)
            return [] if block is None else [(block, _digests_of(other, block, size))]

        stream = read_ahead(fetch, depth=16)
        try:
            yield (found for batch in stream for found in batch)
        finally:
            stream.close()  # the thread is done with `other` before it closes


def _last_block(conn: Connection, size: int) -> int:
    last = [conn.execute(select(func.max(table.c.seq))).scalar() for table, _, _ in DIGESTED.values()]
    return max((int(seq) for seq in last if seq is not None), default=-1) // size


def _digests_of(conn: Connection, block: int, size: int) -> dict[str, tuple[int, str | None]]:
    found: dict[str, tuple[int, str | None]] = {}
    for name, (table, columns, width) in DIGESTED.items():
        where = (table.c.seq >= block * size, table.c.seq < (block + 1) * size)
        if is_sqlite(conn):
            rows = sorted(tuple(r) for r in conn.execute(select(*[table.c[c] for c in columns]).where(*where)))
            found[name] = (len(rows), digest([row_text(r) for r in rows]) if rows else None)
            continue
        text: ColumnElement[Any] = _field_sql(table, columns[0])
        for column in columns[1:]:
            text = text.op("||")(_field_sql(table, column))
        order = [table.c[c].collate("C") if isinstance(table.c[c].type, String) else table.c[c]
                 for c in columns[:width]]
        agg = func.string_agg(text.op("||")(literal("\n")), aggregate_order_by(literal(""), *order))
        count, hexdigest = conn.execute(select(func.count(), func.encode(func.sha256(func.convert_to(agg, "UTF8")),
                                                                          "hex")).where(*where)).one()
        found[name] = (int(count), hexdigest)
    return found


def block_rows(conn: Connection, name: str, block: int, size: int = BLOCK) -> list[Row]:
    """The rows of one block of `size` seqs of `name`, every column, in key order."""
    table, columns, width = DIGESTED[name]
    query = select(table).where(table.c.seq >= block * size, table.c.seq < (block + 1) * size)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    return sorted(rows, key=lambda r: tuple(r[c] for c in columns[:width]))


def voided_mismatches(conn: Connection) -> list[tuple[int, bool]]:
    """(seq, voided) of each statement whose `voided` is not what the voiding statements imply:
    voided exactly when a voiding statement targets its id and it is not a voiding statement
    itself (xAPI Data 2.3.2). The voiding statements' rows are checked against the log apart."""
    voiding = aliased(statements)
    targeted = exists().where(voiding.c.voiding_target == statements.c.id)
    should = and_(statements.c.voiding_target.is_(None), targeted)
    query = (select(statements.c.seq, statements.c.voided)
             .where(or_(and_(statements.c.voided, ~should), and_(~statements.c.voided, should)))
             .order_by(statements.c.seq))
    return [(int(seq), bool(voided)) for seq, voided in conn.execute(query)]
