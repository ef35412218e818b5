"""Failed authentication: one message whatever failed, and repeated failures per key and per
client address answered 429 without checking the secret, while other clients go on."""
from __future__ import annotations

import base64
from typing import Iterator

import pytest
from flask import Flask

from tests.fixtures.builders import add_credential, basic

ATTACKER = {"REMOTE_ADDR": "203.0.113.7"}
LMS = {"REMOTE_ADDR": "198.51.100.20"}
OTHER_LMS = {"REMOTE_ADDR": "198.51.100.30"}
LIMIT = 10  # LRS_AUTH_FAILURE_LIMIT's default


def _get(app: Flask, headers: dict[str, str], environ: dict[str, str]):
    return app.test_client().get("/xapi/statements", headers=headers, environ_base=environ)


def test_every_authentication_failure_gets_the_same_message(app: Flask, engine) -> None:
    from datetime import datetime, timezone

    from lrs.store.credentials import revoke_credential

    add_credential(engine, "lms", "right", ["all"])
    add_credential(engine, "old", "right", ["all"])
    with engine.begin() as conn:
        revoke_credential(conn, "old", datetime.now(timezone.utc))
    replies = [_get(app, basic(key, secret), LMS) for key, secret in
               (("nobody", "x"), ("lms", "wrong"), ("old", "right"))]
    assert [r.status_code for r in replies] == [401, 401, 401]
    assert len({r.get_json()["message"] for r in replies}) == 1


def test_many_wrong_secrets_for_one_key_are_throttled_not_other_clients(app: Flask, engine) -> None:
    add_credential(engine, "lms", "right", ["all"])
    add_credential(engine, "other", "fine", ["all"])
    statuses = [_get(app, basic("lms", f"guess-{n}"), ATTACKER).status_code for n in range(LIMIT + 3)]
    assert statuses[:LIMIT] == [401] * LIMIT
    assert statuses[LIMIT:] == [429] * 3
    refused = _get(app, basic("lms", "right"), ATTACKER)  # even the right secret, from there
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["error"] == "TooManyRequests"
    assert _get(app, basic("other", "fine"), OTHER_LMS).status_code == 200


def test_a_throttled_key_is_refused_from_any_address_unless_its_secret_was_verified(app: Flask, engine) -> None:
    add_credential(engine, "lms", "right", ["all"])
    assert _get(app, basic("lms", "right"), LMS).status_code == 200  # the owner, before the attack
    _spread_guesses(app, "lms")
    assert _get(app, basic("lms", "another-guess"), {"REMOTE_ADDR": "203.0.113.99"}).status_code == 429
    assert _get(app, basic("lms", "right"), LMS).status_code == 200  # its owner is not locked out


@pytest.fixture
def cold_cache(database_url: str) -> Iterator[Flask]:
    """Every secret checked the slow way, as in a server process that has not seen it yet."""
    yield from _app(database_url, AUTH_CACHE_SECONDS=0)


def test_a_throttled_key_still_gets_checked_from_an_address_it_was_verified_from(cold_cache: Flask, engine) -> None:
    add_credential(engine, "lms", "right", ["all"])
    assert _get(cold_cache, basic("lms", "right"), LMS).status_code == 200
    _spread_guesses(cold_cache, "lms")
    assert _get(cold_cache, basic("lms", "right"), LMS).status_code == 200
    assert _get(cold_cache, basic("lms", "wrong"), LMS).status_code == 401  # checked, not waved through
    assert _get(cold_cache, basic("lms", "right"), OTHER_LMS).status_code == 429  # a new address waits


def _spread_guesses(app: Flask, key: str) -> None:
    """Enough wrong secrets for `key` to throttle it, each from another address."""
    for n in range(LIMIT):
        assert _get(app, basic(key, f"guess-{n}"), {"REMOTE_ADDR": f"203.0.113.{n + 1}"}).status_code == 401


def _app(database_url: str, **config: object) -> Iterator[Flask]:
    from lrs.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "PROJECT_IN_BACKGROUND": False, **config})
    yield app
    app.extensions["lrs.replays"].close()
    app.extensions["lrs.engine"].dispose()


def test_many_failures_from_one_address_are_throttled_whatever_the_key(app: Flask, engine) -> None:
    add_credential(engine, "other", "fine", ["all"])
    statuses = [_get(app, basic(f"key-{n}", "x"), ATTACKER).status_code for n in range(LIMIT + 1)]
    assert statuses == [401] * LIMIT + [429]
    assert _get(app, basic("other", "fine"), OTHER_LMS).status_code == 200


@pytest.fixture
def unthrottled(database_url: str) -> Iterator[Flask]:
    yield from _app(database_url, AUTH_FAILURE_LIMIT=0)


def test_a_limit_of_zero_turns_throttling_off(unthrottled: Flask, engine) -> None:
    add_credential(engine, "lms", "right", ["all"])
    statuses = {_get(unthrottled, basic("lms", f"guess-{n}"), ATTACKER).status_code for n in range(LIMIT + 2)}
    assert statuses == {401}


def test_malformed_credentials_are_401_and_not_counted(app: Flask, engine) -> None:
    add_credential(engine, "lms", "right", ["all"])
    broken = base64.b64encode(b"no-colon").decode()
    for _ in range(LIMIT + 1):
        response = _get(app, {"Authorization": f"Basic {broken}", "X-Experience-API-Version": "1.0.3"}, ATTACKER)
        assert response.status_code == 401
    assert _get(app, basic("lms", "right"), ATTACKER).status_code == 200


def test_x_forwarded_for_is_ignored_unless_a_proxy_is_trusted(app: Flask, engine) -> None:
    statuses = [_get(app, {**basic(f"key-{n}", "x"), "X-Forwarded-For": f"192.0.2.{n}"}, ATTACKER).status_code
                for n in range(LIMIT + 1)]
    assert statuses[-1] == 429  # one address, whatever the header says


@pytest.fixture
def behind_a_proxy(database_url: str) -> Iterator[Flask]:
    yield from _app(database_url, TRUSTED_PROXIES=1)


def test_behind_a_trusted_proxy_clients_are_told_apart_by_x_forwarded_for(behind_a_proxy: Flask, engine) -> None:
    add_credential(engine, "other", "fine", ["all"])
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = [_get(behind_a_proxy, {**basic(f"key-{n}", "x"), "X-Forwarded-For": "203.0.113.7"}, proxy)
                for n in range(LIMIT + 1)]
    assert attacker[-1].status_code == 429
    lms = _get(behind_a_proxy, {**basic("other", "fine"), "X-Forwarded-For": "198.51.100.30"}, proxy)
    assert lms.status_code == 200
