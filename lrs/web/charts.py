"""Bar charts drawn on the server as SVG (templates/_bars.html): the geometry from the figures.
Each bar carries its label and value as text, so the chart reads without colour."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

LONGEST = Decimal(72)  # % of the width the longest bar takes; the rest holds its value


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    value: Decimal
    width: Decimal  # % of the chart's width


def bars(figures: Mapping[str, Decimal], labels: Mapping[str, str]) -> list[Bar]:
    """One bar per figure above zero, largest first (ties by label), widths relative to the largest."""
    shown = [(code, value) for code, value in figures.items() if value > 0]
    if not shown:
        return []
    top = max(value for _, value in shown)
    ordered = sorted(shown, key=lambda item: (-item[1], labels.get(item[0], item[0])))
    return [Bar(code, labels.get(code, code), value, (value / top * LONGEST).quantize(Decimal("0.1")))
            for code, value in ordered]


def share(part: Decimal, whole: Decimal | None) -> Decimal:
    """`part` as a % of `whole`, within 0..100 (0 when there is no whole)."""
    if not whole or whole <= 0:
        return Decimal(0)
    return min(Decimal(100), max(Decimal(0), part / whole * 100)).quantize(Decimal("0.1"))
