"""The columns of the stored claim rows the dashboard counts waiting claims by (0019_claim_waiting),
on SQLite and PostgreSQL: the migration fills them for the rows stored before it, from each row's
line and the roster, to what a refresh stores, and `lrs verify --figures` finds one out of step."""
from __future__ import annotations

from alembic import command
from click.testing import CliRunner
from sqlalchemy import Engine, text

from lrs.cli import main
from lrs.read import dashboard
from lrs.store.schema import _config, upgrade
from tests.fixtures.dashboard import corpu
from tests.fixtures.jp import NIP_A, NIP_C

COLUMNS = "SELECT nip, statement_id, instansi, atasan_nip, seq FROM claim_figures ORDER BY nip, statement_id"


def test_0019_fills_the_columns_of_stored_claims(database_url: str, engine: Engine) -> None:
    corpu(engine, "bpsdm", "pegawai-a", "atasan-c")  # a claim of A waits for C
    with engine.connect() as conn:
        stored = conn.execute(text(COLUMNS)).all()
    assert (NIP_A, "KEMENKEU", NIP_C) in {(nip, instansi, atasan) for nip, _, instansi, atasan, _ in stored}
    assert all(seq for *_, seq in stored)
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0018")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text(COLUMNS)).all() == stored
    verify = ["verify", "--figures", "--database-url", database_url]
    assert CliRunner().invoke(main, verify).exit_code == 0
    board = dashboard.gather(engine, "KEMENKEU", 2026)
    assert [(q.atasan_nip, q.claims) for q in board.waiting()] == [(NIP_C, 1)]
    with engine.begin() as conn:
        conn.execute(text("UPDATE claim_figures SET atasan_nip = NULL WHERE nip = :n"), {"n": NIP_A})
    result = CliRunner().invoke(main, verify)
    assert result.exit_code == 1 and "atasan_nip" in result.stdout
