"""The statement write path runs every rule whoever calls it: code, not only HTTP."""
from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from lrs.errors import InvalidStatement, NotAuthorized
from lrs.store.engine import reading
from lrs.store.tables import events
from lrs.vocabulary import VOIDED_VERB
from lrs.write.reference import default_authority
from lrs.write.statements import record_statements
from lrs.xapi import versions
from tests.fixtures.jp import claim, decision

LMS = default_authority("lms")


def _events(engine: Engine) -> int:
    with reading(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def test_a_rejection_without_its_reason_is_refused_from_code(engine: Engine) -> None:
    target = claim("NK_MENTORING", jp=2)
    record_statements(engine, [target], authority=LMS)
    before = _events(engine)
    with pytest.raises(InvalidStatement, match="reason"):
        record_statements(engine, [decision("rejected", target["id"], "198503032010011003")], authority=LMS)
    assert _events(engine) == before
    record_statements(engine, [decision("rejected", target["id"], "198503032010011003", reason="no log")],
                      authority=LMS)
    assert _events(engine) == before + 1


def test_a_statement_that_breaks_the_schema_is_refused_from_code_with_its_index(engine: Engine) -> None:
    good, bad = claim(), claim()
    del bad["verb"]["id"]
    with pytest.raises(InvalidStatement, match=r"statement\[1\].*verb"):
        record_statements(engine, [good, bad], authority=LMS)
    assert _events(engine) == 0


def test_a_duration_xapi_refuses_is_refused_from_code(engine: Engine) -> None:
    with pytest.raises(InvalidStatement, match="duration"):
        record_statements(engine, [claim(duration="PT")], authority=LMS)


def test_statements_are_prepared_for_their_version_from_code(engine: Engine) -> None:
    statement = claim(timestamp="2026-03-02T10:00:00+07:00")
    [statement_id] = record_statements(engine, [statement], authority=LMS, version=versions.V2)
    assert statement["id"] == statement_id
    assert statement["version"] == "2.0.0" and statement["timestamp"] == "2026-03-02T03:00:00Z"


def _voiding(target_id: str) -> dict[str, object]:
    return {"actor": {"mbox": "mailto:admin@example.go.id"}, "verb": {"id": VOIDED_VERB},
            "object": {"objectType": "StatementRef", "id": target_id}}


def test_only_the_credential_that_stored_a_statement_may_void_it(engine: Engine) -> None:
    target = claim("NK_MENTORING", jp=2)
    record_statements(engine, [target], authority=LMS)
    before = _events(engine)
    with pytest.raises(NotAuthorized, match=rf"statement\[0\] voids statement {target['id']}, which another credential"):
        record_statements(engine, [_voiding(target["id"])], authority=default_authority("colleague"))
    assert _events(engine) == before
    record_statements(engine, [_voiding(target["id"])], authority=LMS)
    assert _events(engine) == before + 1


def test_a_statement_not_stored_may_be_voided_and_one_in_the_same_batch(engine: Engine) -> None:
    unknown = "6f1c2c1e-7d0a-4e8e-9f57-0b1f3c6d2a10"
    record_statements(engine, [_voiding(unknown)], authority=default_authority("colleague"))
    target = claim("NK_MENTORING", jp=2)
    record_statements(engine, [target, _voiding(target["id"])], authority=LMS)
    assert _events(engine) == 3
