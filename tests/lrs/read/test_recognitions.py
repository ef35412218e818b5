"""Recognition of nonformal learning, as sequences of statements through the write side and the
projections, on SQLite and PostgreSQL: who may decide, what a decision does, caps in the order
decisions were made, the unit pengelola step, and the lists."""
from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.write.reference import create_credential, default_authority
from lrs.cli import main
from lrs.write.reference import publish_policy, record_roster
from lrs.write.statements import record_statements
from lrs.errors import BadRequest
from lrs.read.recognitions import claims_of, pending_for
from lrs.read.jp import pegawai_jp
from lrs.read.values import to_json
from projections import runner
from tests.fixtures.jp import NIP_A, NIP_B, NIP_C, claim, decision, overlay, roster_row, void

MENTORING = "NK_MENTORING"  # verification supervisor; 180 min at 45 min per JP = 4 JP
NIP_D = "197001012000031004"  # another unit's head


def _credential(engine: Engine, key: str, **binding: Any) -> dict[str, Any]:
    create_credential(engine, key, "s3cret", ["statements/write"], **binding)
    return default_authority(key)


@pytest.fixture
def people(engine: Engine) -> dict[str, dict[str, Any]]:
    """A (NIP_A) and B (NIP_B) work in Biro SDM under C (NIP_C); D heads the Inspektorat."""
    record_roster(engine, [roster_row(NIP_A, atasan_nip=NIP_C), roster_row(NIP_B, atasan_nip=NIP_C),
                           roster_row(NIP_C), roster_row(NIP_D, unit_kerja="Inspektorat")])
    return {
        "pegawai": _credential(engine, "pegawai-a", nip=NIP_A),
        "atasan": _credential(engine, "atasan-c", nip=NIP_C),
        "colleague": _credential(engine, "pegawai-b", nip=NIP_B),
        "new atasan": _credential(engine, "kepala-d", nip=NIP_D),
        "lms": _credential(engine, "lms", trusted_source=True),
        "phone": _credential(engine, "phone"),
        "verifier": _credential(engine, "verifier-sdm", nip=NIP_B, role="verifier", instansi="KEMENKEU",
                                unit_kerja="Biro SDM"),
        "pengelola": _credential(engine, "bpsdm", role="unit_pengelola", instansi="KEMENKEU"),
    }


def _claim(engine: Engine, people: dict[str, Any], form: str = MENTORING, **kw: Any) -> str:
    statement = claim(form, verb="http://adlnet.gov/expapi/verbs/attended", duration="PT3H", **kw)
    record_statements(engine, [statement], authority=people["pegawai"])
    return str(statement["id"])


def _decide(engine: Engine, people: dict[str, Any], who: str, kind: str, target: str, nip: str = NIP_C,
            **kw: Any) -> str:
    statement = decision(kind, target, nip, **kw)
    record_statements(engine, [statement], authority=people[who])
    return str(statement["id"])


def _jp(engine: Engine, year: int = 2026) -> dict[str, Any]:
    return to_json(pegawai_jp(engine, NIP_A, year))


def test_claim_waits_for_the_atasan(engine: Engine, people: dict[str, Any]) -> None:
    _claim(engine, people)
    [line] = _jp(engine)["lines"]
    assert (line["status"], line["recognition"], line["jp"]) == ("pending", "submitted", 4)
    assert _jp(engine)["jp_pending"] == 4 and _jp(engine)["jp_counted"] == 0


@pytest.mark.parametrize("who, nip, counts, why", [
    ("atasan", NIP_C, True, "bound to " + NIP_C),
    ("lms", NIP_C, True, "trusted source lms acting for " + NIP_C),
    ("verifier", NIP_B, True, "delegated verifier of Biro SDM"),
    ("colleague", NIP_B, False, f"{NIP_B} is not the learner's atasan"),
    ("phone", NIP_C, False, "neither bound to a person nor a trusted source"),
    ("lms", NIP_B, False, f"{NIP_B} is not the learner's atasan"),
    ("pegawai", NIP_C, False, f"{NIP_A} may not decide their own claim"),  # the actor names C: proves nothing
])
def test_who_may_approve(engine: Engine, people: dict[str, Any], who: str, nip: str, counts: bool, why: str) -> None:
    target = _claim(engine, people)
    _decide(engine, people, who, "approved", target, nip)
    result = _jp(engine)
    [line] = result["lines"]
    assert result["jp_counted"] == (4 if counts else 0)
    assert result["jp_pending"] == (0 if counts else 4)
    [ruling] = line["decisions"]
    assert ruling["effective"] is counts and why in ruling["reason"]


def test_voiding_the_approval_revokes_it(engine: Engine, people: dict[str, Any]) -> None:
    target = _claim(engine, people)
    approval = _decide(engine, people, "atasan", "approved", target)
    assert _jp(engine)["jp_counted"] == 4
    record_statements(engine, [void(approval, nip=NIP_C)], authority=people["atasan"])
    result = _jp(engine)
    assert (result["jp_counted"], result["jp_pending"]) == (0, 4)
    assert result["lines"][0]["decisions"][0] | {"effective": False, "reason": "voided"} == \
        result["lines"][0]["decisions"][0]


