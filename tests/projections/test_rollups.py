"""Stored roll-ups (projections/rollups.py), on SQLite and PostgreSQL: after each change (claims, a
roster move between units and instansi mid-year, a policy version published later, a void) the
stored summary of the nation, every instansi and every unit kerja is exactly summarize() of the
figures computed from the log, nothing waits, the parts add up, and `lrs verify --figures` finds
a roll-up edited by hand."""
from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from sqlalchemy import Engine, text

from lrs.cli import main
from lrs.read.jp import national_summary, pegawai_jp, summary
from lrs.read.values import to_json
from lrs.store import figure_rows, read_models, rollup_rows
from lrs.store.engine import reading
from lrs.write.reference import publish_policy, record_roster, trust_source
from lrs.write.statements import record_statements
from projections import figures, rollups, runner
from projections.rules.facts import RosterEntry, entry_on
from projections.rules.jp import summarize
from projections.rules.policy import PolicySet
from tests.fixtures.jp import LMS, NIP_A, NIP_B, NIP_C, PHONE, claim, overlay, roster_row, target, void

NIP_D = "197001012000031004"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"


def _scenario(engine: Engine) -> dict[str, str]:
    """KEMENKEU: A (fungsional) in Biro SDM, C (PPPK) in the Inspektorat; B in Biro SDM moves to
    KEMENDAGRI's Inspektorat on 1 July 2026; D in the Inspektorat."""
    trust_source(engine, "lms")
    record_roster(engine, [
        roster_row(NIP_A, jenis_jabatan="fungsional"),
        roster_row(NIP_B, jenis_jabatan="pelaksana"),
        roster_row(NIP_B, unit_kerja="Inspektorat", instansi="KEMENDAGRI", effective_from="2026-07-01"),
        roster_row(NIP_C, unit_kerja="Inspektorat", status="PPPK"),
        roster_row(NIP_D, unit_kerja="Inspektorat"),
    ])
    first = claim(nip=NIP_A, jp=22, timestamp="2026-03-02T10:00:00+07:00")
    record_statements(engine, [
        first, claim(nip=NIP_A, jp=4, timestamp="2026-11-02T10:00:00+07:00", activity="https://lms/c/2"),
        claim(nip=NIP_B, jp=10, timestamp="2026-03-03T10:00:00+07:00"),  # in KEMENKEU's Biro SDM then
        claim(nip=NIP_B, jp=12, timestamp="2026-09-01T10:00:00+07:00"),  # in KEMENDAGRI
        claim("KL_MANAJERIAL", nip=NIP_C, jp=5, timestamp="2026-04-01T10:00:00+07:00"),
        claim(nip=NIP_D, jp=6, timestamp="2026-05-04T10:00:00+07:00"),  # in the Inspektorat then
        claim(nip=NIP_A, jp=3, timestamp="2025-05-02T10:00:00+07:00"),
    ], authority=LMS)
    record_statements(engine, [claim("NK_MENTORING", nip=NIP_C, verb=ATTENDED, duration="PT3H",
                                     timestamp="2026-02-10T10:00:00+07:00")], authority=PHONE)  # pending
    return {"first": str(first["id"])}


def _nation_computed(engine: Engine, year: int, head: str) -> Any:
    """summarize() of the nation from figures computed from the log (a replay as of the head)."""
    with reading(engine) as conn:
        nips = read_models.nips_in(conn, None, None)
        policies = PolicySet.from_rows(read_models.policy_rows(conn))
        rows = read_models.roster_of(conn, nips)
    totals = [pegawai_jp(engine, nip, year, as_of=head) for nip in nips]
    end = policies.period_end(year)
    kinds = {nip: e.jenis_jabatan if (e := entry_on([RosterEntry.of(r) for r in rows if r["nip"] == nip], end))
             else None for nip in nips}
    members = [t for t in totals if t.instansi is not None]
    return summarize(None, None, members, totals, jenis_jabatan=kinds,
                     denominator=policies.policy_in_force(end).denominator)


def _check(engine: Engine, year: int = 2026) -> None:
    """Every stored roll-up of the year reads as the summary computed from the log, nothing waits,
    and the parts add up to the stored roll-ups."""
    with reading(engine) as conn:
        assert figure_rows.pending(conn) == (0, None)
        assert list(rollups.differences(conn)) == []
        checkpoint = min(read_models.checkpoints(conn, runner.BY_NAME).values())
        units = rollup_rows.stored_tallies(conn, year)
    head = str(runner.status(engine)[0][1])
    for instansi in sorted({s[1] for s in units if s[0] == "instansi"}):
        stored, computed = summary(engine, instansi, year, limit=500), summary(engine, instansi, year, as_of=head,
                                                                              limit=500)
        assert (stored.current_as_of, stored.pending) == (checkpoint, 0)
        assert to_json(stored.summary) == to_json(computed.summary), instansi
        assert to_json(stored.items) == to_json(computed.items) and stored.count == computed.count
        for unit in sorted(s[2] for s in units if s[0] == "unit" and s[1] == instansi):
            stored = summary(engine, instansi, year, unit_kerja=unit)
            computed = summary(engine, instansi, year, unit_kerja=unit, as_of=head)
            assert to_json(stored.summary) == to_json(computed.summary), (instansi, unit)
            assert [t.nip for t in stored.items] == [t.nip for t in computed.items]
    nation = national_summary(engine, year, limit=500)
    assert to_json(nation.summary) == to_json(_nation_computed(engine, year, head))
    assert [i.instansi for i in nation.items] == sorted({s[1] for s in units if s[0] == "instansi"})


