"""Who reads which report, on the read side (lrs/read/access.py), on SQLite and PostgreSQL: the
read functions take the reading credential and refuse with NotAuthorized naming why."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from sqlalchemy import Engine

from lrs.errors import NotAuthorized, NotFound
from lrs.read.competencies import pegawai_profile, unit_gaps
from lrs.read.credentials import Credential
from lrs.read.jp import pegawai_jp, summary
from lrs.read.recognitions import claims_of, pending_for
from lrs.store import read_models
from lrs.store.engine import reading
from projections import runner
from tests.fixtures.jp import NIP_A, NIP_B, NIP_C
from tests.fixtures.readers import NIP_D, NIP_E, Org, organisation

PEGAWAI_READS: list[Callable[..., Any]] = [pegawai_jp, claims_of, pegawai_profile]


@pytest.fixture
def org(engine: Engine) -> Org:
    return organisation(engine)


def _reads(engine: Engine, reader: Credential, nip: str, year: int = 2026) -> bool:
    """Whether `reader` reads the pegawai's JP, claims and competencies (all three agree)."""
    found = set()
    for read in PEGAWAI_READS:
        try:
            read(engine, nip, year, reader=reader)
            found.add(True)
        except NotAuthorized:
            found.add(False)
    assert len(found) == 1, f"the pegawai reads disagree for {reader.key} on {nip}"
    return found.pop()


def test_the_operator_reads_everything(engine: Engine, org: Org) -> None:
    assert pegawai_jp(engine, NIP_E, 2026).jp_pending == 4
    assert summary(engine, "KEMENDIKDASMEN", 2026).count == 1


def test_a_persons_own_credential_reads_their_own_not_a_colleagues(engine: Engine, org: Org) -> None:
    assert _reads(engine, org.reader("pegawai-a"), NIP_A)
    assert not _reads(engine, org.reader("pegawai-a"), NIP_B)
    with pytest.raises(NotAuthorized, match=f"reads only the reports of {NIP_A} and of their bawahan: "
                                            f"in 2026, pegawai {NIP_B} is none of these"):
        pegawai_jp(engine, NIP_B, 2026, reader=org.reader("pegawai-a"))
    # Their own in any year, also one before the roster names them.
    assert _reads(engine, org.reader("pegawai-a"), NIP_A, 2019)


def test_a_reports_credential_bound_to_a_person_reads_only_that_person(engine: Engine, org: Org) -> None:
    assert _reads(engine, org.reader("pegawai-e"), NIP_E)
    assert not _reads(engine, org.reader("pegawai-e"), NIP_A)
    with pytest.raises(NotAuthorized):
        summary(engine, "KEMENDIKDASMEN", 2026, reader=org.reader("pegawai-e"))


def test_the_atasan_reads_a_bawahan_who_moved_away_for_that_year_only(engine: Engine, org: Org) -> None:
    atasan, new_atasan = org.reader("atasan-c"), org.reader("kepala-d")
    assert _reads(engine, atasan, NIP_A, 2026) and _reads(engine, atasan, NIP_B, 2026)
    assert not _reads(engine, atasan, NIP_A, 2027)
    assert _reads(engine, new_atasan, NIP_A, 2026) and _reads(engine, new_atasan, NIP_A, 2027)
    assert not _reads(engine, new_atasan, NIP_A, 2025) and not _reads(engine, new_atasan, NIP_B, 2026)
    assert not _reads(engine, org.reader("pegawai-a"), NIP_C)  # a bawahan does not read the atasan


def test_the_atasan_reads_their_own_pending_list_only(engine: Engine, org: Org) -> None:
    pending = pending_for(engine, NIP_C, reader=org.reader("atasan-c"))
    assert [(c.nip, c.line.statement_id) for c in pending] == [(NIP_A, org.claim_of_a)]
    for key in ("kepala-d", "pegawai-a", "kemenkeu"):
        with pytest.raises(NotAuthorized, match=f"the claims waiting for {NIP_C} are read by {NIP_C}'s own"):
            pending_for(engine, NIP_C, reader=org.reader(key))
    assert len(pending_for(engine, NIP_C, reader=org.reader("national"))) == 1


def test_a_verifier_reads_the_pegawai_and_summaries_of_their_unit(engine: Engine, org: Org) -> None:
    verifier = org.reader("verifier-sdm")
    assert _reads(engine, verifier, NIP_A, 2026) and _reads(engine, verifier, NIP_C, 2026)
    assert not _reads(engine, verifier, NIP_A, 2027) and not _reads(engine, verifier, NIP_D, 2026)
    assert summary(engine, "KEMENKEU", 2026, unit_kerja="Biro SDM", reader=verifier).count == 2
    assert unit_gaps(engine, "KEMENKEU", "Biro SDM", 2026, reader=verifier).pegawai == 2
    for unit in ("Inspektorat", None):
        with pytest.raises(NotAuthorized, match="verifier"):
            summary(engine, "KEMENKEU", 2026, unit_kerja=unit, reader=verifier)
    assert [c.line.statement_id for c in pending_for(engine, NIP_B, reader=verifier)] == [org.claim_of_a]


