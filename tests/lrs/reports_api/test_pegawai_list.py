"""GET /api/v1/instansi/<instansi>/pegawai and .../units/<unit_kerja>/pegawai over HTTP, on SQLite
and PostgreSQL: the rows, the `more` link through every page, each bad parameter named in a 400,
and 403 for a reader of another instansi."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from tests.fixtures.jp import LMS, claim, roster_row
from tests.fixtures.readers import organisation

BASE = "/api/v1/instansi/KEMENKEU"


def nip(i: int) -> str:
    return f"1990010120201210{i:02d}"


@pytest.fixture
def staff(engine: Engine) -> Engine:
    """Six pegawai in two units with 4, 4, 4, 8, 21 and no JP."""
    trust_source(engine, "lms")
    units = ["Biro SDM", "Biro SDM", "Inspektorat", "Biro SDM", "Inspektorat", "Biro SDM"]
    record_roster(engine, [roster_row(nip(i), unit_kerja=unit) for i, unit in enumerate(units, 1)])
    record_statements(engine, [claim(nip=nip(i), jp=jp) for i, jp in enumerate([4, 4, 4, 8, 21], 1)],
                      authority=LMS)
    return engine


def test_rows_and_page(client: FlaskClient, staff: Engine, auth: dict[str, str]) -> None:
    body = client.get(f"{BASE}/pegawai?year=2026&sort=-jp&limit=1", headers=auth).json
    assert body["pegawai"] == [{"nip": nip(5), "nama": "Pegawai 005", "jp_counted": 21, "jp_pending": 0,
                                "target_jp": 20, "target_met": True, "unit_kerja": "Inspektorat", "status": "PNS",
                                "pending": False, "computed": False}]
    assert {k: body[k] for k in ("instansi", "unit_kerja", "year", "pending", "computed")} == {
        "instansi": "KEMENKEU", "unit_kerja": None, "year": 2026, "pending": 0, "computed": 0}
    with staff.connect() as conn:
        head = conn.execute(text("SELECT max(seq) FROM events")).scalar_one()
    assert body["current_as_of"] == head and body["more"].startswith(f"{BASE}/pegawai?")


def test_more_links_walk_every_page_with_the_filters(client: FlaskClient, staff: Engine,
                                                     auth: dict[str, str]) -> None:
    url: str | None = f"{BASE}/pegawai?year=2026&target_met=false&jp_below=8.5&limit=2"
    seen: list[str] = []
    while url is not None:
        body = client.get(url, headers=auth).json
        seen += [p["nip"] for p in body["pegawai"]]
        url = body["more"]
    assert seen == [nip(6), nip(1), nip(2), nip(3), nip(4)]


def test_unit_list(client: FlaskClient, staff: Engine, auth: dict[str, str]) -> None:
    body = client.get(f"{BASE}/units/Inspektorat/pegawai?year=2026&sort=nip", headers=auth).json
    assert ([p["nip"] for p in body["pegawai"]], body["unit_kerja"], body["more"]) == (
        [nip(3), nip(5)], "Inspektorat", None)
    same = client.get(f"{BASE}/pegawai?year=2026&sort=nip&unit_kerja=Inspektorat", headers=auth).json
    assert same["pegawai"] == body["pegawai"]


@pytest.mark.parametrize(("query", "message"), [
    ("", "year: Missing data for required field."),
    ("year=2026&target_met=maybe", "target_met: Not a valid boolean."),
    ("year=2026&jp_below=ten", "jp_below: Not a valid number."),
    ("year=2026&jp_below=NaN", "jp_below: Special numeric values (nan or infinity) are not permitted."),
    ("year=2026&sort=jp_counted", "sort: Must be one of: jp, -jp, nama, -nama, nip, -nip."),
    ("year=2026&limit=0", "limit: Must be greater than or equal to 1 and less than or equal to 500."),
    ("year=2026&rank=1", "rank: Unknown field."),
    ("year=2026&cursor=xyz", "cursor 'xyz' is not one this list gave"),
])
def test_a_bad_parameter_is_a_400_naming_it(client: FlaskClient, staff: Engine, auth: dict[str, str],
                                            query: str, message: str) -> None:
    reply = client.get(f"{BASE}/pegawai?{query}", headers=auth)
    assert reply.status_code == 400 and message in reply.json["message"]


def test_the_unit_path_takes_no_unit_parameter(client: FlaskClient, staff: Engine, auth: dict[str, str]) -> None:
    reply = client.get(f"{BASE}/units/Inspektorat/pegawai?year=2026&unit_kerja=Biro%20SDM", headers=auth)
    assert reply.status_code == 400 and "unit_kerja is given by the path" in reply.json["message"]


def test_another_instansis_credential_is_refused(client: FlaskClient, engine: Engine) -> None:
    org = organisation(engine)
    assert client.get(f"{BASE}/pegawai?year=2026", headers=org.headers("kemenkeu")).status_code == 200
    reply = client.get("/api/v1/instansi/KEMENDIKDASMEN/pegawai?year=2026", headers=org.headers("kemenkeu"))
    assert reply.status_code == 403
    reply = client.get(f"{BASE}/units/Biro%20SDM/pegawai?year=2026", headers=org.headers("inspektorat"))
    assert reply.status_code == 403
    reply = client.get(f"{BASE}/pegawai?year=2026", headers=org.headers("pegawai-e"))
    assert reply.status_code == 403


def test_a_units_more_link_keeps_its_path(client: FlaskClient, staff: Engine, auth: dict[str, str]) -> None:
    url: str | None = f"{BASE}/units/Biro%20SDM/pegawai?year=2026&sort=-nip&limit=3"
    seen: list[str] = []
    while url is not None:
        body = client.get(url, headers=auth).json
        seen += [p["nip"] for p in body["pegawai"]]
        url = body["more"]
        assert url is None or url.startswith(f"{BASE}/units/Biro%20SDM/pegawai?")
    assert seen == [nip(6), nip(4), nip(2), nip(1)]