def test_stored_roll_ups_are_what_summarize_gives_after_each_change(engine: Engine) -> None:
    ids = _scenario(engine)
    _check(engine)
    nation = to_json(national_summary(engine, 2026).summary)
    assert (nation["pegawai"], nation["jp_counted"], nation["pending_claims"]) == (4, 59, 1)
    assert nation["jp_by_month"] == {"2026-03": 32, "2026-04": 5, "2026-05": 6, "2026-09": 12, "2026-11": 4}
    assert nation["jp_distribution"] == {"1-9": 2, "20-39": 2}
    assert nation["pending_since"] == "2026-02-10"
    kemenkeu = to_json(summary(engine, "KEMENKEU", 2026).summary)
    assert (kemenkeu["pegawai"], kemenkeu["jp_counted"]) == (3, 47)  # B counts in KEMENDAGRI, their March JP here

    record_roster(engine, [roster_row(NIP_A, unit_kerja="Inspektorat", instansi="KEMENDAGRI",
                                      effective_from="2026-10-01", jenis_jabatan="struktural"),
                           roster_row(NIP_D, unit_kerja="Biro SDM", effective_from="2026-06-01")])
    _check(engine)
    units = {u.unit_kerja: (u.pegawai, int(u.jp_counted)) for u in summary(engine, "KEMENKEU", 2026).items}
    assert units == {"Biro SDM": (1, 32), "Inspektorat": (1, 11)}  # D's May JP stays in the Inspektorat
    moved = to_json(summary(engine, "KEMENDAGRI", 2026).summary)
    assert (moved["pegawai"], moved["jp_counted"], moved["by_jenis_jabatan"]["struktural"]["pegawai"]) == (2, 16, 1)

    publish_policy(engine, overlay("KEMENDAGRI", **target(30)))
    _check(engine)
    assert to_json(summary(engine, "KEMENDAGRI", 2026).summary)["target_met"] == 0

    record_statements(engine, [void(ids["first"])], authority=LMS)
    _check(engine)
    assert to_json(summary(engine, "KEMENKEU", 2026).summary)["jp_counted"] == 21
    _check(engine, 2025)


def test_a_year_is_rolled_up_with_everyone_the_roster_names(engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row(NIP_A), roster_row(NIP_B, effective_from="2026-05-01")])
    with reading(engine) as conn:
        assert rollup_rows.open_years(conn) == []  # roster rows alone open no year
    record_statements(engine, [claim(nip=NIP_A, jp=3)], authority=LMS)
    with reading(engine) as conn:
        assert rollup_rows.open_years(conn) == [2026]  # a claim's does, with everyone on the roster
    page = summary(engine, "KEMENKEU", 2026)
    assert (page.summary.pegawai, page.current_as_of is not None) == (2, True)
    record_roster(engine, [roster_row(NIP_C, effective_from="2024-01-01")])
    assert summary(engine, "KEMENKEU", 2026).summary.pegawai == 3  # a later roster row: its rolled-up years too
    page = summary(engine, "KEMENKEU", 2025)
    assert (page.summary.pegawai, page.current_as_of) == (2, None)  # not rolled up: computed per request
    _check(engine)


def test_queued_figures_are_said_and_a_roll_up_edited_by_hand_is_found(database_url: str, engine: Engine) -> None:
    _scenario(engine)
    with engine.begin() as conn:
        figure_rows.enqueue(conn, {(NIP_A, 2026): "test"}, 1)
    page = summary(engine, "KEMENKEU", 2026)
    assert page.pending == 1 and page.summary.jp_counted == 47  # as of the last refresh, and says so
    figures.refresh(engine, list(runner.BY_NAME))
    assert summary(engine, "KEMENKEU", 2026).pending == 0
    verify = ["verify", "--figures", "--database-url", database_url]
    assert CliRunner().invoke(main, verify).exit_code == 0
    with engine.begin() as conn:
        conn.execute(text("UPDATE rollups SET tally = :t WHERE year = 2026 AND kind = 'instansi' "
                          "AND instansi = 'KEMENKEU'"), {"t": '{"pegawai": "9"}'})
    result = CliRunner().invoke(main, verify)
    assert result.exit_code == 1
    assert "2026 instansi/KEMENKEU: stored roll-up is not the sum of its parts" in result.stdout
    assert "1 roll-up row(s) from their figures" in result.stderr


def test_a_year_not_rolled_up_is_computed(engine: Engine) -> None:
    record_roster(engine, [roster_row(NIP_A)])
    with reading(engine) as conn:
        assert 2031 not in rollup_rows.open_years(conn)
    page = summary(engine, "KEMENKEU", 2031)
    assert (page.summary.pegawai, page.current_as_of) == (1, None)
