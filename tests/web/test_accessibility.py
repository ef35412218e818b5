"""Every page type through axe-core (the accessibility engine, bundled by axe-playwright-python and
injected into the page: nothing is fetched) in a real browser, at desktop and phone width: no
serious or critical violation. Each page is reached the way its person reaches it, with figures
on it (claims waiting, a profile with gaps, a plan), so the check sees the page as it is used."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from lrs.write.reference import create_credential, record_standards, trust_source
from lrs.write.statements import record_statements
from tests.e2e.conftest import LiveServer
from tests.fixtures.jp import ASESOR, LMS, NIP_A, NIP_B, assessment, claim, planned
from tests.fixtures.web import SECRET, office, submit_claim
from tests.web.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.slow
SERIOUS = ("serious", "critical")


def _setup(engine: Engine) -> None:
    people = office(engine, "pegawai-a", "atasan-c", "pegawai-b")
    trust_source(engine, "lms")
    create_credential(engine, "asesor", "s", ["statements/write"], role="assessor", instansi="KEMENKEU")
    record_standards(engine, [{"instansi": "", "jabatan": "Analis", "kompetensi": "INT", "jenis": "manajerial",
                               "level": 3, "effective_from": "2020-01-01"}])
    record_statements(engine, [assessment("INT", 2)], authority=ASESOR)
    record_statements(engine, [claim(jp=8, timestamp="2026-02-10T09:00:00+07:00"),
                               planned("https://lms.example.go.id/course/etika", jp=4, codes=["INT"])], authority=LMS)
    submit_claim(engine, people["pegawai-a"])
    submit_claim(engine, people["pegawai-b"], nip=NIP_B)


PAGES = [  # (who logs in, the page)
    (None, "/"),
    (None, "/app/login"),
    ("pegawai-a", "/app/me?year=2026"),
    ("pegawai-a", "/app/claims/new"),
    ("atasan-c", "/app/inbox"),
    ("atasan-c", f"/app/pegawai/{NIP_A}?year=2026"),
    ("pegawai-b", f"/app/pegawai/{NIP_A}?year=2026"),  # the 403 page
]


def _serious(browser: Any, server: LiveServer, key: str | None, path: str, options: dict[str, Any]) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(**options)
    page = context.new_page()
    base = f"http://127.0.0.1:{server.port}"
    if key is not None:
        page.goto(f"{base}/app/login")
        page.get_by_label("Nama pengguna (kunci kredensial)").fill(key)
        page.get_by_label("Kata sandi (rahasia)").fill(SECRET)
        page.get_by_role("button", name="Masuk").click()
    page.goto(base + path)
    violations = Axe().run(page).response["violations"]
    context.close()
    return [f"{path} as {key}: {v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in violations if v["impact"] in SERIOUS]


def test_no_page_has_a_serious_accessibility_violation(web_engine: Engine, web_server: LiveServer,
                                                       browser: Any) -> None:
    _setup(web_engine)
    found = [problem for key, path in PAGES for options in (DESKTOP, PHONE)
             for problem in _serious(browser, web_server, key, path, options)]
    assert found == []
