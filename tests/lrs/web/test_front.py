"""The server's root: a browser gets a page saying what this is (Bahasa Indonesia first) with
working links; an xAPI client sending the version header gets the JSON answers it always got."""
from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # no database involved


def test_a_browser_opening_the_root_gets_a_page_in_indonesian(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert '<html lang="id">' in text
    assert "Jejak adalah Learning Record Store (LRS)" in text
    assert "http://localhost/xapi/" in text
    assert "X-Experience-API-Version" not in page.headers
    assert "Access-Control-Allow-Origin" not in page.headers


def test_the_root_page_links_to_the_web_app_about_and_the_profile(client: FlaskClient) -> None:
    links = re.findall(r'href="([^"]+)"', client.get("/").get_data(as_text=True))
    for wanted in ("/app/login", "/xapi/about", "/profiles/jejak"):
        assert wanted in links
        assert client.get(wanted).status_code == 200


def test_the_root_page_speaks_english_when_asked(client: FlaskClient) -> None:
    text = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in text
    assert "Log in to the web app" in text


def test_an_xapi_client_at_the_root_still_gets_a_json_404(client: FlaskClient) -> None:
    reply = client.get("/", headers={"X-Experience-API-Version": "1.0.3"})
    assert reply.status_code == 404
    assert reply.get_json()["error"] == "NotFound"
    assert reply.headers["X-Experience-API-Version"] == "1.0.3"
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_an_unsupported_version_at_the_root_is_still_400(client: FlaskClient) -> None:
    reply = client.get("/", headers={"X-Experience-API-Version": "0.9"})
    assert reply.status_code == 400
    assert reply.get_json()["error"] == "UnsupportedVersion"
