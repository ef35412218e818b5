"""`lrs report pegawai`: a page of an instansi's pegawai as a table, who is behind first, and the
cursor of the next page."""
from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import Engine

from lrs.cli import main
from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from tests.fixtures.jp import LMS, NIP_A, NIP_B, NIP_C, claim, roster_row


def _run(database_url: str, *args: str) -> list[str]:
    result = CliRunner().invoke(main, ["report", "pegawai", *args, "--database-url", database_url])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_report_pegawai_prints_who_is_behind_and_the_next_page(database_url: str, engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row(NIP_A, nama="Siti"), roster_row(NIP_B, nama="Budi", unit_kerja="Inspektorat"),
                           roster_row(NIP_C, nama="Ani")])
    record_statements(engine, [claim(nip=NIP_A, jp=6), claim(nip=NIP_C, jp=24)], authority=LMS)
    lines = _run(database_url, "--instansi", "KEMENKEU", "--year", "2026", "--below-target", "--limit", "1")
    assert lines[0].split() == ["nip", "nama", "unit", "kerja", "status", "JP", "pending", "target", "target", "met"]
    # The year is rolled up (a claim of it is stored), so Budi, with no claim, has a stored figure too.
    assert lines[1].split() == [NIP_B, "Budi", "Inspektorat", "PNS", "0", "0", "20", "not", "met"]
    assert lines[2] == ("current as of seq 6; 0 figure(s) of 2026 waiting to be recomputed; "
                        "0 member(s) without a stored figure computed now")
    cursor = lines[3].removeprefix("next page: --cursor ")
    lines = _run(database_url, "--instansi", "KEMENKEU", "--year", "2026", "--below-target", "--limit", "1",
                 "--cursor", cursor)
    assert lines[1].split()[:2] == [NIP_A, "Siti"] and not lines[-1].startswith("next page")
    body = json.loads(_run(database_url, "--instansi", "KEMENKEU", "--year", "2026", "--sort", "-jp", "--json")[0])
    assert [p["nip"] for p in body["items"]] == [NIP_C, NIP_A, NIP_B]
