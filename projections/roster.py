"""Roster read model (who is who, from which date) and the parsing of roster files' rows."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Hashable, Mapping, Sequence

from lrs.events import ROSTER_RECORDED, Event
from projections.policy import Policy

NAME = "roster"
HEADER = ("nip", "nama", "status", "jabatan", "unit_kerja", "instansi", "atasan_nip", "effective_from")
OPTIONAL = ("mbox",)
REQUIRED = ("nip", "nama", "status", "jabatan", "unit_kerja", "instansi", "effective_from")
NIP = re.compile(r"^[0-9]{18}$")


def interest(policy: Policy) -> Mapping[str, tuple[str, ...] | None]:
    return {ROSTER_RECORDED: None}


def key(event: Event, policy: Policy) -> Hashable | None:
    if event.type != ROSTER_RECORDED:
        return None
    return (event.payload["nip"], event.payload["effective_from"])


def fold(state: dict[str, Any] | None, event: Event, policy: Policy) -> dict[str, Any] | None:
    # A later row for the same nip and date is a correction: it replaces the earlier one.
    row = {name: event.payload.get(name) for name in (*HEADER, *OPTIONAL)}
    return {**row, "seq": event.seq}


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based, the header is row 1
    reason: str


def check_header(header: Sequence[str]) -> str | None:
    return header_problem(header, HEADER, OPTIONAL)


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


def parse_rows(
    header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[list[dict[str, str | None]], list[RowProblem]]:
    """Rows as roster payloads, and the problems of the rows that cannot be recorded."""
    names = [h.strip().lower() for h in header]
    good: list[dict[str, str | None]] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(rows, start=2):
        values = {n: ("" if v is None else str(v).strip()) for n, v in zip(names, raw)}
        if not any(values.values()):
            continue
        reason = _problem(values)
        if reason is None:
            values["effective_from"] = values["effective_from"][:10]
            first = seen.setdefault((values["nip"], values["effective_from"]), index)
            if first != index:
                reason = f"nip {values['nip']} has a row for {values['effective_from']} already (row {first})"
        if reason:
            problems.append(RowProblem(index, reason))
            continue
        good.append({
            **{n: values.get(n, "") for n in REQUIRED},
            "atasan_nip": values.get("atasan_nip") or None,
            "mbox": _mbox(values.get("mbox") or None),
        })
    return good, problems


def _mbox(value: str | None) -> str | None:
    if value is None:
        return None
    return value if value.startswith("mailto:") else "mailto:" + value


def _problem(values: Mapping[str, str]) -> str | None:
    empty = [n for n in REQUIRED if not values.get(n)]
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
