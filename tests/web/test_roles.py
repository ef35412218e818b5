"""The roles the first browser test does not drive, in a real browser against a real server: a
national reporting credential lands on /app/ listing every instansi and opens the dashboard of
any of them; a delegated verifier (bound to Biro SDM of KEMENKEU, in place of the atasan) finds
their unit's claim in the inbox and approves it, and the claim leaves every inbox."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from lrs.read.jp import pegawai_jp
from lrs.write.reference import create_credential, record_roster
from tests.e2e.conftest import LiveServer
from tests.fixtures.jp import NIP_A, NIP_B, roster_row
from tests.fixtures.web import SECRET, office, submit_claim
from tests.web.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.slow

NIP_E = "199505052022012005"


def _log_in(page: Any, server: LiveServer, key: str) -> None:
    page.goto(f"http://127.0.0.1:{server.port}/app/login")
    page.get_by_label("Nama pengguna (kunci kredensial)").fill(key)
    page.get_by_label("Kata sandi (rahasia)").fill(SECRET)
    page.get_by_role("button", name="Masuk").click()


def test_national_sees_every_instansi_and_a_verifier_decides_for_their_unit(
        browser: Any, web_engine: Engine, web_server: LiveServer) -> None:
    people = office(web_engine, "pegawai-a", "nasional")
    record_roster(web_engine, [roster_row(NIP_E, nama="Fitri Handayani", instansi="KEMENDAG", unit_kerja="Setjen")])
    create_credential(web_engine, "verifikator", SECRET, ["statements/write"], nip=NIP_B, role="verifier",
                      instansi="KEMENKEU", unit_kerja="Biro SDM")
    claim_id = submit_claim(web_engine, people["pegawai-a"], timestamp="2026-06-15T09:00:00+07:00")
    base = f"http://127.0.0.1:{web_server.port}"

    # National: /app/ lists every instansi; any dashboard opens, with its figures.
    national = browser.new_context(**DESKTOP)
    page = national.new_page()
    _log_in(page, web_server, "nasional")
    assert page.url == f"{base}/app/"
    assert page.get_by_test_id("instansi-list").locator("a").all_text_contents() == ["KEMENDAG", "KEMENKEU"]
    page.get_by_role("link", name="KEMENDAG").click()
    assert page.url.startswith(f"{base}/app/instansi/KEMENDAG")
    assert page.get_by_test_id("jp-counted").inner_text() == "0"
    page.goto(f"{base}/app/instansi/KEMENKEU?year=2026")
    assert page.get_by_test_id("jp-pending").inner_text() == "4"  # A's mentoring waits
    national.close()

    # The verifier of Biro SDM (B, not A's atasan) finds A's claim and approves it from a phone.
    verifier = browser.new_context(**PHONE)
    page = verifier.new_page()
    _log_in(page, web_server, "verifikator")
    page.goto(f"{base}/app/inbox")
    row = page.locator(f'[data-testid="claim-row"][data-statement-id="{claim_id}"]')
    assert row.count() == 1 and page.locator('[data-testid="claim-row"]').count() == 1
    row.get_by_test_id("approve").click()
    assert "Disetujui: klaim Siti Rahma" in page.locator(".notice").inner_text()
    assert page.get_by_test_id("inbox-empty").is_visible()
    verifier.close()
    total = pegawai_jp(web_engine, NIP_A, 2026)
    assert (total.jp_counted, total.jp_pending) == (4, 0)
    assert "delegated verifier of Biro SDM, KEMENKEU" in total.lines[0].decisions[0].reason
