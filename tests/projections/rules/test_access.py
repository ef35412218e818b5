"""Who reads which reports (projections/rules/access.py): plain values, no database."""
from __future__ import annotations

from datetime import date

import pytest

from projections.rules.access import (
    Reader, nation_refusal, pegawai_refusal, pending_refusal, rows_during, unit_refusal,
)
from projections.rules.facts import Binding, RosterEntry

A, B, C, D = "199001012020121001", "199202022020122002", "198503032010011003", "197001012000031004"


def row(nip: str, effective_from: str, atasan: str | None = None, unit: str = "Biro SDM",
        instansi: str = "KEMENKEU") -> RosterEntry:
    return RosterEntry(nip, date.fromisoformat(effective_from), "Nama", "PNS", "Analis", unit, instansi, atasan, None)


# A works under C in Biro SDM until 1 July 2026, then under D in the Inspektorat.
HISTORY_A = [row(A, "2020-01-01", C), row(A, "2026-07-01", D, unit="Inspektorat")]
YEAR_2026 = rows_during(HISTORY_A, date(2026, 1, 1), date(2026, 12, 31))
YEAR_2027 = rows_during(HISTORY_A, date(2027, 1, 1), date(2027, 12, 31))


def reader(*scopes: str, nip: str | None = None, role: str | None = None, instansi: str | None = None,
           unit_kerja: str | None = None) -> Reader:
    bound = nip is not None or role is not None
    return Reader("k", scopes, Binding("k", nip, role, instansi, unit_kerja) if bound else None)


def test_rows_during_a_year_are_the_row_in_force_at_its_start_and_those_that_begin_in_it() -> None:
    assert YEAR_2026 == HISTORY_A
    assert YEAR_2027 == [HISTORY_A[1]]
    assert rows_during(HISTORY_A, date(2019, 1, 1), date(2019, 12, 31)) == []


def test_a_reader_bound_to_nobody_reads_everything_with_reports_or_all() -> None:
    for scopes in (("reports",), ("all",)):
        assert pegawai_refusal(reader(*scopes), A, 2026, []) is None
        assert unit_refusal(reader(*scopes), "KEMENDIKDASMEN", None) is None
        assert pending_refusal(reader(*scopes), C) is None
    assert pegawai_refusal(reader("statements/write"), A, 2026, YEAR_2026) == "credential 'k' lacks the scope 'reports'"


@pytest.mark.parametrize("scopes", [("statements/write",), ("reports",), ("all",)])
def test_a_person_reads_their_own_and_not_a_colleagues(scopes: tuple[str, ...]) -> None:
    own = reader(*scopes, nip=A)
    assert pegawai_refusal(own, A, 2026, []) is None
    why = pegawai_refusal(own, B, 2026, [row(B, "2020-01-01", C)])
    assert why == (f"credential 'k' reads only the reports of {A} and of their bawahan: "
                   f"in 2026, pegawai {B} is none of these")
    assert pending_refusal(own, A) is None
    assert pending_refusal(own, C) is not None
    assert unit_refusal(own, "KEMENKEU", "Biro SDM") is not None


def test_a_bound_credential_without_a_reading_scope_reads_nothing() -> None:
    why = pegawai_refusal(reader("state", nip=A), A, 2026, [])
    assert why is not None and "lacks the scope 'reports' (or 'statements/write'" in why


def test_the_atasan_reads_a_bawahan_for_the_years_they_led_them() -> None:
    assert pegawai_refusal(reader("statements/write", nip=C), A, 2026, YEAR_2026) is None
    assert pegawai_refusal(reader("statements/write", nip=C), A, 2027, YEAR_2027) is not None
    assert pegawai_refusal(reader("statements/write", nip=D), A, 2026, YEAR_2026) is None
    assert pegawai_refusal(reader("statements/write", nip=D), A, 2027, YEAR_2027) is None


def test_a_verifier_reads_the_pegawai_and_summaries_of_their_unit() -> None:
    verifier = reader("statements/write", nip=B, role="verifier", instansi="KEMENKEU", unit_kerja="Biro SDM")
    assert pegawai_refusal(verifier, A, 2026, YEAR_2026) is None
    assert pegawai_refusal(verifier, A, 2027, YEAR_2027) is not None  # moved to the Inspektorat
    assert unit_refusal(verifier, "KEMENKEU", "Biro SDM") is None
    assert unit_refusal(verifier, "KEMENKEU", "Inspektorat") is not None
    assert unit_refusal(verifier, "KEMENKEU", None) is not None
    assert pending_refusal(verifier, B) is None


def test_the_unit_pengelola_reads_its_instansi_or_unit_only() -> None:
    pengelola = reader("reports", role="unit_pengelola", instansi="KEMENKEU")
    assert pegawai_refusal(pengelola, A, 2027, YEAR_2027) is None
    assert unit_refusal(pengelola, "KEMENKEU", None) is None
    assert unit_refusal(pengelola, "KEMENKEU", "Inspektorat") is None
    elsewhere = [row(B, "2020-01-01", instansi="KEMENDIKDASMEN")]
    assert pegawai_refusal(pengelola, B, 2026, elsewhere) == (
        "credential 'k' reads only those of instansi 'KEMENKEU' (unit pengelola): in 2026, pegawai "
        f"{B} is none of these")
    assert unit_refusal(pengelola, "KEMENDIKDASMEN", None) == (
        "credential 'k' reads only those of instansi 'KEMENKEU' (unit pengelola), not the summaries "
        "of instansi 'KEMENDIKDASMEN'")
    assert pending_refusal(pengelola, C) is not None
    unit = reader("reports", role="unit_pengelola", instansi="KEMENKEU", unit_kerja="Inspektorat")
    assert unit_refusal(unit, "KEMENKEU", "Inspektorat") is None
    assert unit_refusal(unit, "KEMENKEU", None) is not None
    assert pegawai_refusal(unit, A, 2026, YEAR_2026) is None and pegawai_refusal(unit, A, 2025, [HISTORY_A[0]])


def test_only_a_reader_bound_to_nobody_reads_the_national_summary() -> None:
    for scopes in (("reports",), ("all",), ("audit",)):
        assert nation_refusal(reader(*scopes)) is None
    assert nation_refusal(reader("statements/write")) == "credential 'k' lacks the scope 'reports'"
    for bound in (reader("reports", role="unit_pengelola", instansi="KEMENKEU"), reader("all", nip=A)):
        assert (nation_refusal(bound) or "").endswith("not the national summary")
