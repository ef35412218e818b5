"""/api/v1/openapi.json, the OpenAPI document of /api/v1, and /api/v1/docs, a page that reads
it for people: rendered here from the document, no script, nothing fetched from elsewhere (it
works offline). Both public: they describe the API, they show none of its data."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue

from lrs.reports_api import openapi

bp = Blueprint("api_docs", __name__, url_prefix=openapi.PREFIX, template_folder="templates")
METHODS = ("get", "put", "post", "delete")


def document() -> dict[str, Any]:
    """The app's document, built at the first request that wants it (routes do not change)."""
    found: dict[str, Any] | None = current_app.extensions.get("lrs.openapi")
    if found is None:
        found = current_app.extensions["lrs.openapi"] = openapi.build(current_app)
    return found


@bp.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    """The OpenAPI 3 document of /api/v1 (this API)."""
    return document()


@bp.get("/docs")
def page() -> ResponseReturnValue:
    """This API's documentation as a web page, rendered from the OpenAPI document."""
    spec = document()
    operations = [
        {"path": path, "method": method.upper(), **operation,
         "parameters": [_parameter(p) for p in operation.get("parameters", [])],
         "responses": [(code, r["description"], _reply(spec, r)) for code, r in operation["responses"].items()]}
        for path, item in spec["paths"].items() for method, operation in item.items() if method in METHODS
    ]
    return render_template("api_docs.html", spec=spec, operations=operations)


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = parameter.get("schema", {})
    limits = [f"{word} {schema[key]}" for key, word in (("minimum", "from"), ("maximum", "to"),
                                                         ("minLength", "length at least")) if key in schema]
    if "enum" in schema:
        limits.append("one of " + ", ".join(json.dumps(v) for v in schema["enum"]))
    if "default" in schema:
        limits.append(f"default {json.dumps(schema['default'])}")
    return {**parameter, "type": schema.get("type", ""), "limits": "; ".join(limits)}


def _reply(spec: dict[str, Any], response: dict[str, Any]) -> tuple[str, str, list[tuple[str, str, str]]]:
    """(media type, schema name, [(field, type, description)]) of a response."""
    for media_type, content in response.get("content", {}).items():
        ref = content.get("schema", {}).get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"].get(name, {}) if name else {}
        fields = [(field, _type(value), value.get("description", ""))
                  for field, value in schema.get("properties", {}).items()]
        return media_type, name, fields
    return "", "", []


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"array of {_type(schema.get('items', {}))}"
    return str(schema.get("type", "any")) + (" or null" if schema.get("nullable") else "")
