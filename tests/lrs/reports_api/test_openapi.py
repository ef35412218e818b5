"""/api/v1/openapi.json is a valid OpenAPI 3 document of every /api/v1 route (a new route without
its description fails here), built from the schemas the views load; /api/v1/docs renders it
for people without fetching anything, and the front page links to it."""
from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from lrs.reports_api import openapi


def test_the_document_validates_and_needs_no_credentials(client: FlaskClient) -> None:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    validate(answer.get_json())


def test_every_api_v1_route_is_documented(app: Flask, client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    routes = openapi.routes(app)
    assert len(routes) >= 13
    for _endpoint, rule, methods in routes:
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)
        assert path in paths, f"{rule} is not in the OpenAPI document: describe it in lrs/reports_api/openapi.py"
        assert {m.lower() for m in methods} == set(paths[path])


def test_a_route_missing_from_the_operations_fails_the_build(app: Flask) -> None:
    app.add_url_rule("/api/v1/undocumented", "reports.undocumented", lambda: {})
    try:
        openapi.build(app)
    except KeyError as exc:
        assert "reports.undocumented" in str(exc)
    else:
        raise AssertionError("an undocumented route went unnoticed")


def test_query_parameters_come_from_the_views_schemas(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    jp = {p["name"]: p for p in paths["/api/v1/pegawai/{nip}/jp"]["get"]["parameters"]}
    assert jp["nip"]["in"] == "path" and jp["nip"]["required"]
    assert jp["year"]["required"] and jp["year"]["schema"]["minimum"] == 1900
    assert jp["explain"]["schema"]["type"] == "boolean"
    page = {p["name"]: p for p in paths["/api/v1/audit/checkpoints"]["get"]["parameters"]}
    assert page["limit"]["schema"]["maximum"] == 500


def test_the_docs_page_renders_every_operation_offline(app: Flask, client: FlaskClient) -> None:
    answer = client.get("/api/v1/docs")
    assert answer.status_code == 200 and answer.content_type.startswith("text/html")
    html = answer.get_data(as_text=True)
    assert "<script" not in html and "http://" not in html and "https://" not in html
    for _endpoint, rule, _methods in openapi.routes(app):
        assert re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule) in html
    assert "jp_counted" in html  # a reply's fields are listed


def test_the_front_page_links_the_docs(client: FlaskClient) -> None:
    assert 'href="/api/v1/docs"' in client.get("/").get_data(as_text=True)
