"""Stored figures: each pegawai's JP for a year, as projections/rules/jp.py total() computes it.

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
- a policy version: every pegawai-year of its instansi's pegawai, or of everyone for a national one.
A pegawai's years are those of their claims, their roster rows and their stored figures."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable, Sequence

from sqlalchemy import Connection, Engine

from lrs.store import figure_rows, read_models
from lrs.store.figure_rows import Key
from projections.loading import load
from projections.rules.jp import JpTotal, total
from projections.rules.policy import PolicySet

BATCH = 500
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
                touched.policy(row["instansi"])
    targets = figure_rows.decision_targets(conn, ids=sorted(voided))
    touched.claims(figure_rows.claims_by_ids(conn, sorted(claim_ids | targets | voided)), "decision or void")
    if keys:
        targets = figure_rows.decision_targets(conn, authority_keys=sorted(keys))
        touched.claims(figure_rows.claims_by_ids(conn, sorted(targets)), "credential")
        touched.claims(figure_rows.claims_posted_by(conn, sorted(keys)), "credential")
    touched.finish()
    figure_rows.enqueue(conn, touched.keys, seq)
    return len(touched.keys)


class _Touched:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.policies = PolicySet.from_rows(read_models.policy_rows(conn))
        self.keys: dict[Key, str] = {}
        self.everyone: dict[str, tuple[str, int | None]] = {}  # nip -> (reason, from which year)
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

    def roster(self, row: Row) -> None:
        since = None if row["mbox"] else self._year(row["effective_from"])
        self._add(row["nip"], self._year(row["effective_from"]), "roster")
        reason, earlier = self.everyone.get(row["nip"], ("roster", since))
        self.everyone[row["nip"]] = (reason, None if earlier is None or since is None else min(earlier, since))
        if row["mbox"]:
            self.mboxes.add(row["mbox"])

    def policy(self, instansi: str | None) -> None:
        for person in figure_rows.roster_people(self.conn, instansi=instansi):
            self.everyone[person["nip"]] = ("policy", None)

    def finish(self) -> None:
        """Expand the pegawai touched in every year (from some year on) to their years."""
        if self.mboxes:
            targets = figure_rows.decision_targets(self.conn, mboxes=sorted(self.mboxes))
            self.claims(figure_rows.claims_by_ids(self.conn, sorted(targets)), "roster")
        if not self.everyone:
            return
        for nip, year in self._years(sorted(self.everyone)):
            reason, since = self.everyone[nip]
            if since is None or year >= since:
                self._add(nip, year, reason)

    def _years(self, nips: Sequence[str]) -> set[Key]:
        people = figure_rows.roster_people(self.conn, nips=nips)
        found = {(p["nip"], self._year(p["effective_from"])) for p in people}
        found.update(figure_rows.figure_years(self.conn, nips))
        owners: dict[str, set[str]] = defaultdict(set)
        for p in people:
            if p["mbox"]:
                owners[p["mbox"]].add(p["nip"])
        for row in figure_rows.claims_of_people(self.conn, nips, sorted(owners)):
            year = self._year(row["activity_date"])
            found.update((nip, year) for nip in ({row["account"]} if row["account"] else owners[row["mbox"]]))
        return {k for k in found if k[0] in self.everyone}


def compute(conn: Connection, keys: Sequence[Key]) -> tuple[list[JpTotal], list[Key]]:
    """total() of these keys, as lrs/read/jp.py pegawai_jp computes one, and the keys of pegawai
    the roster never named (no figure)."""
    by_year: dict[int, list[str]] = defaultdict(list)
    for nip, year in keys:
        by_year[year].append(nip)
    totals: list[JpTotal] = []
    gone: list[Key] = []
    for year, nips in sorted(by_year.items()):
        loaded = load(conn, nips, year)
        # An mbox two loaded pegawai share gives its claims to one of them; alone, each has them.
        holders: dict[str, set[str]] = defaultdict(set)
        for nip, entries in loaded.history.items():
            for entry in entries:
                if entry.mbox:
                    holders[entry.mbox].add(nip)
        shared = {nip for group in holders.values() if len(group) > 1 for nip in group}
        for nip in nips:
            if nip not in loaded.history:
                gone.append((nip, year))
                continue
            one = load(conn, [nip], year) if nip in shared else loaded
            totals.append(total(nip, year, one.claims[nip], one.history[nip], one.facts))
    return totals, gone


def refresh(engine: Engine, names: Sequence[str], *, batch: int = BATCH) -> int:
    """Recompute the queued figures, `batch` keys per transaction, until the queue is empty; each
    is current as of the projections' checkpoint (`names`). Returns how many were recomputed."""
    count = 0
    with engine.connect() as conn:
        if not figure_rows.next_work(conn, 1):
            return 0  # the usual case after a catch-up: no lock taken
    while True:
        with read_models.projecting(engine) as conn:
            keys = figure_rows.next_work(conn, batch)
            if not keys:
                return count
            seq = min(read_models.checkpoints(conn, names).values())
            totals, gone = compute(conn, keys)
            figure_rows.save_figures(conn, totals, gone, seq)
            figure_rows.done(conn, keys)
        count += len(keys)


def recompute_all(engine: Engine, names: Sequence[str], *, batch: int = BULK) -> int:
    """A rebuild's figures, in bulk once the facts are folded rather than queued batch by batch:
    drop every stored figure and the queue, then compute the figures of every pegawai the roster
    names, `batch` pegawai per transaction, for their years (those of their roster rows and
    claims: the keys a queue fed by the whole log would hold). Returns how many were stored."""
    with read_models.projecting(engine) as conn:
        figure_rows.clear_figures(conn)
    count = 0
    after: str | None = None
    while True:
        with read_models.projecting(engine) as conn:
            nips = figure_rows.roster_nips(conn, after, batch)
            if not nips:
                return count
            touched = _Touched(conn)
            touched.everyone.update((nip, ("rebuild", None)) for nip in nips)
            touched.finish()
            seq = min(read_models.checkpoints(conn, names).values())
            totals, gone = compute(conn, sorted(touched.keys))
            figure_rows.save_figures(conn, totals, gone, seq)  # what refresh() stores per batch, exactly
        count += len(totals)
        after = nips[-1]


def differences(conn: Connection, *, batch: int = BATCH) -> Iterable[tuple[Key, str]]:
    """Every stored figure that is not what total() computes now (queued ones are skipped): the key
    and which columns differ."""
    after: Key | None = None
    while True:
        page = figure_rows.stored_figures(conn, after, batch)
        if not page:
            return
        stored = {(row["nip"], int(row["year"])): row for row in page}
        totals, gone = compute(conn, list(stored))
        for key in gone:
            yield key, "stored, but the roster does not name the pegawai"
        for computed in totals:
            key = (computed.nip, computed.year)
            row = stored[key]
            expected = figure_rows.figure_row(computed, row["current_as_of"])
            wrong = [name for name, value in expected.items() if row[name] != value]
            if wrong:
                yield key, "; ".join(f"{name} stored {row[name]!r}, computed {expected[name]!r}" if name != "total"
                                     else "total (the stored JpTotal JSON) differs" for name in wrong)
        after = page[-1]["nip"], int(page[-1]["year"])
