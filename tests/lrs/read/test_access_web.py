"""A web session's viewer and its binding (lrs/read/access_web.py), on SQLite and PostgreSQL."""
from __future__ import annotations


from sqlalchemy import Engine

from lrs.read.access_web import Viewer, viewer_of
from lrs.read.credentials import Credential
from lrs.write.reference import create_credential, record_roster
from projections.rules.facts import RosterEntry
from tests.fixtures.jp import NIP_A, NIP_B, NIP_C, roster_row

NIP_D = "197001012000031004"  # a verifier who is nobody's atasan


def _entry(day: str) -> RosterEntry:
    return RosterEntry.of({**roster_row(), "effective_from": day, "seq": 1})


def _viewer(engine: Engine, key: str, scopes: list[str], **binding: str) -> Viewer:
    create_credential(engine, key, "s", scopes, **binding)
    return viewer_of(engine, Credential(key, tuple(scopes), {}))


def test_a_viewer_carries_its_binding(engine: Engine) -> None:
    record_roster(engine, [roster_row(NIP_A, atasan_nip=NIP_C), roster_row(NIP_B, unit_kerja="Inspektorat"),
                           roster_row(NIP_C, instansi="KEMENAG")])
    verifier = _viewer(engine, "verifier", ["statements/write"], nip=NIP_D, role="verifier", instansi="KEMENKEU",
                       unit_kerja="Biro SDM")
    pengelola = _viewer(engine, "bpsdm-kemenag", ["all"], role="unit_pengelola", instansi="KEMENAG")
    national = _viewer(engine, "nasional", ["reports"])
    assert (verifier.nip, verifier.role, verifier.national, national.national) == (NIP_D, "verifier", False, True)
    assert (pengelola.role, pengelola.instansi, pengelola.national) == ("unit_pengelola", "KEMENAG", False)
