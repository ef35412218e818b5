"""Read side of recognition: a pegawai's claims with their status and decisions, and the claims
waiting for one atasan (or delegated verifier), oldest first. Same facts and judging as the JP
totals (lrs/read/jp.py, projections/rules/jp.py), so the lists and the totals never disagree."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import Engine

from lrs.errors import NotFound
from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import Loaded, facts_at, load
from lrs.store import read_models
from lrs.vocabulary import VERIFIER
from projections.replays import Replays
from projections.rules.facts import Binding, Decision, entry_on
from projections.rules.jp import ZERO, Line, learner_on, total
from projections.rules.policy import PolicySet
from projections.rules.recognition import SUPERVISOR, Ruling, may_decide


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
              replays: Replays | None = None, reader: Credential | None = None) -> list[Line]:
    """Every claim of the pegawai's year that needs (or had) a decision, in activity-date order,
    then the year's voided claims (state `voided`: a correction, never a deletion). NotAuthorized
    when `reader` (None: the operator) may not read the pegawai."""
    access.require_pegawai(engine, reader, nip, year)
    with facts_at(engine, as_of, replays) as conn:
        loaded = load(conn, [nip], year)
    if nip not in loaded.history:
        raise NotFound(f"nip {nip} is not in the roster")
    voided = [Line(c.statement_id, c.seq, c.form_code, c.activity_date, None, None, None, ZERO, "voided",
                   "voided by a later statement", (), "voided",
                   tuple(_voided_ruling(d) for d in loaded.facts.decisions.get(c.statement_id, ())))
              for c in sorted(loaded.claims[nip], key=lambda c: c.seq)
              if c.voided and loaded.facts.policies.period_of(c.activity_date) == year]
    return _lines(loaded, nip, {year}) + voided


def _voided_ruling(decision: Decision) -> Ruling:
    """A decision on a voided claim, listed without effect."""
    return Ruling(decision.statement_id, decision.seq, decision.kind, decision.decided_at, None, None, False,
                  "the claim is voided", decision.jp)


def pending_for(engine: Engine, nip: str, as_of: str | None = None, *, today: date | None = None,
                replays: Replays | None = None, reader: Credential | None = None) -> list[Claimed]:
    """Claims waiting for the supervisor step that `nip` may take (projections/rules/recognition.py
    may_decide, the rule that judges the decision too): as the learner's atasan on the activity
    date (or today, where the policy accepts the atasan on the decision date), or as a verifier
    bound to the learner's unit. Oldest (first stored) first. NotAuthorized when `reader` (None:
    the operator) may not read `nip`'s list."""
    access.require_pending(engine, reader, nip)
    with facts_at(engine, as_of, replays) as conn:
        if today is None:
            today = PolicySet.from_rows(read_models.policy_rows(conn)).day_of(datetime.now(timezone.utc))
        verifying = [Binding.of(b) for b in read_models.binding_rows(conn) if b["nip"] == nip and b["role"] == VERIFIER]
        candidates = set(read_models.nips_with_atasan(conn, nip))
        for binding in verifying:
            candidates.update(read_models.nips_in(conn, binding.instansi, binding.unit_kerja))
        candidates.discard(nip)
        loaded = load(conn, sorted(candidates), today.year)
    found: list[Claimed] = []
    for learner in sorted(candidates):
        history = loaded.history[learner]
        years = {loaded.facts.policies.period_of(c.activity_date) for c in loaded.claims[learner]}
        for line in _lines(loaded, learner, years):
            if line.recognition != "submitted":
                continue
            who = learner_on(history, line.activity_date)
            entry = entry_on(history, line.activity_date)
            policy = loaded.facts.policies.policy_in_force(line.activity_date, entry.instansi if entry else None)
            if who is not None and may_decide(SUPERVISOR, nip, verifying, who, today, policy) is not None:
                latest = entry_on(history, today) or entry
                found.append(Claimed(learner, latest.nama if latest else None, line))
    return sorted(found, key=lambda c: c.line.seq)
