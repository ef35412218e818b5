"""A rebuild computes the stored figures in bulk after folding the facts: the same rows as the
figures a live store queued and refreshed as the events came."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from lrs.store.tables import figure_work, jp_figures
from projections import figures, runner
from tests.fixtures.populated import populate


def _figures(engine: Engine) -> list[tuple[Any, ...]]:
    columns = [c for c in jp_figures.columns if c.name != "current_as_of"]
    with engine.connect() as conn:
        assert conn.execute(select(figure_work)).all() == []
        return sorted(tuple(row) for row in conn.execute(select(*columns)))


def test_rebuilt_figures_equal_the_live_ones(engine: Engine) -> None:
    populate(engine)
    live = _figures(engine)
    assert len({row[1] for row in live}) > 1 and len(live) > 3  # several pegawai, several years
    runner.rebuild(engine)
    assert _figures(engine) == live
    assert figures.recompute_all(engine, list(runner.BY_NAME), batch=1) == len(live)
    assert _figures(engine) == live
