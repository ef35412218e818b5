"""The day of a moment in the policy's timezone, and the reporting period: plain values."""
from __future__ import annotations

from datetime import date

import pytest

from projections.rules import dates
from projections.rules.policy import PolicySet


@pytest.mark.parametrize("timestamp, day", [
    ("2026-12-31T16:30:00Z", date(2026, 12, 31)),        # 23:30 WIB
    ("2026-12-31T17:30:00Z", date(2027, 1, 1)),          # 00:30 WIB
    ("2027-01-01T00:30:00+07:00", date(2027, 1, 1)),
    ("2027-01-01T01:30:00+08:00", date(2027, 1, 1)),     # 00:30 WIB sent from WITA
    ("2026-12-31T19:00:00-05:00", date(2027, 1, 1)),     # the sender's own date is 31 Dec
    ("2026-12-31T17:30:00", date(2027, 1, 1)),           # no offset: UTC
])
def test_the_day_is_the_policy_timezones(timestamp: str, day: date) -> None:
    assert dates.day_of(timestamp, "Asia/Jakarta") == day


def test_the_national_policy_sets_the_period_and_its_timezone() -> None:
    policies = PolicySet.of([])
    policy = policies.policy_in_force(date(2026, 6, 1))
    assert policy.timezone == "Asia/Jakarta"
    assert policy.day_of("2026-12-31T17:30:00Z") == date(2027, 1, 1)
    assert policies.period_end(2026) == date(2026, 12, 31)
    assert policies.period_start(2026) == date(2026, 1, 1)
    assert policies.period_of(date(2027, 1, 1)) == 2027


def test_an_unknown_period_type_is_refused() -> None:
    with pytest.raises(ValueError, match="fiscal"):
        dates.period_end("fiscal_year", 2026)


def test_a_stored_time_near_midnight_is_dated_in_the_policy_timezone() -> None:
    from datetime import datetime, timezone

    policies = PolicySet.of([])
    assert policies.day_of(datetime(2026, 12, 31, 16, 59, tzinfo=timezone.utc)) == date(2026, 12, 31)
    assert policies.day_of(datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc)) == date(2027, 1, 1)
