"""JP of a claim and of a pegawai's year from plain values: no database, no log."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lrs.xapi.durations import minutes_of
from projections.rules.facts import Claim, RosterEntry
from projections.rules.jp import Facts, JpTotal, jp_for, total
from projections.rules.policy import PolicySet

NIP = "199001012020121001"
POLICIES = PolicySet.of([])
ROW = RosterEntry(NIP, date(2020, 1, 1), "Siti", "PNS", "Analis", "Biro SDM", "KEMENKEU", None, None)


def claim(duration: str | None, *, form: str = "KL_TEKNIS", day: date = date(2026, 3, 2), seq: int = 1,
          key: str = "lms", jp: str | None = None) -> Claim:
    return Claim(f"id-{seq}", seq, f"https://lms.example.go.id/{seq}", f"reg-{seq}", "completed", form,
                 None if jp is None else Decimal(jp), minutes_of(duration), day, f"{day}T10:00:00+07:00", key)


@pytest.mark.parametrize("duration, jp", [
    ("P0Y0M0DT2H15M", "3"),   # 135 min / 45 = 3
    ("PT1,5H", "2"),          # 90 min / 45 = 2
    ("PT50M", "1"),           # 1.11, floored to the 0.5 step
    ("PT70M", "1.5"),
    ("P1W", "224"),
])
def test_durations_convert_to_jp_by_the_policy(duration: str, jp: str) -> None:
    policy = POLICIES.policy_in_force(date(2026, 3, 2))
    form = policy.form("KL_TEKNIS")
    assert form is not None
    value, why = jp_for(form, claim(duration), policy)
    assert value == Decimal(jp), why


def test_a_duration_in_months_gives_the_reason() -> None:
    policy = POLICIES.policy_in_force(date(2026, 3, 2))
    value, why = jp_for(policy.form("KL_TEKNIS"), claim("P1M"), policy)  # type: ignore[arg-type]
    assert value is None and "duration" in str(why) and why.code == "jp.no_duration"


def test_a_year_counts_trusted_claims_in_its_period_against_the_target() -> None:
    claims = [claim("PT15H", seq=1), claim("PT4H30M", seq=2, day=date(2026, 12, 31)),
              claim("PT9H", seq=3, day=date(2027, 1, 1)), claim("PT1H", seq=4, key="phone")]
    result = total(NIP, 2026, claims, [ROW], Facts(POLICIES, frozenset({"lms"})))
    assert (result.jp_counted, result.jp_pending) == (Decimal(26), Decimal("1"))  # 20 + 6; 1 waits
    assert result.target_jp == Decimal(20) and result.target_met is True
    assert [line.status for line in result.lines] == ["counted", "pending", "counted"]


def test_a_seminar_is_valued_by_the_shipped_default_in_force_on_its_date() -> None:
    """National default v1 converts a seminar's duration; v2, from 2027-01-01, prefers the JP
    its certificate states (the brief's corrected KL_SEMINAR rule)."""
    late_2026 = claim("PT6H", form="KL_SEMINAR", day=date(2026, 12, 31), jp="3", seq=1)
    early_2027 = claim("PT6H", form="KL_SEMINAR", day=date(2027, 1, 1), jp="3", seq=2)
    no_certificate_jp = claim("PT6H", form="KL_SEMINAR", day=date(2027, 1, 4), seq=3)
    facts = Facts(POLICIES, frozenset({"lms"}))
    old, new = (total(NIP, year, [late_2026, early_2027, no_certificate_jp], [ROW], facts) for year in (2026, 2027))
    assert [(line.jp, line.policy_versions) for line in old.lines] == [
        (Decimal(8), ("id.asn.bangkom.national-default@1",))]
    assert "min / 45 min per JP" in old.lines[0].reason
    assert [(line.jp, line.policy_versions) for line in new.lines] == [
        (Decimal(3), ("id.asn.bangkom.national-default@2",)), (Decimal(8), ("id.asn.bangkom.national-default@2",))]
    assert "JP declared by the statement" in new.lines[0].reason
    assert (old.policy_versions, new.policy_versions) == (
        ("id.asn.bangkom.national-default@1",), ("id.asn.bangkom.national-default@2",))


def _as(status: str, *jp: str) -> JpTotal:
    row = RosterEntry(NIP, date(2020, 1, 1), "Siti", status, "Analis", "Biro SDM", "KEMENKEU", None, None)
    claims = [claim(None, seq=seq, jp=value) for seq, value in enumerate(jp, 1)]
    return total(NIP, 2026, claims, [row], Facts(POLICIES, frozenset({"lms"})))


def test_a_pppk_over_the_ceiling_is_warned_and_keeps_every_jp() -> None:
    result = _as("PPPK", "20", "10")
    assert (result.jp_counted, result.target_met) == (30, None)
    [warning] = result.warnings
    assert warning.code == "max_jp_assigned_exceeded"
    assert warning.message.startswith("30 JP counted in 2026 is over the PPPK ceiling of 24 JP a year")
    assert "targets/PPPK/max_jp_assigned, id.asn.bangkom.national-default@1" in warning.message


def test_a_pppk_at_the_ceiling_and_a_pns_or_cpns_over_it_get_no_warning() -> None:
    assert _as("PPPK", "20", "4").warnings == ()
    assert _as("PNS", "20", "10").warnings == ()
    assert _as("CPNS", "20", "10").warnings == ()
