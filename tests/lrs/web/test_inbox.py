"""The atasan's inbox, on SQLite and PostgreSQL: what waits, oldest first; each decision is the
profile's decision statement stored under the signed-in credential, judged as over xAPI, and
changes the pegawai's JP; a rejection needs a reason, and a refused form keeps what was typed."""
from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.read.jp import pegawai_jp
from lrs.read.credentials import Credential
from lrs.read import statements
from lrs.read.recognitions import claims_of
from tests.fixtures.jp import NIP_A, NIP_B
from tests.fixtures.web import csrf_token, log_in, office, submit_claim

PROFILE = "https://jejak.example/xapi"
READER = Credential("reader", ("all",), {})


def get_statement(engine: Engine, statement_id: str) -> dict[str, Any]:
    return statements.get_statement(engine, statement_id, voided=False, reader=READER)


def _decide(client: FlaskClient, claim_id: str, decision: str, **fields: str) -> Any:
    token = csrf_token(client.get("/app/inbox"))
    return client.post("/app/inbox", data={"csrf_token": token, "statement_id": claim_id, "decision": decision,
                                           **fields})


def _rows(page: str) -> list[str]:
    return re.findall(r'data-testid="claim-row" data-statement-id="([^"]+)"', page)


def _decisions(engine: Engine, claim_id: str) -> list[Any]:
    [line] = [line for line in claims_of(engine, NIP_A, 2026) if line.statement_id == claim_id]
    return list(line.decisions)


def test_the_inbox_lists_what_waits_oldest_first(client: FlaskClient, engine: Engine) -> None:
    people = office(engine, "pegawai-a", "atasan-c", "pegawai-b")
    first = submit_claim(engine, people["pegawai-a"], timestamp="2026-05-01T10:00:00+07:00")
    second = submit_claim(engine, people["pegawai-a"], timestamp="2026-02-01T10:00:00+07:00")
    log_in(client, "atasan-c")
    page = client.get("/app/inbox").get_data(as_text=True)
    assert _rows(page) == [first, second]  # by when they were sent, not the activity date
    assert 'data-testid="approve"' in page and 'data-testid="reject"' in page and 'data-testid="reason"' in page
    assert "Siti Rahma" in page and "2 klaim menunggu" in page
    assert re.search(r'<label for="reason-[^"]+">Alasan \(wajib untuk menolak\)</label>', page)
    # A colleague has nothing to decide.
    client.post("/app/logout", data={"csrf_token": csrf_token(client.get("/app/inbox"))})
    log_in(client, "pegawai-b")
    empty = client.get("/app/inbox").get_data(as_text=True)
    assert _rows(empty) == [] and "Tidak ada yang menunggu keputusan Anda." in empty


def test_approving_posts_the_decision_under_the_atasan_and_counts_the_jp(client: FlaskClient, engine: Engine) -> None:
    people = office(engine)
    claim_id = submit_claim(engine, people["pegawai-a"])
    log_in(client, "atasan-c")
    reply = _decide(client, claim_id, "approve", reason="", jp="")
    assert (reply.status_code, reply.headers["Location"]) == (303, "/app/inbox")
    page = client.get("/app/inbox").get_data(as_text=True)
    assert _rows(page) == [] and "Disetujui: klaim Siti Rahma tanggal 2026-03-02." in page
    [ruling] = _decisions(engine, claim_id)
    assert (ruling.kind, ruling.effective, ruling.decider) == ("approved", True, "198503032010011003")
    stored = get_statement(engine, ruling.statement_id)
    assert stored["verb"]["id"] == f"{PROFILE}/verbs/approved"
    assert stored["object"] == {"objectType": "StatementRef", "id": claim_id}
    assert stored["authority"]["account"]["name"] == "atasan-c"
    assert stored["actor"]["account"] == {"homePage": "https://siasn.bkn.go.id", "name": "198503032010011003"}
    figures = pegawai_jp(engine, NIP_A, 2026)
    assert (figures.jp_counted, figures.jp_pending) == (4, 0)


