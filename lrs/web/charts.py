"""Bar charts drawn on the server as SVG (templates/_bars.html): the geometry from the figures.
Each bar carries its label and value as text, so the chart reads without colour."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from datetime import date
from typing import Callable, Iterable, Mapping

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


def by_month(counted: Iterable[tuple[date, Decimal]], month_name: Callable[[date], str]) -> list[Bar]:
    """One bar per month with JP counted, in calendar order (not largest first: a year reads
    left to right), widths relative to the largest month; `month_name` labels a month's first day."""
    months: dict[date, Decimal] = {}
    for day, jp in counted:
        first = day.replace(day=1)
        months[first] = months.get(first, Decimal(0)) + jp
    shown = {first: value for first, value in months.items() if value > 0}
    if not shown:
        return []
    top = max(shown.values())
    return [Bar(first.isoformat()[:7], month_name(first), value, (value / top * LONGEST).quantize(Decimal("0.1")))
            for first, value in sorted(shown.items())]


@dataclass(frozen=True)
class Level:
    """One competency's required and assessed levels (1-5) as widths of a paired bar."""

    code: str
    label: str
    required: int | None
    assessed: int | None
    gap: int | None
    required_width: Decimal  # % of the chart's width
    assessed_width: Decimal


TOP_LEVEL = 5  # PermenPANRB 38/2017: levels 1 to 5


def levels(rows: Iterable[tuple[str, str, int | None, int | None, int | None]]) -> list[Level]:
    """Paired bars for (code, label, required, assessed, gap) rows that have a required or an
    assessed level, largest gap first, then by label."""
    def width(level: int | None) -> Decimal:
        return Decimal(0) if level is None else (Decimal(min(level, TOP_LEVEL)) / TOP_LEVEL * LONGEST).quantize(
            Decimal("0.1"))
    shown = [r for r in rows if r[2] is not None or r[3] is not None]
    ordered = sorted(shown, key=lambda r: (-(r[4] or 0), r[1]))
    return [Level(code, label, required, assessed, gap, width(required), width(assessed))
            for code, label, required, assessed, gap in ordered]
