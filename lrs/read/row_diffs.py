"""Naming a read-model row that is not what the log implies: two streams of one table's rows
merged in key order, each row that differs, one the log does not imply (added) and one it
implies that is not there (removed) added to the problems with its table and key
(lrs/read/model_checks.py, lrs/read/statement_checks.py)."""
from __future__ import annotations

from typing import Any, Collection, Iterator

from lrs.store import model_rows
from lrs.store.proofs import FIGURE, READ_MODEL, Problems

Row = dict[str, Any]


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
                    added(problems, table, key, mine)
            seen += 1
            mine = next(live, None)
        elif a is None or b < a:
            assert theirs is not None and b is not None
            if b not in skip:
                problems.add(kind(table), theirs.get("seq"), f"{table} row {key_text(key, theirs)}, which the log implies, "
                                                            "is missing: it was removed", table, key_of(key, theirs))
            theirs = next(rebuilt, None)
        else:
            assert mine is not None and theirs is not None
            if a not in skip:
                differ(problems, table, key, mine, theirs, ignore)
            seen += 1
            mine, theirs = next(live, None), next(rebuilt, None)
    return seen


def added(problems: Problems, table: str, key: tuple[str, ...], row: Row, why: str = "") -> None:
    problems.add(kind(table), row.get("seq"),
                 f"{table} row {key_text(key, row)} is not implied by the log: it was added{why}", table, key_of(key, row))


def differ(problems: Problems, table: str, key: tuple[str, ...], mine: Row, theirs: Row,
            ignore: Collection[str]) -> None:
    wrong = [c for c in theirs if c not in ignore and mine.get(c) != theirs[c]]
    if wrong:
        what = "; ".join(f"{c} is {short(mine.get(c))}, the log implies {short(theirs[c])}" for c in wrong)
        problems.add(kind(table), mine.get("seq", theirs.get("seq")), f"{table} row {key_text(key, mine)}: {what}", table,
                     key_of(key, mine))


def kind(table: str) -> str:
    return FIGURE if table == model_rows.FIGURES[0].name else READ_MODEL


def key_of(key: tuple[str, ...], row: Row) -> dict[str, Any]:
    return {c: row[c] for c in key}


def key_text(key: tuple[str, ...], row: Row) -> str:
    return ", ".join(f"{c} {short(row[c])}" for c in key)


def short(value: Any, most: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= most else text[:most] + "..."
