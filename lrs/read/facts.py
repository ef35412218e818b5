"""The facts reports read, typed (projections/rules/facts.py): from the read models now, or as
they stood at a seq or stored time (`as_of`, replayed into a scratch database), always inside
one snapshot, so a report never mixes two checkpoints of the projector."""
from __future__ import annotations

import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy import Connection, Engine

from lrs.errors import BadRequest
from lrs.store import read_models
from lrs.store.engine import reading
from projections import runner
from projections.replays import Replays
from projections.rules.facts import Binding, Claim, Decision, RosterEntry
from projections.rules.jp import Facts
from projections.rules.policy import PolicySet

SEQ = re.compile(r"^[0-9]+$")


def resolve_as_of(engine: Engine, as_of: str | None) -> int | None:
    """An event seq (digits) or a stored time (ISO 8601; without an offset it is UTC) -> seq."""
    if as_of is None or as_of == "":
        return None
    if SEQ.match(as_of):
        seq = int(as_of)
        with reading(engine) as conn:
            head = read_models.head_seq(conn)
        if seq > head:
            # Never replay toward a position the log has not reached: the answer would be "now"
            # under another name, and the work unbounded.
            raise BadRequest(f"as_of {seq} is beyond the end of the log (its last seq is {head})")
        return seq
    try:
        moment = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"as_of {as_of!r} is neither an event seq nor an ISO 8601 time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    with reading(engine) as conn:
        return read_models.seq_at(conn, moment.astimezone(timezone.utc))


@contextmanager
def facts_at(engine: Engine, as_of: str | None, replays: Replays | None) -> Iterator[Connection]:
    """A connection to the read models now (one repeatable-read snapshot), or as of a seq or
    stored time."""
    until = resolve_as_of(engine, as_of)
    if until is None:
        with reading(engine) as conn:
            yield conn
        return
    if replays is not None:
        with replays.connect(until) as conn:
            yield conn
        return
    scratch = runner.replay(engine, until)
    try:
        with scratch.connect() as conn:
            yield conn
    finally:
        scratch.dispose()


@dataclass(frozen=True)
class Loaded:
    facts: Facts
    history: dict[str, list[RosterEntry]]
    claims: dict[str, list[Claim]]
    by_mbox: dict[str, str]  # mbox -> nip, of the pegawai loaded (empty when the policy matches none)
    home_pages: frozenset[str]

    def owner(self, row: Mapping[str, Any]) -> str | None:
        return owner_of(row, self.history, self.by_mbox, self.home_pages)


def owner_of(row: Mapping[str, Any], history: Mapping[str, Any], by_mbox: Mapping[str, str],
             home_pages: frozenset[str]) -> str | None:
    """The pegawai a fact row (account or mbox actor) belongs to among those in `history`, or None."""
    if row["account"] is not None:
        return row["account"] if row["home_page"] in home_pages and row["account"] in history else None
    return by_mbox.get(row["mbox"] or "")


def load(conn: Connection, nips: Sequence[str], year: int) -> Loaded:
    policies = PolicySet.from_rows(read_models.policy_rows(conn))
    iris = policies.policy_in_force(policies.period_end(year))
    history: dict[str, list[RosterEntry]] = defaultdict(list)
    for row in read_models.roster_of(conn, nips):
        history[row["nip"]].append(RosterEntry.of(row))
    by_mbox = ({e.mbox: nip for nip, entries in history.items() for e in entries if e.mbox}
               if iris.match_mbox else {})
    home_pages = frozenset(iris.iris("account_home_pages"))
    claims: dict[str, list[Claim]] = defaultdict(list)
    for row in read_models.claims_of(conn, list(nips), sorted(by_mbox)):
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
