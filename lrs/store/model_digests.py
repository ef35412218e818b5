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
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import (
    BigInteger, Boolean, ColumnElement, Connection, Integer, String, Table, Text, and_, case, cast, exists, func, literal,
    or_, select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from lrs.store.engine import is_sqlite
from lrs.store.tables import statement_activities, statement_agents, statements

BLOCK = 4096  # seqs per digest: a mismatch reads this many seqs' rows again
Row = dict[str, Any]
Digest = tuple[int, int, str]  # (block, rows in it, SHA-256 hex of their texts)

# Each digested table: its columns in the order they are written (the key first, in key order).
# `voided` is not digested: it depends on later statements, and voided_mismatches() checks it.
DIGESTED: dict[str, tuple[Table, tuple[str, ...], int]] = {  # name: (table, columns, key width)
    "statements": (statements, ("seq", "id", "stored_ms", "verb_id", "registration", "voiding_target", "authority"), 1),
    "statement_agents": (statement_agents, ("seq", "ifi", "direct"), 3),
    "statement_activities": (statement_activities, ("seq", "activity_id", "direct"), 3),
}


def field_text(value: Any) -> str:
    if value is None:
        return "-"
    if value is True or value is False:
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return f"{len(text)}:{text}"


def row_text(values: Iterable[Any]) -> str:
    return "".join(field_text(v) + "," for v in values) + "\n"


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


def block_digests(conn: Connection, name: str, size: int = BLOCK) -> Iterator[Digest]:
    """Each block of `size` seqs of `name`'s rows that holds any, in block order."""
    table, columns, width = DIGESTED[name]
    if is_sqlite(conn):
        yield from _digests_here(conn, table, columns, width, size)
        return
    text: ColumnElement[Any] = _field_sql(table, columns[0])
    for column in columns[1:]:
        text = text.op("||")(_field_sql(table, column))
    text = text.op("||")(literal("\n"))
    order = [table.c[c].collate("C") if isinstance(table.c[c].type, String) else table.c[c] for c in columns[:width]]
    block = (table.c.seq // size).label("block")
    agg = func.string_agg(text, aggregate_order_by(literal(""), *order))
    query = (select(block, func.count(), func.encode(func.sha256(func.convert_to(agg, "UTF8")), "hex"))
             .group_by(block).order_by(block))
    for found in conn.execution_options(yield_per=256).execute(query):
        yield int(found[0]), int(found[1]), str(found[2])


def _digests_here(conn: Connection, table: Table, columns: tuple[str, ...], width: int, size: int) -> Iterator[Digest]:
    current, rows = -1, list[tuple[Any, ...]]()
    query = select(*[table.c[c] for c in columns]).order_by(table.c.seq)
    for found in conn.execution_options(yield_per=5000).execute(query):
        block = found[0] // size
        if block != current and rows:
            yield current, len(rows), digest([row_text(r) for r in sorted(rows, key=lambda r: r[:width])])
            rows = []
        current = block
        rows.append(tuple(found))
    if rows:
        yield current, len(rows), digest([row_text(r) for r in sorted(rows, key=lambda r: r[:width])])


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
