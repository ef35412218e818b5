"""Stored figures: each pegawai's JP for a year, as projections/rules/jp.py total() computes it,
with its claims and competency profile (projections/claim_figures.py) from the same facts.

The runner hands over what each batch folded; `queue` finds the pegawai-years those changes
touch and queues them in figure_work in the batch's own transaction, so a crash loses rows and
queue together. `refresh` recomputes the queue in bounded transactions (BATCH keys each), so a
policy that touches everyone never holds one long transaction; a figure is current as of the
checkpoint it was computed at, and a queued one is read as computed until it is recomputed.

What touches which pegawai-years (over-approximating is safe, missing one is not):
- a claim: its owner (the account, or every nip whose roster names the mbox) in the claim's period;
- a decision, or a void: the claim it decides or voids (a voided decision: the claim it decided);
- a roster row: the pegawai's years from the row's period (all years when it names an mbox,
  which decides which mbox claims are theirs), and the claims decided by that mbox;
- a trusted source or a credential binding: every claim posted with that key or decided by it;
- a policy version: every pegawai-year of its instansi's pegawai, or of everyone for a national one,
  from the year before the one it takes effect in (a figure reads only the policies in force in its
  period);
- a competency standard: the years from its date of every pegawai the roster ever names in its
  jabatan (of its instansi, for an instansi's own);
- an assessment (or its void, or a change to the credential that posted it): its pegawai's years
  from the one before its own (a day earlier in the policy's timezone may be another period);
- a plan (or its void): its pegawai's plan year.
A pegawai's years are those of their claims, plans, roster rows, stored figures and the years
rolled up (projections/rollups.py, which refresh keeps with the figures it saves)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable, Sequence

from sqlalchemy import Connection, Engine

from lrs.store import claim_figure_rows, figure_rows, read_models, rollup_rows
from lrs.store.figure_rows import Key
from projections import claim_figures, rollups
from projections.loading import Loaded, alone, load
from projections.rules.jp import JpTotal, total
from projections.rules.policy import PolicySet

BATCH = 2000  # keys per refresh transaction: ~45 queries each, so a fan-out of 300,000 keys costs 150 of them, not 600
BULK = 2000  # pegawai per transaction of a rebuild's figures: 2,000 took ~25% less time than 500
Row = dict[str, Any]
Change = tuple[str, Row | None, Row | None]  # (projection, row before, row after)


def queue(conn: Connection, changes: Sequence[Change], seq: int) -> int:
    """Queue the figures these folded changes touch, at `seq`; returns how many."""
    if not changes:
        return 0
    touched = _Touched(conn)
    claim_ids: set[str] = set()
    voided: set[str] = set()
    keys: set[str] = set()
    for name, before, after in changes:
        for row in (r for r in (before, after) if r is not None):
            if name == "jp_claims":
                touched.claims([row], "claim")
            elif name == "decisions":
                claim_ids.add(row["target_id"])
            elif name == "jp_voids":
                voided.add(row["statement_id"])
            elif name == "roster":
                touched.roster(row)
            elif name in ("sources", "bindings"):
                keys.add(row["key"])
            elif name == "policies":
                touched.policy(row["instansi"], row["effective_from"])
            elif name == "standards":
                touched.standard(row)
            elif name in ("assessments", "plans"):
                touched.competency([row], name[:-1])
    targets = figure_rows.decision_targets(conn, ids=sorted(voided))
    touched.claims(figure_rows.claims_by_ids(conn, sorted(claim_ids | targets | voided)), "decision or void")
    touched.competency(claim_figure_rows.assessments_or_plans(conn, ids=sorted(voided)), "void")
    if keys:
        targets = figure_rows.decision_targets(conn, authority_keys=sorted(keys))
        touched.claims(figure_rows.claims_by_ids(conn, sorted(targets)), "credential")
        touched.claims(figure_rows.claims_posted_by(conn, sorted(keys)), "credential")
        touched.competency(claim_figure_rows.assessments_or_plans(conn, authority_keys=sorted(keys)), "credential")
    touched.finish()
    figure_rows.enqueue(conn, touched.keys, seq)
    return len(touched.keys)


class _Touched:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.policies = PolicySet.from_rows(read_models.policy_rows(conn))
        self.keys: dict[Key, str] = {}
        self.everyone: dict[str, tuple[str, int | None]] = {}  # nip -> (reason, from which year)
        self.all_from: int | None = None  # every pegawai the roster names, from this year (a national policy)
        self.mboxes: set[str] = set()

    def _year(self, day: str) -> int:
        return self.policies.period_of(date.fromisoformat(day))

    def _add(self, nip: str, year: int, reason: str) -> None:
        self.keys.setdefault((nip, year), reason)

    def claims(self, rows: Iterable[Row], reason: str) -> None:
        by_mbox: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            if row["account"] is not None:
                self._add(row["account"], self._year(row["activity_date"]), reason)
            elif row["mbox"]:
                by_mbox[row["mbox"]].append(self._year(row["activity_date"]))
        if by_mbox:
            for person in figure_rows.roster_people(self.conn, mboxes=sorted(by_mbox)):
                for year in by_mbox[person["mbox"]]:
                    self._add(person["nip"], year, reason)

    def _from(self, nip: str, reason: str, since: int | None) -> None:
        """Touch every year of the pegawai from `since` (None: all)."""
        found, earlier = self.everyone.get(nip, (reason, since))
        self.everyone[nip] = (found, None if earlier is None or since is None else min(earlier, since))

    def competency(self, rows: Iterable[Row], reason: str) -> None:
        """Assessments (each counts in the profiles of its period and after; a day earlier in the
        policy's timezone at most) and plans (their plan year), by owner."""
        owned: list[tuple[str | None, str | None, Row]] = [(r["account"], r["mbox"], r) for r in rows]
        mboxes = sorted({m for a, m, _ in owned if a is None and m})
        people: dict[str, list[str]] = defaultdict(list)
        for person in figure_rows.roster_people(self.conn, mboxes=mboxes) if mboxes else []:
            people[person["mbox"]].append(person["nip"])
        for account, mbox, row in owned:
            for nip in [account] if account is not None else people.get(mbox or "", []):
                if "plan_year" in row:
                    self._add(nip, int(row["plan_year"]), reason)
                else:
                    self._from(nip, reason, self._year(row["assessed_at"][:10]) - 1)

    def standard(self, row: Row) -> None:
        """The pegawai who ever held the standard's jabatan (in its instansi), from its year."""
        for nip in claim_figure_rows.nips_with_jabatan(self.conn, row["jabatan"], row["instansi"] or None):
            self._from(nip, "standard", self._year(row["effective_from"]))

    def roster(self, row: Row) -> None:
        since = None if row["mbox"] else self._year(row["effective_from"])
        self._add(row["nip"], self._year(row["effective_from"]), "roster")
        reason, earlier = self.everyone.get(row["nip"], ("roster", since))
        self.everyone[row["nip"]] = (reason, None if earlier is None or since is None else min(earlier, since))
        if row["mbox"]:
            self.mboxes.add(row["mbox"])

    def policy(self, instansi: str | None, effective_from: str) -> None:
        """The pegawai-years a version can apply to: a figure of a year reads the policies in force
        on days of its period (and on its last day) only, so the years before the one the version
        takes effect in keep their figures (one more year back: a day's period is read in the
        policy's timezone)."""
        since = self._year(effective_from) - 1
        if instansi is None:  # everyone: their years are read for the whole roster at once (finish)
            self.all_from = since if self.all_from is None else min(self.all_from, since)
            return
        for person in figure_rows.roster_people(self.conn, instansi=instansi):
            self._from(person["nip"], "policy", since)

    def finish(self) -> None:
        """Expand the pegawai touched in every year (from some year on) to their years."""
        if self.mboxes:
            targets = figure_rows.decision_targets(self.conn, mboxes=sorted(self.mboxes))
            self.claims(figure_rows.claims_by_ids(self.conn, sorted(targets)), "roster")
        if self.everyone:
            for nip, year in self._years(sorted(self.everyone)):
                reason, since = self.everyone[nip]
                if since is None or year >= since:
                    self._add(nip, year, reason)
        if self.all_from is not None:
            for nip, year in self._years(None):
                if year >= self.all_from:
                    self._add(nip, year, "policy")

    def _years(self, nips: Sequence[str] | None) -> set[Key]:
        """The years of these pegawai (None: of everyone the roster names, read table by table
        rather than by a list of every nip)."""
        people = figure_rows.roster_people(self.conn, nips=nips) if nips is not None else figure_rows.roster_people(
            self.conn)
        found = {(p["nip"], self._year(p["effective_from"])) for p in people}
        found.update(figure_rows.figure_years(self.conn, nips))
        rolled_up = rollup_rows.open_years(self.conn)  # and the years rolled up from their first roster row on
        for nip, first in _first_years(found).items():
            found.update((nip, year) for year in rolled_up if year >= first)
        owners: dict[str, set[str]] = defaultdict(set)
        for p in people:
            if p["mbox"]:
                owners[p["mbox"]].add(p["nip"])
        if nips is None:
            named = {p["nip"] for p in people}
            claims, plans = figure_rows.claims_of_people(self.conn, None, None), claim_figure_rows.plans_of_people(
                self.conn, None, None)
        else:
            named = set(self.everyone)
            claims = figure_rows.claims_of_people(self.conn, nips, sorted(owners))
            plans = claim_figure_rows.plans_of_people(self.conn, nips, sorted(owners))
        for row in claims:
            year = self._year(row["activity_date"])
            found.update((nip, year) for nip in ({row["account"]} if row["account"] else owners.get(row["mbox"], ())))
        for row in plans:
            found.update((nip, int(row["plan_year"])) for nip in ({row["account"]} if row["account"]
                                                                  else owners.get(row["mbox"], ())))
        return {k for k in found if k[0] in named}


def _first_years(keys: Iterable[Key]) -> dict[str, int]:
    first: dict[str, int] = {}
    for nip, year in keys:
        first[nip] = min(year, first.get(nip, year))
    return first


def compute(conn: Connection, keys: Sequence[Key], *, loaded_into: dict[Key, Loaded] | None = None,
            ) -> tuple[list[JpTotal], list[Key]]:
    """total() of these keys, as lrs/read/jp.py pegawai_jp computes one, and the keys of pegawai
    the roster never named (no figure). `loaded_into` receives the facts each total came from."""
    by_year: dict[int, list[str]] = defaultdict(list)
    for nip, year in keys:
        by_year[year].append(nip)
    totals: list[JpTotal] = []
    gone: list[Key] = []
    for year, nips in sorted(by_year.items()):
        loaded = load(conn, nips, year)
        for nip in nips:
            if nip not in loaded.history:
                gone.append((nip, year))
                continue
            one = alone(conn, loaded, nip, year)  # an mbox two loaded pegawai share: each has its claims
            totals.append(total(nip, year, one.claims[nip], one.history[nip], one.facts))
            if loaded_into is not None:
                loaded_into[(nip, year)] = one
    return totals, gone


def refresh(engine: Engine, names: Sequence[str], *, batch: int = BATCH, limit: int | None = None) -> int:
    """Recompute the queued figures, `batch` keys per transaction, until the queue is empty or
    (`limit`) at least that many were recomputed; each is current as of the projections'
    checkpoint (`names`). Returns how many were recomputed."""
    count = 0
    if not waiting(engine):
        return 0  # the usual case after a catch-up: no lock taken
    while limit is None or count < limit:
        with read_models.projecting(engine) as conn:
            keys = figure_rows.next_work(conn, batch)
            if not keys:
                return count
            seq = min(read_models.checkpoints(conn, names).values())
            facts: dict[Key, Loaded] = {}
            totals, gone = compute(conn, keys, loaded_into=facts)
            figure_rows.save_figures(conn, totals, gone, seq)
            claim_figures.save(conn, totals, gone, facts, seq)  # before rolling up: its competency rows count
            rollups.apply(conn, totals, gone, seq, _claimed(conn, facts))
            figure_rows.done(conn, keys)
        count += len(keys)
    return count


def waiting(engine: Engine) -> bool:
    """Whether any figure waits to be recomputed."""
    with engine.connect() as conn:
        return bool(figure_rows.next_work(conn, 1))


def _claimed(conn: Connection, facts: dict[Key, Loaded]) -> set[Key]:
    """The keys whose pegawai has a claim (voided or not) in the key's year."""
    policies = PolicySet.from_rows(read_models.policy_rows(conn))
    return {(nip, year) for (nip, year), loaded in facts.items()
            if any(policies.period_of(c.activity_date) == year for c in loaded.claims.get(nip, ()))}


def recompute_all(engine: Engine, names: Sequence[str], *, batch: int = BULK) -> int:
    """A rebuild's figures, in bulk once the facts are folded rather than queued batch by batch:
    drop every stored figure, roll-up, claim and competency row and the queue, then compute the
    figures of every pegawai the roster names, `batch` pegawai per transaction, for their years
    (those of their roster rows and claims: the keys a queue fed by the whole log would hold),
    storing with each batch what refresh() stores; then refresh() what opening a year queued.
    Returns how many figures were stored."""
    with read_models.projecting(engine) as conn:
        figure_rows.clear_figures(conn)
        rollup_rows.clear_rollups(conn)
        claim_figure_rows.clear(conn)
    count = 0
    after: str | None = None
    while True:
        with read_models.projecting(engine) as conn:
            nips = figure_rows.roster_nips(conn, after, batch)
            if not nips:
                break
            touched = _Touched(conn)
            touched.everyone.update((nip, ("rebuild", None)) for nip in nips)
            touched.finish()
            seq = min(read_models.checkpoints(conn, names).values())
            facts: dict[Key, Loaded] = {}
            totals, gone = compute(conn, sorted(touched.keys), loaded_into=facts)
            figure_rows.save_figures(conn, totals, gone, seq)  # what refresh() stores per batch, exactly
            # cleared above, each key once; before rolling up: its competency rows count
            claim_figures.save(conn, totals, gone, facts, seq, none_stored=True)
            rollups.apply(conn, totals, gone, seq, _claimed(conn, facts))
            figure_rows.done(conn, [(t.nip, t.year) for t in totals] + list(gone))
        count += len(totals)
        after = nips[-1]
    return count + refresh(engine, names)


def differences(conn: Connection, *, batch: int = BATCH) -> Iterable[tuple[Key, str]]:
    """Every stored figure that is not what total() computes now (queued ones are skipped): the key
    and which columns differ; with its claim and competency rows (projections/claim_figures.py)."""
    for key in claim_figure_rows.keys_without_figure(conn):
        yield key, "claim or competency rows stored without a JP figure"
    after: Key | None = None
    while True:
        page = figure_rows.stored_figures(conn, after, batch)
        if not page:
            return
        stored = {(row["nip"], int(row["year"])): row for row in page}
        facts: dict[Key, Loaded] = {}
        totals, gone = compute(conn, list(stored), loaded_into=facts)
        for key in gone:
            yield key, "stored, but the roster does not name the pegawai"
        for computed in totals:
            key = (computed.nip, computed.year)
            row = stored[key]
            expected = {**figure_rows.figure_row(computed, row["current_as_of"]), **figure_rows.sort_values(computed)}
            wrong = [name for name, value in expected.items() if row[name] != value]
            if wrong:
                yield key, "; ".join(f"{name} stored {row[name]!r}, computed {expected[name]!r}" if name != "total"
                                     else "total (the stored JpTotal JSON) differs" for name in wrong)
        yield from claim_figures.differences(conn, totals, gone, facts)
        after = page[-1]["nip"], int(page[-1]["year"])
