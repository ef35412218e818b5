"""What others in a jabatan learned for a competency: the activities tagged with it (the statement's
competency codes) in the counted claims (stored per-claim figures) of pegawai the roster has ever
named in that jabatan, with how many of them took each."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, desc, func, select

from lrs.store.tables import claim_figures, jp_claims, roster_entries


def activities_taken(conn: Connection, jabatan: str, code: str, *, besides: str, limit: int) -> list[dict[str, Any]]:
    """(activity_id, pegawai) of the activities tagged `code` that pegawai of `jabatan` other than
    `besides` completed (a counted claim), most pegawai first, then by id; at most `limit`."""
    peers = select(roster_entries.c.nip).where(roster_entries.c.jabatan == jabatan, roster_entries.c.nip != besides)
    taken = func.count(func.distinct(claim_figures.c.nip)).label("pegawai")
    query = (select(jp_claims.c.activity_id, taken)
             .join(jp_claims, jp_claims.c.statement_id == claim_figures.c.statement_id)
             .where(claim_figures.c.status == "counted", claim_figures.c.nip.in_(peers),
                    jp_claims.c.competency_codes.contains(f'"{code}"', autoescape=True))
             .group_by(jp_claims.c.activity_id)
             .order_by(desc(taken), jp_claims.c.activity_id)
             .limit(limit))
    return [dict(r._mapping) for r in conn.execute(query)]
