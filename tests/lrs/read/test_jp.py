"""Table tests from the domain brief's rules, through the write side and the projections, on
SQLite and PostgreSQL: each learning form, caps, voids, duplicates, a unit move, policy changes,
the PPPK ceiling."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine

from lrs.write.reference import publish_policy, record_roster, trust_source
from lrs.write.statements import record_statements
from lrs.read.jp import pegawai_jp, summary
from tests.fixtures.jp import (
    ATTENDED, LMS, NIP_A, NIP_B, PHONE, claim, overlay, roster_row, target, void,
)


@dataclass
class Case:
    statements: list[dict[str, Any]]
    counted: float
    pending: float = 0
    by_form: dict[str, float] = field(default_factory=dict)
    authority: dict[str, Any] = field(default_factory=lambda: LMS)
    policies: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None  # a fragment of some line's reason


SAME_REG = "11111111-1111-4111-8111-111111111111"
COURSE = "https://lms.example.go.id/course/anti-korupsi"
CAP = {"learning_forms": {"NK_ELEARNING": {"annual_cap_jp": {"value": 10, "source": "test cap"}}}}
SESSION_JP = {"learning_forms": {"NK_COACHING": {"jp_rule": {"per": "session",
                                 "jp_per_unit": {"value": 2, "source": "test SE"}}}}}

CASES = {
    "certificate JP counts as declared (KL_STRUKTURAL, auto, trusted)":
        Case([claim("KL_STRUKTURAL", jp=30)], 30, by_form={"KL_STRUKTURAL": 30}),
    "certificate without JP is not countable, never derived":
        Case([claim("KL_FUNGSIONAL", duration="PT10H")], 0, reason="certificate JP is missing"),
    "per hour: minutes / 45 floored to 0.5 (KL_TEKNIS without certificate JP)":
        Case([claim("KL_TEKNIS", duration="PT100M")], 2, by_form={"KL_TEKNIS": 2}),
    "per hour prefers the declared JP":
        Case([claim("KL_TEKNIS", jp=8, duration="PT100M")], 8),
    "e-learning uses course JP":
        Case([claim("NK_ELEARNING", jp=4)], 4, by_form={"NK_ELEARNING": 4}),
    "e-learning without JP falls back to time on task":
        Case([claim("NK_ELEARNING", duration="PT1H30M")], 2),
    "auto form from an untrusted credential waits like nonformal":
        Case([claim("NK_ELEARNING", jp=4)], 0, pending=4, authority=PHONE, reason="trusted source"),
    "coaching needs the atasan: pending, minutes at the synchronous unit":
        Case([claim("NK_COACHING", verb=ATTENDED, duration="PT90M")], 0, pending=2, reason="supervisor"),
    "coaching per session when an overlay sets JP per session":
        Case([claim("NK_COACHING", verb=ATTENDED, duration="PT90M")], 0, pending=2,
             policies=[overlay(**SESSION_JP)], reason="2 JP per session"),
    "seminar (classical) still needs the supervisor":
        Case([claim("KL_SEMINAR", verb=ATTENDED, duration="PT6H")], 0, pending=8),
    "secondment has no default JP: not countable with the reason":
        Case([claim("NK_DETASERING", duration="PT40H")], 0, reason="jp_per_unit is null"),
    "degree study is recorded, 0 JP":
        Case([claim("EDU_TB", jp=100)], 0, reason="not counted by default"),
    "unknown learning form is not countable":
        Case([claim("XX_UNKNOWN", jp=3)], 0, reason="not in the policy"),
    "a verb that does not count is ignored":
        Case([claim("KL_TEKNIS", jp=3, verb="http://adlnet.gov/expapi/verbs/launched")], 0),
    "the same completion twice (registration + activity) counts once":
        Case([claim("KL_TEKNIS", jp=6, registration=SAME_REG, activity=COURSE),
              claim("KL_TEKNIS", jp=6, registration=SAME_REG, activity=COURSE)], 6,
             reason="the same completion"),
    "an annual cap per form: overflow shown, not counted":
        Case([claim("NK_ELEARNING", jp=6), claim("NK_ELEARNING", jp=6, timestamp="2026-04-01T09:00:00+07:00")],
             10, policies=[overlay(**CAP)], reason="over the annual cap"),
    "activity date is the Asia/Jakarta date: 31 Dec 20:00 UTC is next year":
        Case([claim("KL_TEKNIS", jp=5, timestamp="2025-12-31T20:00:00+00:00")], 5),
    "activity in another year does not count":
        Case([claim("KL_TEKNIS", jp=5, timestamp="2025-12-31T16:00:00+07:00")], 0),
}


def _setup(engine: Engine, case: Case) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    for document in case.policies:
        publish_policy(engine, document)
    for statement in case.statements:
        record_statements(engine, [statement], authority=case.authority)


@pytest.mark.parametrize("name", list(CASES))
def test_jp_rule(engine: Engine, name: str) -> None:
    case = CASES[name]
    _setup(engine, case)
    result = pegawai_jp(engine, NIP_A, 2026)
    assert float(result.jp_counted) == case.counted
    assert float(result.jp_pending) == case.pending
    if case.by_form:
        assert {k: float(v) for k, v in result.jp_by_form.items()} == case.by_form
    if case.reason:
        assert any(case.reason in line.reason for line in result.lines), [x.reason for x in result.lines]
    assert "id.asn.bangkom.national-default@1" in result.policy_versions


def test_voided_statement_drops_out_and_the_void_may_come_first(engine: Engine) -> None:
    _setup(engine, Case([], 0))
    kept, voided, early = claim(jp=5), claim(jp=7), claim(jp=9)
    record_statements(engine, [kept, voided], authority=LMS)
    record_statements(engine, [void(voided["id"]), void(early["id"])], authority=LMS)
    record_statements(engine, [early], authority=LMS)
    result = pegawai_jp(engine, NIP_A, 2026)
    assert result.jp_counted == 5
    assert [line.statement_id for line in result.lines] == [kept["id"]]


def test_target_met_and_explained(engine: Engine) -> None:
    _setup(engine, Case([claim(jp=12), claim("KL_STRUKTURAL", jp=8)], 0))
    result = pegawai_jp(engine, NIP_A, 2026)
    assert (result.jp_counted, result.target_jp, result.target_met) == (20, 20, True)
    assert all(line.policy_versions == ("id.asn.bangkom.national-default@1",) for line in result.lines)


def test_status_without_a_target_has_no_compliance_flag(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row(status="PPPK")])
    record_statements(engine, [claim(jp=30)], authority=LMS)
    result = pegawai_jp(engine, NIP_A, 2026)
    assert (result.target_jp, result.target_met) == (None, None)
    assert "no target for status PPPK" in result.target_reason


def test_policy_change_at_a_year_boundary(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    publish_policy(engine, overlay(effective_from="2026-01-01", **target(30)))
    record_statements(engine, [claim(jp=25, timestamp="2025-06-01T10:00:00+07:00"),
                               claim(jp=25, timestamp="2026-06-01T10:00:00+07:00")], authority=LMS)
    old, new = pegawai_jp(engine, NIP_A, 2025), pegawai_jp(engine, NIP_A, 2026)
    assert (old.target_jp, old.target_met) == (20, True)
    assert (new.target_jp, new.target_met) == (30, False)
    assert "overlay.kemenkeu@1" in new.policy_versions and "overlay.kemenkeu@1" not in old.policy_versions


def test_mid_year_unit_move_credits_jp_where_done_and_status_at_year_end(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row(), roster_row(unit_kerja="Inspektorat", effective_from="2026-07-01"),
                           roster_row(NIP_B)])
    record_statements(engine, [claim(jp=12, timestamp="2026-03-01T10:00:00+07:00"),
                               claim(jp=10, timestamp="2026-09-01T10:00:00+07:00"),
                               claim(jp=3, nip=NIP_B)], authority=LMS)
    result = pegawai_jp(engine, NIP_A, 2026)
    assert [line.unit_kerja for line in result.lines] == ["Biro SDM", "Inspektorat"]
    assert result.unit_kerja == "Inspektorat"
    page = summary(engine, "KEMENKEU", 2026)
    units = {u.unit_kerja: u for u in page.items}
    assert (units["Inspektorat"].pegawai, units["Inspektorat"].target_met) == (1, 1)
    assert (units["Biro SDM"].pegawai, units["Biro SDM"].target_met) == (1, 0)
    assert page.summary.share_met == pytest.approx(0.5)


def test_mbox_actor_is_matched_through_the_roster(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_statements(engine, [claim(jp=4, mbox="mailto:siti@kemenkeu.go.id")], authority=LMS)
    record_roster(engine, [roster_row(mbox="mailto:siti@kemenkeu.go.id")])
    assert pegawai_jp(engine, NIP_A, 2026).jp_counted == 4


def test_as_of_a_seq_and_a_time_replays_what_was_known(engine: Engine) -> None:
    from datetime import datetime, timezone

    trust_source(engine, "lms", now=datetime(2025, 12, 1, tzinfo=timezone.utc))
    record_roster(engine, [roster_row()], now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    record_statements(engine, [claim(jp=4)], authority=LMS, now=datetime(2026, 3, 1, tzinfo=timezone.utc))
    record_statements(engine, [claim(jp=6)], authority=LMS, now=datetime(2026, 5, 1, tzinfo=timezone.utc))
    assert pegawai_jp(engine, NIP_A, 2026, as_of="3").jp_counted == 4
    assert pegawai_jp(engine, NIP_A, 2026, as_of="2026-04-01T00:00:00Z").jp_counted == 4
    assert pegawai_jp(engine, NIP_A, 2026).jp_counted == 10


LEADERSHIP = "https://lan.example.go.id/pkp/2026"


def _sent(time: str, jp: float = 4, **kwargs: Any) -> dict[str, Any]:
    """The e-learning course, sent by an LMS without a registration, at `time` WIB on 2 March."""
    return claim("NK_ELEARNING", jp=jp, activity=COURSE, registered=False,
                 timestamp=f"2026-03-02T{time}:00+07:00", **kwargs)


def _a_pegawai_at_22_jp(engine: Engine, *policies: dict[str, Any]) -> None:
    """Issue 11: 18 JP of leadership training and a 4 JP course; the target is 25 JP."""
    _setup(engine, Case([], 0, policies=[overlay(**target(25)), *policies]))
    record_statements(engine, [claim("KL_STRUKTURAL", jp=18, activity=LEADERSHIP)], authority=LMS)


def test_the_same_course_sent_twice_a_minute_apart_counts_once(engine: Engine) -> None:
    _a_pegawai_at_22_jp(engine)
    first, again = _sent("10:00"), _sent("10:01")
    record_statements(engine, [first], authority=LMS)
    record_statements(engine, [again], authority=LMS)
    result = pegawai_jp(engine, NIP_A, 2026)
    assert (result.jp_counted, result.target_met) == (22, False)
    line = next(x for x in result.lines if x.statement_id == again["id"])
    assert line.status == "duplicate" and f"the same completion as statement {first['id']}" in line.reason
    [suspect] = result.suspected_duplicates
    assert (suspect.statement_ids, suspect.kept) == ((first["id"], again["id"]), (first["id"],))


def test_a_third_send_outside_the_window_counts_and_is_a_suspect(engine: Engine) -> None:
    _a_pegawai_at_22_jp(engine)
    first, again, later = _sent("10:00"), _sent("10:01"), _sent("10:45")
    record_statements(engine, [first, again, later], authority=LMS)
    result = pegawai_jp(engine, NIP_A, 2026)
    assert (result.jp_counted, result.target_met) == (26, True)
    assert [s.statement_ids for s in result.suspected_duplicates] == [(first["id"], again["id"]),
                                                                      (first["id"], later["id"])]
    assert "just outside the 30-minute window" in result.suspected_duplicates[1].reason


def test_a_certificate_form_sent_twice_in_a_year_counts_once(engine: Engine) -> None:
    _setup(engine, Case([], 0))
    march = claim("KL_FUNGSIONAL", jp=10, activity=LEADERSHIP)
    september = claim("KL_FUNGSIONAL", jp=10, activity=LEADERSHIP, timestamp="2026-09-01T10:00:00+07:00")
    record_statements(engine, [march, september], authority=LMS)
    result = pegawai_jp(engine, NIP_A, 2026)
    assert result.jp_counted == 10
    assert [line.status for line in result.lines] == ["counted", "duplicate"]
    assert "counts once per activity in a period" in result.lines[1].reason


def test_an_overlay_changing_the_window_applies(engine: Engine) -> None:
    hour = {"deduplication": {"window_minutes": {"value": 60, "source": "the LMS resends for an hour"}}}
    _a_pegawai_at_22_jp(engine, overlay(version="2", **target(25), **hour))
    record_statements(engine, [_sent("10:00"), _sent("10:01"), _sent("10:45")], authority=LMS)
    result = pegawai_jp(engine, NIP_A, 2026)
    assert (result.jp_counted, result.target_met) == (22, False)
    assert [line.status for line in result.lines].count("duplicate") == 2
    assert "overlay.kemenkeu@2" in result.policy_versions


def test_a_pppk_over_the_ceiling_is_warned_and_keeps_the_jp(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row(status="PPPK"), roster_row(NIP_B)])
    record_statements(engine, [claim(jp=20), claim(jp=10), claim(jp=20, nip=NIP_B), claim(jp=10, nip=NIP_B)],
                      authority=LMS)
    pppk, pns = pegawai_jp(engine, NIP_A, 2026), pegawai_jp(engine, NIP_B, 2026)
    assert (pppk.jp_counted, pppk.target_met) == (30, None)
    assert [(w.code, w.message[:55]) for w in pppk.warnings] == [
        ("max_jp_assigned_exceeded", "30 JP counted in 2026 is over the PPPK ceiling of 24 JP")]
    assert (pns.jp_counted, pns.target_met, pns.warnings) == (30, True, ())
