"""The pages in a real browser against a real server: a pegawai logs in, sees their JP and
claims a mentoring with its evidence file; the atasan opens the evidence, approves the claim in
the inbox and it leaves the inbox, and the pegawai's JP changes; so do the figures of the
instansi's dashboard, which the unit pengelola downloads as an XLSX workbook.
Each page is saved at desktop and phone width to docs/screenshots/ (shown in the README)."""
from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

import pytest
from sqlalchemy import Engine

from tests.e2e.conftest import LiveServer
from tests.fixtures.dashboard import colleagues
from tests.fixtures.jp import LMS, NIP_A, claim
from tests.fixtures.web import SECRET, office
from tests.web.conftest import DESKTOP, PHONE, SCREENSHOTS
from lrs.write.reference import trust_source
from lrs.write.statements import record_statements

pytestmark = pytest.mark.slow


EVIDENCE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _setup(engine: Engine) -> None:
    """A's year so far: training counted from the LMS (the mentoring A claims in the browser)."""
    office(engine, "pegawai-a", "atasan-c", "pegawai-b", "bpsdm")
    trust_source(engine, "lms")
    colleagues(engine)
    record_statements(engine, [claim(jp=8, timestamp="2026-02-10T09:00:00+07:00"),
                               claim("NK_ELEARNING", jp=3, timestamp="2026-04-20T09:00:00+07:00")],
                      authority=LMS)


