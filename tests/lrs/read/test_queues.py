"""Who waits for whom: the atasan's queue with the form's cap, the unit pengelola's queue, and
the top official the roster gives no atasan; the cap in the text a decider reads."""
from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.cli import main
from lrs.read.jp import pegawai_jp
from lrs.read.recognitions import claims_of, pending_for, pending_validation
from lrs.write.reference import create_credential, default_authority, publish_policy, record_roster
from lrs.write.statements import record_statements
from tests.fixtures.jp import NIP_A, NIP_C, claim, decision, overlay, roster_row

HEAD = "196501012000011001"  # the head of the instansi: no atasan in the roster
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"


@pytest.fixture
def people(engine: Engine) -> dict[str, dict[str, Any]]:
    record_roster(engine, [roster_row(NIP_A, atasan_nip=NIP_C), roster_row(NIP_C, atasan_nip=HEAD),
                           roster_row(HEAD, unit_kerja="Sekretariat")])
    found = {}
    for key, binding in (("pegawai", {"nip": NIP_A}), ("atasan", {"nip": NIP_C}), ("head", {"nip": HEAD}),
                         ("bpsdm", {"role": "unit_pengelola", "instansi": "KEMENKEU"})):
        create_credential(engine, key, "s", ["statements/write"], **binding)
        found[key] = default_authority(key)
    return found


def _claim(engine: Engine, who: dict[str, Any], form: str, duration: str = "PT6H", **kw: Any) -> str:
    statement = claim(form, verb=ATTENDED, duration=duration, timestamp="2026-03-02T10:00:00+07:00", **kw)
    record_statements(engine, [statement], authority=who)
    return str(statement["id"])


def _decide(engine: Engine, who: dict[str, Any], kind: str, target: str, nip: str, **kw: Any) -> None:
    record_statements(engine, [decision(kind, target, nip, **kw)], authority=who)


def test_the_atasan_sees_the_cap_used_and_the_text_shows_what_the_cap_left(
        engine: Engine, database_url: str, people: dict[str, Any]) -> None:
    cap = {"learning_forms": {"NK_MANDIRI": {"annual_cap_jp": {"value": 8, "source": "test"}}}}
    publish_policy(engine, overlay(**cap))
    first = _claim(engine, people["pegawai"], "NK_MANDIRI")                    # 8 JP
    _decide(engine, people["atasan"], "approved", first, NIP_C)
    second = _claim(engine, people["pegawai"], "NK_MANDIRI", duration="PT3H")  # 4 JP
    [waiting] = pending_for(engine, NIP_C)
    assert (waiting.line.statement_id, waiting.cap_jp, waiting.cap_used_jp) == (second, 8, 8)
    assert waiting.as_row()["cap_used_jp"] == 8 and waiting.as_row()["awaiting"] == "supervisor"
    text = CliRunner().invoke(main, ["pending", NIP_C, "--database-url", database_url]).output
    assert "NK_MANDIRI" in text and "cap 8 JP, 8 used this year" in text
    _decide(engine, people["atasan"], "approved", second, NIP_C)
    assert pegawai_jp(engine, NIP_A, 2026).jp_counted == 8
    text = CliRunner().invoke(main, ["recognitions", NIP_A, "--year", "2026", "--database-url", database_url]).output
    [line] = [t for t in text.splitlines() if second in t]
    assert "validated, 4 JP, counted 0 JP of it (the annual cap of its form is used)" in line


def test_an_assignment_waits_for_the_atasan_then_the_unit_pengelola_who_sets_its_jp(
        client: FlaskClient, engine: Engine, auth: dict[str, str], people: dict[str, Any], database_url: str) -> None:
    target = _claim(engine, people["pegawai"], "NK_DETASERING")
    [waiting] = pending_for(engine, NIP_C)
    assert waiting.line.jp is None  # set by a decision: never shown as 0
    assert "JP set by the decision, waiting for the supervisor" in CliRunner().invoke(
        main, ["pending", NIP_C, "--database-url", database_url]).output
    assert pending_validation(engine, "KEMENKEU") == []
    _decide(engine, people["atasan"], "approved", target, NIP_C)
    assert pending_for(engine, NIP_C) == []
    [validation] = pending_validation(engine, "KEMENKEU")
    assert (validation.line.statement_id, validation.awaiting) == (target, "unit_pengelola")
    reply = client.get("/api/v1/instansi/KEMENKEU/pending", headers=auth).json
    assert [(p["statement_id"], p["awaiting"]) for p in reply["pending"]] == [(target, "unit_pengelola")]
    _decide(engine, people["bpsdm"], "validated", target, NIP_C, jp=16)
    assert pending_validation(engine, "KEMENKEU") == []
    assert pegawai_jp(engine, NIP_A, 2026).jp_counted == 16


def test_the_unit_pengelola_decides_for_the_top_official(engine: Engine, people: dict[str, Any]) -> None:
    target = _claim(engine, people["head"], "NK_MANDIRI", nip=HEAD)
    [waiting] = pending_validation(engine, "KEMENKEU")
    assert (waiting.nip, waiting.awaiting) == (HEAD, "supervisor")
    _decide(engine, people["head"], "approved", target, HEAD)  # nobody decides their own claim
    assert claims_of(engine, HEAD, 2026)[0].recognition == "submitted"
    _decide(engine, people["bpsdm"], "approved", target, HEAD)
    [line] = claims_of(engine, HEAD, 2026)
    assert line.recognition == "validated" and "no atasan" in line.decisions[-1].reason
    assert pegawai_jp(engine, HEAD, 2026).jp_counted == 8


def test_a_policy_may_leave_the_top_official_to_nobody(engine: Engine, people: dict[str, Any]) -> None:
    nobody = {"recognition": {"without_atasan": {"value": None, "source": "test"}}}
    publish_policy(engine, overlay(**nobody))
    target = _claim(engine, people["head"], "NK_MANDIRI", nip=HEAD)
    assert pending_validation(engine, "KEMENKEU") == []
    _decide(engine, people["bpsdm"], "approved", target, HEAD)
    assert claims_of(engine, HEAD, 2026)[0].recognition == "submitted"
