"""Who may see a pegawai's web pages (lrs/read/access_web.py), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from lrs.read.access_web import Viewer, in_force_during, may_see_pegawai, viewer_of
from lrs.read.credentials import Credential
from lrs.write.reference import create_credential, record_roster
from projections.rules.facts import RosterEntry
from tests.fixtures.jp import NIP_A, NIP_B, NIP_C, roster_row

NIP_D = "197001012000031004"  # a verifier who is nobody's atasan


def _entry(day: str) -> RosterEntry:
    return RosterEntry.of({**roster_row(), "effective_from": day, "seq": 1})


def test_rows_in_force_during_a_period() -> None:
    history = [_entry("2020-01-01"), _entry("2026-07-01"), _entry("2027-01-01"), _entry("2028-03-01")]
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert [e.effective_from.isoformat() for e in in_force_during(history, *year)] == ["2020-01-01", "2026-07-01"]
    assert [e.effective_from.isoformat() for e in in_force_during(history, date(2027, 1, 1), date(2027, 12, 31))] == [
        "2027-01-01"]
    assert in_force_during(history, date(2019, 1, 1), date(2019, 12, 31)) == []


def _viewer(engine: Engine, key: str, scopes: list[str], **binding: str) -> Viewer:
    create_credential(engine, key, "s", scopes, **binding)
    return viewer_of(engine, Credential(key, tuple(scopes), {}))


def test_roles_see_their_unit_or_instansi_only(engine: Engine) -> None:
    record_roster(engine, [roster_row(NIP_A, atasan_nip=NIP_C), roster_row(NIP_B, unit_kerja="Inspektorat"),
                           roster_row(NIP_C, instansi="KEMENAG")])
    verifier = _viewer(engine, "verifier", ["statements/write"], nip=NIP_D, role="verifier", instansi="KEMENKEU",
                       unit_kerja="Biro SDM")
    pengelola = _viewer(engine, "bpsdm-kemenag", ["all"], role="unit_pengelola", instansi="KEMENAG")
    national = _viewer(engine, "nasional", ["reports"])
    assert (verifier.nip, verifier.role, verifier.national, national.national) == (NIP_D, "verifier", False, True)
    assert may_see_pegawai(engine, verifier, NIP_A, 2026) == "verifier of Biro SDM, KEMENKEU"
    assert may_see_pegawai(engine, verifier, NIP_B, 2026) is None  # another unit
    assert may_see_pegawai(engine, pengelola, NIP_A, 2026) is None  # another instansi, scope all or not
    assert may_see_pegawai(engine, pengelola, NIP_C, 2026) == "unit pengelola of KEMENAG"
    assert may_see_pegawai(engine, national, NIP_B, 2026) == "a national credential"
