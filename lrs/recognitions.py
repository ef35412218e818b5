"""Read side of recognition: a pegawai's claims with their status and decisions, and the claims
waiting for one atasan (or delegated verifier), oldest first. Same facts and judging as the JP
totals (lrs/reports.py, projections/jp_totals.py), so the lists and the totals never disagree."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import Engine

from lrs.errors import NotFound
from lrs.reports import Loaded, facts_at, load
from lrs.store import read_models
from projections.jp_totals import ZERO, Line, entry_on, total
from projections.recognition import Decision, Ruling
from projections.replays import Replays


@dataclass(frozen=True)
class Claimed:
    """A line of a pegawai's year that goes through recognition, with whose it is."""

    nip: str
    nama: str | None
    line: Line


def _lines(loaded: Loaded, nip: str, years: set[int]) -> list[Line]:
    return [line for year in sorted(years)
            for line in total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts).lines
            if line.recognition not in (None, "auto")]


def claims_of(engine: Engine, nip: str, year: int, as_of: str | None = None, *,
              replays: Replays | None = None) -> list[Line]:
    """Every claim of the pegawai's year that needs (or had) a decision, in activity-date order,
    then the year's voided claims (state `voided`: a correction, never a deletion)."""
    with facts_at(engine, as_of, replays) as conn:
        loaded = load(conn, [nip], year)
    if nip not in loaded.history:
        raise NotFound(f"nip {nip} is not in the roster")
    voided = [Line(c.statement_id, c.seq, c.form_code, c.activity_date, None, None, None, ZERO, "voided",
                   "voided by a later statement", (), "voided",
                   tuple(_voided_ruling(d) for d in loaded.facts.decisions.get(c.statement_id, ())))
              for c in sorted(loaded.claims[nip], key=lambda c: c.seq) if c.voided and c.activity_date.year == year]
    return _lines(loaded, nip, {year}) + voided


def _voided_ruling(decision: Decision) -> Ruling:
    """A decision on a voided claim, listed without effect."""
    return Ruling(decision.statement_id, decision.seq, decision.kind, decision.decided_at, None, None, False,
                  "the claim is voided", decision.jp)


def pending_for(engine: Engine, nip: str, as_of: str | None = None, *, today: date | None = None,
                replays: Replays | None = None) -> list[Claimed]:
    """Claims waiting for the supervisor step that `nip` may take: as the learner's atasan on the
    activity date (or today, where the policy accepts the atasan on the decision date), or as a
    verifier bound to the learner's unit. Oldest (first stored) first."""
    today = today or datetime.now(timezone.utc).date()
    with facts_at(engine, as_of, replays) as conn:
        verifier_units = [(b["instansi"], b["unit_kerja"]) for b in read_models.binding_rows(conn)
                          if b["nip"] == nip and b["role"] == "verifier"]
        candidates = set(read_models.nips_with_atasan(conn, nip))
        for instansi, unit in verifier_units:
            candidates.update(read_models.nips_in(conn, instansi, unit))
        candidates.discard(nip)
        loaded = load(conn, sorted(candidates), today.year)
    found: list[Claimed] = []
    for learner in sorted(candidates):
        history = loaded.history[learner]
        years = {c.activity_date.year for c in loaded.claims[learner]}
        for line in _lines(loaded, learner, years):
            if line.recognition != "submitted":
                continue
            entry, now = entry_on(history, line.activity_date), entry_on(history, today)
            policy = loaded.facts.policies.policy_in_force(line.activity_date, entry.instansi if entry else None)
            mine = ((entry is not None and entry.atasan_nip == nip)
                    or (policy.supervisor_on == "activity_or_decision_date" and now is not None
                        and now.atasan_nip == nip)
                    or (entry is not None and any(entry.instansi == i and entry.unit_kerja == u
                                                  for i, u in verifier_units)))
            if mine:
                latest = entry_on(history, today) or entry
                found.append(Claimed(learner, latest.nama if latest else None, line))
    return sorted(found, key=lambda c: c.line.seq)

