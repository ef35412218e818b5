"""A pegawai's own claims on the web, on SQLite and PostgreSQL: the claim form posts one xAPI
statement with its evidence as an attachment, under the pegawai's credential; it waits on
/app/me and in the atasan's inbox, whose evidence link serves the bytes to those who may see the
claim only; a refused form says why next to the field and keeps what was typed; a pegawai voids
their own pending claim, never someone else's."""
from __future__ import annotations

import hashlib
import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from werkzeug.test import TestResponse

from lrs.read import statements
from lrs.read.credentials import Credential
from lrs.read.jp import pegawai_jp
from lrs.read.recognitions import claims_of
from lrs.read.statements import attachments_of
from tests.fixtures.jp import NIP_A, NIP_B
from tests.fixtures.web import csrf_token, log_in, office, submit_claim

READER = Credential("reader", ("all",), {})
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM_EXT = "https://jejak.example/xapi/ext/learning-form"
JP_EXT = "https://jejak.example/xapi/ext/jp"
EVIDENCE = "https://jejak.example/xapi/attachments/evidence"


def _fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"form_code": "NK_MENTORING", "activity_date": "2026-06-15", "minutes": "180",
                              "jp": "", "title": "Mentoring penyusunan anggaran",
                              "description": "Tiga sesi dengan Kepala Biro <SDM>",
                              "evidence": (io.BytesIO(PDF), "undangan.pdf", "application/pdf")}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def _send(client: FlaskClient, **overrides: Any) -> TestResponse:
    token = csrf_token(client.get("/app/claims/new"))
    return client.post("/app/claims/new", data={"csrf_token": token, **_fields(**overrides)},
                       content_type="multipart/form-data")


def _stored(engine: Engine, statement_id: str) -> dict[str, Any]:
    return statements.get_statement(engine, statement_id, voided=False, reader=READER)


def _only_claim(engine: Engine, nip: str = NIP_A) -> str:
    [line] = claims_of(engine, nip, 2026)
    return line.statement_id


def test_the_form_offers_the_forms_that_need_a_decision_with_what_each_states(
        client: FlaskClient, engine: Engine) -> None:
    office(engine, "pegawai-a")
    log_in(client, "pegawai-a")
    me = client.get("/app/me?year=2026").get_data(as_text=True)
    assert 'href="/app/claims/new" data-testid="new-claim"' in me
    page = client.get("/app/claims/new").get_data(as_text=True)
    options = dict(re.findall(r'<option value="([A-Z_]+)">([^<]+)</option>', page))
    assert options["NK_MENTORING"] == "Mentoring — dalam menit"  # per session, no JP per session: minutes
    assert options["KL_WORKSHOP"] == "Workshop / lokakarya — menit atau JP"  # declared JP preferred
    assert options["NK_MAGANG"] == "Magang / praktik kerja — JP ditetapkan kebijakan atau keputusan"
    assert "KL_TEKNIS" not in options and "EDU_TB" not in options  # counted at once; formal education
    assert 'enctype="multipart/form-data"' in page and '<label for="evidence">Bukti (PDF, JPEG atau PNG)</label>' in page


def test_a_claim_is_one_statement_with_its_evidence_waiting_for_the_atasan(
        client: FlaskClient, engine: Engine) -> None:
    office(engine, "pegawai-a", "atasan-c")
    log_in(client, "pegawai-a")
    reply = _send(client)
    assert (reply.status_code, reply.headers["Location"]) == (303, "/app/me?year=2026")
    claim_id = _only_claim(engine)
    stored = _stored(engine, claim_id)
    sha2 = hashlib.sha256(PDF).hexdigest()
    assert stored["actor"]["account"] == {"homePage": "https://siasn.bkn.go.id", "name": NIP_A}
    assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"
    assert re.fullmatch(r"http://localhost/app/activities/[0-9a-f-]{36}", stored["object"]["id"])
    assert stored["object"]["definition"] == {"name": {"id-ID": "Mentoring penyusunan anggaran"},
                                              "description": {"id-ID": "Tiga sesi dengan Kepala Biro <SDM>"}}
    assert stored["context"]["extensions"] == {FORM_EXT: "NK_MENTORING"}
    assert stored["result"]["duration"] == "PT180M"
    assert stored["timestamp"].startswith("2026-06-15T09:00:00") and stored["timestamp"].endswith("+07:00")
    assert stored["attachments"] == [{"usageType": EVIDENCE, "display": {"id-ID": "Bukti", "en-US": "Evidence"},
                                      "contentType": "application/pdf", "length": len(PDF), "sha2": sha2}]
    assert stored["authority"]["account"]["name"] == "pegawai-a"
    assert attachments_of(engine, [stored]) == [(sha2, "application/pdf", PDF)]
    figures = pegawai_jp(engine, NIP_A, 2026)
    assert (figures.jp_counted, figures.jp_pending) == (0, 4)  # 180 minutes at 45 a JP
    me = client.get("/app/me?year=2026").get_data(as_text=True)
    assert "Klaim Anda terkirim" in me and f'data-testid="claim" data-statement-id="{claim_id}"' in me
    assert "Menunggu atasan" in me and 'data-testid="void"' in me
    assert f'href="/app/claims/{claim_id}/evidence/{sha2}"' in me
    # The atasan sees it in the inbox, with the evidence to open.
    client.post("/app/logout", data={"csrf_token": csrf_token(client.get("/app/me"))})
    log_in(client, "atasan-c")
    inbox = client.get("/app/inbox").get_data(as_text=True)
    link = f"/app/claims/{claim_id}/evidence/{sha2}"
    assert f'data-statement-id="{claim_id}"' in inbox and f'href="{link}"' in inbox
    assert ('data-testid="claim-title"><strong>Mentoring penyusunan anggaran</strong><br>'
            '<span class="hint">Tiga sesi dengan Kepala Biro &lt;SDM&gt;</span>') in inbox
    opened = client.get(link)
    assert (opened.status_code, opened.data, opened.mimetype) == (200, PDF, "application/pdf")
    assert opened.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in opened.headers["Content-Security-Policy"]


