"""Who is asking: HTTP Basic key and secret checked against the stored credentials, and what the
credential's scopes allow."""
from __future__ import annotations

import hmac
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from lrs.errors import NotAuthorized, Unauthenticated
from lrs.store import credentials as rows
from lrs.store.engine import reading


@dataclass(frozen=True)
class Credential:
    key: str
    scopes: tuple[str, ...]
    authority: dict[str, Any]

    def allows(self, scope: str) -> bool:
        """`all` allows everything; statements/write and statements/read are as named;
        statements/read/mine allows reading only what this credential stored."""
        if "all" in self.scopes or scope in self.scopes:
            return True
        return scope == "statements/read/mine" and "statements/read" in self.scopes

    def require(self, scope: str) -> None:
        if not self.allows(scope):
            raise NotAuthorized(f"credential {self.key!r} lacks the scope {scope!r}")


class Authenticator:
    """Checks HTTP Basic credentials. The slow hash runs once per secret: a verified secret is
    remembered in memory (by a fast keyed digest) for `cache_seconds`, and the credential row is
    read on every request so a revocation takes effect at once."""

    def __init__(self, engine: Engine, cache_seconds: float) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self._pepper = os.urandom(32)
        self._verified: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def authenticate(self, key: str, secret: str) -> Credential:
        if "\0" in key or "\0" in secret:
            # PostgreSQL cannot compare text holding NUL, and scrypt's HMAC would take
            # "secret" and "secret\0" as one key.
            raise Unauthenticated("unknown or revoked credential")
        with reading(self.engine) as conn:
            row = rows.find_credential(conn, key)
        if row is None or row.revoked is not None:
            raise Unauthenticated("unknown or revoked credential")
        fast = hmac.new(self._pepper, (row.secret_hash + "\0" + secret).encode(), "sha256").hexdigest()
        now = time.monotonic()
        with self._lock:
            fresh = self._verified.get((key, fast), 0.0) > now
        if not fresh:
            if not rows.check_secret(secret, row.secret_hash):
                raise Unauthenticated("wrong secret")
            with self._lock:
                if len(self._verified) > 10_000:
                    self._verified.clear()
                self._verified[(key, fast)] = now + self.cache_seconds
        return Credential(row.key, row.scopes, json.loads(row.authority))
