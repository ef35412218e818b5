"""API credentials: their rows, and how a secret is kept (a slow salted hash, never the secret)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from lrs.store.tables import credentials


# scrypt parameters: about 50 ms and 16 MiB per check, so a stolen table is slow to attack.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_secret(secret: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, dklen=32, **SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_secret(secret: str, stored: str) -> bool:
    scheme, salt, digest = stored.split("$")
    if scheme != "scrypt":
        return False
    computed = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), dklen=32, **SCRYPT)
    return hmac.compare_digest(computed, base64.b64decode(digest))


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
