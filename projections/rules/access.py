"""Who reads which reports (/api/v1): pure, from the reading credential (its scopes and binding)
and the roster rows of the pegawai read. Each rule returns why the reader may NOT read, or None
when it may; lrs/read/access.py raises NotAuthorized with that reason.

* Bound to nobody: every report, with `reports` (or `all`): the national reader.
* Bound (`lrs credentials create --nip/--role`): only within the binding, with `reports` or
  `statements/write` (lrs/vocabulary.py READS_BOUND_REPORTS):
  - a person (`--nip`): their own figures, claims and competencies; those of their bawahan, the
    pegawai whose roster row on some day of the year read names them as atasan; and the claims
    waiting for their decision;
  - a delegated verifier (`--role verifier`, also a person): besides, the pegawai whose roster
    row on some day of the year is in the unit kerja, and that unit's summaries;
  - the unit pengelola of an instansi (`--role unit_pengelola --instansi I [--unit-kerja U]`):
    the pegawai whose roster row on some day of the year is in I (U), and I's (U's) summaries.
Who moved away is read for the years they were there, not after."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from lrs.vocabulary import READS_BOUND_REPORTS, READS_REPORTS, UNIT_PENGELOLA, VERIFIER
from projections.rules.facts import Binding, RosterEntry, entry_on


@dataclass(frozen=True)
class Reader:
    """A credential reading reports: its key, scopes and binding (None: bound to nobody)."""

    key: str
    scopes: tuple[str, ...]
    binding: Binding | None


def rows_during(history: Sequence[RosterEntry], first: date, last: date) -> list[RosterEntry]:
    """The roster rows in force on some day from `first` to `last`."""
    opening = entry_on(history, first)
    return [*([opening] if opening else []), *(e for e in history if first < e.effective_from <= last)]


def _unit(instansi: str | None, unit_kerja: str | None) -> str:
    return f"unit kerja {unit_kerja!r} of instansi {instansi!r}" if unit_kerja else f"instansi {instansi!r}"


def _within(binding: Binding) -> str:
    """What a bound credential reads, in words."""
    reads = []
    if binding.nip is not None:
        reads.append(f"the reports of {binding.nip} and of their bawahan")
    if binding.role == VERIFIER:
        reads.append(f"those of the pegawai of {_unit(binding.instansi, binding.unit_kerja)} (verifier)")
    if binding.role == UNIT_PENGELOLA:
        reads.append(f"those of {_unit(binding.instansi, binding.unit_kerja)} (unit pengelola)")
    return ", and ".join(reads)


def scope_refusal(reader: Reader) -> str | None:
    """Why the reader's scopes let it read no report at all; None when they let it read some."""
    if any(s in reader.scopes for s in READS_REPORTS):
        return None
    if reader.binding is None:
        return f"credential {reader.key!r} lacks the scope 'reports'"
    if any(s in reader.scopes for s in READS_BOUND_REPORTS):
        return None
    return (f"credential {reader.key!r} lacks the scope 'reports' (or 'statements/write', with which a "
            f"bound credential reads {_within(reader.binding)})")


def pegawai_refusal(reader: Reader, nip: str, year: int, rows: Sequence[RosterEntry]) -> str | None:
    """Why `reader` may not read pegawai `nip`'s reports of `year`, whose roster rows in force
    during that year are `rows` (rows_during); None when it may."""
    if (why := scope_refusal(reader)) is not None:
        return why
    binding = reader.binding
    if binding is None or binding.nip == nip:
        return None
    if binding.nip is not None and any(r.atasan_nip == binding.nip for r in rows):
        return None
    if binding.role in (VERIFIER, UNIT_PENGELOLA) and any(
            binding.covers(binding.role, r.instansi, r.unit_kerja) for r in rows):
        return None
    return (f"credential {reader.key!r} reads only {_within(binding)}: "
            f"in {year}, pegawai {nip} is none of these")


def unit_refusal(reader: Reader, instansi: str, unit_kerja: str | None) -> str | None:
    """Why `reader` may not read the summaries of an instansi (`unit_kerja` None) or of one of
    its unit kerja; None when it may."""
    if (why := scope_refusal(reader)) is not None:
        return why
    binding = reader.binding
    if binding is None:
        return None
    if binding.role == UNIT_PENGELOLA and binding.instansi == instansi and binding.unit_kerja in (None, unit_kerja):
        return None
    if binding.role == VERIFIER and unit_kerja is not None and binding.covers(VERIFIER, instansi, unit_kerja):
        return None
    return f"credential {reader.key!r} reads only {_within(binding)}, not the summaries of {_unit(instansi, unit_kerja)}"


def nation_refusal(reader: Reader) -> str | None:
    """Why `reader` may not read the national summary; None when it may: a reader of every report
    (bound to nobody, with `reports`, `audit` or `all`)."""
    if (why := scope_refusal(reader)) is not None:
        return why
    if reader.binding is None:
        return None
    return f"credential {reader.key!r} reads only {_within(reader.binding)}, not the national summary"


def pending_refusal(reader: Reader, nip: str) -> str | None:
    """Why `reader` may not read the claims waiting for `nip`'s decision; None when it may: the
    person's own credential, or a reader bound to nobody."""
    if (why := scope_refusal(reader)) is not None:
        return why
    binding = reader.binding
    if binding is None or binding.nip == nip:
        return None
    return (f"credential {reader.key!r} reads only {_within(binding)}; the claims waiting for {nip} "
            f"are read by {nip}'s own credential or a credential bound to nobody")
