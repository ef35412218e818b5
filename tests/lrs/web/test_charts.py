"""Chart geometry from the figures: pure."""
from __future__ import annotations

from decimal import Decimal

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
