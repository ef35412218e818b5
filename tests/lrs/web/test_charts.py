"""Chart geometry from the figures: pure."""
from __future__ import annotations

from decimal import Decimal

from lrs.web import charts
from lrs.web.charts import bars, share


def test_bars_largest_first_relative_to_the_largest() -> None:
    found = bars({"A": Decimal(4), "B": Decimal(8), "C": Decimal(0), "D": Decimal(4)},
                 {"A": "Zeta", "B": "Beta", "D": "Alpha"})
    assert [(b.code, b.label, b.value, b.width) for b in found] == [
        ("B", "Beta", 8, Decimal("72.0")), ("D", "Alpha", 4, Decimal("36.0")), ("A", "Zeta", 4, Decimal("36.0"))]
    assert bars({}, {}) == [] and bars({"A": Decimal(0)}, {}) == []
    assert bars({"X": Decimal(1)}, {})[0].label == "X"  # a form the policy does not name


def test_share_stays_within_the_bar() -> None:
    assert share(Decimal(5), Decimal(20)) == Decimal("25.0")
    assert share(Decimal(30), Decimal(20)) == 100
    assert share(Decimal(3), None) == 0 and share(Decimal(3), Decimal(0)) == 0


def test_ordered_bars_keep_the_buckets_order_and_their_zeros() -> None:
    drawn = charts.ordered_bars([("0", "0 JP", Decimal(2)), ("1-9", "1–9 JP", Decimal(0)),
                                 ("40+", "40+ JP", Decimal(4))])
    assert [(b.code, b.value, b.width) for b in drawn] == [("0", 2, Decimal("36.0")), ("1-9", 0, Decimal("0.0")),
                                                           ("40+", 4, Decimal("72.0"))]
    assert [b.width for b in charts.ordered_bars([("0", "0 JP", Decimal(0))])] == [0]


def test_stacked_rows_share_one_scale_and_one_pattern_per_form() -> None:
    rows, legend = charts.stacked([("Mar", {"A": Decimal(6), "B": Decimal(2)}), ("Apr", {"B": Decimal(2)})],
                                  {"A": "Klasikal", "B": "E-learning"})
    assert legend == [("A", "Klasikal", 0), ("B", "E-learning", 1)]  # largest overall first
    march, april = rows
    assert (march.label, march.total, april.total) == ("Mar", 8, 2)
    assert [(s.code, s.start, s.width, s.pattern) for s in march.segments] == [  # 6/8 and 2/8 of 72% of 85%
        ("A", charts.ROW_LABEL, Decimal("45.9"), 0), ("B", charts.ROW_LABEL + Decimal("45.9"), Decimal("15.3"), 1)]
    assert march.width == march.segments[-1].start + march.segments[-1].width
    assert [(s.code, s.pattern) for s in april.segments] == [("B", 1)]
    assert april.segments[0].width == Decimal("15.3")


def test_forms_past_the_patterns_are_summed_as_others_so_no_two_look_alike() -> None:
    forms = {f"F{i}": Decimal(10 - i) for i in range(8)}  # F0 10 JP ... F7 3 JP
    rows, legend = charts.stacked([("Mar", forms), ("Apr", {"F7": Decimal(1)})], {}, "Lainnya")
    assert legend == [*((f"F{i}", f"F{i}", i) for i in range(charts.PATTERNS - 1)), ("", "Lainnya", charts.PATTERNS - 1)]
    march, april = rows
    assert [(s.code, s.value) for s in march.segments][-1] == ("", Decimal(5 + 4 + 3))  # F5, F6, F7
    assert (march.total, [(s.code, s.value) for s in april.segments]) == (sum(forms.values()), [("", 1)])
    assert len({s.pattern for s in march.segments}) == len(march.segments)