def test_approving_with_fewer_jp(client: FlaskClient, engine: Engine) -> None:
    people = office(engine)
    claim_id = submit_claim(engine, people["pegawai-a"])
    log_in(client, "atasan-c")
    assert _decide(client, claim_id, "approve", reason="Sesi kedua singkat", jp="2,5").status_code == 303
    [ruling] = _decisions(engine, claim_id)
    stored = get_statement(engine, ruling.statement_id)
    assert stored["result"]["extensions"] == {f"{PROFILE}/ext/jp-approved": 2.5,
                                              f"{PROFILE}/ext/reason": "Sesi kedua singkat"}
    assert pegawai_jp(engine, NIP_A, 2026).jp_counted == 2.5


def test_rejecting_needs_a_reason_shown_next_to_the_field(client: FlaskClient, engine: Engine) -> None:
    people = office(engine)
    claim_id = submit_claim(engine, people["pegawai-a"])
    other = submit_claim(engine, people["pegawai-a"])
    log_in(client, "atasan-c")
    refused = _decide(client, claim_id, "reject", reason="   ")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(rf'id="reason-{claim_id}-error" data-testid="reason-error">Penolakan perlu alasan', page)
    assert f'aria-describedby="reason-{claim_id}-error"' in page
    assert "reason-error" not in page.split(f'data-statement-id="{other}"')[1]  # only on that row
    assert _decisions(engine, claim_id) == [] and _rows(page) == [claim_id, other]
    assert _decide(client, claim_id, "reject", reason="Tidak ada bukti kehadiran").status_code == 303
    [ruling] = _decisions(engine, claim_id)
    assert (ruling.kind, ruling.effective) == ("rejected", True)
    stored = get_statement(engine, ruling.statement_id)
    assert stored["result"]["extensions"] == {f"{PROFILE}/ext/reason": "Tidak ada bukti kehadiran"}
    assert [(line.statement_id, line.recognition) for line in claims_of(engine, NIP_A, 2026)] == [
        (claim_id, "rejected"), (other, "submitted")]


def test_a_refused_form_keeps_what_was_typed(client: FlaskClient, engine: Engine) -> None:
    people = office(engine)
    claim_id = submit_claim(engine, people["pegawai-a"])
    log_in(client, "atasan-c")
    for jp, error in (("9", "JP tidak boleh lebih dari 4 JP yang diklaim."), ("dua", "JP harus berupa angka")):
        refused = _decide(client, claim_id, "approve", reason="Catatan <penting>", jp=jp)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and error in page
        assert ">Catatan &lt;penting&gt;</textarea>" in page and f'value="{jp}"' in page
    assert _decisions(engine, claim_id) == []


def test_the_web_decides_only_what_the_credential_may(client: FlaskClient, engine: Engine) -> None:
    people = office(engine, "pegawai-a", "atasan-c", "pegawai-b")
    claim_id = submit_claim(engine, people["pegawai-a"])
    log_in(client, "pegawai-b")  # a colleague, posting a claim id that is not in their inbox
    reply = _decide(client, claim_id, "approve")
    assert reply.status_code == 303
    assert "Klaim itu tidak lagi menunggu keputusan Anda." in client.get("/app/inbox").get_data(as_text=True)
    assert _decisions(engine, claim_id) == [] and pegawai_jp(engine, NIP_B, 2026).jp_counted == 0


def test_deciding_needs_the_statements_write_scope(client: FlaskClient, engine: Engine) -> None:
    from lrs.write.reference import create_credential

    people = office(engine, "pegawai-a")
    create_credential(engine, "atasan-baca", "rahasia-1", ["reports"], nip="198503032010011003")
    claim_id = submit_claim(engine, people["pegawai-a"])
    log_in(client, "atasan-baca")
    assert _rows(client.get("/app/inbox").get_data(as_text=True)) == [claim_id]
    refused = _decide(client, claim_id, "approve")
    assert refused.status_code == 403 and "Anda tidak berhak" in refused.get_data(as_text=True)
    assert _decisions(engine, claim_id) == []
