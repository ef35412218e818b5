"""`lrs verify`'s check of the read models: every row of every table folded from the log is
exactly what the log implies, in one pass over the log (the hash walk's) and memory flat in its
length. The statement rows and their agent and activity index rows are computed from each
statement's event and compared by digests per block of seqs (lrs/read/statement_checks.py).
The rest, which depend on more than one event (the StatementRef closure, activities, agent
names, documents), the projections (to their checkpoints) and the stored figures, are rebuilt
from the log by the code that writes them live (statement_rows, activity_rows, agent_rows,
document_rows, projections/runner.py, projections/figures.py) into a scratch SQLite file, never
the live tables; then each live table and its rebuild are read side by side in key order and
merged. A row that differs, one the log does not imply (added) and one it implies that is not
there (removed) are each named by table and key. No SQL text.

Stored figures are compared without `current_as_of` (the checkpoint a figure was computed at
depends on when it was queued, not on the log); figures queued for recomputation are skipped;
a stored figure a rebuild does not make (a live queue touches more pegawai-years than a
rebuild) must still be what the rules compute from the rebuilt read models."""
from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Mapping

from sqlalchemy import Connection, Engine

from lrs.events import DOCUMENT_EVENTS, STATEMENT_STORED, Event
from lrs.read import row_diffs
from lrs.read.statement_checks import StatementRowsCheck
from lrs.store import (
    activity_rows, agent_rows, chain, document_rows, figure_rows, model_digests, model_rows, read_models, statement_rows,
)
from lrs.store.figure_rows import Key
from lrs.store.proofs import Problems
from projections import figures, runner

Row = dict[str, Any]
Progress = Callable[[str, int, int], None]  # (phase, done, of)
BATCH = 5000  # statements per write into the scratch file


class ReadModelCheck:
    """Made before the walk of the whole log (in the snapshot `conn` holds), fed every event
    of it in seq order (`add`), then `finish`ed. Use it as a context manager: it owns the
    scratch file."""

    def __init__(self, engine: Engine, conn: Connection, head: int, problems: Problems, *,
                 progress: Progress | None = None) -> None:
        self.engine, self.conn, self.head, self.problems, self.progress = engine, conn, head, problems, progress
        self.marks = read_models.checkpoints(conn, runner.BY_NAME)
        self.queued = figure_rows.queued(conn)
        self._owned = ExitStack()
        folder = self._owned.enter_context(tempfile.TemporaryDirectory(prefix="lrs-verify-"))
        self.rebuilt = model_rows.scratch(Path(folder) / "read_models.sqlite")
        self._owned.callback(self.rebuilt.dispose)
        self._out = self._owned.enter_context(self.rebuilt.connect())
        self._out.begin()
        digests = self._owned.enter_context(model_digests.alongside(engine, conn))
        self.statements = StatementRowsCheck(conn, problems, digests)
        self._stored: list[tuple[Event, Mapping[str, Any]]] = []
        self._documents: list[Event] = []

    def __enter__(self) -> ReadModelCheck:
        return self

    def __exit__(self, *_: object) -> None:
        self._owned.close()

    def add(self, row: chain.RawRow) -> None:
        """One event as the walk reads it (log.raw_rows)."""
        seq, kind, stored, payload, prev_hash, digest = row
        if kind == STATEMENT_STORED:
            event = Event(seq, kind, stored, payload.decode("utf-8"), prev_hash, digest)
            self.statements.add(seq, stored, event.payload)
            self._stored.append((event, event.payload))
            if len(self._stored) == BATCH:
                self._write()
        elif kind in DOCUMENT_EVENTS:
            self._documents.append(Event(seq, kind, stored, payload.decode("utf-8"), prev_hash, digest))

    def _write(self) -> None:
        """The rows that depend on more than one event, written as the live appends write them:
        a statement's before the documents that follow it never depend on each other."""
        if self._stored:
            statement_rows.insert_closure(self._out, self._stored)
            activity_rows.record(self._out, self._stored)
            agent_rows.record(self._out, self._stored)
            self._stored = []
        if self._documents:
            document_rows.apply(self._out, self._documents)
            self._documents = []

    def finish(self) -> int:
        """Compare everything fed with the live tables; add a problem per row that differs.
        Returns the live rows compared."""
        progress = self.progress
        self._write()
        self._out.commit()
        compared = self.statements.finish()
        _projections(self.engine, self.rebuilt, self.marks, progress)
        with self.rebuilt.connect() as theirs:
            tables = (*model_rows.STATEMENT_MODELS, *model_rows.PROJECTION_MODELS)
            for number, (table, key) in enumerate(tables):
                if progress is not None:
                    progress("comparing", number, len(tables) + 1)
                compared += row_diffs.compare(table.name, key, model_rows.in_key_order(self.conn, table, key),
                                              model_rows.in_key_order(theirs, table, key), self.problems)
            compared += _figures(self.conn, theirs, self.queued, self.problems)
            if progress is not None:
                progress("comparing", len(tables) + 1, len(tables) + 1)
        return compared


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


def _figures(conn: Connection, theirs: Connection, queued: set[Key], problems: Problems) -> int:
    """The stored figures against those computed over the rebuilt read models."""
    table, key = model_rows.FIGURES
    extra: list[Row] = []
    seen = row_diffs.compare(table.name, key, model_rows.in_key_order(conn, table, key),
                   model_rows.in_key_order(theirs, table, key), problems, ignore={"current_as_of"},
                   skip=queued, unexpected=extra)
    for start in range(0, len(extra), figures.BATCH):
        rows = {(r["nip"], int(r["year"])): r for r in extra[start:start + figures.BATCH]}
        totals, gone = figures.compute(theirs, list(rows))
        for nip, year in gone:
            row_diffs.added(problems, table.name, key, rows[nip, year], ", and the roster does not name the pegawai")
        for computed in totals:
            row = rows[computed.nip, computed.year]
            row_diffs.differ(problems, table.name, key, row, figure_rows.figure_row(computed, row["current_as_of"]),
                    {"current_as_of"})
    return seen


