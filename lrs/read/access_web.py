"""The signed-in credential of a web session as a Viewer: the person or role its binding names.
Whether it may see a pegawai's pages is /api/v1's rule (lrs/read/access.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from lrs.read.credentials import Credential
from lrs.store import read_models
from lrs.store.engine import reading
from projections.rules.facts import Binding

NATIONAL_SCOPES = ("all", "reports")


@dataclass(frozen=True)
class Viewer:
    """A signed-in credential and its binding (`lrs credentials create --nip/--role`), if any."""

    credential: Credential
    nip: str | None = None  # the person: a personal credential, or a verifier
    role: str | None = None  # verifier | unit_pengelola | assessor
    instansi: str | None = None
    unit_kerja: str | None = None

    @property
    def key(self) -> str:
        return self.credential.key

    @property
    def national(self) -> bool:
        """Bound to nobody and allowed every report: sees every pegawai."""
        unbound = self.nip is None and self.role is None
        return unbound and any(scope in self.credential.scopes for scope in NATIONAL_SCOPES)

    def binding(self) -> Binding:
        return Binding(self.key, self.nip, self.role, self.instansi, self.unit_kerja)


def viewer_of(engine: Engine, credential: Credential) -> Viewer:
    """The credential with its binding, as the projection of `credential.bound` holds it now."""
    with reading(engine) as conn:
        row = read_models.load(conn, "bindings", [credential.key]).get(credential.key)
    if row is None:
        return Viewer(credential)
    return Viewer(credential, row["nip"], row["role"], row["instansi"], row["unit_kerja"])
