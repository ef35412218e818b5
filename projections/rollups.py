"""Stored roll-ups: per year, the nation's, each instansi's and each unit kerja's summary as a
summed tally (projections/rules/tallies.py), so a summary reads one row, not every pegawai.

Kept exactly by difference: each stored pegawai-year keeps its parts (what its figure adds to
each scope); when figures.refresh saves a batch of figures, `apply` in the same transaction
replaces their parts and adds (new - old) to the scopes they touch, so a change costs its
changed pegawai, never the whole nation. A year is rolled up once opened, by the first figure
with a claim stored for it (roster rows alone, dated back to each pegawai's first post, open
none: that would roll up every past year): opening queues every pegawai the roster names by the
period's last day that has no part yet, and figures.queue then also queues, for a roster change,
the opened years from its date, so each member has a part. A year's roll-ups are current as of
the last refresh batch that changed them; figures of the year still queued are counted and said
(rollup_rows.year_status). `differences` is `lrs verify --figures`'s check: each part against its
stored figure, and each stored tally against the sum of the parts."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable, Sequence

from sqlalchemy import Connection

from lrs.store import read_models, rollup_rows
from lrs.store.figure_rows import Key
from lrs.store.rollup_rows import Parts, parse_parts, parts_json
from projections.rules.jp import JpTotal
from projections.rules.policy import PolicySet
from projections.rules.tallies import Scope, Tally, add, combine, contribution

BATCH = 500


def _parts(conn: Connection, totals: Sequence[JpTotal], policies: PolicySet) -> dict[Key, Parts]:
    """Each figure's parts, with the pegawai's jenis jabatan on the period's last day and the
    competencies their standard names (the stored competency rows: figures.refresh stores them
    before it rolls up)."""
    ends = {year: policies.period_end(year) for year in {t.year for t in totals}}
    positions: dict[str, list[tuple[date, str | None]]] = defaultdict(list)
    for nip, since, jenis in rollup_rows.positions(conn, sorted({t.nip for t in totals})):
        positions[nip].append((since, jenis))
    standards = rollup_rows.standards_of(conn, [(t.nip, t.year) for t in totals])
    found: dict[Key, Parts] = {}
    for item in totals:
        # As entry_on: the row in force on the last day (the latest effective_from not after it).
        held = [row for row in positions[item.nip] if row[0] <= ends[item.year]]
        found[(item.nip, item.year)] = contribution(item, max(held, key=lambda row: row[0])[1] if held else None,
                                                    standards.get((item.nip, item.year), ()))
    return found


def apply(conn: Connection, totals: Sequence[JpTotal], gone: Sequence[Key], seq: int,
          claimed: Iterable[Key] = ()) -> None:
    """Roll up a batch of saved figures (and of `gone`, deleted ones) at checkpoint `seq`: only
    the pegawai-years whose parts changed move their roll-ups. Figures of a year not rolled up are
    left out, and the first figure of a pegawai with a claim in its year (`claimed`, voided ones
    too: a state of the read models, so a rebuild opens the same years as live folding) opens it."""
    opened = set(rollup_rows.open_years(conn))
    opening = ({year for _nip, year in claimed} | {t.year for t in totals if t.lines}) - opened
    rolled = opened | opening
    totals = [t for t in totals if t.year in rolled]
    gone = [key for key in gone if key[1] in rolled]
    if not totals and not gone:
        return
    policies = PolicySet.from_rows(read_models.policy_rows(conn))
    parts = _parts(conn, totals, policies)
    new = {key: parts_json(found) for key, found in parts.items()}
    old = rollup_rows.part_texts(conn, [*new, *gone])
    changed = [key for key, text in new.items() if old.get(key) != text] + [key for key in gone if key in old]
    moves: dict[int, dict[Scope, Tally]] = defaultdict(dict)
    for key in changed:
        for sign, found in ((-1, parse_parts(old[key]) if key in old else {}), (1, parts.get(key, {}))):
            for scope, tally in found.items():
                add(moves[key[1]].setdefault(scope, {}), tally, sign)
    changed_years = []
    for year, by_scope in sorted(moves.items()):
        deltas = {scope: delta for scope, moved in by_scope.items() if (delta := combine([(1, moved)]))}
        if not deltas:
            continue
        stored = rollup_rows.tallies_of(conn, year, list(deltas))
        rollup_rows.save_tallies(conn, year, {s: combine([(1, stored.get(s, {})), (1, d)]) for s, d in deltas.items()},
                                 seq)
        changed_years.append(year)
    rollup_rows.save_parts(conn, {key: new[key] for key in changed if key in new},
                           [key for key in changed if key not in new])
    rollup_rows.mark_current(conn, changed_years, seq)
    for year in sorted(opening):
        rollup_rows.open_year(conn, year, policies.period_end(year), seq)


def differences(conn: Connection, *, batch: int = BATCH) -> Iterable[tuple[str, str]]:
    """Every stored part that is not what its stored figure and competency rows add, every figure
    of a rolled-up year without a part, and every stored roll-up that is not the sum of its parts:
    where, and what."""
    opened = rollup_rows.open_years(conn)
    policies = PolicySet.from_rows(read_models.policy_rows(conn))
    for nip, year in rollup_rows.figures_without_parts(conn, opened, batch):
        yield f"{nip}/{year}", "a stored figure of a rolled-up year has no part in the roll-ups"
    sums: dict[int, dict[Scope, Tally]] = defaultdict(dict)
    after: Key | None = None
    while page := rollup_rows.stored_parts(conn, after, batch):
        figures = rollup_rows.figures_of(conn, [key for key, _ in page])
        expected = _parts(conn, [figures[key] for key, _ in page if key in figures], policies)
        for key, parts in page:
            where = f"{key[0]}/{key[1]}"
            if key not in figures:
                yield where, "a part in the roll-ups, but no stored figure"
            elif parts != expected[key]:
                yield where, "its part in the roll-ups is not what its stored figure and competency rows add"
            for scope, tally in parts.items():
                add(sums[key[1]].setdefault(scope, {}), tally)
        after = page[-1][0]
    for year in sorted(set(opened) | set(sums)):
        stored = rollup_rows.stored_tallies(conn, year)
        for scope in sorted(set(stored) | set(sums[year])):
            delta = combine([(1, stored.get(scope, {})), (-1, sums[year].get(scope, {}))])
            if delta:
                names = ", ".join(f"{name} off by {value}" for name, value in sorted(delta.items())[:5])
                yield f"{year} {'/'.join(s for s in scope if s)}", f"stored roll-up is not the sum of its parts: {names}"
