"""Credentials: a trusted source's credential row and its `source.trusted` event land together."""
from __future__ import annotations

import pytest
from sqlalchemy import Engine

from lrs.write.reference import create_credential
from lrs.errors import BadRequest
from lrs.events import SOURCE_TRUSTED
from lrs.store import credentials, log, read_models
from projections import runner


def _trust_events(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [e.payload["key"] for e in log.stream(conn) if e.type == SOURCE_TRUSTED]


def test_trusted_source_is_recorded_with_its_credential(engine: Engine) -> None:
    create_credential(engine, "lms", "s3cret", ["statements/write"], trusted_source=True)
    create_credential(engine, "app", "s3cret", ["statements/write"])
    assert _trust_events(engine) == ["lms"]
    with engine.connect() as conn:
        assert read_models.trusted_keys(conn) == frozenset({"lms"})
        assert credentials.find_credential(conn, "lms").trusted_source  # type: ignore[union-attr]


def test_failed_append_leaves_no_trusted_credential(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(log, "append", broken)
    with pytest.raises(RuntimeError):
        create_credential(engine, "lms", "s3cret", ["statements/write"], trusted_source=True)
    monkeypatch.undo()
    with engine.connect() as conn:
        assert credentials.find_credential(conn, "lms") is None
    assert _trust_events(engine) == []


def test_existing_key_appends_no_second_trust(engine: Engine) -> None:
    create_credential(engine, "lms", "s3cret", ["statements/write"], trusted_source=True)
    with pytest.raises(BadRequest, match="already exists"):
        create_credential(engine, "lms", "other", ["all"], trusted_source=True)
    assert _trust_events(engine) == ["lms"]
    runner.rebuild(engine)
    with engine.connect() as conn:
        assert read_models.trusted_keys(conn) == frozenset({"lms"})
