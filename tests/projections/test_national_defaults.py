"""Shipped national default versions through the log and the reports: each is in force from its
effective_from without any event, so the seminar correction (v2, 2027-01-01) leaves the figures of
earlier activity dates as v1 made them, live and in an as-of replay."""
from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import Engine

from lrs.read.jp import pegawai_jp
from lrs.read.values import to_json
from lrs.store import read_models
from lrs.write.reference import publish_policy, record_roster, trust_source
from lrs.write.statements import record_statements
from projections.rules.policy import national_defaults
from tests.fixtures.jp import ATTENDED, LMS, NIP_A, claim, roster_row

V1, V2 = "id.asn.bangkom.national-default@1", "id.asn.bangkom.national-default@2"


def _seminars(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    record_statements(engine, [claim("KL_SEMINAR", verb=ATTENDED, jp=3, duration="PT6H", timestamp=day)
                               for day in ("2026-12-31T10:00:00+07:00", "2027-01-04T10:00:00+07:00")],
                      authority=LMS)


def _lines(engine: Engine, year: int, as_of: str | None = None) -> list[tuple[Any, ...]]:
    return [(line["jp"], line["policy_versions"]) for line in to_json(pegawai_jp(engine, NIP_A, year, as_of))["lines"]]


def test_a_seminar_is_valued_by_the_shipped_default_of_its_activity_date(engine: Engine) -> None:
    _seminars(engine)
    assert _lines(engine, 2026) == [(8, [V1])]  # 360 min / 45: v1 converts the attended duration
    assert _lines(engine, 2027) == [(3, [V2])]  # v2 prefers the certificate's JP
    with engine.connect() as conn:
        head = str(read_models.head_seq(conn))
    assert (_lines(engine, 2026, head), _lines(engine, 2027, head)) == ([(8, [V1])], [(3, [V2])])


def test_a_store_national_version_from_the_correction_date_keeps_its_own_rule(engine: Engine) -> None:
    _seminars(engine)
    own = copy.deepcopy(national_defaults()[0])
    own.update(version="store-1", effective_from="2027-01-01")
    done = publish_policy(engine, own)
    assert done.replacement.replaces == V2
    assert [str(c) for c in done.replacement.changes] == [
        "learning_forms/KL_SEMINAR/jp_rule/prefer_declared_jp: true -> false"]
    assert _lines(engine, 2027) == [(8, ["id.asn.bangkom.national-default@store-1"])]
    assert _lines(engine, 2026) == [(8, [V1])]
