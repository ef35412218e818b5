"""ISO 8601 durations as xAPI takes them (ISO 8601:2004 4.4.3.2): the one reader, for the
statement schema's `duration` format and for converting a duration to minutes of learning.

`P[nY][nM][nD][T[nH][nM][nS]]` with at least one element (and at least one after T), or `PnW`
alone; any element may carry a decimal fraction with `.` or `,`. Stricter than general ISO
readers, which accept `PT` or `P1W2D`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_NUMBER = r"[0-9]+(?:[.,][0-9]+)?"
_GRAMMAR = re.compile(
    rf"P(?:(?=[0-9]|T[0-9])(?:(?P<years>{_NUMBER})Y)?(?:(?P<months>{_NUMBER})M)?(?:(?P<days>{_NUMBER})D)?"
    rf"(?:T(?=[0-9])(?:(?P<hours>{_NUMBER})H)?(?:(?P<minutes>{_NUMBER})M)?(?:(?P<seconds>{_NUMBER})S)?)?"
    rf"|(?P<weeks>{_NUMBER})W)"
)
_MINUTES = {"weeks": Decimal(10080), "days": Decimal(1440), "hours": Decimal(60), "minutes": Decimal(1),
            "seconds": Decimal(1) / Decimal(60)}


@dataclass(frozen=True)
class Duration:
    years: Decimal = Decimal(0)
    months: Decimal = Decimal(0)
    weeks: Decimal = Decimal(0)
    days: Decimal = Decimal(0)
    hours: Decimal = Decimal(0)
    minutes: Decimal = Decimal(0)
    seconds: Decimal = Decimal(0)

    @property
    def calendar(self) -> bool:
        """True when it names years or months, whose length in minutes depends on the calendar."""
        return bool(self.years or self.months)

    def total_minutes(self) -> Decimal | None:
        """Its length in minutes (a week is 7 days, a day 24 hours), to the hundredth; None when
        it names years or months."""
        if self.calendar:
            return None
        total = sum((getattr(self, name) * factor for name, factor in _MINUTES.items()), Decimal(0))
        return total.quantize(Decimal("0.01"))


def parse(text: str) -> Duration | None:
    """The duration `text` names, or None when it is not an xAPI duration."""
    match = _GRAMMAR.fullmatch(text)
    if match is None:
        return None
    return Duration(**{k: Decimal(v.replace(",", ".")) for k, v in match.groupdict().items() if v is not None})


def is_duration(value: object) -> bool:
    """The schema's `duration` format: only strings are constrained (`type` reports the rest)."""
    return not isinstance(value, str) or parse(value) is not None


def minutes_of(text: str | None) -> Decimal | None:
    """Minutes of learning a duration names, or None (none, not a duration, or years/months)."""
    found = parse(text) if text else None
    return None if found is None else found.total_minutes()
