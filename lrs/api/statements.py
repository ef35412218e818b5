"""The Statement resource: PUT, POST, GET (HEAD) /xapi/statements."""
from __future__ import annotations

import json
from email.utils import format_datetime
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request
from flask.typing import ResponseReturnValue

from lrs.api import params
from lrs.api.context import engine as _engine
from lrs.api.auth import credential
from lrs.api.bodies import read_body
from lrs.api.headers import xapi_version
from lrs.errors import BadRequest, PayloadTooLarge
from lrs.read import statements as reads
from lrs.store.statement_queries import StatementFilter
from lrs.write import statements as changes
from lrs.xapi import json_limits, multipart
from lrs.xapi.formats import formatter
from lrs.xapi.media_types import media_type

bp = Blueprint("statements", __name__, url_prefix="/xapi/statements")



def _body() -> tuple[Any, list[multipart.Part]]:
    """The JSON body and any attachment parts of a PUT or POST."""
    content_type = request.headers.get("Content-Type", "")
    data = read_body()
    parts: list[multipart.Part] = []
    if multipart.is_multipart(content_type):
        data, parts = multipart.parse_request(content_type, data)
    elif media_type(content_type) != "application/json":
        raise BadRequest(
            f"Content-Type {content_type or '(none)'!r} is not accepted: send application/json "
            "or multipart/mixed"
        )
    try:
        return json_limits.loads(data, "the request body"), parts
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the request body is not valid JSON: {exc}") from exc


def _record(items: list[Any], parts: list[multipart.Part]) -> list[str]:
    cred = credential()
    cred.require("statements/write", writing=True)
    projector = current_app.extensions["lrs.projector"]
    return changes.record_statements(_engine(), items, authority=cred.authority, version=xapi_version(),
                                     attachments=parts, project=projector.notify if projector is not None else True)


@bp.put("")
def put_statement() -> ResponseReturnValue:
    statement_id = params.statement_id(request.args, required=True)
    body, parts = _body()
    if not isinstance(body, dict):
        raise BadRequest("PUT /statements takes one statement (a JSON object)")
    if "id" in body and str(body["id"]).lower() != statement_id:
        raise BadRequest(f"the statement's id {body['id']} differs from statementId {statement_id}")
    body["id"] = statement_id
    _record([body], parts)
    return "", 204


@bp.post("")
def post_statements() -> ResponseReturnValue:
    params.statement_id(request.args, required=False)
    if request.args:
        raise BadRequest("POST /statements takes no statementId; use PUT or put ids in the body")
    body, parts = _body()
    items = body if isinstance(body, list) else [body]
    if len(items) > (most := current_app.config["STATEMENT_BATCH_LIMIT"]):
        raise PayloadTooLarge(
            f"POST /statements takes at most {most} statements per request "
            f"(LRS_STATEMENT_BATCH_LIMIT); this one has {len(items)}: send them in smaller batches"
        )
    if not all(isinstance(item, dict) for item in items):
        raise BadRequest("POST /statements takes a statement object or an array of them")
    return _record(items, parts), 200


def _http_date(stored: str) -> str:
    return format_datetime(datetime.fromisoformat(stored.replace("Z", "+00:00")), usegmt=True)


def _reply(document: Any, statements: list[dict[str, Any]], with_attachments: bool) -> Response:
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    if with_attachments:
        stored = reads.attachments_of(_engine(), statements)
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
    shape = formatter(query["format"], _languages())
    for key, voided in (("statementId", False), ("voidedStatementId", True)):
        if key in query:
            shaped = shape(reads.get_statement(_engine(), str(query[key]), voided=voided, reader=credential()))
            return _reply(shaped, [shaped], query["attachments"])
    filters = StatementFilter(
        agent=query.get("agent"), related_agents=query["related_agents"],
        verb=query.get("verb"), activity=query.get("activity"),
        related_activities=query["related_activities"],
        registration=str(query["registration"]) if "registration" in query else None,
        since_ms=query.get("since"), until_ms=query.get("until"),
    )
    page = reads.find_statements(
        _engine(), filters, reader=credential(), ascending=query["ascending"], limit=query["limit"],
        page_limit=current_app.config["STATEMENT_PAGE_LIMIT"], cursor=query.get("cursor"),
    )
    statements = [shape(reads.load(p)) for p in page.payloads]
    more = ""
    if page.next_cursor is not None:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        args["cursor"] = str(page.next_cursor)
        more = f"{request.script_root}/xapi/statements?{urlencode(args)}"
    return _reply({"statements": statements, "more": more}, statements, query["attachments"])


def _languages() -> list[str]:
    return [lang for lang, _ in request.accept_languages] or []
