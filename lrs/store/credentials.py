"""SQL for API credentials."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from lrs.store.tables import credentials


@dataclass(frozen=True)
class CredentialRow:
    key: str
    secret_hash: str
    scopes: tuple[str, ...]
    authority: str
    created: datetime
    revoked: datetime | None
    trusted_source: bool = False


def _row(row: Any) -> CredentialRow:
    return CredentialRow(row.key, row.secret_hash, tuple(row.scopes.split()), row.authority,
                         row.created, row.revoked, bool(row.trusted_source))


def insert_credential(conn: Connection, row: CredentialRow) -> None:
    conn.execute(insert(credentials).values(
        key=row.key, secret_hash=row.secret_hash, scopes=" ".join(row.scopes),
        authority=row.authority, created=row.created, revoked=row.revoked,
        trusted_source=row.trusted_source,
    ))


def find_credential(conn: Connection, key: str) -> CredentialRow | None:
    row = conn.execute(select(credentials).where(credentials.c.key == key)).first()
    return _row(row) if row else None


def list_credentials(conn: Connection) -> list[CredentialRow]:
    return [_row(r) for r in conn.execute(select(credentials).order_by(credentials.c.created))]


def revoke_credential(conn: Connection, key: str, at: datetime) -> bool:
    result = conn.execute(
        update(credentials).where(credentials.c.key == key, credentials.c.revoked.is_(None))
        .values(revoked=at)
    )
    return bool(result.rowcount)
