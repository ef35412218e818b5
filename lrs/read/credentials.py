"""Who is asking: HTTP Basic key and secret checked against the stored credentials, and what the
credential's scopes allow."""
from __future__ import annotations

import functools
import hmac
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from lrs.errors import NotAuthorized, TooManyRequests, Unauthenticated
from lrs.read.throttle import Recent, Throttle
from lrs.store import credentials as rows
from lrs.store.engine import reading
from lrs.vocabulary import AUDIT, READ_BY_AUDIT


@dataclass(frozen=True)
class Credential:
    key: str
    scopes: tuple[str, ...]
    authority: dict[str, Any]

    def allows(self, scope: str, *, writing: bool = False) -> bool:
        """`all` allows everything; statements/write and statements/read are as named;
        statements/read/mine allows reading only what this credential stored; `audit` allows
        reading whatever a scope opens (`writing=False`), never a write. `writing` says the
        request changes something (a document PUT, POST or DELETE under `state` or `profile`)."""
        if "all" in self.scopes:
            return True
        if AUDIT in self.scopes and scope in READ_BY_AUDIT and not writing:
            return True
        if scope in self.scopes:
            return True
        return scope == "statements/read/mine" and "statements/read" in self.scopes

    def require(self, scope: str, *, writing: bool = False) -> None:
        if not self.allows(scope, writing=writing):
            if writing and AUDIT in self.scopes:
                raise NotAuthorized(f"credential {self.key!r} has the scope 'audit', which reads and "
                                    f"never writes; this request writes under {scope!r}")
            raise NotAuthorized(f"credential {self.key!r} lacks the scope {scope!r}")


FAILED = "the key and secret do not match an active credential"
# An address a key was verified from in the last day stays known to it: while the key is
# throttled, requests from there still get the slow check, so its owner (an LMS, whose
# address rarely changes) keeps working even in a server process whose cache has gone cold.
KNOWN_ADDRESS_SECONDS = 24 * 3600


@functools.cache
def _decoy_hash() -> str:
    """A hash no secret was made for: an unknown key costs the same slow check as a known one."""
    return rows.hash_secret(os.urandom(16).hex())


class Authenticator:
    """Checks HTTP Basic credentials. The slow hash runs once per secret: a verified secret is
    remembered in memory (by a fast keyed digest) for `cache_seconds`, and the credential row is
    read on every request so a revocation takes effect at once.

    Every failure gets the same message (it never says whether the key exists). Failures are
    counted per key and per client address (`failure_limit` within `failure_window` seconds).
    Past the limit, requests from that address get TooManyRequests with no check at all; and
    requests for that key are checked only against the remembered secrets, unless they come
    from an address the key was verified from in the last day, so guessing costs no slow hash
    and the key's owner is not locked out by someone else's guesses. A refusal for a throttled
    key counts as a failure of its address, so no address guesses faster than the limit."""

    def __init__(self, engine: Engine, cache_seconds: float, *, failure_limit: int = 10,
                 failure_window: float = 60) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self._pepper = os.urandom(32)
        self._verified: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self.by_key = Throttle(failure_limit, failure_window)
        self.by_address = Throttle(failure_limit, failure_window)
        self.known_addresses = Recent(KNOWN_ADDRESS_SECONDS)

    def active(self, key: str) -> Credential:
        """The credential of a signed-in web session, read again on each request, so that a
        revocation ends its sessions at once. Unauthenticated when revoked or unknown."""
        row = None
        if "\0" not in key:
            with reading(self.engine) as conn:
                row = rows.find_credential(conn, key)
        if row is None or row.revoked is not None:
            raise Unauthenticated(FAILED)
        return _credential(row)

    def authenticate(self, key: str, secret: str, address: str | None = None) -> Credential:
        client = address or "(unknown address)"
        if (wait := self.by_address.retry_after(client)) is not None:
            raise TooManyRequests(_throttled("from this address", wait), wait)
        row = None
        if "\0" not in key and "\0" not in secret:
            # (PostgreSQL cannot compare text holding NUL, and scrypt's HMAC would take
            # "secret" and "secret\0" as one key.)
            with reading(self.engine) as conn:
                row = rows.find_credential(conn, key)
        if row is not None and row.revoked is not None:
            row = None
        now = time.monotonic()
        fast = ""
        if row is not None:
            fast = hmac.new(self._pepper, (row.secret_hash + "\0" + secret).encode(), "sha256").hexdigest()
            with self._lock:
                if self._verified.get((key, fast), 0.0) > now:
                    self.known_addresses.add((key, client))
                    return _credential(row)
        wait = self.by_key.retry_after(key)
        if wait is not None and (key, client) not in self.known_addresses:
            self.by_address.fail(client)
            raise TooManyRequests(_throttled("for this key", wait), wait)
        if row is None or not rows.check_secret(secret, row.secret_hash):
            if row is None:
                rows.check_secret(secret, _decoy_hash())
            self.by_key.fail(key)
            self.by_address.fail(client)
            raise Unauthenticated(FAILED)
        with self._lock:
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[(key, fast)] = now + self.cache_seconds
        self.known_addresses.add((key, client))
        return _credential(row)


def _credential(row: rows.CredentialRow) -> Credential:
    return Credential(row.key, row.scopes, json.loads(row.authority))


def _throttled(where: str, wait: int) -> str:
    return f"too many failed attempts to authenticate {where}; try again in {wait} s"
