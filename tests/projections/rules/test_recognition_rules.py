"""Who may decide a claim (may_decide) and what decisions add up to (recognise): plain values."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from projections.rules.facts import Binding, Decision
from projections.rules.policy import Policy, PolicySet
from projections.rules.recognition import SUPERVISOR, UNIT_PENGELOLA, Context, Learner, may_decide, recognise

ATASAN, NEW_ATASAN, OTHER = "198503032010011003", "197001012000011001", "199202022020122002"
POLICY = PolicySet.of([]).policy_in_force(date(2026, 3, 1))
LEARNER = Learner("KEMENKEU", "Biro SDM", ATASAN,
                  lambda day: ATASAN if day < date(2026, 7, 1) else NEW_ATASAN)
VERIFIER = Binding("v", OTHER, "verifier", "KEMENKEU", "Biro SDM")
ELSEWHERE = Binding("w", OTHER, "verifier", "KEMENKEU", "Biro Umum")
PENGELOLA = Binding("p", None, "unit_pengelola", "KEMENKEU", None)


def with_supervisor_on(value: str) -> Policy:
    document = {**POLICY.document, "recognition": {**POLICY.document["recognition"],
                                                  "supervisor_on": {"value": value, "source": "test"}}}
    return Policy(document, POLICY.versions)


def test_the_atasan_on_the_activity_date_may_decide() -> None:
    assert may_decide(SUPERVISOR, ATASAN, [], LEARNER, date(2026, 8, 1), POLICY) is not None
    assert may_decide(SUPERVISOR, NEW_ATASAN, [], LEARNER, date(2026, 8, 1), POLICY) is None


def test_the_new_atasan_decides_only_where_the_policy_says_so() -> None:
    later = with_supervisor_on("activity_or_decision_date")
    assert "decision date" in str(may_decide(SUPERVISOR, NEW_ATASAN, [], LEARNER, date(2026, 8, 1), later) or "")
    assert may_decide(SUPERVISOR, NEW_ATASAN, [], LEARNER, date(2026, 6, 1), later) is None


def test_a_verifier_decides_for_their_unit_only() -> None:
    assert "verifier" in str(may_decide(SUPERVISOR, OTHER, [VERIFIER], LEARNER, date(2026, 8, 1), POLICY) or "")
    assert may_decide(SUPERVISOR, OTHER, [ELSEWHERE], LEARNER, date(2026, 8, 1), POLICY) is None
    assert may_decide(UNIT_PENGELOLA, OTHER, [VERIFIER], LEARNER, date(2026, 8, 1), POLICY) is None


def test_the_unit_pengelola_of_the_instansi_validates() -> None:
    assert may_decide(UNIT_PENGELOLA, None, [PENGELOLA], LEARNER, date(2026, 8, 1), POLICY) is not None
    assert may_decide(SUPERVISOR, None, [PENGELOLA], LEARNER, date(2026, 8, 1), POLICY) is None


def decision(seq: int, kind: str, key: str, decided_at: str, jp: str | None = None) -> Decision:
    return Decision(f"d{seq}", seq, "claim", kind, key, None, None, None, None if jp is None else Decimal(jp),
                    None, decided_at)


def test_the_decision_day_is_the_policy_timezones() -> None:
    # 30 June 23:30 UTC is 1 July 06:30 WIB: the new atasan's first day, under the later policy.
    later = with_supervisor_on("activity_or_decision_date")
    context = Context({"n": Binding("n", NEW_ATASAN, None, None, None)}, frozenset(), frozenset(), {})
    found = recognise(Decimal(2), "supervisor", LEARNER,
                      [decision(1, "approved", "n", "2026-06-30T23:30:00Z")], context, later)
    assert found.status == "validated" and found.jp == Decimal(2)


def test_decisions_add_up_per_step_latest_wins() -> None:
    context = Context({"a": Binding("a", ATASAN, None, None, None), "p": PENGELOLA}, frozenset(), frozenset(), {})
    decisions = [decision(1, "approved", "a", "2026-03-02T10:00:00+07:00", "3"),
                 decision(2, "validated", "p", "2026-03-03T10:00:00+07:00")]
    assert recognise(Decimal(4), "unit_pengelola", LEARNER, decisions[:1], context, POLICY).status == \
        "supervisor_approved"
    done = recognise(Decimal(4), "unit_pengelola", LEARNER, decisions, context, POLICY)
    assert (done.status, done.jp, done.order) == ("validated", Decimal(3), 2)
    rejected = recognise(Decimal(4), "supervisor", LEARNER,
                         [*decisions[:1], decision(3, "rejected", "a", "2026-03-04T10:00:00+07:00")], context, POLICY)
    assert rejected.status == "rejected"


def test_nobody_decides_their_own_claim() -> None:
    me = Learner("KEMENKEU", "Biro SDM", ATASAN, lambda day: ATASAN, OTHER)
    own_unit_verifier = Binding("v", OTHER, "verifier", "KEMENKEU", "Biro SDM")
    own_pengelola = Binding("p", OTHER, "unit_pengelola", "KEMENKEU", None)
    day = date(2026, 8, 1)
    assert may_decide(SUPERVISOR, OTHER, [own_unit_verifier], me, day, POLICY) is None
    assert may_decide(UNIT_PENGELOLA, OTHER, [own_pengelola], me, day, POLICY) is None
    assert may_decide(UNIT_PENGELOLA, None, [own_pengelola], me, day, POLICY) is None
    context = Context({"v": own_unit_verifier}, frozenset({"lms"}), frozenset({"https://siasn.bkn.go.id"}), {})
    by_verifier = recognise(Decimal(2), "supervisor", me, [decision(1, "approved", "v", "2026-08-01T10:00:00+07:00")],
                            context, POLICY)
    assert by_verifier.status == "submitted"
    assert "may not decide their own claim" in by_verifier.rulings[0].reason
    self_by_lms = Decision("d2", 2, "claim", "approved", "lms", "https://siasn.bkn.go.id", OTHER, None, None, None,
                           "2026-08-01T10:00:00+07:00")
    assert recognise(Decimal(2), "supervisor", me, [self_by_lms], context, POLICY).status == "submitted"
