"""JP reports under /api/v1/ (JSON): a pegawai's JP for a year, the national, instansi and unit
kerja summaries with paging (stored roll-ups say the seq they are current as of and the figures
still waiting), their pegawai lists (who is behind: filtered, sorted, cursor pages), a pegawai's
claims and their recognition, the claims waiting for an atasan, competency profiles and a unit's
gaps; each takes an optional `as_of` (event seq or stored time). Who reads what (the credential's
scope and binding) is the read side's (lrs/read/access.py): each view passes the request's
credential as the reader."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for
from flask.typing import ResponseReturnValue

from lrs.api.auth import credential
from lrs.errors import BadRequest
from lrs.read import competencies, jp, pegawai_list, recognitions
from lrs.read.pegawai_list import ListQuery
from lrs.reports_api import schemas
from lrs.read.values import to_json
from projections.rules.jp import JpTotal, Summary
from lrs.api.context import engine as _engine
from lrs.api.context import replays as _replays

bp = Blueprint("reports", __name__, url_prefix="/api/v1")


def _total(result: JpTotal, explain: bool) -> dict[str, Any]:
    body = to_json(result)
    if not explain:
        body.pop("lines")
    return dict(body)


def _summary(result: Summary, page: jp.Page) -> dict[str, Any]:
    """A summary, with the age in days of its oldest pending claim (by activity date) on the day read."""
    return {**to_json(result), "pending_age_days": jp.pending_age_days(result, page.today)}


def _rolled_up(page: jp.Page) -> dict[str, Any]:
    """Whether the page is a stored roll-up: current as of which seq, and how many figures of its
    year wait to be recomputed (none: it is exact)."""
    return {"current_as_of": page.current_as_of, "pending_figures": page.pending}


@bp.before_request
def json_only() -> None:
    """Every /api/v1 answer is JSON; a table for a spreadsheet is an export, not a format here."""
    wanted = request.args.get("format")
    if wanted is not None and wanted.lower() != "json":
        raise BadRequest(f"format {wanted!r} is not offered: /api/v1 answers JSON only (format=json)")


@bp.get("/pegawai/<nip>/jp")
def pegawai_jp(nip: str) -> ResponseReturnValue:
    """A pegawai's JP for a year: counted and pending JP, by form, against the target, with each
    statement's line (unless explain=false)."""
    args = schemas.load(schemas.JpArgs(), request.args)
    result = jp.pegawai_jp(_engine(), nip, args["year"], args.get("as_of"), replays=_replays(), reader=credential())
    return _total(result, args["explain"])


def _page(instansi: str, unit_kerja: str | None) -> ResponseReturnValue:
    args = schemas.load(schemas.SummaryArgs(), request.args)
    page = jp.summary(_engine(), instansi, args["year"], unit_kerja=unit_kerja,
                      as_of=args.get("as_of"), offset=args["offset"], limit=args["limit"], replays=_replays(),
                      reader=credential())
    items = [_summary(i, page) if isinstance(i, Summary) else _total(i, False) for i in page.items]
    key = "pegawai" if unit_kerja is not None else "units"
    return {"year": args["year"], "summary": _summary(page.summary, page), key: items,
            "count": page.count, "offset": args["offset"], "limit": args["limit"], **_rolled_up(page)}


@bp.get("/summary")
def national_summary() -> ResponseReturnValue:
    """The nation's stored roll-up for a year and its instansi's, paged by code; for readers of
    every report (a credential bound to nobody)."""
    args = schemas.load(schemas.NationalArgs(), request.args)
    page = jp.national_summary(_engine(), args["year"], offset=args["offset"], limit=args["limit"],
                               reader=credential())
    return {"year": args["year"], "summary": _summary(page.summary, page),
            "instansi": [_summary(i, page) for i in page.items], "count": page.count, "offset": args["offset"],
            "limit": args["limit"], **_rolled_up(page)}


@bp.get("/instansi/<instansi>/summary")
def instansi_summary(instansi: str) -> ResponseReturnValue:
    """An instansi's JP summary for a year, with its unit kerja summaries, paged."""
    return _page(instansi, None)


@bp.get("/instansi/<instansi>/units/<path:unit_kerja>/summary")
def unit_summary(instansi: str, unit_kerja: str) -> ResponseReturnValue:
    """A unit kerja's JP summary for a year, with its pegawai's JP totals, paged."""
    return _page(instansi, unit_kerja)


