"""The pegawai lists (lrs/read/pegawai_list.py) on SQLite and PostgreSQL: filters, each sort,
cursor pages over ties, figures computed on read where none is stored, queued figures flagged,
and a pegawai who moved unit during the year."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from lrs.errors import BadRequest, NotAuthorized
from lrs.read.jp import summary
from lrs.read.pegawai_list import SORTS, ListQuery, PegawaiPage, pegawai_list
from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from projections import figures, runner
from projections.rules.jp import JpTotal
from tests.fixtures.jp import LMS, NIP_A, claim, roster_row
from tests.fixtures.readers import organisation


def nip(i: int) -> str:
    return f"1990010120201210{i:02d}"


# nip index -> (JP claimed in 2026, unit kerja, status, nama); None: no claim.
PEOPLE: dict[int, tuple[int | None, str, str, str]] = {
    1: (12, "Biro SDM", "PNS", "Dewi"), 2: (12, "Biro SDM", "PNS", "Agus"), 3: (12, "Inspektorat", "PPPK", "Citra"),
    4: (5, "Biro SDM", "PNS", "Budi"), 5: (5, "Inspektorat", "PNS", "Eko"), 6: (22, "Biro SDM", "PNS", "Fajar"),
    7: (None, "Inspektorat", "PNS", "Gita"), 8: (12, "Biro SDM", "PNS", "Hadi"),
}


@pytest.fixture
def kemenkeu(engine: Engine) -> Engine:
    """Eight pegawai of KEMENKEU (one with no claim, so no stored figure) and one of another instansi."""
    trust_source(engine, "lms")
    record_roster(engine, [roster_row(nip(i), unit_kerja=unit, status=status, nama=nama)
                           for i, (_, unit, status, nama) in PEOPLE.items()]
                  + [roster_row(nip(9), instansi="KEMENDIKDASMEN", unit_kerja="Biro Umum")])
    record_statements(engine, [claim(nip=nip(i), jp=jp) for i, (jp, *_) in PEOPLE.items() if jp is not None]
                      + [claim(nip=nip(9), jp=1)], authority=LMS)
    return engine


def _nips(page: PegawaiPage) -> list[int]:
    return [int(item.nip[-2:]) for item in page.items]


def _all(engine: Engine, query: ListQuery, instansi: str = "KEMENKEU") -> list[int]:
    """Every page of the list, following the cursors."""
    seen: list[int] = []
    cursor = None
    for _ in range(20):
        page = pegawai_list(engine, instansi, 2026, ListQuery(**{**query.__dict__, "cursor": cursor}))
        assert len(page.items) <= query.limit
        seen += _nips(page)
        if (cursor := page.next_cursor) is None:
            return seen
    raise AssertionError("the cursor never ended")


def test_sorts_by_jp_then_nip_in_either_direction(kemenkeu: Engine) -> None:
    page = pegawai_list(kemenkeu, "KEMENKEU", 2026)
    assert _nips(page) == [7, 4, 5, 1, 2, 3, 8, 6]
    assert [item.jp_counted for item in page.items][:3] == [Decimal(0), Decimal(5), Decimal(5)]
    assert _nips(pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort="-jp"))) == [6, 8, 3, 2, 1, 5, 4, 7]


def test_sorts_by_nama_and_nip(kemenkeu: Engine) -> None:
    assert _nips(pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort="nama"))) == [2, 4, 3, 1, 5, 6, 7, 8]
    assert _nips(pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort="-nama"))) == [8, 7, 6, 5, 1, 3, 4, 2]
    assert _nips(pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort="nip"))) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert _nips(pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort="-nip"))) == [8, 7, 6, 5, 4, 3, 2, 1]


@pytest.mark.parametrize("sort", ["jp", "-jp", "nama", "-nama", "nip", "-nip"])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_cursor_pages_give_the_whole_list_once_in_order(kemenkeu: Engine, sort: str, limit: int) -> None:
    whole = _nips(pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort=sort)))
    assert _all(kemenkeu, ListQuery(sort=sort, limit=limit)) == whole


def test_filters(kemenkeu: Engine) -> None:
    def listed(**filters: object) -> list[int]:
        return _all(kemenkeu, ListQuery(sort="nip", limit=2, **filters))  # type: ignore[arg-type]

    assert listed(target_met=True) == [6]
    assert listed(target_met=False) == [1, 2, 4, 5, 7, 8]  # PPPK (3) has no target: neither
    assert listed(status="PPPK") == [3]
    assert listed(unit_kerja="Inspektorat") == [3, 5, 7]
    assert listed(jp_below=Decimal("12")) == [4, 5, 7]
    assert listed(jp_below=Decimal("12.5"), unit_kerja="Biro SDM", target_met=False) == [1, 2, 4, 8]
    assert listed(status="CPNS") == []


def test_rows_say_what_a_dashboard_shows(kemenkeu: Engine) -> None:
    page = pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort="-jp", limit=1))
    first = page.items[0]
    assert (first.nip, first.nama, first.jp_counted, first.jp_pending, first.target_jp, first.target_met,
            first.unit_kerja, first.status, first.pending, first.computed) == (
        nip(6), "Fajar", Decimal(22), Decimal(0), Decimal(20), True, "Biro SDM", "PNS", False, False)
    with kemenkeu.connect() as conn:
        head = conn.execute(text("SELECT max(seq) FROM events")).scalar_one()
    assert (page.current_as_of, page.pending, page.computed) == (head, 0, 0)  # the year is rolled up: all stored


def test_a_member_without_a_stored_figure_is_computed_on_read(kemenkeu: Engine) -> None:
    # No claim of 2027 is stored: the year is not rolled up and nobody has a stored figure of it.
    with kemenkeu.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM jp_figures WHERE year = 2027")).scalar_one()
    assert stored == 0
    page = pegawai_list(kemenkeu, "KEMENKEU", 2027, ListQuery(unit_kerja="Inspektorat"))
    assert page.items and all(item.computed for item in page.items) and page.computed == len(page.items)
    gita = next(item for item in page.items if item.nip == nip(7))
    assert (gita.jp_counted, gita.target_met) == (0, False)


def test_a_queued_figure_is_listed_as_stored_and_flagged_pending(kemenkeu: Engine,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(figures, "refresh", lambda *args, **kwargs: 0)  # queued, not recomputed
        record_statements(kemenkeu, [claim(nip=nip(4), jp=10)], authority=LMS)
    page = pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort="nip"))
    budi = page.items[3]
    assert (budi.nip, budi.jp_counted, budi.pending) == (nip(4), 5, True)
    assert page.pending == 1 and [i.pending for i in page.items].count(True) == 1
    runner.catch_up(kemenkeu)
    page = pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort="nip"))
    assert (page.items[3].jp_counted, page.items[3].pending, page.pending) == (15, False, 0)


def test_a_pegawai_is_listed_where_they_are_on_the_last_day(engine: Engine) -> None:
    organisation(engine)  # A moves from Biro SDM to the Inspektorat on 1 July 2026
    a = NIP_A

    def units(unit: str | None, year: int = 2026) -> list[str]:
        return [item.nip for item in pegawai_list(engine, "KEMENKEU", year, ListQuery(unit_kerja=unit,
                                                                                     sort="nip")).items]

    assert a in units("Inspektorat") and a not in units("Biro SDM")
    assert a in units("Biro SDM", 2025) and a not in units("Inspektorat", 2025)
    row = next(item for item in pegawai_list(engine, "KEMENKEU", 2026).items if item.nip == a)
    assert row.unit_kerja == "Inspektorat"
    assert "KEMENDIKDASMEN" not in {item.unit_kerja for item in pegawai_list(engine, "KEMENKEU", 2026).items}


def test_a_move_waiting_in_the_queue_lists_the_new_unit_computed(kemenkeu: Engine,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(figures, "refresh", lambda *args, **kwargs: 0)  # queued, not recomputed
        record_roster(kemenkeu, [roster_row(nip(1), unit_kerja="Inspektorat", nama="Dewi",
                                            effective_from="2026-09-01")])
    inspektorat = pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(unit_kerja="Inspektorat", sort="nip")).items
    dewi = inspektorat[0]
    assert (dewi.nip, dewi.unit_kerja, dewi.jp_counted, dewi.computed) == (nip(1), "Inspektorat", 12, True)
    biro = pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(unit_kerja="Biro SDM", sort="nip")).items
    assert (biro[0].nip, biro[0].pending) == (nip(1), True)  # its stored figure, as last stored
    runner.catch_up(kemenkeu)
    biro = pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(unit_kerja="Biro SDM", sort="nip")).items
    assert nip(1) not in [item.nip for item in biro]


def test_as_of_computes_every_member(kemenkeu: Engine) -> None:
    page = pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort="-jp", limit=3), as_of="10")
    assert page.computed == 8 and page.current_as_of == 10  # the roster, no claim yet
    assert all(item.jp_counted == 0 and item.computed for item in page.items)


@pytest.mark.parametrize(("query", "message"), [
    (ListQuery(sort="jp_counted"), "sort 'jp_counted' is not one of"),
    (ListQuery(cursor="not a cursor"), "cursor 'not a cursor' is not one this list gave"),
])
def test_bad_sort_or_cursor_is_refused_by_name(kemenkeu: Engine, query: ListQuery, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        pegawai_list(kemenkeu, "KEMENKEU", 2026, query)


def test_a_cursor_serves_only_its_sort(kemenkeu: Engine) -> None:
    cursor = pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(limit=2)).next_cursor
    with pytest.raises(BadRequest, match="cursor was given for sort 'jp', not 'nama'"):
        pegawai_list(kemenkeu, "KEMENKEU", 2026, ListQuery(sort="nama", cursor=cursor))


def test_another_instansis_reader_is_refused(engine: Engine) -> None:
    org = organisation(engine)
    with pytest.raises(NotAuthorized):
        pegawai_list(engine, "KEMENDIKDASMEN", 2026, reader=org.reader("kemenkeu"))
    with pytest.raises(NotAuthorized):
        pegawai_list(engine, "KEMENKEU", 2026, ListQuery(unit_kerja="Biro SDM"), reader=org.reader("inspektorat"))
    assert pegawai_list(engine, "KEMENKEU", 2026, ListQuery(unit_kerja="Inspektorat"),
                        reader=org.reader("inspektorat")).items


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sort=st.sampled_from(SORTS), limit=st.integers(1, 4), met=st.sampled_from([None, True, False]),
       status=st.sampled_from([None, "PNS", "PPPK"]), below=st.sampled_from([None, Decimal(5), Decimal("12.5")]),
       unit=st.sampled_from([None, "Biro SDM", "Inspektorat"]))
def test_the_pages_are_the_summaries_members_filtered_and_sorted(
    kemenkeu: Engine, sort: str, limit: int, met: bool | None, status: str | None, below: Decimal | None,
    unit: str | None,
) -> None:
    members = [t for u in ("Biro SDM", "Inspektorat") if unit in (None, u)
               for t in summary(kemenkeu, "KEMENKEU", 2026, unit_kerja=u, limit=1000).items]
    wanted = [t for t in members if (met is None or t.target_met is met) and status in (None, t.status)
              and (below is None or t.jp_counted < below)]
    field = sort.lstrip("-")

    def key(t: JpTotal) -> tuple[object, ...]:
        return (t.jp_counted, t.nip) if field == "jp" else (t.nama, t.nip) if field == "nama" else (t.nip,)
    expected = [int(t.nip[-2:]) for t in sorted(wanted, key=key, reverse=sort.startswith("-"))]
    assert _all(kemenkeu, ListQuery(target_met=met, status=status, unit_kerja=unit, jp_below=below, sort=sort,
                                    limit=limit)) == expected
