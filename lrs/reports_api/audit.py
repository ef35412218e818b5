"""/api/v1/audit: the signed checkpoints of the log with the public keys that signed them, so
parties outside the LRS keep copies and later prove the log still extends them
(`lrs verify --checkpoint`), read with the scope `audit` or `reports` (a checkpoint names no
person, and every copy kept elsewhere makes a rewrite harder to hide); and the explanation of a
pegawai's JP year with the events behind each part, read with `audit` or as the pegawai's JP."""
from __future__ import annotations


from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from lrs.api.auth import credential
from lrs.errors import NotAuthorized
from lrs.read import checkpoints, explain
from lrs.read.values import to_json
from lrs.reports_api import schemas
from lrs.vocabulary import AUDIT
from lrs.api.context import engine as _engine
from lrs.api.context import replays as _replays

bp = Blueprint("audit", __name__, url_prefix="/api/v1/audit")


@bp.before_request
def require_scope() -> None:
    reader = credential()
    if request.endpoint == "audit.explain_jp":
        return  # names a person: the read side judges it (lrs/read/explain.py), not the scope alone
    if not (reader.allows(AUDIT) or reader.allows("reports")):
        raise NotAuthorized(f"credential {reader.key!r} lacks the scope 'audit' (or 'reports')")


@bp.get("/checkpoints")
def list_checkpoints() -> ResponseReturnValue:
    """The signed checkpoints, oldest first, paged, with every published key."""
    args = schemas.load(schemas.PageArgs(), request.args)
    page = checkpoints.list_checkpoints(_engine(), offset=args["offset"], limit=args["limit"])
    return {"checkpoints": page.checkpoints, "keys": page.keys, "count": page.count,
            "offset": args["offset"], "limit": args["limit"]}


@bp.get("/checkpoints/latest")
def latest_checkpoint() -> ResponseReturnValue:
    """The latest signed checkpoint, with its public key: a file `lrs verify --checkpoint` reads."""
    schemas.load(schemas.Args(), request.args)
    return checkpoints.latest_checkpoint(_engine())


@bp.get("/explain")
def explain_jp() -> ResponseReturnValue:
    """A pegawai's JP year explained: each statement that could count, whether it counted and by
    which rule and policy versions, the decisions with their bindings, and the seq and hash of
    every event each part comes from."""
    args = schemas.load(schemas.ExplainArgs(), request.args)
    found = explain.explain(_engine(), args["nip"], args["year"], args.get("as_of"), replays=_replays(),
                            reader=credential())
    return dict(to_json(found))