@bp.get("/pegawai/<nip>/recognitions")
def pegawai_recognitions(nip: str) -> ResponseReturnValue:
    """The pegawai's claims of a year that need a decision: status, JP and every decision on them
    (with whether it had effect and why)."""
    args = schemas.load(schemas.YearArgs(), request.args)
    lines = recognitions.claims_of(_engine(), nip, args["year"], args.get("as_of"), replays=_replays(),
                                   reader=credential())
    return {"nip": nip, "year": args["year"], "claims": to_json(lines)}


@bp.get("/atasan/<nip>/pending")
def atasan_pending(nip: str) -> ResponseReturnValue:
    """Claims waiting for this atasan's (or delegated verifier's) decision, oldest first, paged."""
    args = schemas.load(schemas.PendingArgs(), request.args)
    found = recognitions.pending_for(_engine(), nip, args.get("as_of"), replays=_replays(), reader=credential())
    return {"atasan": nip, **_pending_page(found, args)}


@bp.get("/instansi/<instansi>/pending")
def instansi_pending(instansi: str) -> ResponseReturnValue:
    """Claims waiting for the instansi's unit pengelola (validation, or the supervisor step of a
    pegawai without an atasan), oldest first, paged."""
    args = schemas.load(schemas.PendingArgs(), request.args)
    found = recognitions.pending_validation(_engine(), instansi, args.get("as_of"), replays=_replays(),
                                            reader=credential())
    return {"instansi": instansi, **_pending_page(found, args)}


def _pending_page(found: list[recognitions.Claimed], args: dict[str, Any]) -> dict[str, Any]:
    offset, limit = args["offset"], args["limit"]
    return {"pending": [c.as_row() for c in found[offset:offset + limit]], "count": len(found),
            "offset": offset, "limit": limit}


@bp.get("/pegawai/<nip>/competencies")
def pegawai_competencies(nip: str) -> ResponseReturnValue:
    """Competency profile for a year: required and assessed levels, gaps, learning per
    competency, the assessments without effect and why, and the development plan against what
    was done."""
    args = schemas.load(schemas.YearArgs(), request.args)
    found = competencies.pegawai_profile(_engine(), nip, args["year"], args.get("as_of"), replays=_replays(),
                                         reader=credential())
    return dict(to_json(found))


@bp.get("/instansi/<instansi>/units/<path:unit_kerja>/competency-gaps")
def unit_competency_gaps(instansi: str, unit_kerja: str) -> ResponseReturnValue:
    """Per competency, how many pegawai of the unit kerja have a gap against their standard."""
    args = schemas.load(schemas.YearArgs(), request.args)
    found = competencies.unit_gaps(_engine(), instansi, unit_kerja, args["year"], args.get("as_of"),
                                   replays=_replays(), reader=credential())
    return dict(to_json(found))


def _list(instansi: str, unit_kerja: str | None) -> ResponseReturnValue:
    args = schemas.load(schemas.PegawaiListArgs(), request.args)
    if unit_kerja is not None and "unit_kerja" in args:
        raise BadRequest("unit_kerja is given by the path here; leave out the unit_kerja parameter")
    query = ListQuery(args.get("target_met"), args.get("status"), unit_kerja or args.get("unit_kerja"),
                      args.get("jp_below"), args["sort"], args["limit"], args.get("cursor"))
    page = pegawai_list.pegawai_list(_engine(), instansi, args["year"], query, as_of=args.get("as_of"),
                                     replays=_replays(), reader=credential())
    more = None
    if page.next_cursor is not None:
        more_args: dict[str, Any] = {**request.args.to_dict(), "cursor": page.next_cursor, **(request.view_args or {})}
        more = url_for(str(request.endpoint), **more_args)
    body = dict(to_json(page))
    body["pegawai"] = body.pop("items")
    body.pop("next_cursor")
    return {**body, "more": more}


@bp.get("/instansi/<instansi>/pegawai")
def instansi_pegawai(instansi: str) -> ResponseReturnValue:
    """The instansi's pegawai of a year with their JP and target, filtered (target_met, status,
    unit_kerja, jp_below), sorted (sort=jp|-jp|nama|-nama|nip|-nip) and paged by cursor (`more`)."""
    return _list(instansi, None)


@bp.get("/instansi/<instansi>/units/<path:unit_kerja>/pegawai")
def unit_pegawai(instansi: str, unit_kerja: str) -> ResponseReturnValue:
    """As /instansi/<instansi>/pegawai, for one unit kerja."""
    return _list(instansi, unit_kerja)
