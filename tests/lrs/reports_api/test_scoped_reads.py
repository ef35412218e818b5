"""Who reads what under /api/v1, over HTTP, on SQLite and PostgreSQL: each credential's scope
and binding decide which pegawai, pending lists and summaries it reads; anything else is 403
with a message naming why."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from tests.fixtures.jp import NIP_A, NIP_B, NIP_C
from tests.fixtures.readers import NIP_D, NIP_E, Org, organisation

PEGAWAI = ("jp", "recognitions", "competencies")


@pytest.fixture
def org(engine: Engine) -> Org:
    return organisation(engine)


def _pegawai(client: FlaskClient, org: Org, key: str, nip: str, year: int = 2026) -> set[int]:
    """The statuses of the pegawai's JP, recognitions and competencies read by `key`."""
    return {client.get(f"/api/v1/pegawai/{nip}/{what}?year={year}", headers=org.headers(key)).status_code
            for what in PEGAWAI}


def _get(client: FlaskClient, org: Org, key: str, path: str) -> tuple[int, str]:
    reply = client.get(path, headers=org.headers(key))
    return reply.status_code, (reply.get_json() or {}).get("message", "")


def test_own_credential_reads_own_not_a_colleagues(client: FlaskClient, org: Org) -> None:
    assert _pegawai(client, org, "pegawai-a", NIP_A) == {200}
    assert _pegawai(client, org, "pegawai-a", NIP_B) == {403}
    status, message = _get(client, org, "pegawai-a", f"/api/v1/pegawai/{NIP_B}/jp?year=2026")
    assert message == (f"credential 'pegawai-a' reads only the reports of {NIP_A} and of their bawahan: "
                       f"in 2026, pegawai {NIP_B} is none of these")
    body = client.get(f"/api/v1/pegawai/{NIP_A}/recognitions?year=2026", headers=org.headers("pegawai-a")).json
    assert [c["statement_id"] for c in body["claims"]] == [org.claim_of_a]


def test_reports_credential_bound_to_a_person_is_scoped_to_them(client: FlaskClient, org: Org) -> None:
    assert _pegawai(client, org, "pegawai-e", NIP_E) == {200}
    assert _pegawai(client, org, "pegawai-e", NIP_A) == {403}
    assert _get(client, org, "pegawai-e", "/api/v1/instansi/KEMENDIKDASMEN/summary?year=2026")[0] == 403


def test_atasan_reads_bawahan_for_the_year_they_led_them_and_their_pending_list(
        client: FlaskClient, org: Org) -> None:
    assert _pegawai(client, org, "atasan-c", NIP_A, 2026) == {200}
    assert _pegawai(client, org, "atasan-c", NIP_A, 2027) == {403}  # A moved to D on 1 July 2026
    assert _pegawai(client, org, "kepala-d", NIP_A, 2027) == {200}
    body = client.get(f"/api/v1/atasan/{NIP_C}/pending", headers=org.headers("atasan-c")).json
    assert (body["count"], body["pending"][0]["statement_id"]) == (1, org.claim_of_a)
    status, message = _get(client, org, "kepala-d", f"/api/v1/atasan/{NIP_C}/pending")
    assert status == 403 and f"the claims waiting for {NIP_C} are read by {NIP_C}'s own credential" in message


def test_verifier_reads_their_unit(client: FlaskClient, org: Org) -> None:
    assert _pegawai(client, org, "verifier-sdm", NIP_A, 2026) == {200}
    assert _pegawai(client, org, "verifier-sdm", NIP_D, 2026) == {403}
    unit = client.get("/api/v1/instansi/KEMENKEU/units/Biro%20SDM/summary?year=2026",
                      headers=org.headers("verifier-sdm")).json
    assert sorted(p["nip"] for p in unit["pegawai"]) == [NIP_C, NIP_B]
    assert _get(client, org, "verifier-sdm", "/api/v1/instansi/KEMENKEU/summary?year=2026")[0] == 403


def test_instansi_credential_reads_its_instansi_only(client: FlaskClient, org: Org) -> None:
    assert _pegawai(client, org, "kemenkeu", NIP_A) == {200}
    assert _get(client, org, "kemenkeu", "/api/v1/instansi/KEMENKEU/summary?year=2026")[0] == 200
    assert _get(client, org, "kemenkeu",
                "/api/v1/instansi/KEMENKEU/units/Inspektorat/competency-gaps?year=2026")[0] == 200
    assert _pegawai(client, org, "kemenkeu", NIP_E) == {403}
    status, message = _get(client, org, "kemenkeu", "/api/v1/instansi/KEMENDIKDASMEN/summary?year=2026")
    assert (status, message) == (403, "credential 'kemenkeu' reads only those of instansi 'KEMENKEU' "
                                      "(unit pengelola), not the summaries of instansi 'KEMENDIKDASMEN'")
    assert _get(client, org, "kemenkeu",
                "/api/v1/instansi/KEMENDIKDASMEN/units/Biro%20Umum/summary?year=2026")[0] == 403


def test_national_reports_credential_reads_all(client: FlaskClient, org: Org) -> None:
    for nip in (NIP_A, NIP_B, NIP_C, NIP_D, NIP_E):
        assert _pegawai(client, org, "national", nip) == {200}
    for path in ("/api/v1/instansi/KEMENDIKDASMEN/summary?year=2026", f"/api/v1/atasan/{NIP_C}/pending",
                 "/api/v1/instansi/KEMENKEU/units/Biro%20SDM/competency-gaps?year=2026"):
        assert _get(client, org, "national", path)[0] == 200


def test_personal_credential_without_reports_and_not_the_person_is_403(client: FlaskClient, org: Org) -> None:
    assert _pegawai(client, org, "pegawai-b", NIP_A) == {403}
    assert _pegawai(client, org, "pegawai-b", NIP_E) == {403}
    status, message = _get(client, org, "pegawai-b", "/api/v1/pegawai/1/jp?year=2026")
    assert status == 403 and "pegawai 1 is none of these" in message  # not 404: the roster stays unseen
    status, message = _get(client, org, "lms", f"/api/v1/pegawai/{NIP_A}/jp?year=2026")
    assert (status, message) == (403, "credential 'lms' lacks the scope 'reports'")