def test_declared_jp_goes_in_the_jp_extension(client: FlaskClient, engine: Engine) -> None:
    office(engine, "pegawai-a", "atasan-c")
    log_in(client, "pegawai-a")
    png = (io.BytesIO(PNG), "foto.png", "image/png")
    assert _send(client, form_code="KL_WORKSHOP", minutes="", jp="6,5", evidence=png).status_code == 303
    stored = _stored(engine, _only_claim(engine))
    assert stored["context"]["extensions"] == {FORM_EXT: "KL_WORKSHOP", JP_EXT: 6.5} and "result" not in stored
    assert stored["attachments"][0]["contentType"] == "image/png"
    assert pegawai_jp(engine, NIP_A, 2026).jp_pending == 6.5


def _refused(reply: TestResponse, field: str, message: str) -> str:
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert re.search(rf'id="{field}-error" data-testid="{field}-error">{re.escape(message)}', page), page
    assert f'aria-describedby="{field}-error"' in page
    return page


def _kept(page: str, *skip: str) -> None:
    """What was typed is still in the form (the file excepted: a browser never refills one)."""
    if "title" not in skip:
        assert 'value="Mentoring penyusunan anggaran"' in page
    assert ">Tiga sesi dengan Kepala Biro &lt;SDM&gt;</textarea>" in page
    assert 'value="2026-06-15"' in page and '<option value="NK_MENTORING" selected>' in page
    if "minutes" not in skip:
        assert 'value="180"' in page


def test_a_refused_claim_says_why_next_to_the_field_and_keeps_what_was_typed(
        client: FlaskClient, app: Flask, engine: Engine) -> None:
    office(engine, "pegawai-a")
    log_in(client, "pegawai-a")
    app.config["EVIDENCE_MAX_BYTES"] = 10_000
    big = (io.BytesIO(b"%PDF-1.4\n" + b"0" * 10_000), "besar.pdf", "application/pdf")
    fake = (io.BytesIO(b"<html><script>alert(1)</script></html>"), "bukti.pdf", "application/pdf")
    html = (io.BytesIO(b"<html></html>"), "bukti.html", "text/html")
    cases = [
        ({"evidence": None}, "evidence", "Lampirkan bukti: sertifikat, surat atau foto."),
        ({"evidence": big}, "evidence", "Berkas lebih besar dari 0,01 MB."),
        ({"evidence": fake}, "evidence", "Bukti harus berupa berkas PDF, JPEG atau PNG."),
        ({"evidence": html}, "evidence", "Bukti harus berupa berkas PDF, JPEG atau PNG."),
        ({"title": ""}, "title", "Isi judul."),
        ({"minutes": ""}, "minutes", "Isi jumlah menit pembelajaran untuk bentuk ini."),
        ({"jp": "4"}, "jp", "Bentuk pembelajaran ini tidak memakai JP yang diisi: kosongkan."),
        ({"activity_date": "2099-01-01"}, "activity_date", "Tanggal tidak boleh di masa depan."),
        ({"activity_date": "15-06-2026"}, "activity_date", "Isi tanggal sebagai tahun-bulan-tanggal, misalnya"),
        ({"activity_date": ""}, "activity_date", "Isi tanggal kegiatan."),
        ({"form_code": "KL_TEKNIS"}, "form_code", "Pilih salah satu bentuk pembelajaran dalam daftar."),
    ]
    for overrides, field, message in cases:
        page = _refused(_send(client, **overrides), field, message)
        if field not in ("activity_date", "form_code"):
            _kept(page, field)
    app.config["EVIDENCE_MAX_BYTES"] = 2_000_000
    assert claims_of(engine, NIP_A, 2026) == []
    assert _send(client).status_code == 303


