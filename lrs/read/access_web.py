"""Who may open which web page (lrs/web/): the signed-in credential as a Viewer (the person or
role its binding names), and whether it may see one pegawai's pages for a year. Kept apart from
/api/v1's scoped reads for now; the two will share one rule."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from sqlalchemy import Engine

from lrs.read.credentials import Credential
from lrs.store import read_models
from lrs.store.engine import reading
from lrs.vocabulary import UNIT_PENGELOLA, VERIFIER
from projections.rules.facts import Binding, RosterEntry
from projections.rules.policy import PolicySet

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


def in_force_during(history: Sequence[RosterEntry], start: date, end: date) -> list[RosterEntry]:
    """The roster rows of one pegawai in force on some day from `start` to `end`: each row holds
    from its effective_from until the day before the next row's."""
    ordered = sorted(history, key=lambda e: e.effective_from)
    found = []
    for index, entry in enumerate(ordered):
        following = ordered[index + 1].effective_from if index + 1 < len(ordered) else None
        if entry.effective_from <= end and (following is None or following > start):
            found.append(entry)
    return found


def may_see_pegawai(engine: Engine, viewer: Viewer, nip: str, year: int) -> str | None:
    """Why `viewer` may see the pages of pegawai `nip` for reporting period `year`, or None:
    the person themselves; a national credential; their atasan on some day of the period; a
    verifier bound to their unit kerja, or the unit pengelola of their instansi, then."""
    if viewer.nip == nip:
        return "the pegawai themselves"
    if viewer.national:
        return "a national credential"
    with reading(engine) as conn:
        history = [RosterEntry.of(row) for row in read_models.roster_of(conn, [nip])]
        policies = PolicySet.from_rows(read_models.policy_rows(conn))
    binding = viewer.binding()
    for entry in in_force_during(history, policies.period_start(year), policies.period_end(year)):
        if viewer.nip is not None and entry.atasan_nip == viewer.nip:
            return f"atasan from {entry.effective_from}"
        if binding.covers(VERIFIER, entry.instansi, entry.unit_kerja):
            return f"verifier of {entry.unit_kerja}, {entry.instansi}"
        if binding.covers(UNIT_PENGELOLA, entry.instansi, entry.unit_kerja):
            return f"unit pengelola of {entry.instansi}"
    return None
