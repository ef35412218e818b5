"""An instansi's dashboard now, from stored rows only (lrs/read/dashboard.py gather() without
as_of): the year's roll-ups (projections/rollups.py) for the instansi, its units, the histogram and
JP by month and form, and the unit x competency gap counts; the stored claim rows waiting for a
decision; and the list below target a page at a time from the stored figures. Bounded by the
instansi's units, competencies and waiting claims, never by its members."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Mapping, Sequence

from sqlalchemy import Connection, Engine

from lrs.read.dashboard_model import BUCKETS, WAITING_STEP, Dashboard, PegawaiRow, Position, UnitRow, queues
from lrs.read.jp import rollup_status
from lrs.store import dashboard_rows, log, read_models, rollup_rows
from lrs.store.engine import reading
from projections.rules.facts import RosterEntry, entry_on
from projections.rules.jp import ZERO
from projections.rules.policy import PolicySet
from projections.rules.recognition import SUPERVISOR, UNIT_PENGELOLA
from projections.rules.tallies import gap_counts_of, has_month_forms, jp_by_month_form, scope_of, shown, summary_of


def stored(engine: Engine, instansi: str, year: int, now: datetime | None) -> Dashboard | None:
    """The dashboard from the stored roll-ups, competency rows and claim rows: bounded by the
    instansi's units, competencies and waiting claims, never its every member (the list below
    target is read a page at a time). None when the year is not rolled up, the roll-up predates
    the month x form counter, or the instansi shows nothing. While figures of the year wait to be
    recomputed (a policy's fan-out), it shows the roll-ups as of their last refresh and says how
    many wait, as the /api/v1 summaries do."""
    with reading(engine) as conn:
        if (status := rollup_status(conn, year)) is None:
            return None
        seq, waiting_figures = status  # with figures waiting, current as of the last refresh
        found = rollup_rows.tally(conn, year, scope_of(instansi)) or {}
        if not shown(found) or not has_month_forms(found):
            return None
        event = log.at(conn, [seq]).get(seq) if seq else None
        policies = PolicySet.from_rows(read_models.policy_rows(conn))
        year_end = policies.period_end(year)
        unit_tallies, _ = rollup_rows.children(conn, year, "unit", instansi, 0, 1 << 30)
        claims = [(nip, line) for nip, line in dashboard_rows.waiting_claims(conn, instansi, year)
                  if line.instansi == instansi and line.recognition in WAITING_STEP]
        nips = sorted({nip for nip, _ in claims})
        history = _history(conn, nips)
        atasan = sorted({e.atasan_nip for entries in history.values() for e in entries if e.atasan_nip} - set(history))
        history.update({nip: entries for nip, entries in _history(conn, atasan).items()
                        if any(e.instansi == instansi for e in entries)})  # as the replay: only the instansi's
        named = dashboard_rows.figure_names(conn, nips, year)
        stored = log.at(conn, [line.seq for _, line in claims])
    at = Position(seq, event.stored if event else None, None)
    today = policies.day_of(now or datetime.now(timezone.utc))
    reference = min(year_end, today)
    denominator = policies.policy_in_force(year_end, instansi).denominator
    whole = summary_of(scope_of(instansi), found, denominator)
    units = tuple(UnitRow(summary_of(scope, tally, denominator),
                          int(tally.get("in_scope", ZERO) - tally.get("met", ZERO))) for scope, tally in unit_tallies)
    gaps = {scope[2]: tuple(gap_counts_of(tally)) for scope, tally in unit_tallies if tally.get("pegawai", ZERO)}
    waiting = queues([(nip, named.get(nip), line) for nip, line in claims], history,
                      {seq: event.stored for seq, event in stored.items()}, policies.day_of, today)

    def lister(unit_kerja: str | None, status: str | None, jenis_jabatan: str | None, search: str | None,
               limit: int | None) -> tuple[list[PegawaiRow], int]:
        with reading(engine) as conn:
            rows, count = dashboard_rows.below_target(
                conn, instansi, year, year_end.isoformat(), unit_kerja=unit_kerja, status=status,
                jenis_jabatan=jenis_jabatan, search=search, limit=limit)
            entries = _history(conn, [r["nip"] for r in rows])
        return [_listed(r, entry_on(entries.get(r["nip"], []), year_end)) for r in rows], count

    return Dashboard(
        instansi, year, at, policies.policy_in_force(reference, instansi).versions, reference, whole,
        tuple(sorted(units, key=lambda u: u.summary.unit_kerja or "")), (),
        tuple((label, whole.jp_distribution.get(label, 0)) for label, _, _ in BUCKETS), jp_by_month_form(found),
        dict(sorted(gaps.items())),
        tuple(q for q in waiting if q.claims and q.claims[0].step == SUPERVISOR),
        next((q.claims for q in waiting if q.claims and q.claims[0].step == UNIT_PENGELOLA), ()),
        lister, waiting_figures,
    )


def _history(conn: Connection, nips: Sequence[str]) -> dict[str, list[RosterEntry]]:
    history: dict[str, list[RosterEntry]] = defaultdict(list)
    for row in read_models.roster_of(conn, list(nips)) if nips else []:
        history[row["nip"]].append(RosterEntry.of(row))
    return dict(history)


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _listed(row: Mapping[str, Any], entry: RosterEntry | None) -> PegawaiRow:
    return PegawaiRow(row["nip"], row["nama"], entry.jabatan if entry else None,
                      entry.jenis_jabatan if entry else None, row["status"], row["unit_kerja"],
                      entry.instansi if entry else None, Decimal(row["jp_counted"]), Decimal(row["jp_pending"]),
                      _dec(row["target_jp"]), row["target_met"])

