"""An instansi's dashboard now, from stored rows only (lrs/read/dashboard.py gather() without
as_of): the year's roll-ups (projections/rollups.py) for the instansi, its units, the histogram and
JP by month and form, and the unit x competency gap counts; the stored claim rows waiting for a
decision; and the list below target a page at a time from the stored figures. Bounded by the
instansi's units, competencies and waiting claims, never by its members."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Mapping, Sequence

from sqlalchemy import Engine

from lrs.read.dashboard_model import (
    BUCKETS, WAITING_STEP, AtasanQueue, Dashboard, PegawaiRow, Position, QueueCount, UnitRow, described, queues,
)
from lrs.read.jp import rollup_status
from lrs.store import dashboard_rows, log, read_models, rollup_rows
from lrs.store.engine import reading
from projections.rules.jp import ZERO
from projections.rules.policy import PolicySet
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
        counted = dashboard_rows.waiting_by_atasan(conn, instansi, year)
    at = Position(seq, event.stored if event else None, None)
    today = policies.day_of(now or datetime.now(timezone.utc))
    reference = min(year_end, today)
    denominator = policies.policy_in_force(year_end, instansi).denominator
    whole = summary_of(scope_of(instansi), found, denominator)
    units = tuple(UnitRow(summary_of(scope, tally, denominator),
                          int(tally.get("in_scope", ZERO) - tally.get("met", ZERO))) for scope, tally in unit_tallies)
    gaps = {scope[2]: tuple(gap_counts_of(tally)) for scope, tally in unit_tallies if tally.get("pegawai", ZERO)}
    waiting, validation = queues((WAITING_STEP[r["recognition"]], r["atasan_nip"], _sum(r["jp"]), r["claims"],
                                  r["first_seq"]) for r in counted)

    def describe(counts: Sequence[QueueCount]) -> list[AtasanQueue]:
        with reading(engine) as conn:
            names = dashboard_rows.latest_names(conn, sorted({q.atasan_nip for q in counts if q.atasan_nip}), instansi)
            stored = log.stored_times(conn, [q.first_seq for q in counts])
        return described(counts, names, {seq: policies.day_of(moment) for seq, moment in stored.items()}, today)

    whole_below = int(whole.in_scope - whole.target_met)
    below = {u.summary.unit_kerja: u.below_target for u in units if u.summary.unit_kerja}

    def lister(unit_kerja: str | None, status: str | None, jenis_jabatan: str | None, search: str | None,
               limit: int | None) -> tuple[list[PegawaiRow], int]:
        # Unfiltered, or by unit only, the roll-ups already count them (pegawai with a target, less those meeting it).
        known = None if status or jenis_jabatan or (search or "").strip() else (
            below.get(unit_kerja, 0) if unit_kerja else whole_below)
        with reading(engine) as conn:
            rows, count = dashboard_rows.below_target(
                conn, instansi, year, year_end.isoformat(), unit_kerja=unit_kerja, status=status,
                jenis_jabatan=jenis_jabatan, search=search, limit=limit, counted=known is None)
        return [_listed(r) for r in rows], (count if count is not None else known or 0)

    return Dashboard(
        instansi, year, at, policies.policy_in_force(reference, instansi).versions, reference, whole,
        tuple(sorted(units, key=lambda u: u.summary.unit_kerja or "")), (),
        tuple((label, whole.jp_distribution.get(label, 0)) for label, _, _ in BUCKETS), jp_by_month_form(found),
        dict(sorted(gaps.items())), waiting, describe, describe([validation])[0] if validation else None,
        lister, waiting_figures,
    )


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _sum(texts: str | None) -> Decimal:
    """The sum of decimal texts joined by commas (none: 0)."""
    return sum((Decimal(text) for text in texts.split(",")), ZERO) if texts else ZERO


def _listed(row: Mapping[str, Any]) -> PegawaiRow:
    return PegawaiRow(row["nip"], row["nama"], row["jabatan"], row["jenis_jabatan"], row["status"],
                      row["unit_kerja"], row["roster_instansi"], Decimal(row["jp_counted"]), Decimal(row["jp_pending"]),
                      _dec(row["target_jp"]), row["target_met"])
