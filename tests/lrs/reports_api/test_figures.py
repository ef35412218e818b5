"""The commands (policy publish, roster import, projections, jp) and the /api/v1/ reports."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.cli import main
from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from tests.fixtures.builders import add_credential
from tests.fixtures.jp import LMS, NIP_A, NIP_B, claim, overlay, roster_row, target

HEADER = "nip,nama,status,jabatan,unit_kerja,instansi,atasan_nip,effective_from"


def _cli(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--database-url", database_url])
    return result.exit_code, result.stdout, result.stderr


def test_roster_import_csv_reports_bad_rows_and_changes_nothing(database_url: str, tmp_path: Path,
                                                                engine: Engine) -> None:
    good = f"{NIP_A},Siti,PNS,Analis,Biro SDM,KEMENKEU,,2026-01-01"
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([HEADER, good, "12345,Budi,PNS,Analis,Biro SDM,KEMENKEU,,2026-01-01",
                               f"{NIP_B},Ani,PNS,Analis,Biro SDM,KEMENKEU,,2026-02-30"]) + "\n")
    code, _, err = _cli(database_url, "roster", "import", str(path))
    assert code == 1
    assert "row 3: nip '12345' is not 18 digits" in err and "row 4: effective_from" in err
    assert "nothing recorded" in err
    code, out, _ = _cli(database_url, "projections", "status", "--json")
    assert all(json.loads(line)["checkpoint"] == 0 for line in out.splitlines() if "checkpoint" in json.loads(line))
    code, out, _ = _cli(database_url, "roster", "import", str(path), "--skip-invalid")
    assert code == 0 and "recorded 1 roster row(s), skipped 2" in out


def test_roster_import_xlsx_and_wrong_header(database_url: str, tmp_path: Path, engine: Engine) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append([NIP_A, "Siti", "PNS", "Analis", "Biro SDM", "KEMENKEU", None, datetime(2026, 1, 1)])
    book.save(tmp_path / "roster.xlsx")
    code, out, err = _cli(database_url, "roster", "import", str(tmp_path / "roster.xlsx"))
    assert (code, out.strip()) == (0, "recorded 1 roster row(s)"), err
    (tmp_path / "bad.csv").write_text("nip,nama\n")
    code, _, err = _cli(database_url, "roster", "import", str(tmp_path / "bad.csv"))
    assert code == 1 and "missing ['status'" in err


def test_policy_publish_validates_and_refuses_a_lower_floor(database_url: str, tmp_path: Path,
                                                            engine: Engine) -> None:
    (tmp_path / "low.json").write_text(json.dumps(overlay(**target(10))))
    code, _, err = _cli(database_url, "policy", "publish", str(tmp_path / "low.json"))
    assert code == 1 and "never lower" in err
    (tmp_path / "high.json").write_text(json.dumps(overlay(**target(30))))
    code, out, _ = _cli(database_url, "policy", "publish", str(tmp_path / "high.json"))
    assert code == 0 and "published overlay.kemenkeu version 1" in out
    code, _, err = _cli(database_url, "policy", "publish", str(tmp_path / "high.json"))
    assert code == 1 and "published already" in err


def test_jp_json_rebuild_and_status(database_url: str, engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    record_statements(engine, [claim(jp=12), claim("NK_COACHING", duration="PT90M")], authority=LMS)
    code, out, _ = _cli(database_url, "jp", NIP_A, "--year", "2026", "--json")
    body = json.loads(out)
    assert code == 0
    assert {k: body[k] for k in ("nip", "year", "jp_counted", "jp_pending", "target_jp", "target_met")} == {
        "nip": NIP_A, "year": 2026, "jp_counted": 12, "jp_pending": 2, "target_jp": 20, "target_met": False}
    assert body["policy_versions"] == ["id.asn.bangkom.national-default@1"]
    code, out, err = _cli(database_url, "projections", "rebuild")
    assert code == 0 and "rebuilt all projections to seq 4" in out
    code, out, _ = _cli(database_url, "projections", "rebuild", "jp_claims")
    assert code == 0
    code, out, _ = _cli(database_url, "projections", "status")
    assert "jp_claims\tcheckpoint 4\tlag 0" in out
    record_statements(engine, [claim(jp=1)], authority=LMS, project=False)
    code, out, _ = _cli(database_url, "projections", "status")
    assert "jp_claims\tcheckpoint 4\tlag 1" in out
    code, out, _ = _cli(database_url, "projections", "run", "--once")
    assert (code, out.strip()) == (0, "projections at seq 5")
    code, out, _ = _cli(database_url, "jp", NIP_A, "--year", "2026", "--as-of", "3")
    assert code == 0 and "12 JP counted" in out
    code, out, _ = _cli(database_url, "jp", NIP_A, "--year", "2026")
    assert code == 0 and "13 JP counted" in out
    code, _, err = _cli(database_url, "jp", NIP_B, "--year", "2026")
    assert code == 1 and "not in the roster" in err


def test_credentials_create_trusted_source(database_url: str, engine: Engine) -> None:
    code, out, _ = _cli(database_url, "credentials", "create", "--key", "lms", "--secret", "s",
                        "--scope", "statements/write", "--trusted-source")
    assert code == 0 and "(trusted source)" in out
    code, out, _ = _cli(database_url, "projections", "status", "--json")
    assert json.loads(out.splitlines()[1]) == {"name": "sources", "checkpoint": 1, "lag": 0}


def test_reports_api(client: FlaskClient, engine: Engine, auth: dict[str, str]) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row(), roster_row(NIP_B, unit_kerja="Inspektorat")])
    record_statements(engine, [claim(jp=22)], authority=LMS)
    reply = client.get(f"/api/v1/pegawai/{NIP_A}/jp?year=2026", headers=auth)
    assert reply.status_code == 200
    assert (reply.json["jp_counted"], reply.json["target_met"]) == (22, True)
    assert reply.json["lines"][0]["status"] == "counted"
    page = client.get("/api/v1/instansi/KEMENKEU/summary?year=2026&limit=1", headers=auth).json
    assert (page["count"], len(page["units"]), page["summary"]["share_met"]) == (2, 1, 0.5)
    unit = client.get("/api/v1/instansi/KEMENKEU/units/Inspektorat/summary?year=2026", headers=auth).json
    assert [p["nip"] for p in unit["pegawai"]] == [NIP_B]
    early = client.get(f"/api/v1/pegawai/{NIP_A}/jp?year=2026&as_of=3", headers=auth).json
    assert early["jp_counted"] == 0
    assert client.get(f"/api/v1/pegawai/{NIP_A}/jp", headers=auth).status_code == 400
    assert client.get("/api/v1/pegawai/1/jp?year=2026", headers=auth).status_code == 404
    assert client.get("/api/v1/pegawai/1/jp?year=2026&as_of=soon", headers=auth).status_code == 400


def test_reports_api_needs_the_reports_scope(client: FlaskClient, engine: Engine) -> None:
    writer = add_credential(engine, "writer", "w", ["statements/write"])
    reader = add_credential(engine, "reader", "r", ["reports"])
    record_roster(engine, [roster_row()])
    assert client.get(f"/api/v1/pegawai/{NIP_A}/jp?year=2026", headers=writer).status_code == 403
    assert client.get(f"/api/v1/pegawai/{NIP_A}/jp?year=2026", headers=reader).status_code == 200
