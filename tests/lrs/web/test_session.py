"""Logging in and out of the web pages, on SQLite and PostgreSQL: the same credentials as HTTP
Basic, a signed session cookie, CSRF tokens on the web's forms only, expiry, revocation, and
failed logins slowed per username and per address."""
from __future__ import annotations

import logging
import time
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.app import create_app
from lrs.write.reference import revoke_credential
from tests.fixtures.builders import add_credential, make_statement
from tests.fixtures.web import SECRET, csrf_token, log_in, office


def test_login_with_a_credential_opens_its_pages(client: FlaskClient, engine: Engine) -> None:
    office(engine)
    assert client.get("/app/me").status_code == 302  # not yet
    reply = log_in(client, "pegawai-a")
    assert (reply.status_code, reply.headers["Location"]) == (303, "/app/")
    assert client.get("/app/").headers["Location"] == "/app/me"
    page = client.get("/app/me")
    assert page.status_code == 200 and "Masuk sebagai pegawai-a" in page.get_data(as_text=True)


def test_login_returns_to_the_page_asked_for_and_only_to_this_app(client: FlaskClient, engine: Engine) -> None:
    office(engine)
    assert client.get("/app/inbox").headers["Location"] == "/app/login?next=/app/inbox"
    assert client.get("/app/me?year=2025").headers["Location"] == "/app/login?next=/app/me?year%3D2025"
    token = csrf_token(client.get("/app/login"))
    reply = client.post("/app/login?next=/app/inbox", data={"username": "atasan-c", "password": SECRET,
                                                            "csrf_token": token})
    assert reply.headers["Location"] == "/app/inbox"
    client.post("/app/logout", data={"csrf_token": csrf_token(client.get("/app/inbox"))})
    token = csrf_token(client.get("/app/login"))
    reply = client.post("/app/login?next=https://evil.example/", data={"username": "atasan-c", "password": SECRET,
                                                                       "csrf_token": token})
    assert reply.headers["Location"] == "/app/"


def test_a_wrong_secret_or_unknown_key_is_refused_in_indonesian(client: FlaskClient, engine: Engine) -> None:
    office(engine)
    for key, secret in (("pegawai-a", "salah"), ("nobody", SECRET)):
        page = log_in(client, key, secret)
        assert page.status_code == 200
        assert "Nama pengguna atau kata sandi salah." in page.get_data(as_text=True)
    assert client.get("/app/me").status_code == 302


def test_empty_fields_are_named_next_to_the_field(client: FlaskClient, engine: Engine) -> None:
    token = csrf_token(client.get("/app/login"))
    page = client.post("/app/login", data={"username": "pegawai-a", "password": "", "csrf_token": token})
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'id="password-error">Isi kata sandi Anda.' in text
    assert 'value="pegawai-a"' in text  # what was typed stays


def test_a_post_without_csrf_token_is_refused(client: FlaskClient, engine: Engine) -> None:
    office(engine)
    client.get("/app/login")
    refused = client.post("/app/login", data={"username": "pegawai-a", "password": SECRET})
    assert refused.status_code == 400
    assert "Formulir sudah kedaluwarsa" in refused.get_data(as_text=True)
    assert client.get("/app/me").status_code == 302
    log_in(client, "pegawai-a")
    assert client.post("/app/logout").status_code == 400
    assert client.post("/app/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/app/me").status_code == 200  # still logged in


def test_xapi_and_api_v1_need_no_csrf_token(client: FlaskClient, engine: Engine, auth: dict[str, str]) -> None:
    stored = client.post("/xapi/statements", json=make_statement(), headers=auth)
    assert stored.status_code == 200
    assert client.get("/api/v1/atasan/198503032010011003/pending", headers=auth).status_code == 200


def test_logout_ends_the_session(client: FlaskClient, engine: Engine) -> None:
    office(engine)
    log_in(client, "pegawai-a")
    assert client.get("/app/logout").status_code == 404  # a link (or an image) cannot log anyone out
    assert client.get("/app/me").status_code == 200
    reply = client.post("/app/logout", data={"csrf_token": csrf_token(client.get("/app/me"))})
    assert (reply.status_code, reply.headers["Location"]) == (303, "/app/login")
    assert "Anda telah keluar." in client.get("/app/login").get_data(as_text=True)
    assert client.get("/app/me").status_code == 302


