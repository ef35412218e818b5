"""Dates that decide a figure: the day a moment falls on in the policy's timezone, and the
reporting period (the policy's `period`) a day belongs to. Pure."""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import cache
from zoneinfo import ZoneInfo

CALENDAR_YEAR = "calendar_year"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def moment(timestamp: str) -> datetime:
    """An xAPI timestamp or stored time as an aware datetime (no offset: UTC)."""
    value = datetime.fromisoformat(timestamp.replace("Z", "+00:00").replace("z", "+00:00"))
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def day_of(timestamp: str | datetime, zone: str) -> date:
    """The calendar day a moment (an xAPI timestamp, or an aware datetime) falls on in timezone
    `zone` (the policy's `period.timezone`): learning at 23:30 WIB on 31 December is 31
    December, whatever offset the sender used."""
    value = moment(timestamp) if isinstance(timestamp, str) else timestamp
    return value.astimezone(_zone(zone)).date()


def period_of(period: str, day: date) -> int:
    """The reporting period (its year) a day belongs to."""
    if period != CALENDAR_YEAR:
        raise ValueError(f"unknown period type {period!r}")
    return day.year


def period_start(period: str, year: int) -> date:
    if period != CALENDAR_YEAR:
        raise ValueError(f"unknown period type {period!r}")
    return date(year, 1, 1)


def period_end(period: str, year: int) -> date:
    """The last day of period `year`: where a pegawai is counted and which target applies."""
    if period != CALENDAR_YEAR:
        raise ValueError(f"unknown period type {period!r}")
    return date(year, 12, 31)
