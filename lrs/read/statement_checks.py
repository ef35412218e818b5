"""`lrs verify`'s check of the statement read model's big tables (`statements`,
`statement_agents`, `statement_activities`) without writing them again: each statement's rows
are a function of its event alone (statement_rows.rows_of), so they are computed as the walk
reads the log and compared, per block of seqs, by digest with the live rows' digests, which
the database computes on its side (lrs/store/model_digests.py). Only a block whose digests
differ is read row by row, to name each row edited, added or removed. `voided`, which later
statements decide, is checked apart: against the voiding statements' rows, themselves checked
here. Memory stays flat in the log's length (one block of rows, and a few digests per block)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator, Mapping

from sqlalchemy import Connection

from lrs.read import row_diffs
from lrs.store import model_digests, statement_rows
from lrs.store.model_digests import BLOCK, DIGESTED, BlockDigests
from lrs.store.proofs import READ_MODEL, Problems

STATEMENT_COLUMNS = DIGESTED["statements"][1]


class StatementRowsCheck:
    """Feed it each stored statement in seq order (`add`), then `finish`. `digests` are the
    live tables' (model_digests.alongside), in blocks of `block` seqs."""

    def __init__(self, conn: Connection, problems: Problems, digests: Iterator[BlockDigests], *,
                 block: int = BLOCK) -> None:
        self.conn = conn
        self.problems = problems
        self.size = block
        self.live = digests
        self.block = 0
        self.expected: dict[str, list[tuple[Any, ...]]] = {name: [] for name in DIGESTED}
        self.compared = 0  # live rows compared
        self.drilled: list[tuple[str, int]] = []  # (table, block) of each block read row by row

    def add(self, seq: int, stored: datetime, statement: Mapping[str, Any]) -> None:
        if seq // self.size != self.block:
            self._close()
            self.block = seq // self.size
        row, agents, activities = statement_rows.rows_of(seq, stored, statement)
        self.expected["statements"].append(tuple(row[c] for c in STATEMENT_COLUMNS))
        self.expected["statement_agents"] += sorted((seq, r["ifi"], r["direct"]) for r in agents)
        self.expected["statement_activities"] += sorted((seq, r["activity_id"], r["direct"]) for r in activities)

    def finish(self) -> int:
        """Compare the last block, name live rows in blocks past the log's statements and each
        statement whose `voided` is wrong. Returns the live rows compared."""
        self._close()
        for block, found in self.live:
            self._compare(block, found, dict.fromkeys(DIGESTED, []))
        for seq, voided in model_digests.voided_mismatches(self.conn):
            self.problems.add(READ_MODEL, seq, f"statements row seq {seq}: voided is {voided!r}, the log implies "
                                               f"{not voided!r}", "statements", {"seq": seq})
        return self.compared

    def _close(self) -> None:
        """Compare the current block (and the live blocks before it, in which the log has no
        statement)."""
        expected, self.expected = self.expected, {name: [] for name in DIGESTED}
        for block, found in self.live:
            if block == self.block:
                self._compare(block, found, expected)
                return
            self._compare(block, found, dict.fromkeys(DIGESTED, []))
        self._compare(self.block, dict.fromkeys(DIGESTED, (0, None)), expected)  # past the live rows

    def _compare(self, block: int, found: Mapping[str, tuple[int, str | None]],
                 expected: Mapping[str, list[tuple[Any, ...]]]) -> None:
        for name, (count, digest) in found.items():
            implied = expected[name]
            if count == len(implied) and (count == 0 or digest == model_digests.digest(
                    [model_digests.row_text(r) for r in implied])):
                self.compared += count
            else:
                self._drill(name, block, implied)

    def _drill(self, name: str, block: int, expected: list[tuple[Any, ...]]) -> None:
        """Read one block's live rows and name each that is not what the log implies."""
        _, columns, width = DIGESTED[name]
        self.drilled.append((name, block))
        live = model_digests.block_rows(self.conn, name, block, self.size)
        implied = [dict(zip(columns, r)) for r in expected]
        self.compared += row_diffs.compare(name, columns[:width], iter(live), iter(implied), self.problems,
                                           ignore={"voided"})
