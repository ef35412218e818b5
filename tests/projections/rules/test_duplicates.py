"""One completion reported twice, from plain values: the policy's deduplication window, certificate
forms once per activity a period, suspected duplicates listed on the figures. No database, no log."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from projections.rules.facts import Claim, RosterEntry
from projections.rules.jp import Facts, JpTotal, total
from projections.rules.policy import PolicySet, Published, validate
from tests.fixtures.jp import ATTENDED, COMPLETED, overlay, target

NIP = "199001012020121001"
COURSE = "https://lms.example.go.id/course/anti-korupsi"
LEADERSHIP = "https://lan.example.go.id/pkp/2026"
ROW = RosterEntry(NIP, date(2020, 1, 1), "Siti", "PNS", "Analis", "Biro SDM", "KEMENKEU", None, None)


def sent(seq: int, time: str, *, activity: str = COURSE, form: str = "NK_ELEARNING", jp: str | None = "4",
         registration: str | None = None, verb: str = COMPLETED, day: str = "2026-03-02") -> Claim:
    """A claim stored as `seq`, happening at `time` (WIB) on `day`."""
    return Claim(f"s{seq}", seq, activity, registration, verb, form, None if jp is None else Decimal(jp),
                 Decimal(45), date.fromisoformat(day), f"{day}T{time}:00+07:00", "lms")


def year(claims: list[Claim], *sections: dict[str, Any], status: str = "PNS") -> JpTotal:
    """The pegawai's 2026 under the national default with an overlay (PNS target 25) over it."""
    document = overlay(**target(25))
    for section in sections:
        document.update(section)
    policies = PolicySet.of([Published(validate(document), 1)])
    row = RosterEntry(NIP, ROW.effective_from, ROW.nama, status, ROW.jabatan, ROW.unit_kerja, ROW.instansi,
                      None, None)
    return total(NIP, 2026, claims, [row], Facts(policies, frozenset({"lms"})))


def statuses(result: JpTotal) -> dict[str, str]:
    return {line.statement_id: line.status for line in result.lines}


def window(minutes: float) -> dict[str, Any]:
    return {"deduplication": {"window_minutes": {"value": minutes, "source": "test overlay"}}}


def test_the_same_course_sent_twice_a_minute_apart_counts_once() -> None:
    result = year([sent(1, "08:00", activity=LEADERSHIP, form="KL_STRUKTURAL", jp="18"),
                   sent(2, "10:00"), sent(3, "10:01")])
    assert (result.jp_counted, result.target_jp, result.target_met) == (22, 25, False)
    assert statuses(result) == {"s1": "counted", "s2": "counted", "s3": "duplicate"}
    duplicate = result.lines[2]
    assert duplicate.reason.startswith("the same completion as statement s2: same activity and verb within 30")
    [suspect] = result.suspected_duplicates
    assert (suspect.statement_ids, suspect.kept) == (("s2", "s3"), ("s2",))
    assert "2 statements report one completion" in suspect.reason


def test_a_third_send_outside_the_window_counts_and_is_listed_as_a_near_miss() -> None:
    result = year([sent(1, "08:00", activity=LEADERSHIP, form="KL_STRUKTURAL", jp="18"),
                   sent(2, "10:00"), sent(3, "10:01"), sent(4, "10:45")])
    assert (result.jp_counted, result.target_met) == (26, True)
    assert statuses(result)["s4"] == "counted"
    group, near = result.suspected_duplicates
    assert group.statement_ids == ("s2", "s3")
    assert (near.statement_ids, near.kept) == (("s2", "s4"), ("s2", "s4"))
    assert "45 min apart, but just outside the 30-minute window" in near.reason


def test_the_window_runs_from_the_first_report_of_a_completion() -> None:
    result = year([sent(1, "10:00"), sent(2, "10:20"), sent(3, "10:40"), sent(4, "10:50")])
    assert statuses(result) == {"s1": "counted", "s2": "duplicate", "s3": "counted", "s4": "duplicate"}
    assert "statement s3" in result.lines[3].reason
    assert result.jp_counted == 8


def test_far_apart_completions_of_one_course_are_neither_duplicates_nor_suspects() -> None:
    result = year([sent(1, "10:00", day="2026-03-02"), sent(2, "10:00", day="2026-09-01")])
    assert statuses(result) == {"s1": "counted", "s2": "counted"}
    assert result.suspected_duplicates == ()


def test_a_certificate_form_sent_twice_in_a_year_counts_once_whatever_the_registration() -> None:
    result = year([sent(1, "09:00", activity=LEADERSHIP, form="KL_FUNGSIONAL", jp="10", registration="r1"),
                   sent(2, "09:00", activity=LEADERSHIP, form="KL_FUNGSIONAL", jp="10", registration="r2",
                        day="2026-09-01")])
    assert result.jp_counted == 10
    assert statuses(result)["s2"] == "duplicate"
    assert "KL_FUNGSIONAL (per certificate) counts once per activity in a period" in result.lines[1].reason
    assert result.suspected_duplicates[0].statement_ids == ("s1", "s2")


def test_an_overlay_changes_the_window_and_what_counts_once() -> None:
    claims = [sent(1, "10:00"), sent(2, "10:01"), sent(3, "10:45")]
    assert statuses(year(claims, window(60))) == {"s1": "counted", "s2": "duplicate", "s3": "duplicate"}
    exact = year(claims, window(0))
    assert exact.jp_counted == 12
    assert [s.statement_ids for s in exact.suspected_duplicates] == [("s1", "s2"), ("s2", "s3")]
    every = {"deduplication": {"once_per_period": {"value": [], "source": "test overlay"}}}
    certificates = [sent(1, "09:00", form="KL_FUNGSIONAL", jp="10"),
                    sent(2, "09:00", form="KL_FUNGSIONAL", jp="10", day="2026-09-01")]
    assert year(certificates, every).jp_counted == 20


def test_the_same_registration_is_one_completion_at_any_time_and_different_ones_are_suspects() -> None:
    same = year([sent(1, "10:00", registration="r1"), sent(2, "15:00", registration="r1", day="2026-05-01")])
    assert statuses(same) == {"s1": "counted", "s2": "duplicate"}
    assert "same registration and activity" in same.lines[1].reason
    apart = year([sent(1, "10:00", registration="r1"), sent(2, "10:01", registration="r2")])
    assert statuses(apart) == {"s1": "counted", "s2": "counted"}
    [suspect] = apart.suspected_duplicates
    assert suspect.kept == ("s1", "s2") and "the registrations differ" in suspect.reason


def test_another_verb_within_the_window_counts_and_is_a_suspect() -> None:
    result = year([sent(1, "10:00"), sent(2, "10:05", verb=ATTENDED)])
    assert statuses(result) == {"s1": "counted", "s2": "counted"}
    assert "5 min apart, but the verbs differ" in result.suspected_duplicates[0].reason


def test_the_report_that_declares_jp_stands_for_the_completion() -> None:
    result = year([sent(1, "10:00", jp=None), sent(2, "10:01", jp="3")])
    assert statuses(result) == {"s1": "duplicate", "s2": "counted"}
    assert result.lines[0].reason.startswith("the same completion as statement s2")
    assert result.suspected_duplicates[0].kept == ("s2",)
