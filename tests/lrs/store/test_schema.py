"""The alembic migrations build exactly the schema lrs/store/tables.py declares, and a migration
that adds a read-model column has the projection refolded from the log."""
from __future__ import annotations

from pathlib import Path

import pytest

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from lrs.store.engine import make_engine
from lrs.store.schema import _config, upgrade
from lrs.store.tables import metadata
from lrs.write.reference import create_credential, default_authority
from lrs.write.statements import record_statements
from lrs.store.engine import reading
from projections import figures, rollups, runner
from lrs.read import dashboard
from tests.fixtures.dashboard import corpu
from tests.fixtures.jp import LMS, NIP_A, assessment, claim


def test_migrated_database_matches_the_table_declarations(engine: Engine) -> None:
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_0007_refolds_assessments_with_the_posting_credential(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine)
    create_credential(engine, "asesor", "s", ["statements/write"])
    statement = assessment("INT", 3)
    record_statements(engine, [statement], authority=default_authority("asesor"))
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    with engine.begin() as conn:  # as 0006 folded it: no credential, checkpoint at the head
        conn.execute(text("INSERT INTO assessments (statement_id, seq, account, competency, level, assessed_at) "
                          "VALUES (:id, 3, :nip, 'INT', 3, '2026-02-01T09:00:00+07:00')"),
                     {"id": statement["id"], "nip": NIP_A})
        conn.execute(text("INSERT INTO projection_checkpoints (name, seq) "
                          "SELECT 'assessments', max(seq) FROM events"))
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM assessments")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM projection_checkpoints "
                                 "WHERE name = 'assessments'")).scalar() == 0
    runner.catch_up(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT statement_id, authority_key FROM assessments")).one() == (
            statement["id"], "asesor")
    engine.dispose()


@pytest.mark.parametrize("before", ["0015", "0016"])  # 0016 (month x form) and 0017 (competency gaps)
def test_a_new_counter_empties_the_roll_ups_and_the_next_claim_rolls_the_year_up_again(
        tmp_path: Path, before: str) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine)
    corpu(engine, "pegawai-a")
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, before)
    upgrade(engine)
    with engine.connect() as conn:
        assert [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in
                ("rollups", "rollup_parts", "rollup_years")] == [0, 0, 0]
        # 0017 queues every figure, to store its reasons' codes.
        queued, stored = (conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("figure_work", "jp_figures"))
        assert queued == stored > 0
    assert dashboard.gather(engine, "KEMENKEU", 2026).lister is None  # computed meanwhile
    record_statements(engine, [claim(jp=2, timestamp="2026-07-01T09:00:00+07:00")], authority=LMS)
    board = dashboard.gather(engine, "KEMENKEU", 2026)
    computed = dashboard.gather(engine, "KEMENKEU", 2026, computed=True)
    assert board.lister is not None and (board.summary, board.gaps) == (computed.summary, computed.gaps)
    with reading(engine) as conn:
        assert list(figures.differences(conn)) == [] and list(rollups.differences(conn)) == []
    engine.dispose()
