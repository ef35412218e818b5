"""What the runner reads of the log: only events some projection may key (log.read_matching),
cut at a published policy, read ahead during long runs; the result never differs from folding
every event."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine

from lrs.write.reference import publish_policy, record_roster, trust_source
from lrs.write.statements import record_statements
from lrs.events import POLICY_PUBLISHED, ROSTER_RECORDED, STATEMENT_STORED, EventDraft
from lrs.read.jp import pegawai_jp
from lrs.read.values import to_json
from lrs.store import log
from lrs.store.engine import writing
from projections import runner
from projections.rules.policy import PolicySet
from tests.fixtures.jp import LMS, NIP_A, claim, roster_row

PASSED = "http://adlnet.gov/expapi/verbs/passed"
T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _append(engine: Engine, drafts: list[EventDraft]) -> None:
    with writing(engine) as conn:
        log.append(conn, drafts, T0)


def test_read_matching_selects_by_type_and_exact_text(engine: Engine) -> None:
    _append(engine, [
        EventDraft(STATEMENT_STORED, {"id": "a", "note": "50% off"}),
        EventDraft(STATEMENT_STORED, {"id": "b", "note": "5x off"}),      # '%' must not be a wildcard
        EventDraft(STATEMENT_STORED, {"id": "c", "note": "FIFTY% OFF"}),  # nor may case be ignored
        EventDraft(ROSTER_RECORDED, {"nip": "1"}),
        EventDraft(POLICY_PUBLISHED, {"policy_id": "p"}),
    ])
    with engine.connect() as conn:
        def seqs(after: int, until: int, wanted: dict[str, Any]) -> list[int]:
            return [e.seq for e in log.read_matching(conn, after=after, until=until, wanted=wanted)]

        assert seqs(0, 5, {STATEMENT_STORED: ['"50% off"']}) == [1]
        assert seqs(0, 5, {STATEMENT_STORED: ["% off", "5x"]}) == [1, 2]
        assert seqs(0, 5, {STATEMENT_STORED: ["FIFTY"], ROSTER_RECORDED: None}) == [3, 4]
        assert seqs(0, 5, {STATEMENT_STORED: ()}) == []
        assert seqs(1, 4, {STATEMENT_STORED: None, POLICY_PUBLISHED: None}) == [2, 3]
        assert seqs(0, 5, {}) == []


def _national_v2(*verbs: str) -> dict[str, Any]:
    """A store's own national version: the shipped one in force at T0, counting `verbs`."""
    document = copy.deepcopy(dict(PolicySet.of([]).national(T0.date())))
    document["version"] = "store-2"
    document["iris"]["counting_verbs"]["value"] = list(verbs)
    return document


def test_a_policy_counting_a_new_verb_applies_from_its_event_on(engine: Engine) -> None:
    """The runner reads with the counting verbs of the policies it knows; a batch that reaches
    a newly published policy ends there, so `passed` statements after it are read and counted
    by a rebuild in one big batch exactly as by live catch-up."""
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    before = claim("KL_TEKNIS", jp=3, verb=PASSED)
    record_statements(engine, [before], authority=LMS, now=T0)
    publish_policy(engine, _national_v2(PASSED), now=T0 + timedelta(seconds=1))
    after = [claim("KL_TEKNIS", jp=jp, verb=PASSED) for jp in (5, 7)]
    record_statements(engine, after, authority=LMS, now=T0 + timedelta(seconds=2))
    live = to_json(pegawai_jp(engine, NIP_A, 2026))
    # `before` was stored when `passed` did not count: it never enters the claims.
    assert live["jp_counted"] == 12
    assert {line["statement_id"] for line in live["lines"]} == {s["id"] for s in after}
    for batch in (1, 2, 10_000):
        runner.rebuild(engine, batch=batch)
        assert to_json(pegawai_jp(engine, NIP_A, 2026)) == live


@pytest.mark.parametrize("batch", [1, 3, 50])
def test_read_ahead_over_many_batches_equals_live(engine: Engine, batch: int) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    for jp in range(1, 9):
        record_statements(engine, [claim(jp=jp), claim(verb="http://adlnet.gov/expapi/verbs/experienced")],
                          authority=LMS)
    live = to_json(pegawai_jp(engine, NIP_A, 2026))
    assert live["jp_counted"] == sum(range(1, 9))
    progress: list[int] = []
    runner.rebuild(engine, batch=batch, on_batch=progress.append)
    assert progress == sorted(progress) and progress[-1] == 18
    assert to_json(pegawai_jp(engine, NIP_A, 2026)) == live
