"""The pegawai's pages: /app/ (where a person starts), /app/me (one's own JP for a year) and
/app/pegawai/<nip> (for those lrs/read/access.py lets read it). The figures come from the
same reads as /api/v1: lrs/read/jp.py pegawai_jp and lrs/read/recognitions.py claims_of."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _  # type: ignore[import-untyped]

from lrs.errors import NotAuthorized, NotFound
from lrs.read import claim_evidence, competencies, dashboard, jp, peer_learning, policy_terms, recognitions
from lrs.vocabulary import NIP
from lrs.web import charts, labels
from lrs.web.templating import month_name
from lrs.web.blueprint import bp
from lrs.web.errors import PageProblem
from lrs.web.session import signed_in, viewer
from lrs.api.context import engine, replays

YEARS_SHOWN = 5  # the year selector offers the current period and the ones before it



def year_asked(current: int) -> int:
    """The page's ?year= (default: `current`); a 400 page when it is not a year."""
    raw = request.args.get("year", "")
    if raw == "":
        return current
    if not raw.isdigit() or not 1900 <= int(raw) <= 9999:
        raise PageProblem(400, _("The year must be a number such as %(year)s.", year=current))
    return int(raw)


def _portfolio(nip: str, own: bool) -> ResponseReturnValue:
    current = policy_terms.current_year(engine())
    year = year_asked(current)
    # Who may see it is /api/v1's rule (lrs/read/access.py): the page shows what the API would.
    reader = None if own else viewer().credential
    try:
        total = jp.pegawai_jp(engine(), nip, year, replays=replays(), reader=reader)
    except NotAuthorized as exc:
        raise PageProblem(403, _("Only the pegawai, their atasan, the unit pengelola of their instansi and "
                                 "national reporting credentials see this page.")) from exc
    except NotFound as exc:
        raise PageProblem(404, _("NIP %(nip)s is not in the roster.", nip=nip)) from exc
    claims = recognitions.claims_of(engine(), nip, year, replays=replays())
    profile = competencies.pegawai_profile(engine(), nip, year, replays=replays(), reader=reader)
    names = policy_terms.form_names(engine(), year, total.instansi)
    years = sorted({*range(current - YEARS_SHOWN + 1, current + 1), year}, reverse=True)
    return render_template(
        "pegawai.html", own=own, total=total, claims=claims, names=names, year=year, years=years,
        details=claim_evidence.details_of(engine(), [line.statement_id for line in claims]),
        chart=charts.bars(total.jp_by_form, names),
        months=charts.by_month(((line.activity_date, line.jp_counted) for line in total.lines), month_name),
        profile=profile, peers=peer_learning.for_gaps(engine(), profile),
        levels=charts.levels((row.code, labels.word(labels.COMPETENCY, row.code), row.required_level,
                              row.assessed_level, row.gap) for row in profile.competencies),
        zone=policy_terms.timezone_of(engine(), year),
        counted_share=charts.share(total.jp_counted, total.target_jp),
        pending_share=min(charts.share(total.jp_pending, total.target_jp),
                          100 - charts.share(total.jp_counted, total.target_jp)),
    )


@bp.get("/")
@signed_in
def home() -> ResponseReturnValue:
    if viewer().nip is not None:
        return redirect(url_for("web.me"))
    # The dashboards this credential may open: every instansi for a national one, its own for a unit pengelola.
    return render_template("home.html", instansi=dashboard.instansi_list(engine(), viewer().credential))


@bp.get("/me")
@signed_in
def me() -> ResponseReturnValue:
    nip = viewer().nip
    if nip is None:
        raise PageProblem(403, _("This page is for a personal credential, one bound to a NIP."))
    return _portfolio(nip, own=True)


@bp.get("/pegawai")
@signed_in
def find_pegawai() -> ResponseReturnValue:
    """The NIP lookup of the home page (a GET form), sent on to the pegawai's page."""
    nip = request.args.get("nip", "").strip()
    if not NIP.match(nip):
        raise PageProblem(400, _("A NIP is 18 digits."))
    return redirect(url_for("web.pegawai", nip=nip))


@bp.get("/pegawai/<nip>")
@signed_in
def pegawai(nip: str) -> ResponseReturnValue:
    return _portfolio(nip, own=nip == viewer().nip)


@bp.route("/<path:rest>")
def unknown(rest: str) -> ResponseReturnValue:
    """Any other address under /app/: an HTML 404, not the APIs' JSON."""
    raise PageProblem(404, _("There is no page at this address."))
