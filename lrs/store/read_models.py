"""Generic load/save of projection rows, checkpoints, and the fact queries reports read."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Collection, Hashable, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import (
    Connection, Engine, Table, and_, any_, bindparam, delete, func, insert, or_, select, tuple_, update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from lrs.store.engine import bulk_insert, is_sqlite
from lrs.store.tables import (
    assessments, competency_standards, credential_bindings, decisions, events, jp_claims, jp_voids, plans,
    policy_versions, projection_checkpoints, roster_entries, trusted_sources,
)

# Projection NAME -> (its table, the columns of the key its key() returns).
TABLES: dict[str, tuple[Table, tuple[str, ...]]] = {
    "policies": (policy_versions, ("policy_id", "version")),
    "sources": (trusted_sources, ("key",)),
    "roster": (roster_entries, ("nip", "effective_from")),
    "jp_claims": (jp_claims, ("statement_id",)),
    "jp_voids": (jp_voids, ("statement_id",)),
    "decisions": (decisions, ("statement_id",)),
    "bindings": (credential_bindings, ("key",)),
    "standards": (competency_standards, ("instansi", "jabatan", "kompetensi", "effective_from")),
    "assessments": (assessments, ("statement_id",)),
    "plans": (plans, ("statement_id",)),
}
Row = dict[str, Any]
CHUNK = 500


def one_of(conn: Connection, column: Any, values: Sequence[Any]) -> list[Any]:
    """Conditions `column IN values` to run one query each: on PostgreSQL one array parameter
    (no list of thousands of literals to compile and plan), on SQLite chunks of CHUNK."""
    if not is_sqlite(conn):
        return [column == any_(bindparam("values", list(values), type_=ARRAY(column.type)))]
    return [column.in_(values[i:i + CHUNK]) for i in range(0, len(values), CHUNK)]


def _key_tuple(key: Hashable, width: int) -> tuple[Any, ...]:
    return tuple(key) if width > 1 else (key,)  # type: ignore[arg-type]


@contextmanager
def projecting(engine: Engine) -> Iterator[Connection]:
    """A transaction that moves projections; one at a time (SQLite: BEGIN IMMEDIATE;
    PostgreSQL: a transaction-scoped advisory lock), so two catch-ups never fold the same batch.

    Its commit does not wait for the disk: read models are rebuilt from the log, and a crash
    loses rows and checkpoint together, so the next run folds that batch again."""
    with engine.connect() as conn:
        sqlite = is_sqlite(conn)
        if sqlite:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            # Outside any transaction (SQLite refuses it inside), on the driver connection.
            conn.connection.driver_connection.execute("PRAGMA synchronous=NORMAL")  # type: ignore[union-attr]
        try:
            with conn.begin():
                if not sqlite:
                    # One round trip. plan_cache_mode: psycopg prepares repeated queries, and a
                    # generic plan made while a read model was empty (a rebuild) keeps scanning
                    # it whole as it grows.
                    conn.exec_driver_sql("SET LOCAL synchronous_commit = off; "
                                         "SET LOCAL plan_cache_mode = force_custom_plan; "
                                         "SELECT pg_advisory_xact_lock(4857001)")
                yield conn
        finally:
            if sqlite:
                conn.connection.driver_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA synchronous=FULL")  # back to the log's setting (engine.py)


def checkpoints(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    wanted = list(names)
    found = {r.name: int(r.seq) for r in conn.execute(
        select(projection_checkpoints).where(projection_checkpoints.c.name.in_(wanted)))}
    return {name: found.get(name, 0) for name in wanted}


def set_checkpoints(conn: Connection, names: Sequence[str], seq: int) -> None:
    """Move these checkpoints to `seq` (one UPDATE; a first checkpoint is inserted)."""
    if not names:
        return
    moved = conn.execute(update(projection_checkpoints).where(projection_checkpoints.c.name.in_(names))
                         .values(seq=seq)).rowcount
    if moved < len(names):
        have = set(conn.execute(select(projection_checkpoints.c.name)
                                .where(projection_checkpoints.c.name.in_(names))).scalars())
        conn.execute(insert(projection_checkpoints), [{"name": n, "seq": seq} for n in names if n not in have])


def head_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(events.c.seq), 0))).scalar_one())


def seq_at(conn: Connection, moment: Any) -> int:
    """The last seq stored at or before `moment` (0 when none)."""
    return int(conn.execute(select(func.coalesce(func.max(events.c.seq), 0))
                            .where(events.c.stored <= moment)).scalar_one())


def load(conn: Connection, name: str, keys: Collection[Hashable]) -> dict[Hashable, Row]:
    """The stored rows of these keys (absent keys are missing from the result)."""
    table, columns = TABLES[name]
    cols = [table.c[c] for c in columns]
    keys = list(keys)
    if len(cols) == 1:
        queries = [select(table).where(where) for where in one_of(conn, cols[0], keys)]
    elif not is_sqlite(conn):
        # One join with the keys unnested from one array per column: a list of (a, b) pairs is
        # an OR of conditions, and a plan made while the table looked empty (a rebuild) tests
        # every row against all of them: 300,000 roster rows took minutes.
        arrays = [bindparam(f"key_{i}", [_key_tuple(k, len(cols))[i] for k in keys], type_=ARRAY(c.type))
                  for i, c in enumerate(cols)]
        wanted = func.unnest(*arrays).table_valued(*[f"key_{i}" for i in range(len(cols))]).render_derived("wanted")
        queries = [select(table).join(wanted, and_(*[c == wanted.c[f"key_{i}"] for i, c in enumerate(cols)]))]
    else:
        queries = [select(table).where(tuple_(*cols).in_([_key_tuple(k, len(cols)) for k in chunk]))
                   for chunk in (keys[i:i + CHUNK] for i in range(0, len(keys), CHUNK))]
    found: dict[Hashable, Row] = {}
    for query in queries:
        for row in conn.execute(query):
            mapping = dict(row._mapping)
            key = mapping[columns[0]] if len(columns) == 1 else tuple(mapping[c] for c in columns)
            found[key] = mapping
    return found


def save(
    conn: Connection, name: str, touched: Mapping[Hashable, Row | None], stored: Collection[Hashable],
) -> None:
    """Replace the rows of the touched keys (None deletes): delete those of them that are
    `stored` (what load() found), then one bulk insert."""
    if not touched:
        return
    table, columns = TABLES[name]
    cols = [table.c[c] for c in columns]
    keys = [k for k in touched if k in stored]
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        where = (cols[0].in_(chunk) if len(cols) == 1
                 else or_(*[and_(*[c == v for c, v in zip(cols, _key_tuple(k, len(cols)))]) for k in chunk]))
        conn.execute(delete(table).where(where))
    bulk_insert(conn, table, [row for row in touched.values() if row is not None])


def clear(conn: Connection, name: str) -> None:
    """Empty a projection's table and checkpoint (a rebuild starts here). PostgreSQL: TRUNCATE,
    so a rebuild does not leave the table and its indexes full of dead rows."""
    table = TABLES[name][0]
    if is_sqlite(conn):
        conn.execute(delete(table))
    else:
        conn.exec_driver_sql(f'TRUNCATE TABLE "{table.name}"')
    conn.execute(delete(projection_checkpoints).where(projection_checkpoints.c.name == name))


def rows_in_key_order(conn: Connection, name: str, *, batch: int = 5000) -> Iterator[Row]:
    """Every row of a projection's table, in the order of its key. On SQLite (an as-of replay's
    scratch database) text sorts by the BINARY collation, code point by code point, whatever the
    machine: `lrs replay` writes the same bytes everywhere."""
    table, columns = TABLES[name]
    query = select(table).order_by(*[table.c[c] for c in columns])
    for row in conn.execution_options(yield_per=batch).execute(query):
        yield dict(row._mapping)


# Fact queries for reports (lrs/read/facts.py).

def policy_rows(conn: Connection) -> list[Row]:
    return [dict(r._mapping) for r in conn.execute(select(policy_versions).order_by(policy_versions.c.seq))]


def trusted_keys(conn: Connection) -> frozenset[str]:
    return frozenset(conn.execute(select(trusted_sources.c.key)).scalars())


def roster_of(conn: Connection, nips: Sequence[str]) -> list[Row]:
    return [dict(r._mapping) for where in one_of(conn, roster_entries.c.nip, nips)
            for r in conn.execute(select(roster_entries).where(where))]


def nips_with_atasan(conn: Connection, atasan_nip: str) -> list[str]:
    """Every nip that ever had a roster row naming this atasan, sorted."""
    query = select(roster_entries.c.nip).distinct().where(roster_entries.c.atasan_nip == atasan_nip)
    return sorted(conn.execute(query).scalars())


def nips_in(conn: Connection, instansi: str | None, unit_kerja: str | None) -> list[str]:
    """Every nip that ever had a roster row in this instansi (and unit), sorted."""
    query = select(roster_entries.c.nip).distinct()
    if instansi is not None:
        query = query.where(roster_entries.c.instansi == instansi)
    if unit_kerja is not None:
        query = query.where(roster_entries.c.unit_kerja == unit_kerja)
    return sorted(conn.execute(query).scalars())


def instansi_names(conn: Connection) -> list[str]:
    """Every instansi a roster row ever named, sorted."""
    return sorted(conn.execute(select(roster_entries.c.instansi).distinct()).scalars())


def claims_of(conn: Connection, accounts: Sequence[str], mboxes: Sequence[str]) -> list[Row]:
    """Claims by these account names or mboxes, with `voided` set when a void is stored."""
    rows: list[Row] = []
    voided = select(jp_voids.c.statement_id).where(jp_voids.c.statement_id == jp_claims.c.statement_id).exists()
    for column, values in ((jp_claims.c.account, accounts), (jp_claims.c.mbox, mboxes)):
        for where in one_of(conn, column, values) if values else []:
            rows += [dict(r._mapping) for r in conn.execute(select(jp_claims, voided.label("voided")).where(where))]
    return rows


def decisions_on(conn: Connection, claim_ids: Sequence[str]) -> list[Row]:
    """Decisions whose target is one of these claims, with `voided` set when a void is stored."""
    voided = select(jp_voids.c.statement_id).where(jp_voids.c.statement_id == decisions.c.statement_id).exists()
    return [dict(r._mapping) for where in (one_of(conn, decisions.c.target_id, claim_ids) if claim_ids else [])
            for r in conn.execute(select(decisions, voided.label("voided")).where(where))]


def binding_rows(conn: Connection) -> list[Row]:
    return [dict(r._mapping) for r in conn.execute(select(credential_bindings))]


def nips_of_mboxes(conn: Connection, mboxes: Sequence[str]) -> dict[str, str]:
    """mbox -> nip, from the roster (the latest row naming the mbox wins)."""
    found: dict[str, str] = {}
    for where in one_of(conn, roster_entries.c.mbox, mboxes) if mboxes else []:
        query = (select(roster_entries.c.mbox, roster_entries.c.nip).where(where)
                 .order_by(roster_entries.c.effective_from, roster_entries.c.seq))
        found.update({mbox: nip for mbox, nip in conn.execute(query)})
    return found


def _by_person(conn: Connection, table: Table, accounts: Sequence[str], mboxes: Sequence[str]) -> list[Row]:
    """Rows of a per-person fact table by account names or mboxes, `voided` set when voided."""
    voided = select(jp_voids.c.statement_id).where(jp_voids.c.statement_id == table.c.statement_id).exists()
    rows: list[Row] = []
    for column, values in ((table.c.account, accounts), (table.c.mbox, mboxes)):
        for where in one_of(conn, column, values) if values else []:
            rows += [dict(r._mapping) for r in conn.execute(select(table, voided.label("voided")).where(where))]
    return rows


def assessments_of(conn: Connection, accounts: Sequence[str], mboxes: Sequence[str]) -> list[Row]:
    return _by_person(conn, assessments, accounts, mboxes)


def plans_of(conn: Connection, accounts: Sequence[str], mboxes: Sequence[str]) -> list[Row]:
    return _by_person(conn, plans, accounts, mboxes)


def standards_for(conn: Connection, jabatans: Sequence[str]) -> list[Row]:
    """Standard rows of these jabatan (every instansi's and the general ones)."""
    return [dict(r._mapping) for where in (one_of(conn, competency_standards.c.jabatan, jabatans) if jabatans else [])
            for r in conn.execute(select(competency_standards).where(where))]


def binding_of(conn: Connection, key: str) -> Row | None:
    """The credential_bindings row of credential `key`, or None."""
    row = conn.execute(select(credential_bindings).where(credential_bindings.c.key == key)).first()
    return dict(row._mapping) if row else None