def test_the_evidence_is_refused_to_a_colleague_and_served_to_a_national_reader(
        client: FlaskClient, engine: Engine) -> None:
    office(engine, "pegawai-a", "pegawai-b", "nasional")
    log_in(client, "pegawai-a")
    _send(client)
    claim_id = _only_claim(engine)
    link = f"/app/claims/{claim_id}/evidence/{hashlib.sha256(PDF).hexdigest()}"
    assert client.get(link).data == PDF  # the pegawai themselves
    client.post("/app/logout", data={"csrf_token": csrf_token(client.get("/app/me"))})
    log_in(client, "pegawai-b")
    refused = client.get(link)
    assert refused.status_code == 403 and PDF not in refused.data
    assert client.get(f"/app/claims/{claim_id}/evidence/{'0' * 64}").status_code == 403
    client.post("/app/logout", data={"csrf_token": csrf_token(client.get("/app/me"))})
    log_in(client, "nasional")
    assert client.get(link).data == PDF
    assert client.get(f"/app/claims/{claim_id}/evidence/{'0' * 64}").status_code == 404


def _void(client: FlaskClient, claim_id: str) -> TestResponse:
    token = csrf_token(client.get("/app/me?year=2026"))
    return client.post(f"/app/claims/{claim_id}/void", data={"csrf_token": token})


def test_a_pegawai_voids_their_own_pending_claim(client: FlaskClient, engine: Engine) -> None:
    office(engine, "pegawai-a")
    log_in(client, "pegawai-a")
    _send(client)
    claim_id = _only_claim(engine)
    reply = _void(client, claim_id)
    assert (reply.status_code, reply.headers["Location"]) == (303, "/app/me?year=2026")
    [line] = claims_of(engine, NIP_A, 2026)
    assert (line.statement_id, line.status) == (claim_id, "voided")
    assert pegawai_jp(engine, NIP_A, 2026).jp_pending == 0
    voiding = statements.get_statement(engine, claim_id, voided=True, reader=READER)
    assert voiding["id"] == claim_id
    me = client.get("/app/me?year=2026").get_data(as_text=True)
    assert "Klaim Anda tanggal 2026-06-15 dibatalkan." in me and 'data-testid="void"' not in me
    # Voided already: no longer pending, nothing more is stored.
    again = _void(client, claim_id)
    assert again.status_code == 303
    assert "tidak lagi menunggu keputusan" in client.get("/app/me?year=2026").get_data(as_text=True)


def test_voiding_someone_elses_claim_is_refused(client: FlaskClient, engine: Engine) -> None:
    people = office(engine, "pegawai-a", "pegawai-b", "atasan-c")
    theirs = submit_claim(engine, people["pegawai-b"], nip=NIP_B)
    on_my_behalf = submit_claim(engine, people["atasan-c"])  # about A, but sent by C's credential
    log_in(client, "pegawai-a")
    for claim_id in (theirs, on_my_behalf):
        refused = _void(client, claim_id)
        assert refused.status_code == 403 and "Hanya klaim Anda sendiri" in refused.get_data(as_text=True)
    assert [line.status for line in claims_of(engine, NIP_B, 2026)] == ["pending"]
    assert [line.status for line in claims_of(engine, NIP_A, 2026)] == ["pending"]
    assert _void(client, "00000000-0000-4000-8000-000000000000").status_code == 404


def test_a_decided_claim_cannot_be_voided(client: FlaskClient, engine: Engine) -> None:
    from tests.fixtures.jp import NIP_C, decision
    from lrs.write.statements import record_statements

    people = office(engine, "pegawai-a", "atasan-c")
    log_in(client, "pegawai-a")
    _send(client)
    claim_id = _only_claim(engine)
    record_statements(engine, [decision("rejected", claim_id, NIP_C, reason="Tanpa daftar hadir")],
                      authority=people["atasan-c"])
    assert _void(client, claim_id).status_code == 303
    [line] = claims_of(engine, NIP_A, 2026)
    assert line.status == "rejected"
    assert "tidak lagi menunggu keputusan" in client.get("/app/me?year=2026").get_data(as_text=True)
