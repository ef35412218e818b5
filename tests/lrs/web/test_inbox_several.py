"""The inbox beyond one claim, on SQLite and PostgreSQL: several ticked claims decided at once
(each its own decision statement under the atasan's credential, judged as over xAPI), a refused
form that keeps the ticks and the reason, and the team view of the bawahan's JP progress."""
from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.read import statements
from lrs.read.credentials import Credential
from lrs.read.jp import pegawai_jp
from lrs.read.recognitions import claims_of
from lrs.read.team import bawahan_of, team_of
from tests.fixtures.jp import NIP_A, NIP_B, NIP_C
from tests.fixtures.web import csrf_token, log_in, office, submit_claim

PROFILE = "https://jejak.example/xapi"
READER = Credential("reader", ("all",), {})


def _several(client: FlaskClient, selected: list[str], decision: str, reason: str = "") -> Any:
    token = csrf_token(client.get("/app/inbox"))
    return client.post("/app/inbox/several", data={"csrf_token": token, "selected": selected, "decision": decision,
                                                   "reason": reason})


def _rows(page: str) -> list[str]:
    return re.findall(r'data-testid="claim-row" data-statement-id="([^"]+)"', page)


def _rulings(engine: Engine, nip: str, claim_id: str) -> list[Any]:
    [line] = [line for line in claims_of(engine, nip, 2026) if line.statement_id == claim_id]
    return list(line.decisions)


def _three_claims(engine: Engine) -> tuple[str, str, str]:
    people = office(engine, "pegawai-a", "pegawai-b", "atasan-c")
    first = submit_claim(engine, people["pegawai-a"], timestamp="2026-02-01T10:00:00+07:00")
    second = submit_claim(engine, people["pegawai-a"], timestamp="2026-03-01T10:00:00+07:00")
    third = submit_claim(engine, people["pegawai-b"], nip=NIP_B, timestamp="2026-04-01T10:00:00+07:00")
    return first, second, third


def test_approving_several_at_once_stores_one_decision_each(client: FlaskClient, engine: Engine) -> None:
    first, second, third = _three_claims(engine)
    log_in(client, "atasan-c")
    page = client.get("/app/inbox").get_data(as_text=True)
    assert page.count('data-testid="select"') == 3 and 'data-testid="approve-several"' in page
    reply = _several(client, [first, third], "approve")
    assert (reply.status_code, reply.headers["Location"]) == (303, "/app/inbox")
    after = client.get("/app/inbox").get_data(as_text=True)
    assert _rows(after) == [second] and "Disetujui: 2 klaim." in after
    for nip, claim_id in ((NIP_A, first), (NIP_B, third)):
        [ruling] = _rulings(engine, nip, claim_id)
        assert (ruling.kind, ruling.effective, ruling.decider) == ("approved", True, NIP_C)
    assert _rulings(engine, NIP_A, second) == []
    assert pegawai_jp(engine, NIP_A, 2026).jp_counted == 4 and pegawai_jp(engine, NIP_B, 2026).jp_counted == 4


def test_rejecting_several_needs_one_reason_and_keeps_the_ticks(client: FlaskClient, engine: Engine) -> None:
    first, second, third = _three_claims(engine)
    log_in(client, "atasan-c")
    refused = _several(client, [first, second], "reject")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'data-testid="several-reason-error"' in page and "Penolakan perlu alasan" in page
    ticked = re.findall(r'value="([^"]+)" form="several" data-testid="select" checked', page)
    assert sorted(ticked) == sorted([first, second])
    assert _rulings(engine, NIP_A, first) == []  # nothing stored on a refused form
    reply = _several(client, [first, second], "reject", reason="Bukti tidak terbaca")
    assert reply.status_code == 303
    after = client.get("/app/inbox").get_data(as_text=True)
    assert _rows(after) == [third] and "Ditolak: 2 klaim." in after
    for claim_id in (first, second):
        [ruling] = _rulings(engine, NIP_A, claim_id)
        assert (ruling.kind, ruling.effective) == ("rejected", True)
        stored = statements.get_statement(engine, ruling.statement_id, voided=False, reader=READER)
        assert stored["result"]["extensions"] == {f"{PROFILE}/ext/reason": "Bukti tidak terbaca"}


def test_nothing_ticked_is_refused_in_words(client: FlaskClient, engine: Engine) -> None:
    _three_claims(engine)
    log_in(client, "atasan-c")
    refused = _several(client, [], "approve")
    assert refused.status_code == 400 and "Centang dulu klaim yang akan diputuskan." in refused.get_data(as_text=True)


def test_a_colleague_cannot_decide_claims_by_ticking_them(client: FlaskClient, engine: Engine) -> None:
    first, _, _ = _three_claims(engine)
    log_in(client, "pegawai-b")
    reply = _several(client, [first], "approve")
    assert reply.status_code == 303
    assert "tidak lagi menunggu keputusan Anda" in client.get("/app/inbox").get_data(as_text=True)
    assert _rulings(engine, NIP_A, first) == []


def test_the_team_view_shows_each_bawahan_furthest_behind_first(client: FlaskClient, engine: Engine) -> None:
    first, _, third = _three_claims(engine)
    log_in(client, "atasan-c")
    _several(client, [first], "approve")
    assert bawahan_of(engine, NIP_C, 2026) == [NIP_A, NIP_B]
    team = team_of(engine, NIP_C, 2026)
    assert [(t.nip, t.jp_counted, t.jp_pending) for t in team] == [(NIP_B, 0, 4), (NIP_A, 4, 4)]
    page = client.get("/app/inbox").get_data(as_text=True)
    assert re.findall(r'data-testid="team-row" data-nip="(\d+)"', page) == [NIP_B, NIP_A]
    assert "Tim Anda pada 2026" in page
    # A pegawai with no bawahan has no team section.
    client.post("/app/logout", data={"csrf_token": csrf_token(client.get("/app/inbox"))})
    log_in(client, "pegawai-b")
    assert 'data-testid="team"' not in client.get("/app/inbox").get_data(as_text=True)
    assert team_of(engine, NIP_B, 2026) == [] and bawahan_of(engine, NIP_C, 2031) == [NIP_A, NIP_B]
