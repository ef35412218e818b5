"""Bar charts drawn on the server as SVG (templates/_bars.html): the geometry from the figures.
Each bar carries its label and value as text, so the chart reads without colour."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from datetime import date
from typing import Callable, Iterable, Mapping, Sequence

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


def ordered_bars(items: Sequence[tuple[str, str, Decimal]]) -> list[Bar]:
    """One bar per (code, label, value) in the order given, zeros too (a histogram's buckets)."""
    top = max((value for _, _, value in items), default=Decimal(0))
    return [Bar(code, label, value, (value / top * LONGEST).quantize(Decimal("0.1")) if top > 0 else Decimal(0))
            for code, label, value in items]


PATTERNS = 6  # fills told apart without colour (templates/_stacked.html defines them)
ROW_LABEL = Decimal(12)  # % of a stacked chart's width before its bars: the row's label
BAR_SHARE = Decimal("0.85")  # of the rest, what the bars use: the longest then ends near 73%


@dataclass(frozen=True)
class Segment:
    code: str
    label: str
    value: Decimal
    start: Decimal  # % of the chart's width, from its left edge
    width: Decimal
    pattern: int  # 0..PATTERNS-1, the same for a form in every row and the legend


@dataclass(frozen=True)
class StackedRow:
    label: str
    total: Decimal
    width: Decimal  # where the last segment ends, % of the chart's width
    segments: tuple[Segment, ...]


OTHERS = ""  # the code of the segment that sums the forms past the patterns


def stacked(rows: Sequence[tuple[str, Mapping[str, Decimal]]], labels: Mapping[str, str], others: str = "") -> tuple[
        list[StackedRow], list[tuple[str, str, int]]]:
    """Rows of stacked bars (a month's JP by learning form), widths relative to the largest row,
    and the legend: (code, label, pattern) of every code, largest overall first. Past PATTERNS
    codes, the smallest are summed as one segment labelled `others`, so no two look alike."""
    overall: dict[str, Decimal] = {}
    for _, parts in rows:
        for code, value in parts.items():
            overall[code] = overall.get(code, Decimal(0)) + value
    codes = sorted((c for c, v in overall.items() if v > 0), key=lambda c: (-overall[c], labels.get(c, c)))
    if len(codes) > PATTERNS:
        kept, codes = set(codes[:PATTERNS - 1]), [*codes[:PATTERNS - 1], OTHERS]
        rows = [(label, {**{c: v for c, v in parts.items() if c in kept},
                         OTHERS: sum((v for c, v in parts.items() if c not in kept), Decimal(0))})
                for label, parts in rows]
        labels = {**labels, OTHERS: others}
    pattern = {code: index % PATTERNS for index, code in enumerate(codes)}
    top = max((sum(parts.values(), Decimal(0)) for _, parts in rows), default=Decimal(0))
    drawn = []
    for label, parts in rows:
        whole = sum(parts.values(), Decimal(0))
        start, segments = ROW_LABEL, []
        for code in codes:
            value = parts.get(code, Decimal(0))
            if value <= 0:
                continue
            width = (value / top * LONGEST * BAR_SHARE).quantize(Decimal("0.1")) if top > 0 else Decimal(0)
            segments.append(Segment(code, labels.get(code, code), value, start, width, pattern[code]))
            start += width
        drawn.append(StackedRow(label, whole, start, tuple(segments)))
    return drawn, [(code, labels.get(code, code), pattern[code]) for code in codes]


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
