"""Credentials: slow secret hashes, scopes, and the authority a credential stamps on statements."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from lrs.commands import record_credential
from lrs.errors import BadRequest, NotAuthorized, Unauthenticated
from lrs.store import credentials as rows
from lrs.store.engine import reading
from projections.bindings import ROLES
from projections.roster import NIP

# xAPI 1.0.3 Communication 4.2: `state` reads and writes State documents; `profile` reads and
# writes Agent and Activity Profile documents and reads the Agents and Activities resources.
# `reports` reads the JP reports under /api/v1/ (not part of xAPI).
SCOPES = ("all", "statements/write", "statements/read", "statements/read/mine", "state", "profile", "reports")
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


def default_authority(key: str, name: str | None = None) -> dict[str, Any]:
    return {"objectType": "Agent", "name": name or key,
            "account": {"homePage": "urn:jejak:credentials", "name": key}}


def create_credential(
    engine: Engine, key: str, secret: str, scopes: list[str], name: str | None = None,
    trusted_source: bool = False, *, nip: str | None = None, role: str | None = None,
    instansi: str | None = None, unit_kerja: str | None = None,
) -> Credential:
    """Create a credential. A trusted source (an LMS of an instansi or a national one) is also
    recorded in the log, so `auto`-verified learning forms count from it in every replay; so is
    a binding to a person (`nip`: a personal credential, whose decisions are that person's) or a
    role (`verifier` of a unit kerja, with its nip; `unit_pengelola` of an instansi)."""
    binding = _binding(nip, role, instansi, unit_kerja)
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise BadRequest(f"unknown scope(s) {unknown}; choose from {', '.join(SCOPES)}")
    if not key or not secret:
        raise BadRequest("a credential needs a non-empty key and secret")
    authority = default_authority(key, name)
    row = rows.CredentialRow(key, hash_secret(secret), tuple(scopes), json.dumps(authority),
                             datetime.now(timezone.utc), None, trusted_source)
    try:
        record_credential(engine, row, binding)
    except IntegrityError as exc:
        raise BadRequest(f"a credential with key {key!r} already exists") from exc
    return Credential(key, tuple(scopes), authority)


def _binding(nip: str | None, role: str | None, instansi: str | None,
             unit_kerja: str | None) -> dict[str, str | None] | None:
    if nip is None and role is None:
        if instansi or unit_kerja:
            raise BadRequest("--instansi and --unit-kerja bind a role: give --role too")
        return None
    if nip is not None and not NIP.match(nip):
        raise BadRequest(f"nip {nip!r} is not 18 digits")
    if role is not None:
        if role not in ROLES:
            raise BadRequest(f"role {role!r} is not one of {', '.join(ROLES)}")
        if not instansi:
            raise BadRequest(f"a {role} credential is bound to an instansi: give --instansi")
        if role == "verifier" and (nip is None or not unit_kerja):
            raise BadRequest("a verifier is a person deciding for one unit kerja: give --nip and --unit-kerja")
    return {"nip": nip, "role": role, "instansi": instansi or None, "unit_kerja": unit_kerja or None}


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
        with reading(self.engine) as conn:
            row = rows.find_credential(conn, key)
        if row is None or row.revoked is not None:
            raise Unauthenticated("unknown or revoked credential")
        fast = hmac.new(self._pepper, (row.secret_hash + "\0" + secret).encode(), "sha256").hexdigest()
        now = time.monotonic()
        with self._lock:
            fresh = self._verified.get((key, fast), 0.0) > now
        if not fresh:
            if not check_secret(secret, row.secret_hash):
                raise Unauthenticated("wrong secret")
            with self._lock:
                if len(self._verified) > 10_000:
                    self._verified.clear()
                self._verified[(key, fast)] = now + self.cache_seconds
        return Credential(row.key, row.scopes, json.loads(row.authority))
