"""Roll-ups as sums (projections/rules/tallies.py): the summed parts of any set of figures read as
exactly what summarize() gives for them, for the nation, each instansi and each unit kerja, and a
changed figure moves a roll-up by (new - old) to what a sum from scratch gives."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.rules.jp import JpTotal, Line, Summary, jp_band, summarize
from projections.rules.tallies import (
    NATION, Scope, Tally, combine, contribution, has_month_forms, jp_by_month_form, scope_of, shown, summary_of,
)

INSTANSI = ("KEMENKEU", "KEMENDAGRI")
UNITS = ("Biro SDM", "Inspektorat", "")
STATUSES = ("counted", "pending", "rejected", "not_countable", "duplicate")
JP = st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(1), Decimal("2.25"), Decimal(9), Decimal(10),
                      Decimal(20), Decimal(45)])


@st.composite
def lines(draw: st.DrawFn, index: int) -> Line:
    instansi = draw(st.sampled_from((*INSTANSI, None)))
    status = draw(st.sampled_from(STATUSES))
    jp = draw(st.one_of(st.none(), JP))
    return Line(f"s{index}", index, draw(st.sampled_from(("KL_TEKNIS", "NK_MENTORING"))),
                date(2026, draw(st.integers(1, 12)), draw(st.integers(1, 28))),
                None if instansi is None else draw(st.sampled_from((*UNITS, None))), instansi, jp,
                draw(JP) if status == "counted" else Decimal(0), status, "", ("v1",), None, (),
                tuple(draw(st.lists(st.sampled_from(("INT", "KS", "TEK")), max_size=2, unique=True))))


@st.composite
def totals(draw: st.DrawFn, nip: str) -> tuple[JpTotal, str | None]:
    member = draw(st.booleans())
    instansi = draw(st.sampled_from(INSTANSI)) if member else None
    unit = draw(st.sampled_from((*UNITS, None))) if member else None
    drawn = [draw(lines(i)) for i in range(draw(st.integers(0, 4)))]
    target = draw(st.one_of(st.none(), st.sampled_from([Decimal(0), Decimal(20)])))
    counted = sum((line.jp_counted for line in drawn if line.status == "counted"), Decimal(0))
    status = draw(st.sampled_from(("PNS", "PPPK", None))) if member else None
    versions = tuple(sorted(draw(st.sets(st.sampled_from(("national.1", "overlay.2")), min_size=1))))
    item = JpTotal(nip, 2026, None, status, unit, instansi, counted, Decimal(0), {}, target,
                   None if target is None else counted >= target, "", versions,
                   tuple(replace(line, statement_id=f"{nip}-{line.statement_id}") for line in drawn))
    return item, draw(st.sampled_from(("fungsional", "pelaksana", None)))


def _expected(scope: Scope, figures: list[tuple[JpTotal, str | None]]) -> Summary:
    kind, instansi, unit = scope
    kinds = {t.nip: j for t, j in figures}
    if kind == "nation":
        members = [t for t, _ in figures if t.instansi is not None]
        return summarize(None, None, members, [t for t, _ in figures], jenis_jabatan=kinds)
    members = [t for t, _ in figures if t.instansi == instansi and (kind == "instansi" or (t.unit_kerja or "") == unit)]
    return summarize(instansi, unit if kind == "unit" else None, members, [t for t, _ in figures], jenis_jabatan=kinds)


def _sums(figures: list[tuple[JpTotal, str | None]]) -> dict[Scope, Tally]:
    found: dict[Scope, list[tuple[int, Tally]]] = {}
    for item, jenis in figures:
        for scope, tally in contribution(item, jenis).items():
            found.setdefault(scope, []).append((1, tally))
    return {scope: combine(signed) for scope, signed in found.items()}


SCOPES = [NATION, *(scope_of(i) for i in INSTANSI), *(scope_of(i, u) for i in INSTANSI for u in UNITS)]


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 6).flatmap(lambda n: st.tuples(*(totals(f"nip{i}") for i in range(n)))))
def test_summed_parts_read_as_summarize(drawn: tuple[tuple[JpTotal, str | None], ...]) -> None:
    figures = list(drawn)
    sums = _sums(figures)
    for scope in SCOPES:
        assert summary_of(scope, sums.get(scope, {})) == _expected(scope, figures), scope


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 6).flatmap(lambda n: st.tuples(*(totals(f"nip{i}") for i in range(n)))))
def test_summed_parts_keep_jp_by_month_and_form(drawn: tuple[tuple[JpTotal, str | None], ...]) -> None:
    sums = _sums(list(drawn))
    for instansi in INSTANSI:
        expected: dict[int, dict[str, Decimal]] = {}
        for item, _ in drawn:
            for line in item.lines:
                if line.status == "counted" and line.instansi == instansi:
                    forms = expected.setdefault(line.activity_date.month, {})
                    forms[line.form_code] = forms.get(line.form_code, Decimal(0)) + line.jp_counted
        tally = sums.get(scope_of(instansi), {})
        assert jp_by_month_form(tally) == expected and has_month_forms(tally)
    older = {name: value for name, value in sums.get(NATION, {}).items() if not name.startswith("month_form")}
    assert has_month_forms(older) == (not any(name.startswith("month.lines:") for name in older))


@settings(max_examples=100, deadline=None)
@given(st.tuples(totals("a"), totals("b"), totals("c")), totals("a"))
def test_a_changed_figure_moves_each_roll_up_by_its_difference(
    drawn: tuple[tuple[JpTotal, str | None], ...], changed: tuple[JpTotal, str | None],
) -> None:
    before = _sums(list(drawn))
    old, new = contribution(*drawn[0]), contribution(*changed)
    moved = {scope: combine([(1, before.get(scope, {})), (-1, old.get(scope, {})), (1, new.get(scope, {}))])
             for scope in SCOPES}
    after = _sums([changed, *drawn[1:]])
    assert {s: t for s, t in moved.items() if t} == {s: t for s, t in after.items() if s in SCOPES}


def test_a_roll_up_shows_when_it_has_members_or_credited_lines() -> None:
    line = Line("s", 1, "KL_TEKNIS", date(2026, 3, 1), "Biro SDM", "KEMENKEU", Decimal(3), Decimal(0),
                "rejected", "", ("v1",))
    moved_away = JpTotal("n", 2026, None, None, None, None, Decimal(0), Decimal(0), {}, None, None, "", (),
                         (line,))
    parts = contribution(moved_away, None)
    assert shown(parts[scope_of("KEMENKEU", "Biro SDM")]) and scope_of("KEMENDAGRI") not in parts
    assert summary_of(scope_of("KEMENKEU"), parts[scope_of("KEMENKEU")]).pegawai == 0


def test_jp_bands() -> None:
    assert [jp_band(Decimal(v)) for v in ("0", "0.5", "9.75", "10", "39.5", "40", "120")] == [
        "0", "1-9", "1-9", "10-19", "20-39", "40+", "40+"]
