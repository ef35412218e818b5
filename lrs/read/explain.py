"""Explain a pegawai's JP year for an auditor: each statement that could count, whether it
counted, the policy versions and the rule (status and reason) that decided it, the decisions on
it with who made them under which binding, and the events (seq and hash) every part comes from,
so each line can be checked against an export (`lrs export`). The same facts and judging as the
JP figures (lrs/read/facts.py, projections/rules/jp.py total()), in one snapshot or as of a seq."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

from sqlalchemy import Engine

from lrs.errors import NotFound
from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import facts_at, load, resolve_as_of
from lrs.store import log, read_models
from lrs.store.engine import reading
from lrs.vocabulary import AUDIT
from projections.folds import bindings, jp_voids, sources
from projections.replays import Replays
from projections.rules.claim_states import VOIDED_CLAIM
from projections.rules.facts import Claim, Decision, RosterEntry, entry_on
from projections.rules.jp import JpTotal, Line, total
from projections.rules.policy import PolicySet, label
from projections.rules.recognition import Ruling

SHIPPED_DEFAULT = "shipped default"
PUBLISHED = "policy.published"


@dataclass(frozen=True)
class Source:
    """An event something comes from: its seq and hash in the log."""

    seq: int
    hash: str


@dataclass(frozen=True)
class PolicyVersion:
    """A policy version a figure used: published by an event, or shipped (seq 0, no event)."""

    version: str
    published: str  # "policy.published" or "shipped default"
    seq: int
    hash: str | None


@dataclass(frozen=True)
class RosterRow:
    """A roster row a figure read, as it stood, with the event that recorded it."""

    nip: str
    effective_from: date
    status: str
    instansi: str
    unit_kerja: str
    atasan_nip: str | None
    event: Source


@dataclass(frozen=True)
class Trusted:
    """The credential a statement came through is a trusted source, since this event."""

    key: str
    event: Source


@dataclass(frozen=True)
class Bound:
    """The credential a decision came through is bound to a person or role, by this event."""

    key: str
    nip: str | None
    role: str | None
    instansi: str | None
    unit_kerja: str | None
    event: Source


@dataclass(frozen=True)
class ExplainedDecision:
    """A decision on a claim as judged: by whom, for which step, with effect or not and why, the
    credential's binding (or trusted source) that made it someone's act, and its events."""

    statement_id: str
    kind: str
    decided_at: str
    decider: str | None
    step: str | None
    effective: bool
    reason: str
    jp: Decimal | None
    credential: str | None
    binding: Bound | None
    trusted_source: Trusted | None
    event: Source
    voided_by: Source | None


@dataclass(frozen=True)
class ExplainedStatement:
    """One statement that could count for the pegawai's year and what decided its part."""

    statement_id: str
    form_code: str
    activity_date: date
    counted: bool
    status: str  # counted, pending, rejected, not_countable, duplicate, or voided
    reason: str  # the rule's words (projections/rules/jp.py)
    jp: Decimal | None
    jp_counted: Decimal
    recognition: str | None
    policy_versions: tuple[PolicyVersion, ...]
    credential: str | None
    trusted_source: Trusted | None
    roster: RosterRow | None  # the pegawai's row on the activity date
    decisions: tuple[ExplainedDecision, ...]
    event: Source
    voided_by: Source | None


@dataclass(frozen=True)
class Explanation:
    nip: str
    year: int
    as_of_seq: int  # the last event the explanation reflects
    jp_counted: Decimal
    jp_pending: Decimal
    target_jp: Decimal | None
    target_met: bool | None
    target_reason: str
    target_roster: RosterRow | None  # the row on the period's last day
    target_policy_versions: tuple[PolicyVersion, ...]
    statements: tuple[ExplainedStatement, ...]
    roster: tuple[RosterRow, ...]  # every row of the pegawai, oldest first
    events: tuple[Source, ...]  # every event named above, in seq order


class _Hashes:
    """The hashes of the events named, read from the log after the facts are gathered."""

    def __init__(self, found: Mapping[int, str]) -> None:
        self.found = found

    def source(self, seq: int) -> Source:
        if seq not in self.found:
            raise NotFound(f"the log holds no event at seq {seq}, which a read model row names")
        return Source(seq, self.found[seq])


def explain(engine: Engine, nip: str, year: int, as_of: str | None = None, *, replays: Replays | None = None,
            reader: Credential | None = None) -> Explanation:
    """The explanation of pegawai `nip`'s JP in `year`, now or as of a seq or stored time.
    A reader with the scope `audit` reads anyone's; any other reads as for the pegawai's JP
    (lrs/read/access.py); None is the operator. NotFound when the roster never named the nip."""
    if reader is not None and AUDIT not in reader.scopes:
        access.require_pegawai(engine, reader, nip, year)
    until = resolve_as_of(engine, as_of)
    with facts_at(engine, None if until is None else str(until), replays) as conn:
        upto = until if until is not None else read_models.head_seq(conn)
        loaded = load(conn, [nip], year)
        if nip not in loaded.history:
            raise NotFound(f"nip {nip} is not in the roster")
        roster_rows = read_models.roster_of(conn, [nip])
        claims = [c for c in loaded.claims[nip] if loaded.facts.policies.period_of(c.activity_date) == year]
        decisions = [d for c in claims for d in loaded.facts.decisions.get(c.statement_id, ())]
        keys = {k for k in [*(c.authority_key for c in claims), *(d.authority_key for d in decisions)] if k}
        voids = read_models.load(conn, jp_voids.NAME, [*(c.statement_id for c in claims),
                                                       *(d.statement_id for d in decisions)])
        trusted = read_models.load(conn, sources.NAME, keys)
        bound = read_models.load(conn, bindings.NAME, keys)
    result = total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts)
    policies = loaded.facts.policies
    seqs = {*(int(r["seq"]) for r in roster_rows), *(c.seq for c in claims), *(d.seq for d in decisions),
            *(int(r["seq"]) for rows in (voids, trusted, bound) for r in rows.values()),
            *(p.seq for p in policies.published if p.seq > 0)}
    with reading(engine) as conn:
        hashes = _Hashes(log.hashes_of(conn, seqs))
    return _Builder(hashes, policies, roster_rows, loaded.history[nip], voids, trusted, bound,
                    {d.statement_id: d for d in decisions}, claims).explanation(result, claims, upto)


