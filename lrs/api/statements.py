"""The Statement resource: PUT, POST, GET (HEAD) /xapi/statements."""
from __future__ import annotations

import json
from email.utils import format_datetime
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request
from flask.typing import ResponseReturnValue

from lrs import commands, queries
from lrs.api import params
from lrs.api.auth import credential
from lrs.api.bodies import read_body
from lrs.api.headers import xapi_version
from lrs.errors import BadRequest, InvalidStatement, NotFound
from lrs.store.statement_queries import StatementFilter
from lrs.xapi import multipart, signature, versions
from lrs.xapi.formats import formatter
from lrs.xapi.statement import ifi
from lrs.xapi.validate import validate_statement

bp = Blueprint("statements", __name__, url_prefix="/xapi/statements")


def _engine() -> Any:
    return current_app.extensions["lrs.engine"]


def _body() -> tuple[Any, list[multipart.Part]]:
    """The JSON body and any attachment parts of a PUT or POST."""
    content_type = request.headers.get("Content-Type", "")
    data = read_body()
    parts: list[multipart.Part] = []
    if multipart.is_multipart(content_type):
        data, parts = multipart.parse_request(content_type, data)
    elif content_type.split(";")[0].strip().lower() != "application/json":
        raise BadRequest(
            f"Content-Type {content_type or '(none)'!r} is not accepted: send application/json "
            "or multipart/mixed"
        )
    try:
        return json.loads(data), parts
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the request body is not valid JSON: {exc}") from exc


def _validated(items: list[Any], parts: list[multipart.Part]) -> list[dict[str, Any]]:
    version = xapi_version()
    for index, item in enumerate(items):
        try:
            validate_statement(item, version)
        except InvalidStatement as exc:
            prefix = f"statement[{index}]: " if len(items) > 1 else ""
            raise InvalidStatement(prefix + str(exc)) from exc
    multipart.check_attachments(items, parts)
    signature.check_signatures(items, parts)
    for item in items:  # after the signature check, which compares the statements as sent
        versions.prepare_for_storage(item, version)
    return items


def _record(items: list[dict[str, Any]], parts: list[multipart.Part]) -> list[str]:
    cred = credential()
    cred.require("statements/write")
    blobs = [(p.sha2, p.content_type, p.content) for p in parts]
    projector = current_app.extensions["lrs.projector"]
    return commands.record_statements(_engine(), items, authority=cred.authority, attachments=blobs,
                                      project=projector.notify if projector is not None else True)


@bp.put("")
def put_statement() -> ResponseReturnValue:
    statement_id = params.statement_id(request.args, required=True)
    body, parts = _body()
    if not isinstance(body, dict):
        raise BadRequest("PUT /statements takes one statement (a JSON object)")
    if "id" in body and str(body["id"]).lower() != statement_id:
        raise BadRequest(f"the statement's id {body['id']} differs from statementId {statement_id}")
    body["id"] = statement_id
    _record(_validated([body], parts), parts)
    return "", 204


@bp.post("")
def post_statements() -> ResponseReturnValue:
    params.statement_id(request.args, required=False)
    if request.args:
        raise BadRequest("POST /statements takes no statementId; use PUT or put ids in the body")
    body, parts = _body()
    items = body if isinstance(body, list) else [body]
    if not all(isinstance(item, dict) for item in items):
        raise BadRequest("POST /statements takes a statement object or an array of them")
    return _record(_validated(items, parts), parts), 200


def _http_date(stored: str) -> str:
    return format_datetime(datetime.fromisoformat(stored.replace("Z", "+00:00")), usegmt=True)


def _reply(document: Any, statements: list[dict[str, Any]], with_attachments: bool) -> Response:
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    if with_attachments:
        stored = queries.attachments_of(_engine(), statements)
        parts = [multipart.Part(sha2, ctype, content) for sha2, ctype, content in stored]
        content_type, body = multipart.build_response(body, parts)
    else:
        content_type = "application/json"
    response = Response(body, 200, content_type=content_type)
    if stamps := [s["stored"] for s in statements if "stored" in s]:
        response.headers["Last-Modified"] = _http_date(max(stamps))
    return response


@bp.get("")
def get_statements() -> ResponseReturnValue:
    query = params.statement_query(request.args)
    cred = credential()
    mine = None
    if not cred.allows("statements/read"):
        cred.require("statements/read/mine")
        mine = ifi(cred.authority)
    shape = formatter(query["format"], _languages())
    for key, voided in (("statementId", False), ("voidedStatementId", True)):
        if key in query:
            statement = queries.load(queries.get_statement(_engine(), str(query[key]), voided=voided))
            if mine is not None and statement.get("authority") != cred.authority:
                raise NotFound(f"no statement with id {query[key]}")
            shaped = shape(statement)
            return _reply(shaped, [shaped], query["attachments"])
    limit = query["limit"] or current_app.config["STATEMENT_PAGE_LIMIT"]
    limit = min(limit, current_app.config["STATEMENT_PAGE_LIMIT"])
    filters = StatementFilter(
        agent=query.get("agent"), related_agents=query["related_agents"],
        verb=query.get("verb"), activity=query.get("activity"),
        related_activities=query["related_activities"],
        registration=str(query["registration"]) if "registration" in query else None,
        since_ms=query.get("since"), until_ms=query.get("until"), authority=mine,
    )
    page = queries.find_statements(
        _engine(), filters, ascending=query["ascending"], limit=limit, cursor=query.get("cursor")
    )
    statements = [shape(queries.load(p)) for p in page.payloads]
    more = ""
    if page.next_cursor is not None:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        args["cursor"] = str(page.next_cursor)
        more = f"{request.script_root}/xapi/statements?{urlencode(args)}"
    return _reply({"statements": statements, "more": more}, statements, query["attachments"])


def _languages() -> list[str]:
    return [lang for lang, _ in request.accept_languages] or []
