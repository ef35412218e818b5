"""The dashboard's read (lrs/read/dashboard.py) on SQLite and PostgreSQL: its unit rows are
/api/v1's summaries, and the histogram, months, gaps, waiting claims and the list below target
come from the same year's figures, at the log position it says."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from lrs.errors import BadRequest, NotAuthorized, NotFound
from lrs.read import dashboard
from lrs.read.credentials import Credential
from lrs.read.jp import summary
from lrs.read.recognitions import pending_validation
from lrs.store import figure_rows, read_models
from lrs.store.engine import reading
from tests.fixtures.dashboard import NIP_D, colleagues, corpu
from lrs.write.reference import default_authority, trust_source
from tests.fixtures.web import office
from lrs.write.statements import record_statements
from tests.fixtures.jp import LMS, ATTENDED, NIP_A, NIP_B, NIP_C, claim, decision


def _credential(key: str, scopes: tuple[str, ...]) -> Credential:
    return Credential(key, scopes, {"objectType": "Agent", "account": {"homePage": "x", "name": key}})


def test_units_and_the_whole_are_the_summaries_of_the_api(engine: Engine) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    board = dashboard.gather(engine, "KEMENKEU", 2026)
    page = summary(engine, "KEMENKEU", 2026)
    assert board.summary == page.summary
    assert [u.summary for u in board.units] == page.items
    assert [(u.summary.unit_kerja, u.below_target) for u in board.units] == [("Biro Keuangan", 1), ("Biro SDM", 2)]
    with reading(engine) as conn:
        assert board.position.seq == read_models.head_seq(conn) and board.position.as_of is None
    assert board.policy_in_force == ("id.asn.bangkom.national-default@1",)


def test_histogram_months_gaps_and_the_list_below_target(engine: Engine) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    board = dashboard.gather(engine, "KEMENKEU", 2026)
    # A 22 JP, B 5, C and D none.
    assert board.buckets == (("0", 2), ("1-9", 1), ("10-19", 0), ("20-39", 1), ("40+", 0))
    assert board.jp_by_month == {3: {"KL_TEKNIS": Decimal(17)}, 4: {"NK_ELEARNING": Decimal(10)}}
    assert sum(sum(m.values()) for m in board.jp_by_month.values()) == board.summary.jp_counted
    sdm = {g.code: (g.with_standard, g.with_gap, g.not_assessed) for g in board.gaps["Biro SDM"]}
    assert sdm == {"INT": (2, 1, 1), "TK.ANGGARAN": (2, 0, 1)}  # A and B are Analis; C is Kepala Biro
    assert [p.nip for p in board.below_target()] == [NIP_D, NIP_C, NIP_B]  # fewest JP first
    assert [p.nip for p in board.below_target(unit_kerja="Biro Keuangan")] == [NIP_D]
    assert [p.nip for p in board.below_target(search="budi")] == [NIP_B]
    assert board.below_target(status="PPPK") == []
    assert board.below_target()[2].missing_jp == 15


def test_claims_wait_per_atasan_with_their_age(engine: Engine) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    later = datetime.now(timezone.utc) + timedelta(days=10)
    board = dashboard.gather(engine, "KEMENKEU", 2026, now=later)
    [queue] = board.waiting()
    assert (queue.atasan_nip, queue.atasan_nama, queue.step, queue.claims, queue.jp_waiting, queue.oldest_days) == (
        NIP_C, "Dewi Lestari", "supervisor", 1, 4, 10)
    assert queue.waiting_since == (later - timedelta(days=10)).astimezone(timezone(timedelta(hours=7))).date()
    assert board.validation_queue is None


def test_as_of_shows_the_point_it_names(engine: Engine) -> None:
    found = corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    board = dashboard.gather(engine, "KEMENKEU", 2026, str(found["before_claim"]))
    assert (board.position.seq, board.position.as_of) == (found["before_claim"], str(found["before_claim"]))
    assert board.summary.jp_pending == 0 and board.waiting() == []
    assert board.summary == summary(engine, "KEMENKEU", 2026, as_of=str(found["before_claim"])).summary
    with pytest.raises(BadRequest):
        dashboard.gather(engine, "KEMENKEU", 2026, "10000")


def test_who_reads_it_and_which_instansi_a_reader_lists(engine: Engine) -> None:
    corpu(engine, "bpsdm", "nasional", "pegawai-a", "atasan-c")
    national, bpsdm = _credential("nasional", ("reports",)), _credential("bpsdm", ("statements/write",))
    assert dashboard.gather(engine, "KEMENKEU", 2026, reader=bpsdm).instansi == "KEMENKEU"
    for reader, instansi in ((bpsdm, "KEMENDAG"), (_credential("pegawai-a", ("statements/write",)), "KEMENKEU"),
                             (_credential("atasan-c", ("statements/write",)), "KEMENKEU")):
        with pytest.raises(NotAuthorized):
            dashboard.gather(engine, instansi, 2026, reader=reader)
    assert dashboard.instansi_list(engine, national) == ["KEMENDAG", "KEMENKEU"]
    assert dashboard.instansi_list(engine, bpsdm) == ["KEMENKEU"]
    assert dashboard.instansi_list(engine, _credential("pegawai-a", ("statements/write",))) == []
    with pytest.raises(NotFound):
        dashboard.gather(engine, "KEMENLU", 2026, reader=national)


def test_units_sort_by_any_column_either_way(engine: Engine) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    units = dashboard.gather(engine, "KEMENKEU", 2026).units
    assert [u.summary.unit_kerja for u in dashboard.sorted_units(units, "-jp")] == ["Biro SDM", "Biro Keuangan"]
    assert [u.summary.unit_kerja for u in dashboard.sorted_units(units, "share")] == ["Biro Keuangan", "Biro SDM"]
    assert [u.summary.unit_kerja for u in dashboard.sorted_units(units, "-unit")] == ["Biro SDM", "Biro Keuangan"]
    with pytest.raises(BadRequest):
        dashboard.sorted_units(units, "nama")


def test_claims_after_the_atasan_wait_for_the_unit_pengelola_as_the_api_lists_them(engine: Engine) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")
    assignment = claim("NK_DETASERING", nip=NIP_B, verb=ATTENDED, duration="PT6H",
                       timestamp="2026-05-04T10:00:00+07:00")
    record_statements(engine, [assignment], authority=default_authority("pegawai-b"))
    record_statements(engine, [decision("approved", assignment["id"], NIP_C)], authority=default_authority("atasan-c"))
    board = dashboard.gather(engine, "KEMENKEU", 2026)
    assert [(c.line.statement_id, c.awaiting) for c in pending_validation(engine, "KEMENKEU")] == [
        (assignment["id"], "unit_pengelola")]
    queue = board.validation_queue
    assert queue is not None and (queue.step, queue.jp_waiting, queue.claims) == ("unit_pengelola", 0, 1)  # its JP is the decision's
    assert [(q.atasan_nip, q.claims) for q in board.waiting()] == [(NIP_C, 1)]  # the mentoring still waits for C


def test_the_stored_rows_give_the_figures_the_facts_give(engine: Engine) -> None:
    office(engine, "pegawai-a", "atasan-c", "pegawai-b", "bpsdm")
    trust_source(engine, "lms")
    colleagues(engine)  # three more units, PNS and PPPK, jenis jabatan, assessments, a claim waiting
    record_statements(engine, [claim(jp=8, timestamp="2026-02-10T09:00:00+07:00")], authority=LMS)
    assignment = claim("NK_DETASERING", nip=NIP_B, verb=ATTENDED, duration="PT6H",
                       timestamp="2026-05-04T10:00:00+07:00")
    record_statements(engine, [assignment], authority=default_authority("pegawai-b"))
    record_statements(engine, [decision("approved", assignment["id"], NIP_C)], authority=default_authority("atasan-c"))
    later = datetime.now(timezone.utc) + timedelta(days=3)
    stored = dashboard.gather(engine, "KEMENKEU", 2026, now=later)
    computed = dashboard.gather(engine, "KEMENKEU", 2026, now=later, computed=True)
    assert stored.lister is not None and computed.lister is None  # read from the stored rows, every member not
    assert stored.pegawai == () and replace(stored, pegawai=computed.pegawai) == computed
    assert stored.waiting() == computed.waiting() and stored.waiting() and stored.validation_queue and len(stored.gaps) > 2 and len(stored.jp_by_month) > 5
    assert (stored.statuses, stored.kinds) == (computed.statuses, computed.kinds) and stored.kinds
    asked: list[dict[str, str]] = [{}, {"unit_kerja": "Biro SDM"}, {"status": "PNS"}, {"status": "PPPK"},
                                   *({"jenis_jabatan": kind} for kind in computed.kinds), {"search": "BUDI"}, {"search": NIP_C[-6:]},
                                   {"search": "%"}, {"unit_kerja": "Biro SDM", "search": "a"}]
    for filters in asked:
        assert stored.below_target(**filters) == computed.below_target(**filters), filters
        assert stored.below_target_page(limit=1, **filters) == computed.below_target_page(limit=1, **filters)
    assert [p.nip for p in stored.below_target(jenis_jabatan=computed.kinds[0])]  # the filter finds someone


def test_with_figures_waiting_the_page_reads_the_stored_rows_and_says_how_many_wait(engine: Engine) -> None:
    office(engine, "pegawai-a", "atasan-c", "pegawai-b", "bpsdm")
    trust_source(engine, "lms")
    record_statements(engine, [claim(jp=8, timestamp="2026-02-10T09:00:00+07:00")], authority=LMS)
    exact = dashboard.gather(engine, "KEMENKEU", 2026)
    assert exact.lister is not None and exact.waiting_figures == 0
    with engine.begin() as conn:  # as a policy's fan-out leaves them until the runner gets to them
        figure_rows.enqueue(conn, {(NIP_A, 2026): "test", (NIP_B, 2026): "test"}, exact.position.seq)
    waiting = dashboard.gather(engine, "KEMENKEU", 2026)
    assert waiting.lister is not None and waiting.waiting_figures == 2  # not folded from every member's facts
    assert (waiting.summary, waiting.units) == (exact.summary, exact.units)
