"""Read side of recognition: a pegawai's claims with their status and decisions, the claims
waiting for one atasan (or delegated verifier), and those waiting for an instansi's unit
pengelola, oldest first. Same facts and judging as the JP
totals (lrs/read/jp.py, projections/rules/jp.py), so the lists and the totals never disagree."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Sequence

from sqlalchemy import Connection, Engine

from lrs.errors import NotFound
from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import Loaded, facts_at, load
from lrs.read.values import to_json
from lrs.store import read_models
from lrs.vocabulary import VERIFIER
from projections.replays import Replays
from projections.rules.facts import Binding, Decision, entry_on
from projections.rules.jp import ZERO, JpTotal, Line, learner_on, total
from projections.rules.policy import PolicySet
from projections.rules.recognition import SUPERVISOR, UNIT_PENGELOLA, Ruling, may_decide


@dataclass(frozen=True)
class Claimed:
    """A line of a pegawai's year that waits for a decision, with whose it is, which step it
    waits for, and how much of its form's annual cap the pegawai has used already."""

    nip: str
    nama: str | None
    line: Line
    awaiting: str = SUPERVISOR  # supervisor | unit_pengelola
    cap_jp: Decimal | None = None  # the form's annual cap (None: no cap)
    cap_used_jp: Decimal = ZERO  # JP of the form already counted in the year

    def as_row(self) -> dict[str, Any]:
        """One row of a pending list as JSON: the pegawai, the claim's line, and the step and cap."""
        return {"nip": self.nip, "nama": self.nama, **to_json(self.line), "awaiting": self.awaiting,
                "cap_jp": to_json(self.cap_jp), "cap_used_jp": to_json(self.cap_used_jp)}


def _judged(loaded: Loaded, nip: str, years: set[int]) -> list[tuple[Line, JpTotal]]:
    found = []
    for year in sorted(years):
        result = total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts)
        found += [(line, result) for line in result.lines if line.recognition not in (None, "auto")]
    return found


def _lines(loaded: Loaded, nip: str, years: set[int]) -> list[Line]:
    return [line for line, _ in _judged(loaded, nip, years)]


def _waiting(loaded: Loaded, learners: Sequence[str], today: date, nip: str | None,
             bindings: Sequence[Binding], instansi: str | None = None) -> list[Claimed]:
    """The claims of `learners` whose next step `nip` (through `bindings`) may take today
    (projections/rules/recognition.py may_decide), oldest first; only those of `instansi`'s
    pegawai when given."""
    found: list[Claimed] = []
    for learner in learners:
        history = loaded.history[learner]
        years = {loaded.facts.policies.period_of(c.activity_date) for c in loaded.claims[learner]}
        for line, result in _judged(loaded, learner, years):
            step = {"submitted": SUPERVISOR, "supervisor_approved": UNIT_PENGELOLA}.get(line.recognition or "")
            who = learner_on(history, line.activity_date)
            if step is None or who is None or (instansi is not None and who.instansi != instansi):
                continue
            policy = loaded.facts.policies.policy_in_force(line.activity_date, who.instansi)
            if may_decide(step, nip, bindings, who, today, policy) is None:
                continue
            latest = entry_on(history, today) or entry_on(history, line.activity_date)
            form = policy.form(line.form_code)
            found.append(Claimed(learner, latest.nama if latest else None, line, step,
                                 form.cap if form else None, result.jp_by_form.get(line.form_code, ZERO)))
    return sorted(found, key=lambda c: c.line.seq)


def _today(conn: Connection) -> date:
    return PolicySet.from_rows(read_models.policy_rows(conn)).day_of(datetime.now(timezone.utc))


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
        today = today or _today(conn)
        verifying = [Binding.of(b) for b in read_models.binding_rows(conn) if b["nip"] == nip and b["role"] == VERIFIER]
        candidates = set(read_models.nips_with_atasan(conn, nip))
        for binding in verifying:
            candidates.update(read_models.nips_in(conn, binding.instansi, binding.unit_kerja))
        candidates.discard(nip)
        loaded = load(conn, sorted(candidates), today.year)
    return [c for c in _waiting(loaded, sorted(candidates), today, nip, verifying) if c.awaiting == SUPERVISOR]


def pending_validation(engine: Engine, instansi: str, as_of: str | None = None, *, today: date | None = None,
                       replays: Replays | None = None, reader: Credential | None = None) -> list[Claimed]:
    """Claims waiting for the unit pengelola of `instansi`: approved by the atasan and waiting
    for validation, and the claims of a pegawai the roster gives no atasan (the top official)
    where the policy lets the unit pengelola decide for them. Oldest first. NotAuthorized when
    `reader` (None: the operator) may not read the instansi."""
    access.require_unit(engine, reader, instansi, None)
    with facts_at(engine, as_of, replays) as conn:
        today = today or _today(conn)
        candidates = read_models.nips_in(conn, instansi, None)
        loaded = load(conn, candidates, today.year)
    pengelola = Binding("", None, UNIT_PENGELOLA, instansi, None)
    return _waiting(loaded, candidates, today, None, [pengelola], instansi)
