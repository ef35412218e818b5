"""Competency standards of positions (standar kompetensi jabatan, PermenPANRB 38/2017): the level
each competency requires in a jabatan, of one instansi or of every one (instansi empty), from a
date; and the parsing of `lrs standards import` rows."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Hashable, Mapping, Sequence

from lrs.events import STANDARD_RECORDED, Event
from projections.policy import Policy
from projections.roster import RowProblem, header_problem

NAME = "standards"
HEADER = ("instansi", "jabatan", "kompetensi", "jenis", "level", "effective_from")
REQUIRED = ("jabatan", "kompetensi", "jenis", "level", "effective_from")
MANAJERIAL = ("INT", "KS", "KOM", "OPH", "PP", "PDOL", "MP", "PK")
SOSIAL_KULTURAL = ("PB",)
JENIS = ("teknis", "manajerial", "sosial_kultural")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {STANDARD_RECORDED: None}


def key(event: Event, policy: Policy) -> Hashable | None:
    if event.type != STANDARD_RECORDED:
        return None
    p = event.payload
    return (p["instansi"], p["jabatan"], p["kompetensi"], p["effective_from"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    # A later row for the same instansi, jabatan, competency and date corrects the earlier one.
    return {**{name: event.payload[name] for name in HEADER}, "seq": event.seq}


def check_header(header: Sequence[str]) -> str | None:
    return header_problem(header, HEADER)


def parse_rows(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Rows as standard payloads, and the problems of the rows that cannot be recorded."""
    names = [h.strip().lower() for h in header]
    good: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, ...], int] = {}
    for index, raw in enumerate(rows, start=2):
        values = {n: ("" if v is None else str(v).strip()) for n, v in zip(names, raw)}
        if not any(values.values()):
            continue
        reason = _problem(values)
        if reason is None:
            values["effective_from"] = values["effective_from"][:10]
            row_key = tuple(values[n] for n in ("instansi", "jabatan", "kompetensi", "effective_from"))
            first = seen.setdefault(row_key, index)
            if first != index:
                reason = f"the same instansi, jabatan, kompetensi and effective_from as row {first}"
        if reason:
            problems.append(RowProblem(index, reason))
            continue
        good.append({"instansi": values.get("instansi", ""), "jabatan": values["jabatan"],
                     "kompetensi": values["kompetensi"], "jenis": values["jenis"].lower(),
                     "level": int(float(values["level"])), "effective_from": values["effective_from"]})
    return good, problems


def _problem(values: Mapping[str, str]) -> str | None:
    empty = [n for n in REQUIRED if not values.get(n)]
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
