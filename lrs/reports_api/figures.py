"""JP reports under /api/v1/ (JSON): a pegawai's JP for a year, the national, instansi and unit
kerja summaries with paging (stored roll-ups say the seq they are current as of and the figures
still waiting), a pegawai's claims and their recognition, the claims waiting for an
atasan, competency profiles and a unit's gaps; each takes an optional `as_of` (event seq or
stored time). Who reads what (the credential's scope and binding) is the read side's
(lrs/read/access.py): each view passes the request's credential as the reader."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from lrs.api.auth import credential
from lrs.errors import BadRequest
from lrs.read import competencies, jp, recognitions
from lrs.read.values import to_json
from projections.rules.jp import JpTotal, Summary
from lrs.api.context import engine as _engine
from lrs.api.context import replays as _replays

bp = Blueprint("reports", __name__, url_prefix="/api/v1")
MAX_LIMIT = 500




def _int(args: Mapping[str, str], name: str, default: int | None, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None:
        if default is None:
            raise BadRequest(f"the {name} parameter is required")
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"{name} {raw!r} is not an integer") from exc
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


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
    year = _int(request.args, "year", None, 1900, 9999)
    explain = request.args.get("explain", "true").lower() not in ("false", "0")
    result = jp.pegawai_jp(_engine(), nip, year, request.args.get("as_of"), replays=_replays(),
                           reader=credential())
    return _total(result, explain)


def _page(instansi: str, unit_kerja: str | None) -> ResponseReturnValue:
    year = _int(request.args, "year", None, 1900, 9999)
    offset = _int(request.args, "offset", 0, 0, 10**9)
    limit = _int(request.args, "limit", 50, 1, MAX_LIMIT)
    page = jp.summary(_engine(), instansi, year, unit_kerja=unit_kerja,
                      as_of=request.args.get("as_of"), offset=offset, limit=limit, replays=_replays(),
                      reader=credential())
    items = [_summary(i, page) if isinstance(i, Summary) else _total(i, False) for i in page.items]
    key = "pegawai" if unit_kerja is not None else "units"
    return {"year": year, "summary": _summary(page.summary, page), key: items,
            "count": page.count, "offset": offset, "limit": limit, **_rolled_up(page)}


@bp.get("/summary")
def national_summary() -> ResponseReturnValue:
    """The nation's stored roll-up for a year and its instansi's, paged by code; for readers of
    every report (a credential bound to nobody)."""
    year = _int(request.args, "year", None, 1900, 9999)
    offset = _int(request.args, "offset", 0, 0, 10**9)
    limit = _int(request.args, "limit", 50, 1, MAX_LIMIT)
    page = jp.national_summary(_engine(), year, offset=offset, limit=limit, reader=credential())
    return {"year": year, "summary": _summary(page.summary, page), "instansi": [_summary(i, page) for i in page.items],
            "count": page.count, "offset": offset, "limit": limit, **_rolled_up(page)}


@bp.get("/instansi/<instansi>/summary")
def instansi_summary(instansi: str) -> ResponseReturnValue:
    return _page(instansi, None)


@bp.get("/instansi/<instansi>/units/<path:unit_kerja>/summary")
def unit_summary(instansi: str, unit_kerja: str) -> ResponseReturnValue:
    return _page(instansi, unit_kerja)


@bp.get("/pegawai/<nip>/recognitions")
def pegawai_recognitions(nip: str) -> ResponseReturnValue:
    """The pegawai's claims of a year that need a decision: status, JP and every decision on them
    (with whether it had effect and why)."""
    year = _int(request.args, "year", None, 1900, 9999)
    lines = recognitions.claims_of(_engine(), nip, year, request.args.get("as_of"), replays=_replays(),
                                   reader=credential())
    return {"nip": nip, "year": year, "claims": to_json(lines)}


@bp.get("/atasan/<nip>/pending")
def atasan_pending(nip: str) -> ResponseReturnValue:
    """Claims waiting for this atasan's (or delegated verifier's) decision, oldest first, paged."""
    found = recognitions.pending_for(_engine(), nip, request.args.get("as_of"), replays=_replays(),
                                     reader=credential())
    return {"atasan": nip, **_pending_page(found)}


@bp.get("/instansi/<instansi>/pending")
def instansi_pending(instansi: str) -> ResponseReturnValue:
    """Claims waiting for the instansi's unit pengelola (validation, or the supervisor step of a
    pegawai without an atasan), oldest first, paged."""
    found = recognitions.pending_validation(_engine(), instansi, request.args.get("as_of"), replays=_replays(),
                                            reader=credential())
    return {"instansi": instansi, **_pending_page(found)}


def _pending_page(found: list[recognitions.Claimed]) -> dict[str, Any]:
    offset = _int(request.args, "offset", 0, 0, 10**9)
    limit = _int(request.args, "limit", 50, 1, MAX_LIMIT)
    return {"pending": [c.as_row() for c in found[offset:offset + limit]], "count": len(found),
            "offset": offset, "limit": limit}


@bp.get("/pegawai/<nip>/competencies")
def pegawai_competencies(nip: str) -> ResponseReturnValue:
    """Competency profile for a year: required and assessed levels, gaps, learning per
    competency, the assessments without effect and why, and the development plan against what
    was done."""
    year = _int(request.args, "year", None, 1900, 9999)
    found = competencies.pegawai_profile(_engine(), nip, year, request.args.get("as_of"), replays=_replays(),
                                         reader=credential())
    return dict(to_json(found))


@bp.get("/instansi/<instansi>/units/<path:unit_kerja>/competency-gaps")
def unit_competency_gaps(instansi: str, unit_kerja: str) -> ResponseReturnValue:
    """Per competency, how many pegawai of the unit kerja have a gap against their standard."""
    year = _int(request.args, "year", None, 1900, 9999)
    found = competencies.unit_gaps(_engine(), instansi, unit_kerja, year, request.args.get("as_of"),
                                   replays=_replays(), reader=credential())
    return dict(to_json(found))
