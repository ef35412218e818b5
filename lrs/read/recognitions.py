"""Read side of recognition: a pegawai's claims with their status and decisions, the claims
waiting for one atasan (or delegated verifier), and those waiting for an instansi's unit
pengelola, oldest first. Same facts and judging as the JP totals (lrs/read/jp.py,
projections/rules/jp.py), so the lists and the totals never disagree. Without an as_of, the
claims are the stored claim figures (projections/claim_figures.py) of the years stored and
current, computed for the others; who may take the next step is judged at read time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Mapping, Sequence

from sqlalchemy import Connection, Engine

from lrs.errors import NotFound
from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import Loaded, facts_at, load
from lrs.read.values import to_json
from lrs.store import claim_figure_rows, read_models
from lrs.store.tables import WAITING_STATES
from lrs.vocabulary import VERIFIER
from projections.loading import alone
from projections.replays import Replays
from projections.rules.claim_states import year_lines
from projections.rules.facts import Binding, entry_on
from projections.rules.jp import ZERO, JpTotal, Line, learner_on, total
from projections.rules.policy import PolicySet
from projections.rules.recognition import SUPERVISOR, UNIT_PENGELOLA, may_decide


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


Open = tuple[str, Line, Decimal]  # a learner, a line waiting for a step, the JP of its form counted in its year


def _open_claims(conn: Connection, learners: Sequence[str], year: int, stored: bool) -> tuple[Loaded, list[Open]]:
    """The facts of `learners` and their claims waiting for a decision: from the stored claim
    figures (projections/claim_figures.py) for the years stored and current, computed for the
    others (or for all when not `stored`)."""
    if not stored:
        loaded = load(conn, learners, year)
        return loaded, _computed(conn, loaded, dict.fromkeys(learners), year)
    loaded = load(conn, learners, year, claims_for=[])
    current = claim_figure_rows.current_keys(conn, learners)
    missing: dict[str, set[int]] = {}
    for row in read_models.claims_of(conn, list(learners), sorted(loaded.by_mbox)):
        year_of = loaded.facts.policies.period_of(date.fromisoformat(row["activity_date"]))
        for nip in () if row["voided"] else loaded.owners(row):
            if (nip, year_of) not in current:
                missing.setdefault(nip, set()).add(year_of)
    found = claim_figure_rows.waiting(conn, learners)
    if missing:
        loaded = load(conn, learners, year, claims_for=sorted(missing))
        found += _computed(conn, loaded, missing, year)
    return loaded, found


def _computed(conn: Connection, loaded: Loaded, years: Mapping[str, set[int] | None], year: int) -> list[Open]:
    """The claims waiting for a decision of these learners in these years (None: every year of a
    claim), each judged from the facts their figures are computed from (projections/loading.py alone)."""
    found: list[Open] = []
    for learner, wanted in years.items():
        if learner not in loaded.history:
            continue
        one = alone(conn, loaded, learner, year)
        every = {one.facts.policies.period_of(c.activity_date) for c in one.claims[learner]}
        found += [(learner, line, result.jp_by_form.get(line.form_code, ZERO))
                  for line, result in _judged(one, learner, every if wanted is None else wanted & every)
                  if line.recognition in WAITING_STATES]
    return found


def _waiting(loaded: Loaded, items: Sequence[Open], today: date, nip: str | None,
             bindings: Sequence[Binding], instansi: str | None = None) -> list[Claimed]:
    """The waiting claims whose next step `nip` (through `bindings`) may take today
    (projections/rules/recognition.py may_decide), oldest first; only those of `instansi`'s
    pegawai when given."""
    found: list[Claimed] = []
    for learner, line, cap_used in items:
        history = loaded.history[learner]
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
                             form.cap if form else None, cap_used))
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
        stored = None if as_of else claim_figure_rows.current_lines(conn, nip, year)
        if stored is not None:
            return [line for line in stored if line.recognition not in (None, "auto")]
        loaded = load(conn, [nip], year)
    if nip not in loaded.history:
        raise NotFound(f"nip {nip} is not in the roster")
    result = total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts)
    lines = year_lines(result, loaded.claims[nip], loaded.facts.decisions, loaded.facts.policies)
    return [line for line in lines if line.recognition not in (None, "auto")]


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
        loaded, waiting = _open_claims(conn, sorted(candidates), today.year, not as_of)
    return [c for c in _waiting(loaded, waiting, today, nip, verifying) if c.awaiting == SUPERVISOR]


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
        loaded, waiting = _open_claims(conn, candidates, today.year, not as_of)
    pengelola = Binding("", None, UNIT_PENGELOLA, instansi, None)
    return _waiting(loaded, waiting, today, None, [pengelola], instansi)