def _claim_mentoring(page: Any, base: str) -> str:
    """A claims 3 hours of mentoring with the invitation as evidence; first without the file,
    which is refused next to the field and keeps what was typed. Returns the claim's id."""
    page.get_by_test_id("new-claim").click()
    assert page.url == f"{base}/app/claims/new"
    page.get_by_label("Bentuk pembelajaran").select_option("NK_MENTORING")
    page.get_by_label("Tanggal kegiatan").fill("2026-06-15")
    page.get_by_label("Menit").fill("180")
    page.get_by_label("Judul").fill("Mentoring penyusunan anggaran")
    page.get_by_label("Uraian").fill("Tiga sesi dengan Kepala Biro")
    page.get_by_test_id("submit-claim").click()
    assert "Lampirkan bukti" in page.get_by_test_id("evidence-error").inner_text()
    assert page.get_by_label("Judul").input_value() == "Mentoring penyusunan anggaran"  # nothing typed is lost
    assert page.get_by_label("Menit").input_value() == "180"
    page.screenshot(path=str(SCREENSHOTS / "claim-error-desktop.png"), full_page=True)
    page.get_by_label("Bukti (PDF, JPEG atau PNG)").set_input_files(
        files=[{"name": "undangan.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE}])
    page.get_by_test_id("submit-claim").click()
    assert page.url == f"{base}/app/me?year=2026"
    assert "Klaim Anda terkirim" in page.locator(".notice").inner_text()
    found: str = page.get_by_test_id("claim").get_attribute("data-statement-id")
    return found


def _evidence_link(claim_id: str) -> str:
    return f"/app/claims/{claim_id}/evidence/{hashlib.sha256(EVIDENCE).hexdigest()}"


def _log_in(page: Any, server: LiveServer, key: str) -> None:
    page.goto(f"http://127.0.0.1:{server.port}/app/login")
    page.get_by_label("Nama pengguna (kunci kredensial)").fill(key)
    page.get_by_label("Kata sandi (rahasia)").fill(SECRET)
    page.get_by_role("button", name="Masuk").click()


def _shoot(browser: Any, server: LiveServer, key: str | None, path: str, name: str) -> None:
    """The page at `path`, as `key` sees it, at desktop and phone width."""
    for width, options in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(**options)
        page = context.new_page()
        if key is not None:
            _log_in(page, server, key)
        page.goto(f"http://127.0.0.1:{server.port}{path}")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        context.close()


def _figures(page: Any) -> tuple[Decimal, Decimal, str]:
    """The dashboard's JP counted and pending (Indonesian decimals), and the Biro SDM row."""
    def number(test_id: str) -> Decimal:
        return Decimal(page.get_by_test_id(test_id).inner_text().replace(".", "").replace(",", "."))
    return number("jp-counted"), number("jp-pending"), page.locator('[data-unit="Biro SDM"]').inner_text()


def test_the_atasan_approves_in_the_inbox_and_the_pegawai_jp_changes(
        browser: Any, web_engine: Engine, web_server: LiveServer) -> None:
    _setup(web_engine)
    base = f"http://127.0.0.1:{web_server.port}"
    _shoot(browser, web_server, None, "/app/login", "login")

    # The pegawai logs in, sees the year, and claims a mentoring with its evidence.
    pegawai = browser.new_context(**DESKTOP).new_page()
    _log_in(pegawai, web_server, "pegawai-a")
    assert pegawai.url == f"{base}/app/me"
    assert pegawai.get_by_test_id("jp-counted").inner_text() == "11"
    assert pegawai.get_by_test_id("jp-pending").inner_text() == "0"
    _shoot(browser, web_server, "pegawai-a", "/app/claims/new", "claim")
    claim_id = _claim_mentoring(pegawai, base)
    # 11 JP counted, the 4 JP of the mentoring waiting for the atasan.
    assert pegawai.get_by_test_id("jp-counted").inner_text() == "11"
    assert pegawai.get_by_test_id("jp-pending").inner_text() == "4"
    assert pegawai.locator("svg.bars[aria-labelledby=\"by-form-title\"] .bar-label").all_text_contents() == ["Pelatihan teknis", "E-learning"]
    assert pegawai.locator("svg.bars[aria-labelledby=\"by-form-title\"] .bar-value").all_text_contents() == ["8 JP", "3 JP"]
    _shoot(browser, web_server, "pegawai-a", "/app/me?year=2026", "me")

    # A form posted without its CSRF token is refused.
    refused = pegawai.request.post(f"{base}/app/logout", form={})
    assert refused.status == 400

    # The unit pengelola's dashboard counts the claim as pending.
    corpu = browser.new_context(**DESKTOP).new_page()
    _log_in(corpu, web_server, "bpsdm")
    corpu.goto(f"{base}/app/instansi/KEMENKEU?year=2026")
    counted, pending, _ = _figures(corpu)

    # The atasan: the claim is in the inbox; a rejection without a reason is refused next to the field.
    _shoot(browser, web_server, "atasan-c", "/app/inbox", "inbox")
    atasan = browser.new_context(**PHONE).new_page()
    _log_in(atasan, web_server, "atasan-c")
    atasan.goto(f"{base}/app/inbox")
    row = atasan.locator(f'[data-testid="claim-row"][data-statement-id="{claim_id}"]')
    assert row.count() == 1
    assert row.get_by_test_id("claim-title").inner_text().startswith("Mentoring penyusunan anggaran")
    evidence = atasan.request.get(base + row.get_by_test_id("evidence-link").get_attribute("href"))
    assert (evidence.status, evidence.body()) == (200, EVIDENCE)
    row.get_by_test_id("jp").fill("3")
    row.get_by_test_id("reject").click()
    row = atasan.locator(f'[data-testid="claim-row"][data-statement-id="{claim_id}"]')
    assert "Penolakan perlu alasan" in row.get_by_test_id("reason-error").inner_text()
    assert row.get_by_test_id("jp").input_value() == "3"  # nothing typed is lost
    atasan.screenshot(path=str(SCREENSHOTS / "inbox-error-phone.png"), full_page=True)
    row.get_by_test_id("approve").click()
    assert atasan.get_by_test_id("inbox-empty").is_visible()
    assert atasan.locator('[data-testid="claim-row"]').count() == 0
    assert "Disetujui: klaim Siti Rahma" in atasan.locator(".notice").inner_text()
    _shoot(browser, web_server, "atasan-c", f"/app/pegawai/{NIP_A}?year=2026", "pegawai")

    # The pegawai's JP now counts the 3 JP the atasan approved.
    pegawai.reload()
    assert pegawai.get_by_test_id("jp-counted").inner_text() == "14"
    assert pegawai.get_by_test_id("jp-pending").inner_text() == "0"
    assert "Disetujui" in pegawai.locator('[data-testid="claim"]').inner_text()

    # The dashboard: 3 JP more counted, the claim's 4 JP no longer pending, at a later log position.
    seq = int(corpu.get_by_test_id("seq").inner_text())
    corpu.reload()
    assert _figures(corpu)[:2] == (counted + 3, pending - 4)
    assert int(corpu.get_by_test_id("seq").inner_text()) > seq
    corpu.get_by_test_id("units").get_by_role("link", name="Di bawah target").click()  # sort the units by it
    assert 'aria-sort="ascending"' in corpu.locator('[data-testid="units"] thead').inner_html()
    with corpu.expect_download() as download:
        corpu.get_by_test_id("xlsx-all").click()
    assert download.value.suggested_filename.startswith("jejak-KEMENKEU-2026-semua-seq")
    with open(download.value.path(), "rb") as saved:
        book = load_workbook(saved)
    units = {row[1]: row for row in book["Unit Kerja"].iter_rows(min_row=2, values_only=True)}
    assert sum(Decimal(str(row[8])) for row in units.values()) == counted + 3
    assert units["Biro SDM"][8] == 14  # A: 8 + 3 from the LMS, 3 approved
    assert dict(book["Keterangan"].iter_rows(min_row=2, values_only=True))["Posisi Log (seq)"] == int(
        corpu.get_by_test_id("seq").inner_text())
    _shoot(browser, web_server, "bpsdm", "/app/instansi/KEMENKEU?year=2026", "dashboard")

    # A colleague sees neither the claim nor A's page.
    colleague = browser.new_context(**DESKTOP).new_page()
    _log_in(colleague, web_server, "pegawai-b")
    colleague.goto(f"{base}/app/pegawai/{NIP_A}")
    assert "Anda tidak berhak membuka halaman ini" in colleague.locator("h1").inner_text()
    assert colleague.request.get(base + _evidence_link(claim_id)).status == 403
    colleague.screenshot(path=str(SCREENSHOTS / "forbidden-desktop.png"), full_page=True)
