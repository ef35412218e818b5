"""Rows of the reference files an administrator imports (the roster, positions' competency
standards): the header each needs, and every rule a row must meet before it is recorded. The
write side (lrs/write/reference.py) records only rows these accept."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Mapping, Sequence

from lrs.vocabulary import NIP
from projections.folds import roster, standards
from projections.rules.competency import JENIS, MANAJERIAL, SOSIAL_KULTURAL

ROSTER_REQUIRED = ("nip", "nama", "status", "jabatan", "unit_kerja", "instansi", "effective_from")
STANDARD_REQUIRED = ("jabatan", "kompetensi", "jenis", "level", "effective_from")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based, the header is row 1
    reason: str


def check_roster_header(header: Sequence[str]) -> str | None:
    return header_problem(header, roster.HEADER, roster.OPTIONAL)


def header_problem(header: Sequence[str], expected: Sequence[str], optional: Sequence[str] = ()) -> str | None:
    """Why a file's header row is not `expected` (plus any of `optional`), or None."""
    names = [h.strip().lower() for h in header]
    missing = [h for h in expected if h not in names]
    unknown = [h for h in names if h not in expected and h not in optional]
    if missing or unknown:
        extra = f" (optional: {','.join(optional)})" if optional else ""
        return (f"header must be {','.join(expected)}{extra}; "
                f"missing {missing or 'none'}, unknown {unknown or 'none'}")
    return None


def _parse(header: Sequence[str], rows: Sequence[Sequence[Any]], problem: Callable[[Mapping[str, str]], str | None],
           key: Sequence[str], duplicate: Callable[[Mapping[str, str], int], str],
           build: Callable[[Mapping[str, str]], dict[str, Any]]) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """The rows a file may record (`build` of each good row) and the problems of the others: a
    row breaking a rule (`problem`), or repeating an earlier row's `key` in the same file."""
    names = [h.strip().lower() for h in header]
    good: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, ...], int] = {}
    for index, raw in enumerate(rows, start=2):
        values = {n: ("" if v is None else str(v).strip()) for n, v in zip(names, raw)}
        if not any(values.values()):
            continue
        reason = problem(values)
        if reason is None:
            values["effective_from"] = values["effective_from"][:10]
            first = seen.setdefault(tuple(values.get(n, "") for n in key), index)
            if first != index:
                reason = duplicate(values, first)
        if reason:
            problems.append(RowProblem(index, reason))
        else:
            good.append(build(values))
    return good, problems


def parse_roster_rows(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Rows as roster payloads, and the problems of the rows that cannot be recorded."""
    return _parse(
        header, rows, _roster_problem, ("nip", "effective_from"),
        lambda v, first: f"nip {v['nip']} has a row for {v['effective_from']} already (row {first})",
        lambda v: {**{n: v.get(n, "") for n in ROSTER_REQUIRED}, "atasan_nip": v.get("atasan_nip") or None,
                   "mbox": _mbox(v.get("mbox") or None), "jenis_jabatan": v.get("jenis_jabatan") or None})


def _mbox(value: str | None) -> str | None:
    if value is None:
        return None
    return value if value.startswith("mailto:") else "mailto:" + value


def _roster_problem(values: Mapping[str, str]) -> str | None:
    empty = [n for n in ROSTER_REQUIRED if not values.get(n)]
    if empty:
        return f"empty {', '.join(empty)}"
    if not NIP.match(values["nip"]):
        return f"nip {values['nip']!r} is not 18 digits"
    if values.get("atasan_nip") and not NIP.match(values["atasan_nip"]):
        return f"atasan_nip {values['atasan_nip']!r} is not 18 digits"
    if values.get("atasan_nip") == values["nip"]:
        return "atasan_nip is the pegawai's own nip"
    try:
        date.fromisoformat(values["effective_from"][:10])
    except ValueError:
        return f"effective_from {values['effective_from']!r} is not a date (YYYY-MM-DD)"
    if len(values["effective_from"]) > 10 and values["effective_from"][10:].strip(" 0:T"):
        return f"effective_from {values['effective_from']!r} is not a date (YYYY-MM-DD)"
    return None


def check_standard_header(header: Sequence[str]) -> str | None:
    return header_problem(header, standards.HEADER)


def parse_standard_rows(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Rows as standard payloads, and the problems of the rows that cannot be recorded."""
    return _parse(
        header, rows, _standard_problem, ("instansi", "jabatan", "kompetensi", "effective_from"),
        lambda v, first: f"the same instansi, jabatan, kompetensi and effective_from as row {first}",
        lambda v: {"instansi": v.get("instansi", ""), "jabatan": v["jabatan"], "kompetensi": v["kompetensi"],
                   "jenis": v["jenis"].lower(), "level": int(float(v["level"])), "effective_from": v["effective_from"]})


def _standard_problem(values: Mapping[str, str]) -> str | None:
    empty = [n for n in STANDARD_REQUIRED if not values.get(n)]
    if empty:
        return f"empty {', '.join(empty)}"
    jenis, code = values["jenis"].lower(), values["kompetensi"]
    if jenis not in JENIS:
        return f"jenis {values['jenis']!r} is not one of {', '.join(JENIS)}"
    if not CODE.match(code):
        return f"kompetensi {code!r} is not a code (letters, digits, . _ -)"
    if jenis == "manajerial" and code not in MANAJERIAL:
        return f"kompetensi {code!r} is not one of the 8 managerial competencies ({', '.join(MANAJERIAL)})"
    if jenis == "sosial_kultural" and code not in SOSIAL_KULTURAL:
        return f"the socio-cultural competency is PB, not {code!r}"
    try:
        level = float(values["level"])
    except ValueError:
        level = 0
    if level not in (1, 2, 3, 4, 5):
        return f"level {values['level']!r} is not 1 to 5"
    try:
        date.fromisoformat(values["effective_from"][:10])
    except ValueError:
        return f"effective_from {values['effective_from']!r} is not a date (YYYY-MM-DD)"
    return None


@dataclass(frozen=True)
class RowFormat:
    """One kind of reference file: what its header must be, and how its rows are checked."""

    noun: str
    check_header: Callable[[Sequence[str]], str | None]
    parse_rows: Callable[[Sequence[str], Sequence[Sequence[Any]]], tuple[list[dict[str, Any]], list[RowProblem]]]


ROSTER = RowFormat("roster", check_roster_header, parse_roster_rows)
STANDARDS = RowFormat("standard", check_standard_header, parse_standard_rows)
