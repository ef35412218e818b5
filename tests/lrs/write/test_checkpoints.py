"""Signing checkpoints of the log (both databases): the key is published once, a checkpoint signs
the head before it, the server's thread signs when due and only then, and stops on close."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine

from lrs.errors import NotFound, SigningKeyError
from lrs.events import CHECKPOINT_SIGNED, KEY_PUBLISHED
from lrs.store import chain, log, signing
from lrs.store.engine import reading
from lrs.store.signing import Checkpoint, PublicKey
from lrs.write.checkpoints import Checkpointer, read_key, sign_head, sign_if_due
from lrs.write.reference import trust_source

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
HOUR = 3600.0


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "signing.pem"
    path.write_bytes(signing.new_key_pem())
    return path


def _events(engine: Engine) -> list:
    with reading(engine) as conn:
        return log.read(conn)


def test_the_first_checkpoint_publishes_the_key_then_signs_the_head_before_it(engine: Engine, key_file: Path) -> None:
    key = read_key(str(key_file))
    trust_source(engine, "lms", now=NOW)
    head = _events(engine)[-1]
    first = sign_head(engine, key, now=NOW)
    assert first.checkpoint.seq == head.seq and first.checkpoint.hash == head.hash
    assert first.checkpoint.stored == chain.format_stored(head.stored)
    published, signed = _events(engine)[-2:]
    assert (published.type, signed.type, first.event_seq) == (KEY_PUBLISHED, CHECKPOINT_SIGNED, signed.seq)
    assert PublicKey.from_json(published.payload, "key") == PublicKey.of(key) == first.key
    assert Checkpoint.from_json(signed.payload) == first.checkpoint
    assert first.checkpoint.signed_by(first.key)
    second = sign_head(engine, key, now=NOW)
    assert second.checkpoint.seq == signed.seq  # the head was the first checkpoint
    assert [e.type for e in _events(engine)].count(KEY_PUBLISHED) == 1
    assert first.as_json() == {**first.checkpoint.as_json(), "public_key": first.key.public_key,
                               "event_seq": first.event_seq}


def test_an_empty_log_has_no_head_to_sign(engine: Engine, key_file: Path) -> None:
    with pytest.raises(NotFound, match="the log is empty"):
        sign_head(engine, read_key(str(key_file)))
    assert _events(engine) == []


def test_a_second_key_is_published_before_its_first_checkpoint(engine: Engine, key_file: Path, tmp_path: Path) -> None:
    trust_source(engine, "lms", now=NOW)
    sign_head(engine, read_key(str(key_file)), now=NOW)
    (tmp_path / "new.pem").write_bytes(signing.new_key_pem())
    rotated = sign_head(engine, read_key(str(tmp_path / "new.pem")), now=NOW)
    assert [e.type for e in _events(engine)][1:] == [KEY_PUBLISHED, CHECKPOINT_SIGNED, KEY_PUBLISHED, CHECKPOINT_SIGNED]
    assert rotated.checkpoint.seq == 3


def test_sign_if_due_signs_when_the_head_moved_and_the_interval_passed(engine: Engine, key_file: Path) -> None:
    key = read_key(str(key_file))
    assert sign_if_due(engine, key, HOUR, now=NOW) == (None, HOUR)  # an empty log
    trust_source(engine, "lms", now=NOW)
    signed, wait = sign_if_due(engine, key, HOUR, now=NOW)  # no checkpoint yet: due at once
    assert signed is not None and signed.checkpoint.seq == 1 and wait == HOUR
    trust_source(engine, "phone", now=NOW + timedelta(minutes=10))
    assert sign_if_due(engine, key, HOUR, now=NOW + timedelta(minutes=15)) == (None, 45 * 60)  # not yet
    later, _ = sign_if_due(engine, key, HOUR, now=NOW + timedelta(hours=1))
    assert later is not None and later.checkpoint.seq == signed.event_seq + 1
    # an hour on, nothing new was appended: nothing to sign
    assert sign_if_due(engine, key, HOUR, now=NOW + timedelta(hours=3))[0] is None
    assert [e.type for e in _events(engine)].count(CHECKPOINT_SIGNED) == 2


def test_reading_a_key_names_the_file_and_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match=f"cannot read the signing key file {tmp_path / 'none.pem'}"):
        read_key(str(tmp_path / "none.pem"))
    (tmp_path / "bad.pem").write_text("not a key")
    with pytest.raises(SigningKeyError, match="bad.pem is not an unencrypted PEM private key"):
        read_key(str(tmp_path / "bad.pem"))


def test_the_checkpointer_thread_signs_when_started_and_stops_on_close(engine: Engine, key_file: Path) -> None:
    trust_source(engine, "lms")
    checkpointer = Checkpointer(engine, read_key(str(key_file)), HOUR)
    try:
        checkpointer.start()
        checkpointer.start()  # idempotent
        assert checkpointer.wait()
        assert [e.type for e in _events(engine)][-1] == CHECKPOINT_SIGNED
    finally:
        checkpointer.close()
    assert checkpointer._thread is not None and not checkpointer._thread.is_alive()


@pytest.fixture
def signing_app(database_url: str, key_file: Path) -> Iterator[Flask]:
    from lrs.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "PROJECT_IN_BACKGROUND": False,
                      "SIGNING_KEY_FILE": str(key_file), "CHECKPOINT_SECONDS": 3600})
    yield app
    app.extensions["lrs.checkpointer"].close()
    app.extensions["lrs.replays"].close()
    app.extensions["lrs.engine"].dispose()


def test_a_server_with_a_key_signs_after_its_first_request(signing_app: Flask, engine: Engine, key_file: Path) -> None:
    trust_source(engine, "lms")
    checkpointer: Checkpointer = signing_app.extensions["lrs.checkpointer"]
    assert checkpointer._thread is None  # nothing runs before a request (nor before a fork)
    assert signing_app.test_client().get("/xapi/about").status_code == 200
    assert checkpointer.wait()
    assert [e.type for e in _events(engine)] == ["source.trusted", KEY_PUBLISHED, CHECKPOINT_SIGNED]
    signed = Checkpoint.from_json(_events(engine)[-1].payload)
    assert (signed.seq, signed.key_id) == (1, PublicKey.of(read_key(str(key_file))).key_id)


@pytest.mark.parametrize("config", [{}, {"SIGNING_KEY_FILE": "/nowhere.pem", "CHECKPOINT_SECONDS": 0}])
def test_a_server_without_a_key_or_an_interval_signs_nothing(database_url: str, config: dict) -> None:
    from lrs.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, **config})
    assert app.extensions["lrs.checkpointer"] is None
    app.extensions["lrs.engine"].dispose()


def test_a_server_with_an_unreadable_key_does_not_start(database_url: str, tmp_path: Path) -> None:
    from lrs.app import create_app

    with pytest.raises(SigningKeyError, match="cannot read the signing key file"):
        create_app({"TESTING": True, "DATABASE_URL": database_url, "SIGNING_KEY_FILE": str(tmp_path / "gone.pem")})