def test_the_session_cookie_is_signed_httponly_and_samesite(client: FlaskClient, engine: Engine) -> None:
    office(engine)
    reply = log_in(client, "pegawai-a")
    cookie = reply.headers["Set-Cookie"]
    assert cookie.startswith("jejak_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie and "Expires=" in cookie
    forged = client.get_cookie("jejak_session").value[:-2] + "xx"
    client.set_cookie("jejak_session", forged)
    assert client.get("/app/me").status_code == 302


def test_secure_cookies_and_a_configured_key(database_url: str, engine: Engine,
                                             caplog: pytest.LogCaptureFixture) -> None:
    office(engine)
    settings = {"DATABASE_URL": database_url, "PROJECT_IN_BACKGROUND": False, "SESSION_COOKIE_SECURE": True,
                "SECRET_KEY": "a-key-shared-by-every-worker"}
    with caplog.at_level(logging.WARNING, logger="lrs.web"):
        one, two = create_app(settings), create_app(settings)
    assert "LRS_SECRET_KEY is not set" not in caplog.text
    first, https = one.test_client(), {"base_url": "https://localhost"}
    # Over HTTPS Flask-WTF also wants a same-origin Referer on a form post (browsers send it).
    cookie = log_in(first, "pegawai-a", headers={"Referer": "https://localhost/app/login"}, **https)
    assert "Secure" in cookie.headers["Set-Cookie"]
    second = two.test_client()  # another worker of the same server: the same key
    second.set_cookie("jejak_session", first.get_cookie("jejak_session", domain="localhost").value)
    assert second.get("/app/me", **https).status_code == 200
    for app in (one, two):
        app.extensions["lrs.engine"].dispose()


def test_without_a_key_each_process_makes_one_and_warns(database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="lrs.web"):
        app = create_app({"DATABASE_URL": database_url})
    assert "LRS_SECRET_KEY is not set" in caplog.text and "end when it restarts" in caplog.text
    assert len(app.config["SECRET_KEY"]) == 64
    app.extensions["lrs.engine"].dispose()


def test_a_session_ends_after_its_minutes(app: Flask, client: FlaskClient, engine: Engine) -> None:
    office(engine)
    log_in(client, "pegawai-a")
    minutes = app.config["SESSION_MINUTES"]
    with client.session_transaction() as session:
        session["since"] = int(time.time()) - minutes * 60 + 30  # half a minute left
    assert client.get("/app/me").status_code == 200
    with client.session_transaction() as session:
        session["since"] = int(time.time()) - minutes * 60 - 1
    reply = client.get("/app/me")
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/app/login")
    assert "Sesi Anda telah berakhir." in client.get("/app/login").get_data(as_text=True)
    assert client.get("/app/me").status_code == 302  # the session is gone, not only refused once


def test_revoking_the_credential_ends_its_sessions(client: FlaskClient, engine: Engine) -> None:
    office(engine)
    log_in(client, "pegawai-a")
    revoke_credential(engine, "pegawai-a")
    assert client.get("/app/me").status_code == 302
    assert "Kredensial Anda tidak berlaku lagi." in client.get("/app/login").get_data(as_text=True)


def test_failed_logins_are_slowed_per_username(client: FlaskClient, engine: Engine) -> None:
    office(engine, "pegawai-a", "pegawai-b")
    for _ in range(5):
        assert log_in(client, "pegawai-a", "salah").status_code == 200
    blocked = log_in(client, "pegawai-a")  # the right secret, too late
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit." in blocked.get_data(as_text=True)
    assert client.get("/app/me").status_code == 302
    # Another person at the same address is not slowed.
    assert log_in(client, "pegawai-b").headers["Location"] == "/app/"


@pytest.fixture
def strict_app(database_url: str) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": database_url, "PROJECT_IN_BACKGROUND": False,
                      "LOGIN_FAILURES_PER_ADDRESS": 3, "LOGIN_FAILURES_PER_USERNAME": 2})
    yield app
    app.extensions["lrs.engine"].dispose()


def test_failed_logins_are_slowed_per_address(strict_app: Flask, engine: Engine) -> None:
    add_credential(engine, "pegawai-b", SECRET, ["statements/write"])
    here, elsewhere = strict_app.test_client(), strict_app.test_client()
    for key in ("tebakan-1", "tebakan-2", "tebakan-3"):
        assert log_in(here, key, "salah").status_code == 200
    assert log_in(here, "pegawai-b").status_code == 429
    other_address = {"REMOTE_ADDR": "10.0.0.9"}
    token = csrf_token(elsewhere.get("/app/login", environ_base=other_address))
    reply = elsewhere.post("/app/login", data={"username": "pegawai-b", "password": SECRET, "csrf_token": token},
                           environ_base=other_address)
    assert reply.status_code == 303


def test_lrs_serve_signs_every_worker_with_one_key(database_url: str, root_logging) -> None:
    from lrs.server import LrsServer

    server = LrsServer(database_url, {}, secret_key="made-by-lrs-serve")
    workers = [server.load(), server.load()]  # gunicorn calls load() in each worker, after fork
    assert [w.config["SECRET_KEY"] for w in workers] == ["made-by-lrs-serve"] * 2
    for app in workers:
        app.extensions["lrs.engine"].dispose()
