"""Credentials: a trusted source's credential row and its `source.trusted` event land together;
an assessor is bound to an instansi."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from lrs.cli import main
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


def test_an_assessor_is_bound_to_an_instansi(engine: Engine, database_url: str) -> None:
    with pytest.raises(BadRequest, match="bound to the instansi whose pegawai it assesses: give --instansi"):
        create_credential(engine, "asesor", "s3cret", ["statements/write"], role="assessor")
    result = CliRunner().invoke(main, ["credentials", "create", "--key", "asesor", "--secret", "s3cret",
                                       "--scope", "statements/write", "--role", "assessor", "--instansi", "KEMENKEU",
                                       "--nip", "198503032010011003", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert "(nip 198503032010011003, assessor of KEMENKEU)" in result.stdout
    with engine.connect() as conn:
        [row] = read_models.binding_rows(conn)
    assert (row["key"], row["role"], row["instansi"], row["nip"]) == (
        "asesor", "assessor", "KEMENKEU", "198503032010011003")
    result = CliRunner().invoke(main, ["credentials", "create", "--help"])
    assert "assessor: its competency assessments set the assessed level" in " ".join(result.stdout.split())