def test_a_second_decision_replaces_the_first(engine: Engine, people: dict[str, Any]) -> None:
    target = _claim(engine, people)
    _decide(engine, people, "atasan", "approved", target)
    _decide(engine, people, "atasan", "rejected", target, reason="no mentoring log")
    [line] = _jp(engine)["lines"]
    assert (line["status"], line["jp_counted"]) == ("rejected", 0)
    assert "no mentoring log" in line["reason"]
    _decide(engine, people, "atasan", "approved", target, jp=3)
    [line] = _jp(engine)["lines"]
    assert (line["status"], line["jp_counted"], line["recognition"]) == ("counted", 3, "validated")


def test_an_approval_may_lower_the_jp_but_not_raise_it(engine: Engine, people: dict[str, Any]) -> None:
    lower, higher = _claim(engine, people), _claim(engine, people)
    _decide(engine, people, "atasan", "approved", lower, jp=2)
    _decide(engine, people, "atasan", "approved", higher, jp=9)
    lines = {line["statement_id"]: line for line in _jp(engine)["lines"]}
    assert lines[lower]["jp_counted"] == 2
    assert lines[higher]["jp_counted"] == 4 and "above the 4 JP claimed" in lines[higher]["reason"]


def test_unit_move_default_and_policy_for_the_new_atasan(engine: Engine, people: dict[str, Any]) -> None:
    record_roster(engine, [roster_row(NIP_A, unit_kerja="Inspektorat", atasan_nip=NIP_D,
                                      effective_from="2026-07-01")])
    target = _claim(engine, people, timestamp="2026-03-02T10:00:00+07:00")
    _decide(engine, people, "new atasan", "approved", target, NIP_D, timestamp="2026-08-03T09:00:00+07:00")
    assert _jp(engine)["jp_counted"] == 0  # the atasan on the activity date decides (brief 5.2)
    publish_policy(engine, overlay(version="2", recognition={
        "supervisor_on": {"value": "activity_or_decision_date", "source": "test overlay"}}))
    assert _jp(engine)["jp_counted"] == 4
    _decide(engine, people, "atasan", "approved", _claim(engine, people), NIP_C)  # the old atasan still may
    assert _jp(engine)["jp_counted"] == 8


def test_caps_apply_in_the_order_decisions_were_made(engine: Engine, people: dict[str, Any]) -> None:
    publish_policy(engine, overlay(learning_forms={MENTORING: {"annual_cap_jp": {"value": 6, "source": "t"}}}))
    early = _claim(engine, people, timestamp="2026-02-02T10:00:00+07:00")
    late = _claim(engine, people, timestamp="2026-05-04T10:00:00+07:00")
    _decide(engine, people, "atasan", "approved", late)
    _decide(engine, people, "atasan", "approved", early)
    lines = {line["statement_id"]: line for line in _jp(engine)["lines"]}
    assert (lines[late]["jp_counted"], lines[early]["jp_counted"]) == (4, 2)
    assert "over the annual cap of 6 JP" in lines[early]["reason"]


def test_assignment_needs_the_unit_pengelola_and_the_approval_carries_the_jp(
        engine: Engine, people: dict[str, Any]) -> None:
    target = _claim(engine, people, "NK_DETASERING")
    [line] = _jp(engine)["lines"]
    assert (line["status"], line["jp"]) == ("pending", None) and "jp_per_unit is null" in line["reason"]
    _decide(engine, people, "atasan", "approved", target, jp=10)
    [line] = _jp(engine)["lines"]
    assert (line["status"], line["recognition"], line["jp"]) == ("pending", "supervisor_approved", 10)
    _decide(engine, people, "atasan", "validated", target)  # the atasan is not the unit pengelola
    assert _jp(engine)["jp_counted"] == 0
    _decide(engine, people, "pengelola", "validated", target, jp=12)
    [line] = _jp(engine)["lines"]
    assert (line["status"], line["jp_counted"]) == ("counted", 12)
    assert [r["effective"] for r in line["decisions"]] == [True, False, True]


def test_auto_form_from_an_untrusted_credential_needs_the_atasan(engine: Engine, people: dict[str, Any]) -> None:
    statement = claim("NK_ELEARNING", jp=4)
    record_statements(engine, [statement], authority=people["phone"])
    assert _jp(engine)["jp_pending"] == 4
    _decide(engine, people, "atasan", "approved", str(statement["id"]))
    assert _jp(engine)["jp_counted"] == 4