class _Builder:
    def __init__(self, hashes: _Hashes, policies: PolicySet, roster_rows: Sequence[Mapping[str, Any]],
                 history: Sequence[RosterEntry], voids: Mapping[Any, Mapping[str, Any]],
                 trusted: Mapping[Any, Mapping[str, Any]], bound: Mapping[Any, Mapping[str, Any]],
                 decisions: Mapping[str, Decision], claims: Sequence[Claim]) -> None:
        self.hashes, self.policies, self.history = hashes, policies, history
        self.voids, self.trusted, self.bound, self.decisions = voids, trusted, bound, decisions
        self.roster_seq = {row["effective_from"]: int(row["seq"]) for row in roster_rows}
        self.published = {label(p.document): p.seq for p in policies.published}
        self.claim_keys = {c.statement_id: c.authority_key for c in claims}
        self.named: set[int] = set()

    def source(self, seq: int) -> Source:
        self.named.add(seq)
        return self.hashes.source(seq)

    def explanation(self, result: JpTotal, claims: Sequence[Claim], upto: int) -> Explanation:
        lines = [self.statement(line) for line in result.lines]
        lines += [self.voided(c) for c in sorted(claims, key=lambda c: (c.activity_date, c.seq)) if c.voided]
        roster = tuple(r for e in sorted(self.history, key=lambda e: e.effective_from)
                       if (r := self.row(e)) is not None)
        year_end = self.row(entry_on(self.history, self.policies.period_end(result.year)))
        versions = self.versions(result.policy_versions)
        named = tuple(self.hashes.source(seq) for seq in sorted(self.named))  # after everything named
        return Explanation(result.nip, result.year, upto, result.jp_counted, result.jp_pending, result.target_jp,
                           result.target_met, result.target_reason, year_end, versions, tuple(lines), roster, named)

    def row(self, entry: RosterEntry | None) -> RosterRow | None:
        if entry is None:
            return None
        seq = self.roster_seq[entry.effective_from.isoformat()]
        return RosterRow(entry.nip, entry.effective_from, entry.status, entry.instansi, entry.unit_kerja,
                         entry.atasan_nip, self.source(seq))

    def versions(self, labels: Sequence[str]) -> tuple[PolicyVersion, ...]:
        found = []
        for name in labels:
            seq = self.published.get(name, 0)
            if seq == 0:
                found.append(PolicyVersion(name, SHIPPED_DEFAULT, 0, None))
            else:
                event = self.source(seq)
                found.append(PolicyVersion(name, PUBLISHED, event.seq, event.hash))
        return tuple(found)

    def via_trusted(self, key: str | None) -> Trusted | None:
        row = self.trusted.get(key or "")
        return None if row is None else Trusted(row["key"], self.source(int(row["seq"])))

    def voided_by(self, statement_id: str) -> Source | None:
        row = self.voids.get(statement_id)
        return None if row is None else self.source(int(row["seq"]))

    def statement(self, line: Line) -> ExplainedStatement:
        claim_key = self.claim_keys.get(line.statement_id)
        trusted = self.via_trusted(claim_key) if line.recognition == "auto" else None
        return ExplainedStatement(
            line.statement_id, line.form_code, line.activity_date, line.status == "counted", line.status,
            line.reason, line.jp, line.jp_counted, line.recognition, self.versions(line.policy_versions),
            claim_key, trusted, self.row(entry_on(self.history, line.activity_date)),
            tuple(self.decision(r) for r in line.decisions), self.source(line.seq), None)

    def voided(self, claim: Claim) -> ExplainedStatement:
        rulings = [Ruling(d.statement_id, d.seq, d.kind, d.decided_at, None, None, False, str(VOIDED_CLAIM),
                          d.jp, (VOIDED_CLAIM,)) for d in sorted(self.decisions.values(), key=lambda d: d.seq)
                   if d.target_id == claim.statement_id]
        return ExplainedStatement(
            claim.statement_id, claim.form_code, claim.activity_date, False, "voided",
            "voided by a later statement", None, Decimal(0), "voided", (), claim.authority_key, None,
            self.row(entry_on(self.history, claim.activity_date)), tuple(self.decision(r) for r in rulings),
            self.source(claim.seq), self.voided_by(claim.statement_id))

    def decision(self, ruling: Ruling) -> ExplainedDecision:
        decision = self.decisions[ruling.statement_id]
        key = decision.authority_key
        row = self.bound.get(key or "")
        binding = None if row is None else Bound(row["key"], row["nip"], row["role"], row["instansi"],
                                                 row["unit_kerja"], self.source(int(row["seq"])))
        return ExplainedDecision(
            ruling.statement_id, ruling.kind, ruling.decided_at, ruling.decider, ruling.step, ruling.effective,
            ruling.reason, ruling.jp, key, binding, None if binding else self.via_trusted(key),
            self.source(ruling.seq), self.voided_by(ruling.statement_id))
