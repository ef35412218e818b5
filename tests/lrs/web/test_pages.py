"""The pegawai's pages, on SQLite and PostgreSQL: the figures of /app/me come from the same
reads as /api/v1, the year selector, the chart, and who may open whose page (403 otherwise)."""
from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.read.jp import pegawai_jp
from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from tests.fixtures.jp import LMS, NIP_A, NIP_B, NIP_C, claim, decision, roster_row
from tests.fixtures.web import log_in, office, submit_claim


def _testid(page: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}">([^<]*)<', page)
    assert found, f"no {name} on the page"
    return found.group(1)


def test_me_shows_the_year_figures_of_the_api(client: FlaskClient, engine: Engine) -> None:
    people = office(engine)
    trust_source(engine, "lms")
    record_statements(engine, [claim(jp=12.5), claim("KL_SEMINAR", duration="PT2H15M",
                                                                timestamp="2026-05-04T10:00:00+07:00")],
                      authority=LMS)
    submit_claim(engine, people["pegawai-a"])
    log_in(client, "pegawai-a")
    page = client.get("/app/me?year=2026").get_data(as_text=True)
    figures = pegawai_jp(engine, NIP_A, 2026)
    assert (figures.jp_counted, figures.jp_pending) == (12.5, 7)
    assert (_testid(page, "jp-counted"), _testid(page, "jp-pending"), _testid(page, "jp-target")) == ("12,5", "7", "20")
    assert "Kurang 7,5 JP lagi untuk mencapai target." in page
    assert 'class="counted" style="width: 62.5%"' in page and 'class="pending" style="width: 35.0%"' in page
    # Every line behind the figures, with its status and why.
    assert page.count('data-testid="line"') == 3
    assert "Diakui" in page and "Menunggu" in page and "perlu verifikasi oleh atasan: menunggu keputusan atasan" in page
    assert "needs supervisor verification" not in page  # the rules' reasons in Indonesian (lrs/web/reasons.py)
    # Claims with their recognition state: the mentoring and the seminar wait for the atasan.
    assert page.count('data-testid="claim"') == 2 and "Menunggu atasan" in page


def test_the_chart_draws_each_form_with_its_label_and_value(client: FlaskClient, engine: Engine) -> None:
    office(engine, "pegawai-a")
    trust_source(engine, "lms")
    record_statements(engine, [claim(jp=12), claim("NK_ELEARNING", jp=6)], authority=LMS)
    log_in(client, "pegawai-a")
    page = client.get("/app/me").get_data(as_text=True)
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert re.findall(r'class="bar-label">([^<]+)<', svg) == ["Pelatihan teknis", "E-learning"]
    assert re.findall(r'class="bar-value">([^<]+)<', svg) == ["12 JP", "6 JP"]
    assert re.findall(r'<rect [^>]*width="([0-9.]+)%"', svg) == ["72.0", "36.0"]
    assert 'role="img"' in svg and "<title" in svg


def test_the_year_selector_reads_another_year(client: FlaskClient, engine: Engine) -> None:
    office(engine, "pegawai-a")
    trust_source(engine, "lms")
    record_statements(engine, [claim(jp=5, timestamp="2025-06-01T10:00:00+07:00")], authority=LMS)
    log_in(client, "pegawai-a")
    assert _testid(client.get("/app/me?year=2025").get_data(as_text=True), "jp-counted") == "5"
    page = client.get("/app/me?year=2026").get_data(as_text=True)
    assert _testid(page, "jp-counted") == "0" and '<option value="2025">2025</option>' in page
    assert _testid(client.get("/app/me").get_data(as_text=True), "jp-counted") == "0"  # today's year
    wrong = client.get("/app/me?year=dua")
    assert wrong.status_code == 400 and "Tahun harus berupa angka" in wrong.get_data(as_text=True)


