"""0012_figure_sort fills the numeric JP columns of the figures stored before it from their decimal
texts, on SQLite and PostgreSQL, and on PostgreSQL nama then sorts bytewise."""
from __future__ import annotations

from decimal import Decimal

from alembic import command
from sqlalchemy import Engine, text

from lrs.store.schema import _config, upgrade


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
