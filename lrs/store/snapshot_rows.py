"""Snapshots of the projection read models (tables snapshots, snapshot_parts): written in the
projecting transaction that reached their seq, read back part by part into a scratch replay.

A part holds at most PART_ROWS rows of one table, in primary key order, as the zlib of the RFC
8785 canonical JSON of a list of rows, each a list of its values in the table's column order (the
read model columns are text, integers, booleans and NULL, which JSON keeps exactly). Reading and
writing go part by part, so memory stays flat in the size of the tables."""
from __future__ import annotations

import hashlib
import zlib
from datetime import datetime
from typing import Any, Iterator, Mapping, Sequence

import orjson
from sqlalchemy import Connection, Table, delete, func, insert, select
from sqlalchemy.schema import CreateIndex, CreateTable

from lrs.store.engine import is_sqlite
from lrs.store.tables import snapshot_parts, snapshots

PART_ROWS = 10_000


def shape(tables: Mapping[str, Table]) -> str:
    """A digest of which tables and columns a snapshot's rows follow: a snapshot taken before a
    read model changed its columns has another shape and is never restored."""
    names = sorted([name, table.name, [c.name for c in table.columns]] for name, table in tables.items())
    return hashlib.sha256(orjson.dumps(names)).hexdigest()[:16]


def _encode(rows: Sequence[Sequence[Any]]) -> bytes:
    # orjson writes these values (str, int, bool, None) as RFC 8785 does: no spaces, minimal escapes.
    return zlib.compress(orjson.dumps([list(r) for r in rows]), 1)


def write(conn: Connection, seq: int, tables: Mapping[str, Table], now: datetime) -> tuple[int, int]:
    """Snapshot these tables (projection name -> table) as they stand in `conn`'s transaction, at
    `seq`. Returns (rows, bytes)."""
    count = size = 0
    for name, table in tables.items():
        query = select(table).order_by(*table.primary_key.columns)
        result = conn.execute(query, execution_options={"stream_results": True, "yield_per": PART_ROWS})
        for part, rows in enumerate(result.partitions(PART_ROWS)):
            data = _encode(rows)
            conn.execute(insert(snapshot_parts), [{"seq": seq, "name": name, "part": part, "data": data}])
            count += len(rows)
            size += len(data)
    conn.execute(insert(snapshots), [{"seq": seq, "shape": shape(tables), "taken": now, "rows": count,
                                      "bytes": size}])
    return count, size


def nearest(conn: Connection, until: int, tables: Mapping[str, Table]) -> int | None:
    """The seq of the latest snapshot at or before `until` of this shape, or None."""
    found = conn.execute(select(func.max(snapshots.c.seq)).where(
        snapshots.c.seq <= until, snapshots.c.shape == shape(tables))).scalar_one()
    return None if found is None else int(found)


def parts(conn: Connection, seq: int) -> Iterator[tuple[str, list[list[Any]]]]:
    """(projection name, rows) of each part of the snapshot at `seq`, one part read at a time."""
    keys = conn.execute(select(snapshot_parts.c.name, snapshot_parts.c.part).where(snapshot_parts.c.seq == seq)
                        .order_by(snapshot_parts.c.name, snapshot_parts.c.part)).all()
    for name, part in keys:
        data = conn.execute(select(snapshot_parts.c.data).where(
            snapshot_parts.c.seq == seq, snapshot_parts.c.name == name, snapshot_parts.c.part == part)).scalar_one()
        yield name, orjson.loads(zlib.decompress(data))


def create_bare(conn: Connection, tables: Sequence[Table]) -> None:
    """Create these tables without their indexes (create_indexes adds them once a snapshot's
    rows are in: building an index over the rows is cheaper than updating it row by row)."""
    for table in tables:
        conn.execute(CreateTable(table))


def create_indexes(conn: Connection, tables: Sequence[Table]) -> None:
    for table in tables:
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            conn.execute(CreateIndex(index))


def insert_part(conn: Connection, table: Table, rows: Sequence[Sequence[Any]]) -> None:
    """Insert a part's rows (each its values in the table's column order) into `table`. SQLite
    (a scratch replay): one driver executemany of the lists as they were decoded, without building
    a dict per row for SQLAlchemy to bind again (which took most of a restore's time)."""
    if not rows:
        return
    columns = [c.name for c in table.columns]
    if is_sqlite(conn):
        marks = ", ".join("?" for _ in columns)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows)
        cursor.close()
        return
    conn.execute(insert(table), [dict(zip(columns, row)) for row in rows])


def listing(conn: Connection) -> list[dict[str, Any]]:
    """Every snapshot's header (seq, shape, taken, rows, bytes), oldest first."""
    return [dict(r._mapping) for r in conn.execute(select(snapshots).order_by(snapshots.c.seq))]


def seqs(conn: Connection) -> list[int]:
    return [int(s) for s in conn.execute(select(snapshots.c.seq).order_by(snapshots.c.seq)).scalars()]


def remove(conn: Connection, seqs: Sequence[int]) -> None:
    if seqs:
        conn.execute(delete(snapshot_parts).where(snapshot_parts.c.seq.in_(list(seqs))))
        conn.execute(delete(snapshots).where(snapshots.c.seq.in_(list(seqs))))


def clear(conn: Connection) -> None:
    conn.execute(delete(snapshot_parts))
    conn.execute(delete(snapshots))
