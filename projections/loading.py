"""The typed facts (projections/rules/facts.py) a set of pegawai's figures for a year are computed
from, read from the read models on a connection: reports (lrs/read/facts.py) and the stored
figures (projections/figures.py) load them the same way."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Mapping, Sequence

from sqlalchemy import Connection

from lrs.store import read_models
from projections.rules.competency import CompetencyProfile, profile
from projections.rules.facts import Assessment, Binding, Claim, Decision, Planned, RosterEntry, Standard, entry_on
from projections.rules.jp import Facts, JpTotal
from projections.rules.policy import PolicySet


@dataclass(frozen=True)
class Loaded:
    facts: Facts
    history: dict[str, list[RosterEntry]]
    claims: dict[str, list[Claim]]
    by_mbox: dict[str, str]  # mbox -> nip, of the pegawai loaded (empty when the policy matches none)
    home_pages: frozenset[str]

    def owner(self, row: Mapping[str, Any]) -> str | None:
        return owner_of(row, self.history, self.by_mbox, self.home_pages)

    @cached_property
    def holders(self) -> dict[str, frozenset[str]]:
        """mbox -> every loaded pegawai whose roster names it (when the policy matches mboxes)."""
        found: dict[str, set[str]] = defaultdict(set)
        for nip, entries in self.history.items():
            for entry in entries:
                if entry.mbox and entry.mbox in self.by_mbox:
                    found[entry.mbox].add(nip)
        return {mbox: frozenset(nips) for mbox, nips in found.items()}

    @cached_property
    def sharing(self) -> frozenset[str]:
        """The loaded pegawai who share an mbox with another loaded one: loaded together, its
        claims go to one of them; each one's figures are computed from their facts loaded
        alone (`alone`), where each has them, as the stored figures are."""
        return frozenset(nip for group in self.holders.values() if len(group) > 1 for nip in group)

    def owners(self, row: Mapping[str, Any]) -> frozenset[str]:
        """Every loaded pegawai a fact row belongs to when each is loaded alone."""
        if row["account"] is None and row["mbox"] in self.holders:
            return self.holders[row["mbox"]]
        nip = self.owner(row)
        return frozenset() if nip is None else frozenset([nip])


def owner_of(row: Mapping[str, Any], history: Mapping[str, Any], by_mbox: Mapping[str, str],
             home_pages: frozenset[str]) -> str | None:
    """The pegawai a fact row (account or mbox actor) belongs to among those in `history`, or None."""
    if row["account"] is not None:
        return row["account"] if row["home_page"] in home_pages and row["account"] in history else None
    return by_mbox.get(row["mbox"] or "")


def load(conn: Connection, nips: Sequence[str], year: int, *, claims_for: Sequence[str] | None = None) -> Loaded:
    """The facts of these pegawai for a year: roster histories of all, claims (and their decisions)
    of `claims_for` (default: all)."""
    policies = PolicySet.from_rows(read_models.policy_rows(conn))
    iris = policies.policy_in_force(policies.period_end(year))
    history: dict[str, list[RosterEntry]] = defaultdict(list)
    for row in read_models.roster_of(conn, nips):
        history[row["nip"]].append(RosterEntry.of(row))
    by_mbox = ({e.mbox: nip for nip, entries in history.items() for e in entries if e.mbox}
               if iris.match_mbox else {})
    home_pages = frozenset(iris.iris("account_home_pages"))
    claims: dict[str, list[Claim]] = defaultdict(list)
    wanted = set(nips if claims_for is None else claims_for)
    for row in read_models.claims_of(conn, sorted(wanted), sorted(m for m, n in by_mbox.items() if n in wanted)):
        if (nip := owner_of(row, history, by_mbox, home_pages)) is not None:
            claims[nip].append(Claim.of(row))
    decisions: dict[str, list[Decision]] = defaultdict(list)
    claim_ids = [c.statement_id for listed in claims.values() for c in listed]
    for row in read_models.decisions_on(conn, claim_ids):
        decisions[row["target_id"]].append(Decision.of(row))
    decider_mboxes = sorted({d.mbox for listed in decisions.values() for d in listed if d.mbox})
    facts = Facts(policies, read_models.trusted_keys(conn), decisions,
                  {r["key"]: Binding.of(r) for r in read_models.binding_rows(conn)},
                  read_models.nips_of_mboxes(conn, decider_mboxes) if iris.match_mbox else {})
    return Loaded(facts, history, claims, by_mbox, home_pages)


def alone(conn: Connection, loaded: Loaded, nip: str, year: int) -> Loaded:
    """The facts a pegawai's figures are computed from: `loaded`, or their own when they share an
    mbox with another loaded pegawai (Loaded.sharing)."""
    return load(conn, [nip], year) if nip in loaded.sharing else loaded


@dataclass(frozen=True)
class CompetencyFacts:
    """What competency profiles need besides the JP facts: assessments and plans by owner, and the
    standards of every jabatan the loaded pegawai held."""

    assessments: dict[str, list[Assessment]]
    plans: dict[str, list[Planned]]
    standards: list[Standard]

    @cached_property
    def by_jabatan(self) -> dict[str, list[Standard]]:
        found: dict[str, list[Standard]] = defaultdict(list)
        for standard in self.standards:
            found[standard.jabatan].append(standard)
        return found


def competency_facts(conn: Connection, loaded: Loaded, nips: Sequence[str]) -> CompetencyFacts:
    mboxes = sorted(loaded.by_mbox)
    assessments: dict[str, list[Assessment]] = defaultdict(list)
    for row in read_models.assessments_of(conn, list(nips), mboxes):
        if (nip := loaded.owner(row)) is not None:
            assessments[nip].append(Assessment.of(row))
    plans: dict[str, list[Planned]] = defaultdict(list)
    for row in read_models.plans_of(conn, list(nips), mboxes):
        if (nip := loaded.owner(row)) is not None:
            plans[nip].append(Planned.of(row))
    jabatans = sorted({e.jabatan for entries in loaded.history.values() for e in entries})
    return CompetencyFacts(assessments, plans, [Standard.of(r) for r in read_models.standards_for(conn, jabatans)])


def competency_profile(nip: str, year: int, loaded: Loaded, facts: CompetencyFacts, jp: JpTotal) -> CompetencyProfile:
    """The pegawai's profile (projections/rules/competency.py) under the policy in force on the
    period's last day, with the year's JP total `jp` computed from the same `loaded` facts."""
    history = loaded.history[nip]
    year_end = loaded.facts.policies.period_end(year)
    entry = entry_on(history, year_end)
    policy = loaded.facts.policies.policy_in_force(year_end, entry.instansi if entry else None)
    # Only the standards of the jabatans the pegawai held: the rule reads no other, and scanning
    # every jabatan's standards for each pegawai of an instansi is most of a refresh's time.
    standards = [s for jabatan in sorted({e.jabatan for e in history}) for s in facts.by_jabatan.get(jabatan, ())]
    return profile(nip, year, history, jp, loaded.claims[nip], facts.assessments[nip], standards,
                   facts.plans[nip], policy, bindings=loaded.facts.bindings, trusted=loaded.facts.trusted)