def test_an_instansi_credential_reads_its_instansi_only(engine: Engine, org: Org) -> None:
    kemenkeu = org.reader("kemenkeu")
    for nip in (NIP_A, NIP_B, NIP_C, NIP_D):
        assert _reads(engine, kemenkeu, nip)
    assert not _reads(engine, kemenkeu, NIP_E)
    assert summary(engine, "KEMENKEU", 2026, reader=kemenkeu).count == 2  # units
    assert unit_gaps(engine, "KEMENKEU", "Inspektorat", 2026, reader=kemenkeu).pegawai == 2
    with pytest.raises(NotAuthorized, match="not the summaries of instansi 'KEMENDIKDASMEN'"):
        summary(engine, "KEMENDIKDASMEN", 2026, reader=kemenkeu)
    with pytest.raises(NotAuthorized):
        unit_gaps(engine, "KEMENDIKDASMEN", "Biro Umum", 2026, reader=kemenkeu)


def test_a_unit_credential_reads_its_unit_and_who_was_in_it(engine: Engine, org: Org) -> None:
    unit = org.reader("inspektorat")
    assert _reads(engine, unit, NIP_A, 2026) and _reads(engine, unit, NIP_D, 2026)
    assert not _reads(engine, unit, NIP_A, 2025) and not _reads(engine, unit, NIP_B, 2026)
    assert summary(engine, "KEMENKEU", 2026, unit_kerja="Inspektorat", reader=unit).count == 2
    with pytest.raises(NotAuthorized, match="not the summaries of instansi 'KEMENKEU'"):
        summary(engine, "KEMENKEU", 2026, reader=unit)


def test_a_national_reports_credential_reads_everything(engine: Engine, org: Org) -> None:
    national = org.reader("national")
    for nip in (NIP_A, NIP_B, NIP_C, NIP_D, NIP_E):
        assert _reads(engine, national, nip)
    assert summary(engine, "KEMENDIKDASMEN", 2026, reader=national).count == 1
    with pytest.raises(NotFound):
        pegawai_jp(engine, "1", 2026, reader=national)


def test_refused_without_the_scope_or_the_person(engine: Engine, org: Org) -> None:
    with pytest.raises(NotAuthorized, match="credential 'lms' lacks the scope 'reports'"):
        pegawai_jp(engine, NIP_A, 2026, reader=org.reader("lms"))
    # A bound reader learns nothing of who is in the roster: 403, not 404.
    with pytest.raises(NotAuthorized):
        pegawai_jp(engine, "1", 2026, reader=org.reader("pegawai-a"))
    state_only = Credential("pegawai-a", ("state",), {})
    with pytest.raises(NotAuthorized, match=r"lacks the scope 'reports' \(or 'statements/write'"):
        pegawai_jp(engine, NIP_A, 2026, reader=state_only)


def test_access_is_judged_now_for_a_report_as_of_before_the_binding(engine: Engine, org: Org) -> None:
    """As of seq 1 no credential was bound yet; the credential bound since still reads as bound."""
    assert pegawai_jp(engine, NIP_A, 2026, "1", reader=org.reader("pegawai-a")).jp_pending == 0
    with pytest.raises(NotAuthorized):
        pegawai_jp(engine, NIP_B, 2026, "1", reader=org.reader("pegawai-a"))


def test_a_binding_not_folded_yet_is_read_from_the_log(engine: Engine, org: Org) -> None:
    """While the bindings projection is refolded (cleared, checkpoint 0), a bound credential
    does not pass for one bound to nobody."""
    pegawai, kemenkeu, atasan = org.reader("pegawai-a"), org.reader("kemenkeu"), org.reader("atasan-c")
    with read_models.projecting(engine) as conn:
        read_models.clear(conn, "bindings")
    with reading(engine) as conn:
        assert read_models.binding_of(conn, "pegawai-a") is None
    with pytest.raises(NotAuthorized):
        pegawai_jp(engine, NIP_B, 2026, reader=pegawai)
    with pytest.raises(NotAuthorized):
        summary(engine, "KEMENDIKDASMEN", 2026, reader=kemenkeu)
    assert _reads(engine, atasan, NIP_A)
    runner.catch_up(engine)
    with pytest.raises(NotAuthorized):
        pegawai_jp(engine, NIP_B, 2026, reader=pegawai)
