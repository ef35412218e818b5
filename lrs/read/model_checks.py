"""`lrs verify`'s check of the read models: every row of every table folded from the log is
exactly what the log implies. The statement and document rows, the projections (to their
checkpoints) and the stored figures are rebuilt from the log by the code that writes them live
(statement_rows, document_rows, projections/runner.py, projections/figures.py) into a scratch
SQLite file, never the live tables; then each live table and its rebuild are read side by side
in key order and merged, so memory stays flat in the log's length. A row that differs, one the
log does not imply (added) and one it implies that is not there (removed) are each named by
table and key. No SQL text.

Stored figures are compared without `current_as_of` (the checkpoint a figure was computed at
depends on when it was queued, not on the log); figures queued for recomputation are skipped;
a stored figure a rebuild does not make (a live queue touches more pegawai-years than a
rebuild) must still be what the rules compute from the rebuilt read models."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable, Collection, Iterator

from sqlalchemy import Connection, Engine

from lrs.events import STATEMENT_STORED, Event
from lrs.store import document_rows, figure_rows, log, model_rows, read_models, statement_rows
from lrs.store.figure_rows import Key
from lrs.store.proofs import FIGURE, READ_MODEL, Problems
from projections import figures, runner

Row = dict[str, Any]
Progress = Callable[[str, int, int], None]  # (phase, done, of)
BATCH = 5000  # log positions per step of a rebuild


def check(engine: Engine, conn: Connection, head: int, problems: Problems, *,
          progress: Progress | None = None) -> int:
    """Rebuild every read model from the log up to `head` (the projections up to their
    checkpoints as `conn`, the snapshot being checked, holds them) and compare it with the live
    tables in `conn`; add a problem per row that differs. Returns the rows compared."""
    if progress is not None:
        progress("statement rows", 0, head)
    marks = read_models.checkpoints(conn, runner.BY_NAME)
    queued = figure_rows.queued(conn)
    with tempfile.TemporaryDirectory(prefix="lrs-verify-") as folder:
        rebuilt = model_rows.scratch(Path(folder) / "read_models.sqlite")
        try:
            _statement_rows(conn, rebuilt, head, progress)
            _projections(engine, rebuilt, marks, progress)
            with rebuilt.connect() as theirs:
                tables = (*model_rows.STATEMENT_MODELS, *model_rows.PROJECTION_MODELS)
                compared = 0
                for number, (table, key) in enumerate(tables):
                    if progress is not None:
                        progress("comparing", number, len(tables) + 1)
                    compared += compare(table.name, key, model_rows.in_key_order(conn, table, key),
                                        model_rows.in_key_order(theirs, table, key), problems)
                compared += _figures(conn, theirs, queued, problems)
                if progress is not None:
                    progress("comparing", len(tables) + 1, len(tables) + 1)
        finally:
            rebuilt.dispose()
    return compared


def _statement_rows(conn: Connection, rebuilt: Engine, head: int, progress: Progress | None) -> None:
    """The statement rows, their index rows, activities, agent names and documents, written from
    the log as the live appends (and `lrs import`) write them."""
    with rebuilt.begin() as out:
        chunk: list[Event] = []
        for event in log.stream(conn, until=head, batch=BATCH):
            chunk.append(event)
            if len(chunk) == BATCH:
                _write(out, chunk)
                chunk = []
                if progress is not None:
                    progress("statement rows", event.seq, head)
        _write(out, chunk)
    if progress is not None:
        progress("statement rows", head, head)


def _write(out: Connection, chunk: list[Event]) -> None:
    stored = [(e, e.payload) for e in chunk if e.type == STATEMENT_STORED]
    if stored:
        statement_rows.insert_rows(out, stored)
    document_rows.apply(out, chunk)


def _projections(engine: Engine, rebuilt: Engine, marks: dict[str, int], progress: Progress | None) -> None:
    """Every projection folded to its live checkpoint (one run per distinct checkpoint, the
    furthest last), then the stored figures they queue computed."""
    last = max(marks.values(), default=0)
    if progress is not None:
        progress("projections", 0, last)
    for mark in sorted(set(marks.values())):
        chosen = [p for p in runner.PROJECTIONS if marks[p.NAME] >= mark]
        moved = None if progress is None else (lambda seq: progress("projections", seq, last))
        runner.run(chosen, rebuilt, until=mark, source=engine, queue_figures=True, on_batch=moved)
    figures.refresh(rebuilt, list(runner.BY_NAME))


def compare(table: str, key: tuple[str, ...], live: Iterator[Row], rebuilt: Iterator[Row], problems: Problems, *,
            ignore: Collection[str] = (), skip: Collection[tuple[Any, ...]] = (),
            unexpected: list[Row] | None = None) -> int:
    """Merge two streams of one table's rows, both in `key` order: name each row that differs
    (but in the `ignore` columns), each live row the rebuild lacks (into `unexpected` instead,
    when given) and each rebuilt row the live table lacks. Keys in `skip` are not compared.
    Returns the live rows seen."""
    seen = 0
    mine, theirs = next(live, None), next(rebuilt, None)
    while mine is not None or theirs is not None:
        a = None if mine is None else tuple(mine[c] for c in key)
        b = None if theirs is None else tuple(theirs[c] for c in key)
        if b is None or (a is not None and a < b):
            assert mine is not None and a is not None
            if a not in skip:
                if unexpected is not None:
                    unexpected.append(mine)
                else:
                    _added(problems, table, key, mine)
            seen += 1
            mine = next(live, None)
        elif a is None or b < a:
            assert theirs is not None and b is not None
            if b not in skip:
                problems.add(_kind(table), theirs.get("seq"), f"{table} row {_key(key, theirs)}, which the log implies, "
                                                            "is missing: it was removed", table, _key_of(key, theirs))
            theirs = next(rebuilt, None)
        else:
            assert mine is not None and theirs is not None
            if a not in skip:
                _differ(problems, table, key, mine, theirs, ignore)
            seen += 1
            mine, theirs = next(live, None), next(rebuilt, None)
    return seen


def _added(problems: Problems, table: str, key: tuple[str, ...], row: Row, why: str = "") -> None:
    problems.add(_kind(table), row.get("seq"),
                 f"{table} row {_key(key, row)} is not implied by the log: it was added{why}", table, _key_of(key, row))


def _differ(problems: Problems, table: str, key: tuple[str, ...], mine: Row, theirs: Row,
            ignore: Collection[str]) -> None:
    wrong = [c for c in theirs if c not in ignore and mine.get(c) != theirs[c]]
    if wrong:
        what = "; ".join(f"{c} is {_short(mine.get(c))}, the log implies {_short(theirs[c])}" for c in wrong)
        problems.add(_kind(table), mine.get("seq", theirs.get("seq")), f"{table} row {_key(key, mine)}: {what}", table,
                     _key_of(key, mine))


def _figures(conn: Connection, theirs: Connection, queued: set[Key], problems: Problems) -> int:
    """The stored figures against those computed over the rebuilt read models."""
    table, key = model_rows.FIGURES
    extra: list[Row] = []
    seen = compare(table.name, key, model_rows.in_key_order(conn, table, key),
                   model_rows.in_key_order(theirs, table, key), problems, ignore={"current_as_of"},
                   skip=queued, unexpected=extra)
    for start in range(0, len(extra), figures.BATCH):
        rows = {(r["nip"], int(r["year"])): r for r in extra[start:start + figures.BATCH]}
        totals, gone = figures.compute(theirs, list(rows))
        for nip, year in gone:
            _added(problems, table.name, key, rows[nip, year], ", and the roster does not name the pegawai")
        for computed in totals:
            row = rows[computed.nip, computed.year]
            _differ(problems, table.name, key, row, figure_rows.figure_row(computed, row["current_as_of"]),
                    {"current_as_of"})
    return seen


def _kind(table: str) -> str:
    return FIGURE if table == model_rows.FIGURES[0].name else READ_MODEL


def _key_of(key: tuple[str, ...], row: Row) -> dict[str, Any]:
    return {c: row[c] for c in key}


def _key(key: tuple[str, ...], row: Row) -> str:
    return ", ".join(f"{c} {_short(row[c])}" for c in key)


def _short(value: Any, most: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= most else text[:most] + "..."
