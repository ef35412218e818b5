"""GET /api/v1/summary (the nation's stored roll-up and its instansi, paged) and what the instansi
and unit summaries say of their roll-up, over HTTP on SQLite and PostgreSQL: a reader of every
report reads the nation; a credential bound to an instansi or a person does not."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.store import read_models
from lrs.store.engine import reading
from projections import runner
from projections.rules.policy import PolicySet
from tests.fixtures.readers import Org, organisation


@pytest.fixture
def org(engine: Engine) -> Org:
    return organisation(engine)


def _checkpoint(engine: Engine) -> int:
    with reading(engine) as conn:
        return min(read_models.checkpoints(conn, runner.BY_NAME).values())


def _today(engine: Engine) -> date:
    with reading(engine) as conn:
        return PolicySet.from_rows(read_models.policy_rows(conn)).day_of(datetime.now(timezone.utc))


def test_the_nation_and_its_instansi_paged(client: FlaskClient, engine: Engine, org: Org) -> None:
    reply = client.get("/api/v1/summary?year=2026", headers=org.headers("national"))
    assert reply.status_code == 200, reply.json
    body = reply.json
    assert (body["summary"]["instansi"], body["summary"]["pegawai"], body["summary"]["pending_claims"]) == (None, 5, 2)
    assert body["summary"]["jp_pending"] == 8 and body["summary"]["pending_since"] == "2026-03-02"
    assert body["summary"]["pending_age_days"] == (_today(engine) - date(2026, 3, 2)).days  # counted when read
    assert [(i["instansi"], i["pegawai"]) for i in body["instansi"]] == [("KEMENDIKDASMEN", 1), ("KEMENKEU", 4)]
    assert (body["count"], body["current_as_of"], body["pending_figures"]) == (2, _checkpoint(engine), 0)
    assert "R-REP-01" in body["summary"]["denominator"]
    second = client.get("/api/v1/summary?year=2026&offset=1&limit=1", headers=org.headers("national")).json
    assert [i["instansi"] for i in second["instansi"]] == ["KEMENKEU"] and second["count"] == 2


def test_only_a_reader_of_every_report_reads_the_nation(client: FlaskClient, org: Org) -> None:
    for key in ("kemenkeu", "pegawai-e"):
        reply = client.get("/api/v1/summary?year=2026", headers=org.headers(key))
        assert reply.status_code == 403 and "not the national summary" in reply.json["message"], key
    assert client.get("/api/v1/summary?year=2026", headers=org.headers("lms")).status_code == 403  # no `reports`
    missing = client.get("/api/v1/summary", headers=org.headers("national"))
    assert missing.status_code == 400 and "year" in missing.json["message"]
    assert client.get("/api/v1/summary?year=2031", headers=org.headers("national")).status_code == 404


def test_instansi_and_unit_summaries_keep_their_keys_and_say_their_roll_up(
        client: FlaskClient, engine: Engine, org: Org) -> None:
    body = client.get("/api/v1/instansi/KEMENKEU/summary?year=2026", headers=org.headers("kemenkeu")).json
    assert {"year", "summary", "units", "count", "offset", "limit"} <= set(body)
    assert {"pegawai", "in_scope", "target_met", "share_met", "jp_counted", "jp_pending", "policy_versions",
            "denominator", "by_status", "by_jenis_jabatan", "jp_by_form", "jp_by_competency"} <= set(body["summary"])
    assert (body["current_as_of"], body["pending_figures"]) == (_checkpoint(engine), 0)
    assert [u["unit_kerja"] for u in body["units"]] == ["Biro SDM", "Inspektorat"]
    computed = client.get(f"/api/v1/instansi/KEMENKEU/summary?year=2026&as_of={_checkpoint(engine)}",
                          headers=org.headers("kemenkeu")).json
    assert computed["summary"] == {**body["summary"], "pending_age_days": None}  # as of an earlier point: no age
    assert [{**u, "pending_age_days": None} for u in body["units"]] == computed["units"]
    assert (computed["current_as_of"], computed["pending_figures"]) == (None, 0)
    unit = client.get("/api/v1/instansi/KEMENKEU/units/Inspektorat/summary?year=2026",
                      headers=org.headers("inspektorat")).json
    assert [p["nip"] for p in unit["pegawai"]] == sorted(p["nip"] for p in unit["pegawai"]) and unit["count"] == 2
