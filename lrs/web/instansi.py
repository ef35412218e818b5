"""The Corpu dashboard, /app/instansi/<code>: an instansi's year for its unit pengelola and for
national reporting credentials (lrs/read/access.py says who), as of now or an `as_of` point,
saying which log position and policy versions it shows. Every figure comes from
lrs/read/dashboard.py gather(); this module only picks the filters and shapes the charts."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.dates import get_month_names
from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale  # type: ignore[import-untyped]
from flask_babel import gettext as _

from lrs.errors import NotAuthorized, NotFound
from lrs.read import dashboard, policy_terms
from lrs.read.dashboard import Dashboard
from lrs.web import charts
from lrs.web.blueprint import bp
from lrs.web.errors import PageProblem
from lrs.web.pages import YEARS_SHOWN, year_asked
from lrs.web.session import signed_in, viewer
from lrs.api.context import engine, replays

FILTERS = ("unit", "status", "jenis", "q")
SHOWN_BELOW = 200  # pegawai below target listed on the page; the download holds them all
SHOWN_QUEUES = 50  # atasan queues of waiting claims listed on the page, longest waiting first; likewise
HEAT_LEVELS = 4


def board_of(code: str) -> Dashboard:
    """The dashboard the request asks for (?year=, ?as_of=), or the page saying why not."""
    year = year_asked(policy_terms.current_year(engine()))
    try:
        return dashboard.gather(engine(), code, year, request.args.get("as_of") or None, replays=replays(),
                                reader=viewer().credential)
    except NotAuthorized as exc:
        raise PageProblem(403, _("Only the unit pengelola of this instansi and national reporting credentials "
                                 "see its dashboard.")) from exc
    except NotFound as exc:
        raise PageProblem(404, _("The roster names no pegawai in instansi %(code)s.", code=code)) from exc


def below_target_of(board: Dashboard, limit: int | None = None) -> tuple[list[dashboard.PegawaiRow], int]:
    """The pegawai below target the filters ask for (up to `limit`), and how many there are."""
    args = request.args
    return board.below_target_page(unit_kerja=args.get("unit"), status=args.get("status"),
                                   jenis_jabatan=args.get("jenis"), search=args.get("q"), limit=limit)


def _heat(with_gap: int, with_standard: int) -> int:
    """0..HEAT_LEVELS: the share of pegawai with a gap, as a shade (the cell prints the counts too)."""
    if with_standard <= 0 or with_gap <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, round(Decimal(with_gap) / Decimal(with_standard) * HEAT_LEVELS)))


def _charts(board: Dashboard) -> dict[str, Any]:
    names = policy_terms.form_names(engine(), board.year, board.instansi)
    months = get_month_names("abbreviated", locale=get_locale())
    rows, legend = charts.stacked([(str(months[m]), parts) for m, parts in board.jp_by_month.items()], names,
                                  _("Other learning forms"))
    buckets = charts.ordered_bars([(label, _("%(range)s JP", range=label.replace("-", "–")), Decimal(count))
                                   for label, count in board.buckets])
    codes = board.competency_codes
    heat = [(unit, [(g, _heat(g.with_gap, g.with_standard)) if g else (None, 0)
                    for g in ({x.code: x for x in gaps}.get(c) for c in codes)])
            for unit, gaps in board.gaps.items()]
    summary = board.summary
    return {"names": names, "months": rows, "legend": legend, "buckets": buckets, "codes": codes, "heat": heat,
            "met_share": charts.share(Decimal(summary.target_met), Decimal(summary.in_scope))}


@bp.get("/instansi/<code>")
@signed_in
def instansi(code: str) -> ResponseReturnValue:
    board = board_of(code)
    sort = request.args.get("sort") or "unit"
    units = dashboard.sorted_units(board.units, sort)
    below, below_count = below_target_of(board, SHOWN_BELOW)
    current = policy_terms.current_year(engine())
    years = sorted({*range(current - YEARS_SHOWN + 1, current + 1), board.year}, reverse=True)
    kept = {k: v for k, v in request.args.items() if k in ("year", "as_of") and v}
    filters = {k: request.args.get(k, "") for k in FILTERS}

    def file_url(table: str, fmt: str, extra: dict[str, str] | None = None) -> str:
        args: dict[str, Any] = {**kept, **(extra or {})}
        return url_for("web.instansi_file", code=code, table=table, fmt=fmt, **args)
    return render_template(
        "instansi.html", board=board, units=units, sort=sort, below=below, below_count=below_count,
        years=years, kept=kept, shown_queues=SHOWN_QUEUES, file_url=file_url, filters=filters,
        active_filters={k: v for k, v in filters.items() if v},
        zone=policy_terms.timezone_of(engine(), board.year),
        unit_names=[u.summary.unit_kerja for u in board.units if u.summary.unit_kerja],
        statuses=board.statuses, kinds=board.kinds,
        **_charts(board))

