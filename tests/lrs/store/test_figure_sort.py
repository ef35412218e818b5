"""The numeric JP columns of jp_figures (0012_figure_sort), on SQLite and PostgreSQL: the migration
fills them for the figures stored before it from their decimal texts (and on PostgreSQL nama
then sorts bytewise), and `lrs verify --figures` finds one out of step with the rules."""
from __future__ import annotations

from decimal import Decimal

from alembic import command
from click.testing import CliRunner
from sqlalchemy import Engine, text

from lrs.cli import main
from lrs.store.schema import _config, upgrade
from lrs.write.reference import record_roster, trust_source
from lrs.write.statements import record_statements
from tests.fixtures.jp import LMS, NIP_A, claim, roster_row


def _columns(nip: str, nama: str, counted: str, target: str | None) -> dict[str, object]:
    return {"nip": nip, "nama": nama, "counted": counted, "target": target}


def test_0012_fills_the_numbers_of_stored_figures(engine: Engine) -> None:
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0011")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO jp_figures (nip, year, nama, status, unit_kerja, instansi, jp_counted, jp_pending, jp_by_form, "
            "target_jp, target_met, policy_versions, warnings, suspected_duplicates, total, current_as_of) VALUES "
            "(:nip, 2026, :nama, 'PNS', 'Biro SDM', 'KEMENKEU', :counted, '0.5', '{}', :target, false, '[]', 0, 0, "
            "'{}', 1)"), [_columns("1", "budi", "12.25", "20"), _columns("2", "Agus", "7", None),
                          _columns("3", "Cipto", "100", "20")])
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT nip, jp_counted_num, jp_pending_num, target_jp_num FROM jp_figures "
                                 "ORDER BY jp_counted_num")).all()
        names = conn.execute(text("SELECT nama FROM jp_figures ORDER BY nama")).scalars().all()
        collation = None if engine.dialect.name == "sqlite" else conn.execute(text(
            "SELECT collation_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'jp_figures' AND column_name = 'nama'")).scalar_one()
    assert [(nip, Decimal(str(c)), Decimal(str(p)), None if t is None else Decimal(str(t)))
            for nip, c, p, t in rows] == [("2", 7, Decimal("0.5"), None), ("1", Decimal("12.25"), Decimal("0.5"), 20),
                                          ("3", 100, Decimal("0.5"), 20)]
    assert names == ["Agus", "Cipto", "budi"] == sorted(names)  # bytewise: capitals first, as Python sorts
    assert collation in (None, "C")


def test_verify_figures_finds_a_number_out_of_step(database_url: str, engine: Engine) -> None:
    trust_source(engine, "lms")
    record_roster(engine, [roster_row()])
    record_statements(engine, [claim(jp=12.5)], authority=LMS)
    verify = ["verify", "--figures", "--database-url", database_url]
    assert CliRunner().invoke(main, verify).exit_code == 0
    with engine.begin() as conn:
        conn.execute(text("UPDATE jp_figures SET jp_counted_num = 40 WHERE nip = :n AND year = 2026"), {"n": NIP_A})
    result = CliRunner().invoke(main, verify)
    assert result.exit_code == 1 and result.stdout.startswith(f"{NIP_A}/2026: jp_counted_num stored ")
