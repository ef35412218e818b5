"""The one reader of ISO 8601 durations: what xAPI accepts, and minutes of learning."""
from __future__ import annotations

from decimal import Decimal

import pytest

from lrs.xapi.durations import is_duration, minutes_of, parse


@pytest.mark.parametrize("text, minutes", [
    ("PT45M", "45"), ("PT1H30M", "90"), ("P0Y0M0DT2H15M", "135"), ("PT1,5H", "90"), ("PT1.5H", "90"),
    ("P1W", "10080"), ("P1DT2H", "1560"), ("PT90S", "1.5"), ("PT0.5S", "0.01"), ("P0D", "0"),
])
def test_durations_convert_to_minutes(text: str, minutes: str) -> None:
    assert minutes_of(text) == Decimal(minutes)


@pytest.mark.parametrize("text", ["P1Y", "P2M", "P1Y2M3DT4H"])
def test_years_and_months_have_no_fixed_length_in_minutes(text: str) -> None:
    assert parse(text) is not None and parse(text).calendar  # type: ignore[union-attr]
    assert minutes_of(text) is None


@pytest.mark.parametrize("text", ["PT", "P", "P1W2D", "PT1H ", "1H", "P-1D", "PT1.H", "P1.5", "T1H", "PT1D"])
def test_what_xapi_refuses_is_not_a_duration(text: str) -> None:
    assert parse(text) is None
    assert not is_duration(text)
    assert minutes_of(text) is None


def test_the_schema_format_only_judges_strings() -> None:
    assert is_duration(5) and is_duration("PT5M")
