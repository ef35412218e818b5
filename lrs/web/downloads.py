"""The dashboard's tables and a pegawai's year as CSV or XLSX downloads (lrs/read/report_files.py
says what each file holds and how it states its log position, policy versions and who is
counted). Same reads and the same access rule as the pages they come from."""
from __future__ import annotations

from flask import Response, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale  # type: ignore[import-untyped]
from flask_babel import gettext as _

from lrs.errors import NotAuthorized, NotFound
from lrs.read import dashboard, jp, policy_terms, report_files
from lrs.read.report_files import About, Table
from lrs.web import labels, reasons
from lrs.web.blueprint import bp
from lrs.web.errors import PageProblem
from lrs.web.instansi import below_target_of, board_of
from lrs.web.pages import year_asked
from lrs.web.session import signed_in, viewer
from lrs.api.context import engine, replays

TABLES = ("unit-kerja", "di-bawah-target", "menunggu", "semua")


def _file(tables: list[Table], about: About, key: str, fmt: str) -> ResponseReturnValue:
    if fmt == "csv":
        if len(tables) != 1:
            raise PageProblem(400, _("A CSV file holds one table: download the workbook as XLSX."))
        content = report_files.csv_bytes(tables[0], about)
    else:
        content = report_files.xlsx_bytes(tables, about)
    reply = Response(content, mimetype=report_files.CONTENT_TYPES[fmt].split(";")[0],
                     content_type=report_files.CONTENT_TYPES[fmt])
    reply.headers["Content-Disposition"] = f'attachment; filename="{report_files.file_name(about, key, fmt)}"'
    reply.headers["Cache-Control"] = "private, no-store"
    return reply


@bp.get("/instansi/<code>/export/<table>.<any(csv, xlsx):fmt>")
@signed_in
def instansi_file(code: str, table: str, fmt: str) -> ResponseReturnValue:
    if table not in TABLES:
        raise PageProblem(404, _("There is no page at this address."))
    board = board_of(code)
    every = {"unit-kerja": report_files.units_table(dashboard.sorted_units(board.units, request.args.get("sort")),
                                                     board.year),
             "di-bawah-target": report_files.pegawai_table(below_target_of(board)[0], board.year),
             "menunggu": report_files.waiting_table(board)}
    chosen = list(every.values()) if table == "semua" else [every[table]]
    with force_locale("id"):  # the files speak Indonesian, as their headers do
        counted = reasons.denominator(board.summary.denominator)
    return _file(chosen, report_files.about_dashboard(board, counted), table, fmt)


def _lines_file(nip: str, reader_is_owner: bool, fmt: str) -> ResponseReturnValue:
    year = year_asked(policy_terms.current_year(engine()))
    as_of = request.args.get("as_of") or None
    at = dashboard.position(engine(), as_of)
    try:
        result = jp.pegawai_jp(engine(), nip, year, str(at.seq) if as_of else None, replays=replays(),
                               reader=None if reader_is_owner else viewer().credential)
    except NotAuthorized as exc:
        raise PageProblem(403, _("Only the pegawai, their atasan, the unit pengelola of their instansi and "
                                 "national reporting credentials see this page.")) from exc
    except NotFound as exc:
        raise PageProblem(404, _("NIP %(nip)s is not in the roster.", nip=nip)) from exc
    names = policy_terms.form_names(engine(), year, result.instansi)
    with force_locale("id"):  # the files speak Indonesian, as their headers do
        words = {code: str(word) for code, word in labels.RECOGNITION.items()}
        statuses = {code: str(word) for code, word in labels.STATUS.items()}
        said = {line.statement_id: reasons.say(line.why, line.reason) for line in result.lines}
        target = reasons.say(result.target_why, result.target_reason)
    table = report_files.lines_table(result, names, words, statuses, lambda line: said[line.statement_id])
    return _file([table], report_files.about_pegawai(result, at.seq, at.as_of, target), "riwayat", fmt)


@bp.get("/me/export.<any(csv, xlsx):fmt>")
@signed_in
def my_file(fmt: str) -> ResponseReturnValue:
    nip = viewer().nip
    if nip is None:
        raise PageProblem(403, _("This page is for a personal credential, one bound to a NIP."))
    return _lines_file(nip, True, fmt)


@bp.get("/pegawai/<nip>/export.<any(csv, xlsx):fmt>")
@signed_in
def pegawai_file(nip: str, fmt: str) -> ResponseReturnValue:
    return _lines_file(nip, nip == viewer().nip, fmt)