def test_english_on_request(client: FlaskClient, engine: Engine) -> None:
    office(engine, "pegawai-a")
    log_in(client, "pegawai-a")
    page = client.get("/app/me?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "My JP in" in page and "JP counted" in page
    assert "JP counted" in client.get("/app/me").get_data(as_text=True)  # kept for the session
    back = client.get("/app/me?lang=id").get_data(as_text=True)
    assert '<html lang="id">' in back and "JP saya tahun" in back


@pytest.mark.parametrize("key, nip, status", [
    ("pegawai-a", NIP_A, 200),  # themselves
    ("atasan-c", NIP_A, 200),   # their atasan
    ("nasional", NIP_A, 200),   # a national reporting credential
    ("bpsdm", NIP_A, 200),      # the unit pengelola of their instansi
    ("pegawai-b", NIP_A, 403),  # a colleague
    ("pegawai-a", NIP_C, 403),  # a bawahan never sees the atasan's page
    ("writer", NIP_A, 403),     # bound to nobody, without the reports scope
])
def test_who_sees_a_pegawai_page(client: FlaskClient, engine: Engine, key: str, nip: str, status: int) -> None:
    office(engine, key)
    log_in(client, key)
    page = client.get(f"/app/pegawai/{nip}?year=2026")
    assert page.status_code == status
    if status == 403:
        text = page.get_data(as_text=True)
        assert '<html lang="id">' in text and "Anda tidak berhak membuka halaman ini" in text
        assert NIP_A not in text.split("<footer>")[0] or key == "pegawai-a"


def test_an_atasan_sees_the_years_they_were_atasan(client: FlaskClient, engine: Engine) -> None:
    office(engine, "atasan-c")
    record_roster(engine, [roster_row(NIP_A, atasan_nip=NIP_B, effective_from="2026-07-01")])  # a new atasan
    log_in(client, "atasan-c")
    assert client.get(f"/app/pegawai/{NIP_A}?year=2026").status_code == 200  # C until June
    assert client.get(f"/app/pegawai/{NIP_A}?year=2027").status_code == 403


def test_me_is_for_a_personal_credential(client: FlaskClient, engine: Engine) -> None:
    office(engine, "nasional")
    log_in(client, "nasional")
    page = client.get("/app/me")
    assert page.status_code == 403 and "kredensial pribadi" in page.get_data(as_text=True)
    home = client.get("/app/")
    assert home.status_code == 200 and 'for="nip"' in home.get_data(as_text=True)
    assert client.get(f"/app/pegawai?nip={NIP_A}").headers["Location"] == f"/app/pegawai/{NIP_A}"
    assert client.get("/app/pegawai?nip=12").status_code == 400
    missing = client.get("/app/pegawai/111111111111111111")
    assert missing.status_code == 404 and "tidak ada dalam daftar pegawai" in missing.get_data(as_text=True)


def test_unknown_pages_are_html_and_pages_need_a_login(client: FlaskClient, engine: Engine) -> None:
    page = client.get("/app/tidak-ada")
    assert page.status_code == 404 and page.content_type.startswith("text/html")
    assert "Halaman tidak ditemukan" in page.get_data(as_text=True)
    for path in ("/app/", "/app/me", f"/app/pegawai/{NIP_A}", "/app/inbox"):
        assert client.get(path).headers["Location"].startswith("/app/login?next=")
    css = client.get("/app/static/app.css")
    assert css.status_code == 200 and "X-Experience-API-Version" not in css.headers
    assert "Access-Control-Allow-Origin" not in client.get("/app/login").headers


def test_claims_show_each_decision_in_the_policy_timezone(client: FlaskClient, engine: Engine) -> None:
    people = office(engine)
    claim_id = submit_claim(engine, people["pegawai-a"])
    record_statements(engine, [decision("approved", claim_id, NIP_C, jp=3, timestamp="2026-04-01T02:30:00Z")],
                      authority=people["atasan-c"])
    log_in(client, "pegawai-a")
    page = client.get("/app/me").get_data(as_text=True)
    item = page[page.index('data-testid="claim"'):page.index("</ul>", page.index('class="decisions"'))]
    assert "Disetujui · NIP 198503032010011003 · 1 Apr 2026 09:30 · 3 JP" in item  # 02:30 UTC in Jakarta
    assert "berlaku" in item and "atasan pegawai pada tanggal kegiatan" in item
    assert _testid(page, "jp-counted") == "3"
