"""Who may read which report: the reading credential's binding and the pegawai's roster, judged
by projections/rules/access.py; NotAuthorized when the rule says no. A reader of None is the
operator (the `lrs` commands), who reads everything.

Access is judged on the read models now, also for a report `as_of` an earlier point: a
credential bound today must not pass for unbound in a replay from before it existed, and a
roster correction takes away what it takes away at once. A binding the bindings projection has
not folded yet (the moment after `lrs credentials create`, or while `lrs projections rebuild`
refolds) is read from the log, so a bound credential never reads as one bound to nobody."""
from __future__ import annotations

from sqlalchemy import Connection, Engine

from lrs.errors import NotAuthorized
from lrs.events import CREDENTIAL_BOUND
from lrs.read.credentials import Credential
from lrs.store import log, read_models
from lrs.store.engine import reading
from projections.folds import bindings
from projections.rules.access import (
    Reader, nation_refusal, pegawai_refusal, pending_refusal, rows_during, unit_refusal,
)
from projections.rules.facts import Binding, RosterEntry
from projections.rules.policy import PolicySet


def binding_of(conn: Connection, key: str) -> Binding | None:
    """The binding of credential `key`: its read model row, else a `credential.bound` event for
    it beyond the bindings projection's checkpoint; None when it is bound to nobody."""
    if (row := read_models.binding_of(conn, key)) is not None:
        return Binding.of(row)
    after = read_models.checkpoints(conn, [bindings.NAME])[bindings.NAME]
    head = read_models.head_seq(conn)
    if head <= after:
        return None
    unfolded = log.read_matching(conn, after=after, until=head, wanted={CREDENTIAL_BOUND: None})
    # As the fold (projections/folds/bindings.py): a credential is bound once, by its first event.
    found = next((e.payload for e in unfolded if e.payload["key"] == key), None)
    if found is None:
        return None
    return Binding(key, found.get("nip"), found.get("role"), found.get("instansi"), found.get("unit_kerja"))


def reader_of(conn: Connection, credential: Credential) -> Reader:
    return Reader(credential.key, credential.scopes, binding_of(conn, credential.key))


def require_pegawai(engine: Engine, credential: Credential | None, nip: str, year: int) -> None:
    """NotAuthorized unless `credential` may read pegawai `nip`'s reports of `year`."""
    if credential is None:
        return
    with reading(engine) as conn:
        reader = reader_of(conn, credential)
        rows: list[RosterEntry] = []
        if reader.binding is not None and reader.binding.nip != nip:
            policies = PolicySet.from_rows(read_models.policy_rows(conn))
            history = [RosterEntry.of(r) for r in read_models.roster_of(conn, [nip])]
            rows = rows_during(history, policies.period_start(year), policies.period_end(year))
    if (why := pegawai_refusal(reader, nip, year, rows)) is not None:
        raise NotAuthorized(why)


def require_unit(engine: Engine, credential: Credential | None, instansi: str, unit_kerja: str | None) -> None:
    """NotAuthorized unless `credential` may read the summaries of the instansi (or unit kerja)."""
    if credential is None:
        return
    with reading(engine) as conn:
        reader = reader_of(conn, credential)
    if (why := unit_refusal(reader, instansi, unit_kerja)) is not None:
        raise NotAuthorized(why)


def require_nation(engine: Engine, credential: Credential | None) -> None:
    """NotAuthorized unless `credential` may read the national summary."""
    if credential is None:
        return
    with reading(engine) as conn:
        reader = reader_of(conn, credential)
    if (why := nation_refusal(reader)) is not None:
        raise NotAuthorized(why)


def require_pending(engine: Engine, credential: Credential | None, nip: str) -> None:
    """NotAuthorized unless `credential` may read the claims waiting for `nip`'s decision."""
    if credential is None:
        return
    with reading(engine) as conn:
        reader = reader_of(conn, credential)
    if (why := pending_refusal(reader, nip)) is not None:
        raise NotAuthorized(why)
