"""Stored figures per claim and per competency, computed in the same refresh as the JP figures
(projections/figures.py) for the same (nip, year) keys, from the same loaded facts: each claim
of the year in its lifecycle state with the decision that settled it (projections/rules/
claim_states.py, recognition.py), and the pegawai's competency profile (projections/rules/
competency.py), whose rows per competency give the unit x competency gap counts."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import Connection

from lrs.store import claim_figure_rows as rows
from lrs.store.figure_rows import Key
from projections.loading import CompetencyFacts, Loaded, competency_facts, competency_profile
from projections.rules.claim_states import year_lines
from projections.rules.facts import RosterEntry, entry_on
from projections.rules.jp import ZERO, JpTotal

Rows = dict[str, list[dict[str, Any]]]  # table name -> rows


def compute(conn: Connection, totals: Sequence[JpTotal], loaded: Mapping[Key, Loaded], seq: int) -> Rows:
    """The rows of these totals' keys, each from the facts its total was computed from."""
    groups: dict[int, list[JpTotal]] = defaultdict(list)
    for item in totals:
        groups[id(loaded[(item.nip, item.year)])].append(item)
    found: Rows = {table.name: [] for table in rows.TABLES}
    for group in groups.values():
        facts = loaded[(group[0].nip, group[0].year)]
        extra = competency_facts(conn, facts, sorted({t.nip for t in group}))
        for item in group:
            _rows_of(item, facts, extra, seq, found)
    return found


def _rows_of(total: JpTotal, loaded: Loaded, extra: CompetencyFacts, seq: int, into: Rows) -> None:
    nip, year = total.nip, total.year
    lines = year_lines(total, loaded.claims[nip], loaded.facts.decisions, loaded.facts.policies)
    history = loaded.history[nip]
    into["claim_figures"] += [rows.claim_row(nip, year, i, line, total.jp_by_form.get(line.form_code, ZERO), seq,
                                             _atasan(history, line.activity_date))
                              for i, line in enumerate(lines)]
    profile = competency_profile(nip, year, loaded, extra, total)
    into["competency_profiles"].append(rows.profile_row(profile, seq))
    into["competency_figures"] += rows.competency_rows(profile, seq)


def _atasan(history: Sequence[RosterEntry], day: date) -> str | None:
    entry = entry_on(history, day)
    return entry.atasan_nip if entry else None


def save(conn: Connection, totals: Sequence[JpTotal], gone: Sequence[Key], loaded: Mapping[Key, Loaded],
         seq: int, *, none_stored: bool = False) -> None:
    """Store the rows of these totals' keys (replacing theirs, unless `none_stored`: a rebuild's)
    and delete those of `gone`."""
    found = compute(conn, totals, loaded, seq)
    rows.save(conn, [(t.nip, t.year) for t in totals] + list(gone), found["claim_figures"],
              found["competency_profiles"], found["competency_figures"], none_stored=none_stored)


# Columns that name a stored row within its key, per table; `current_as_of` says when, not what.
NAMES = {"claim_figures": ("claim", "statement_id"), "competency_figures": ("competency", "kompetensi"),
         "competency_profiles": ("competency profile", None)}


def differences(conn: Connection, totals: Sequence[JpTotal], gone: Sequence[Key],
                loaded: Mapping[Key, Loaded]) -> Iterable[tuple[Key, str]]:
    """Every stored claim, competency or profile row of these keys that is not what the rules
    compute now from `loaded` (the facts `totals` were computed from): the key and what differs."""
    keys = [(t.nip, t.year) for t in totals] + list(gone)
    stored = rows.stored_rows(conn, keys)
    expected = compute(conn, totals, loaded, 0)
    for name, (what, column) in NAMES.items():
        def ident(row: Mapping[str, Any], column: str | None = column) -> tuple[Any, ...]:
            return (row["nip"], int(row["year"]), row[column] if column else "")
        have = {ident(r): r for r in stored[name]}
        want = {ident(r): r for r in expected[name]}
        for found in sorted(have.keys() | want.keys()):
            key, label = (found[0], found[1]), f"{what} {found[2]}".rstrip()
            if found not in want:
                yield key, f"{label} stored, but not computed"
            elif found not in have:
                yield key, f"{label} computed, but not stored"
            else:
                wrong = [c for c, value in want[found].items() if c != "current_as_of" and have[found][c] != value]
                if wrong:
                    yield key, f"{label}: " + "; ".join(
                        f"{c} stored {have[found][c]!r}, computed {want[found][c]!r}" if c not in ("line", "profile")
                        else f"{c} (the stored JSON) differs" for c in wrong)
