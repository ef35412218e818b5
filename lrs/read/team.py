"""An atasan's team: the pegawai whose roster rows in force during a year name a person as their
atasan, each with their JP for the year as lrs/read/jp.py pegawai_jp gives it (the stored
figure where it is current), those furthest from their target first."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Engine

from lrs.read import jp
from lrs.read.credentials import Credential
from lrs.store import read_models
from lrs.store.engine import reading
from projections.replays import Replays
from projections.rules.access import rows_during
from projections.rules.facts import RosterEntry
from projections.rules.jp import JpTotal
from projections.rules.policy import PolicySet


def bawahan_of(engine: Engine, atasan_nip: str, year: int) -> list[str]:
    """The nips whose roster names `atasan_nip` as atasan on some day of the year, sorted."""
    with reading(engine) as conn:
        policies = PolicySet.from_rows(read_models.policy_rows(conn))
        candidates = [nip for nip in read_models.nips_with_atasan(conn, atasan_nip) if nip != atasan_nip]
        history: dict[str, list[RosterEntry]] = defaultdict(list)
        for row in read_models.roster_of(conn, candidates) if candidates else []:
            history[row["nip"]].append(RosterEntry.of(row))
    first, last = policies.period_start(year), policies.period_end(year)
    return [nip for nip in candidates
            if any(r.atasan_nip == atasan_nip for r in rows_during(history[nip], first, last))]


def _behind(total: JpTotal) -> tuple[Decimal, str, str]:
    """Sort key: the JP still missing to the target (none: 0), most first; then by name and nip."""
    missing = max(total.target_jp - total.jp_counted, Decimal(0)) if total.target_jp is not None else Decimal(0)
    return -missing, (total.nama or "").casefold(), total.nip


def team_of(engine: Engine, atasan_nip: str, year: int, *, replays: Replays | None = None,
            reader: Credential | None = None) -> list[JpTotal]:
    """Each bawahan's JP for the year, those with most JP missing to their target first.
    NotAuthorized when `reader` (None: the operator) may not read one of them."""
    totals = [jp.pegawai_jp(engine, nip, year, replays=replays, reader=reader)
              for nip in bawahan_of(engine, atasan_nip, year)]
    return sorted(totals, key=_behind)
