"""The OpenAPI 3 document of /api/v1, built (apispec) from the app's routes, each view's
docstring and the marshmallow schemas it loads its parameters with and replies in
(lrs/reports_api/schemas.py). A route under /api/v1 missing from OPERATIONS is a failing test."""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema

from lrs.reports_api import schemas

PREFIX = "/api/v1"
ERRORS = {
    "400": "A parameter is missing or wrong; the message names it.",
    "401": "No valid HTTP Basic credentials.",
    "403": "The credential may not read this (scope, or the reader's binding).",
    "404": "Nothing by that name.",
}
DESCRIPTION = """Jejak LRS's own JSON API (not xAPI): JP figures, recognitions, competencies and the audit
of the log, for dashboards and integrations. Every call but this document and its page needs HTTP Basic
credentials with the scope `reports` (or `audit`, or a binding to the pegawai). Each figure takes an
optional `as_of` (an event seq or an ISO 8601 stored time): the figures as they stood then."""


@dataclass(frozen=True)
class Operation:
    tag: str
    reply: type[Schema] | None              # None: not JSON of ours (the document, the page)
    args: type[Schema] | None = None
    public: bool = False
    media_type: str = "application/json"


OPERATIONS: dict[str, Operation] = {
    "reports.pegawai_jp": Operation("reports", schemas.JpTotal, schemas.JpArgs),
    "reports.national_summary": Operation("reports", schemas.NationalPage, schemas.NationalArgs),
    "reports.instansi_summary": Operation("reports", schemas.SummaryPage, schemas.SummaryArgs),
    "reports.unit_summary": Operation("reports", schemas.SummaryPage, schemas.SummaryArgs),
    "reports.instansi_pegawai": Operation("reports", schemas.PegawaiListPage, schemas.PegawaiListArgs),
    "reports.unit_pegawai": Operation("reports", schemas.PegawaiListPage, schemas.PegawaiListArgs),
    "reports.pegawai_recognitions": Operation("recognitions", schemas.Recognitions, schemas.YearArgs),
    "reports.atasan_pending": Operation("recognitions", schemas.PendingPage, schemas.PendingArgs),
    "reports.instansi_pending": Operation("recognitions", schemas.PendingPage, schemas.PendingArgs),
    "reports.pegawai_competencies": Operation("competencies", schemas.CompetencyProfile, schemas.YearArgs),
    "reports.unit_competency_gaps": Operation("competencies", schemas.UnitGaps, schemas.YearArgs),
    "audit.list_checkpoints": Operation("audit", schemas.CheckpointPage, schemas.PageArgs),
    "audit.latest_checkpoint": Operation("audit", schemas.Checkpoint, schemas.Args),
    "audit.explain_jp": Operation("audit", schemas.Explanation, schemas.ExplainArgs),
    "api_docs.openapi_json": Operation("documentation", None, public=True),
    "api_docs.page": Operation("documentation", None, public=True, media_type="text/html"),
}
PATH_PARAMETERS = {
    "nip": "A pegawai's NIP, as in the roster.",
    "instansi": "The instansi's code, as in the roster.",
    "unit_kerja": "The unit kerja's name, as in the roster (it may hold a /).",
}
_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


def routes(app: Flask) -> list[tuple[str, str, list[str]]]:
    """(endpoint, rule, methods) of every route under /api/v1, in the order of the rules."""
    return [(rule.endpoint, rule.rule, sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
            for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX)]


def build(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.0 document of every /api/v1 route of `app`; KeyError names a route
    OPERATIONS does not describe."""
    spec = APISpec(title="Jejak LRS API", version=_version(), openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], info={"description": DESCRIPTION})
    spec.components.security_scheme("basic", {"type": "http", "scheme": "basic"})
    spec.components.schema("Error", schema=schemas.Error)
    for endpoint, rule, methods in routes(app):
        op = OPERATIONS[endpoint]
        operation = _operation(op, endpoint, inspect.getdoc(app.view_functions[endpoint]) or endpoint,
                               _ARGUMENT.findall(rule))
        spec.path(path=_ARGUMENT.sub(r"{\1}", rule), operations={m.lower(): operation for m in methods})
    return spec.to_dict()


def _operation(op: Operation, endpoint: str, doc: str, arguments: list[str]) -> dict[str, Any]:
    summary, _, rest = doc.partition("\n\n")
    parameters: list[dict[str, Any]] = [
        {"in": "path", "name": name, "required": True, "schema": {"type": "string"},
         "description": PATH_PARAMETERS.get(name, "")} for name in arguments
    ]
    if op.args is not None:
        parameters.append({"in": "query", "schema": op.args})
    content: dict[str, Any] = {"schema": op.reply} if op.reply is not None else {"schema": {"type": "string"}
                                                                                  if op.media_type != "application/json"
                                                                                  else {"type": "object"}}
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {op.media_type: content}}}
    if not op.public:
        error = {"application/json": {"schema": "Error"}}
        responses.update({code: {"description": why, "content": error} for code, why in ERRORS.items()})
    operation: dict[str, Any] = {
        "operationId": endpoint.replace(".", "_"), "tags": [op.tag], "summary": " ".join(summary.split()),
        "parameters": parameters, "responses": responses,
    }
    if rest:
        operation["description"] = " ".join(rest.split())
    if not op.public:
        operation["security"] = [{"basic": []}]
    return operation


def _version() -> str:
    try:
        return version("jejak-lrs")
    except PackageNotFoundError:  # a checkout that is not installed
        return "0"