def test_rebuild_and_as_of_agree_with_live(engine: Engine, people: dict[str, Any]) -> None:
    target = _claim(engine, people)
    approval = _decide(engine, people, "atasan", "approved", target)
    live = _jp(engine)
    record_statements(engine, [void(approval, nip=NIP_C)], authority=people["atasan"])
    runner.rebuild(engine, batch=3)
    assert _jp(engine)["jp_counted"] == 0
    head = max(line["seq"] for line in live["lines"]) + 1  # the approval's seq
    assert to_json(pegawai_jp(engine, NIP_A, 2026, str(head))) == live


def test_pending_lists_and_claims_with_status(engine: Engine, people: dict[str, Any]) -> None:
    first = _claim(engine, people, timestamp="2026-05-01T10:00:00+07:00")
    second = _claim(engine, people, timestamp="2026-02-01T10:00:00+07:00")
    statement = claim(MENTORING, nip=NIP_B, verb="http://adlnet.gov/expapi/verbs/attended", duration="PT3H")
    record_statements(engine, [statement], authority=people["colleague"])
    assert [(c.nip, c.line.statement_id) for c in pending_for(engine, NIP_C)] == \
        [(NIP_A, first), (NIP_A, second), (NIP_B, statement["id"])]  # oldest stored first
    assert [c.line.statement_id for c in pending_for(engine, NIP_B)] == [first, second]  # as verifier
    assert pending_for(engine, NIP_D) == []
    _decide(engine, people, "atasan", "rejected", first, reason="not mentoring")
    assert [c.line.statement_id for c in pending_for(engine, NIP_C)] == [second, statement["id"]]
    statuses = {line.statement_id: line.recognition for line in claims_of(engine, NIP_A, 2026)}
    assert statuses == {first: "rejected", second: "submitted"}
    record_statements(engine, [void(first)], authority=people["pegawai"])
    lines = claims_of(engine, NIP_A, 2026)
    assert [(line.statement_id, line.recognition) for line in lines] == [(second, "submitted"), (first, "voided")]
    assert [(r.kind, r.effective) for r in lines[1].decisions] == [("rejected", False)]


def test_recognition_api_and_cli(client: FlaskClient, engine: Engine, auth: dict[str, str],
                                 people: dict[str, Any], database_url: str) -> None:
    target = _claim(engine, people)
    body = client.get(f"/api/v1/atasan/{NIP_C}/pending", headers=auth).get_json()
    assert body["count"] == 1 and body["pending"][0]["statement_id"] == target and body["pending"][0]["nip"] == NIP_A
    approval = _decide(engine, people, "colleague", "approved", target, NIP_B)
    body = client.get(f"/api/v1/pegawai/{NIP_A}/recognitions?year=2026", headers=auth).get_json()
    [item] = body["claims"]
    assert item["recognition"] == "submitted"
    assert item["decisions"][0]["statement_id"] == approval and item["decisions"][0]["effective"] is False
    assert client.get(f"/api/v1/pegawai/{NIP_A}/recognitions", headers=auth).status_code == 400  # no year
    result = CliRunner().invoke(main, ["pending", NIP_C, "--json", "--database-url", database_url])
    assert result.exit_code == 0 and json.loads(result.stdout)["statement_id"] == target
    result = CliRunner().invoke(main, ["recognitions", NIP_A, "--year", "2026", "--database-url", database_url])
    assert result.exit_code == 0 and "approved by " + NIP_B + " (no effect)" in result.stdout


def test_credential_bindings_are_checked(engine: Engine) -> None:
    for binding, message in [({"nip": "123"}, "not 18 digits"), ({"role": "verifier", "instansi": "X"}, "give --nip"),
                             ({"role": "unit_pengelola"}, "give --instansi"), ({"instansi": "X"}, "give --role too"),
                             ({"role": "boss", "instansi": "X"}, "not one of")]:
        with pytest.raises(BadRequest, match=message):
            create_credential(engine, "k", "s", ["all"], **binding)


def test_decisions_over_http_count_by_the_posting_credential(
        client: FlaskClient, engine: Engine, auth: dict[str, str], people: dict[str, Any]) -> None:
    """The atasan's own credential (created with --nip) posts through the xAPI API; the same
    approval posted by a colleague's credential, naming the atasan as actor, has no effect."""
    import base64

    def basic(key: str) -> dict[str, str]:
        token = base64.b64encode(f"{key}:s3cret".encode()).decode()
        return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}

    target = _claim(engine, people)
    forged = decision("approved", target, NIP_C)
    assert client.post("/xapi/statements", json=forged, headers=basic("pegawai-b")).status_code == 200
    assert _jp(engine)["jp_counted"] == 0
    rejection = decision("rejected", target, NIP_C)  # the profile wants a reason
    response = client.post("/xapi/statements", json=rejection, headers=basic("atasan-c"))
    assert response.status_code == 400 and "reason" in response.get_data(as_text=True)
    approval = decision("approved", target, NIP_C, jp=3)
    assert client.post("/xapi/statements", json=approval, headers=basic("atasan-c")).status_code == 200
    result = _jp(engine)
    assert result["jp_counted"] == 3
    assert [r["effective"] for r in result["lines"][0]["decisions"]] == [False, True]
