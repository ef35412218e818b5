"""Read side of the JP reports: load facts from the projection tables (live, or replayed as of a
seq or stored time into a scratch database) and compute totals with projections/jp_totals.py."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from contextlib import contextmanager
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy import Connection, Engine

from lrs.errors import BadRequest, NotFound
from lrs.store import read_models
from projections import runner
from projections.jp_totals import Claim, Facts, JpTotal, RosterEntry, Summary, summarize, total
from projections.policy import PolicySet, Published
from projections.recognition import Binding, Decision
from projections.replays import Replays

SEQ = re.compile(r"^[0-9]+$")


def to_json(value: Any) -> Any:
    """Report values as JSON: dataclasses as objects, Decimals as numbers, dates as ISO text."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_json(asdict(value))
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def resolve_as_of(engine: Engine, as_of: str | None) -> int | None:
    """An event seq (digits) or a stored time (ISO 8601; without an offset it is UTC) -> seq."""
    if as_of is None or as_of == "":
        return None
    if SEQ.match(as_of):
        return int(as_of)
    try:
        moment = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"as_of {as_of!r} is neither an event seq nor an ISO 8601 time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    with engine.connect() as conn:
        return read_models.seq_at(conn, moment.astimezone(timezone.utc))


@contextmanager
def facts_at(engine: Engine, as_of: str | None, replays: Replays | None) -> Iterator[Connection]:
    """A connection to the read models now, or as of a seq or stored time."""
    until = resolve_as_of(engine, as_of)
    if until is None:
        with engine.connect() as conn:
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
    policies = PolicySet.of([Published(json.loads(r["document"]), int(r["seq"]))
                             for r in read_models.policy_rows(conn)])
    iris = policies.policy_in_force(date(year, 12, 31))
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


def pegawai_jp(
    engine: Engine, nip: str, year: int, as_of: str | None = None, *, replays: Replays | None = None,
) -> JpTotal:
    """JP of one pegawai for a year; NotFound when the roster never named the nip. An `as_of`
    is replayed from the log, or taken from `replays` (a server's kept replays)."""
    with facts_at(engine, as_of, replays) as conn:
        loaded = load(conn, [nip], year)
    if nip not in loaded.history:
        raise NotFound(f"nip {nip} is not in the roster")
    return total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts)


@dataclass(frozen=True)
class Page:
    summary: Summary
    items: list[Any]  # unit Summaries (instansi) or JpTotals (unit kerja)
    count: int


def summary(
    engine: Engine, instansi: str, year: int, *, unit_kerja: str | None = None, as_of: str | None = None,
    offset: int = 0, limit: int = 50, replays: Replays | None = None,
) -> Page:
    """An instansi (its units, paged) or one unit kerja (its pegawai, paged) for a year; pegawai
    count where they are on 31 December."""
    year_end = date(year, 12, 31)
    with facts_at(engine, as_of, replays) as conn:
        candidates = read_models.nips_in(conn, instansi, unit_kerja)
        loaded = load(conn, candidates, year)
    totals = []
    for nip in candidates:
        entry = max((e for e in loaded.history[nip] if e.effective_from <= year_end),
                    key=lambda e: e.effective_from, default=None)
        if entry and entry.instansi == instansi and unit_kerja in (None, entry.unit_kerja):
            totals.append(total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts))
    if not totals:
        where = f"unit kerja {unit_kerja!r} of " if unit_kerja else ""
        raise NotFound(f"no pegawai in {where}instansi {instansi!r} on {year_end}")
    if unit_kerja is not None:
        return Page(summarize(instansi, unit_kerja, totals), totals[offset:offset + limit], len(totals))
    units: dict[str, list[JpTotal]] = defaultdict(list)
    for item in totals:
        units[item.unit_kerja or ""].append(item)
    rows = [summarize(instansi, name, units[name]) for name in sorted(units)]
    return Page(summarize(instansi, None, totals), rows[offset:offset + limit], len(rows))
