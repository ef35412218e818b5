"""`lrs jp` as text: the figure, then one line per warning and per suspected duplicate."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine

from lrs.cli import main
from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from tests.fixtures.jp import LMS, NIP_A, claim, roster_row

COURSE = "https://lms.example.go.id/course/anti-korupsi"


def test_jp_text_prints_warnings_and_suspected_duplicates_one_line_each(database_url: str, engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row(status="PPPK")])
    first, again = (claim("NK_ELEARNING", jp=4, activity=COURSE, registered=False,
                          timestamp=f"2026-03-02T10:0{minute}:00+07:00") for minute in (0, 1))
    record_statements(engine, [claim(jp=26), first, again], authority=LMS)
    result = CliRunner().invoke(main, ["jp", NIP_A, "--year", "2026", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "30 JP counted, 0 pending" in lines[0]
    assert [line for line in lines if line.startswith("  warning ")] == [
        "  warning max_jp_assigned_exceeded: 30 JP counted in 2026 is over the PPPK ceiling of 24 JP a year on "
        "assigned development (targets/PPPK/max_jp_assigned, id.asn.bangkom.national-default@1); every counted "
        "JP is taken as assigned, since the statements do not say which were, and all of them stay counted"]
    [suspect] = [line for line in lines if line.startswith("  suspected duplicate ")]
    assert suspect.startswith(f"  suspected duplicate {first['id']}, {again['id']} (kept {first['id']}): "
                              "2 statements report one completion (same activity and verb within 30 minutes")
