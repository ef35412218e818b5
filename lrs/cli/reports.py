"""Report commands: `lrs jp`, `lrs recognitions`, `lrs pending`, `lrs competencies`,
`lrs competency-gaps`, `lrs report pegawai` (an instansi's list of who is behind). They read;
they never migrate (`lrs db upgrade` does)."""
from __future__ import annotations

import json
from typing import Any

import click

from lrs.cli.common import as_of_option, database_option, echo_json, plain_json, read_report


@click.command()
@click.argument("nip")
@click.option("--year", required=True, type=int)
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object, with the statements behind it.")
@database_option
def jp(nip: str, year: int, as_of: str | None, as_json: bool, database_url: str) -> None:
    """JP of pegawai NIP for a year: counted, pending, target, the policy versions used, warnings
    and suspected duplicates."""
    from lrs.read.jp import pegawai_jp

    result = read_report(database_url, lambda engine: pegawai_jp(engine, nip, year, as_of))
    if as_json:
        echo_json(result)
        return
    met = {True: "met", False: "not met", None: "no target"}[result.target_met]
    click.echo(f"{nip} {result.nama or ''} {year}: {plain_json(result.jp_counted)} JP counted, "
               f"{plain_json(result.jp_pending)} pending; target {plain_json(result.target_jp)} ({met})")
    for form, value in result.jp_by_form.items():
        click.echo(f"  {form}: {plain_json(value)} JP")
    click.echo(f"  policy: {', '.join(result.policy_versions)}")
    for warning in result.warnings:
        click.echo(f"  warning {warning.code}: {warning.message}")
    for suspect in result.suspected_duplicates:
        click.echo(f"  suspected duplicate {', '.join(suspect.statement_ids)} (kept {', '.join(suspect.kept)}): "
                   f"{suspect.reason}")


@click.command()
@click.argument("nip")
@click.option("--year", required=True, type=int)
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per claim, with its decisions.")
@database_option
def recognitions(nip: str, year: int, as_of: str | None, as_json: bool, database_url: str) -> None:
    """Claims of pegawai NIP in a year that need a decision: status, JP, and each decision."""
    from lrs.read import recognitions as read

    lines = read_report(database_url, lambda engine: read.claims_of(engine, nip, year, as_of))
    for line in lines:
        if as_json:
            echo_json(line)
            continue
        click.echo(f"{line.activity_date} {line.form_code} {line.statement_id}: {line.recognition}, "
                   f"{_jp(line.jp)}, {line.status}" + _capped(line))
        for ruling in line.decisions:
            effect = "has effect" if ruling.effective else "no effect"
            click.echo(f"    {ruling.kind} by {ruling.decider or '?'} ({effect}): {ruling.reason}")


def _jp(value: Any, unknown: str = "- JP") -> str:
    return unknown if value is None else f"{plain_json(value)} JP"


def _capped(line: Any) -> str:
    """What a line counts when the form's annual cap left less than it is worth."""
    if line.status != "counted" or line.jp is None or line.jp_counted >= line.jp:
        return ""
    return f" {plain_json(line.jp_counted)} JP of it (the annual cap of its form is used)"


def _waiting(found: Any, as_json: bool) -> None:
    for claimed in found:
        line = claimed.line
        if as_json:
            click.echo(json.dumps(claimed.as_row(), ensure_ascii=False))
            continue
        cap = (f"; cap {plain_json(claimed.cap_jp)} JP, {plain_json(claimed.cap_used_jp)} used this year"
               if claimed.cap_jp is not None else "")
        jp = _jp(line.jp, "JP set by the decision")
        click.echo(f"{line.statement_id} {claimed.nip} {claimed.nama or ''}: {line.form_code} on "
                   f"{line.activity_date}, {jp}, waiting for the {claimed.awaiting.replace('_', ' ')}{cap}")


@click.command()
@click.argument("nip")
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per claim.")
@database_option
def pending(nip: str, as_of: str | None, as_json: bool, database_url: str) -> None:
    """Claims waiting for atasan (or delegated verifier) NIP to decide, oldest first, with the
    annual cap of each claim's form and how much of it the pegawai has used."""
    from lrs.read import recognitions as read

    _waiting(read_report(database_url, lambda engine: read.pending_for(engine, nip, as_of)), as_json)


@click.command()
@click.argument("instansi")
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per claim.")
@database_option
def validations(instansi: str, as_of: str | None, as_json: bool, database_url: str) -> None:
    """Claims waiting for the unit pengelola of INSTANSI, oldest first: approved by the atasan and
    waiting for validation, and those of a pegawai without an atasan in the roster (where the
    policy's recognition.without_atasan gives the unit pengelola the atasan's step)."""
    from lrs.read import recognitions as read

    _waiting(read_report(database_url, lambda engine: read.pending_validation(engine, instansi, as_of)), as_json)


@click.command()
@click.argument("nip")
@click.option("--year", required=True, type=int)
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object: competencies, learning and plan.")
@database_option
def competencies(nip: str, year: int, as_of: str | None, as_json: bool, database_url: str) -> None:
    """Competency profile of pegawai NIP on 31 December of a year: required and assessed levels,
    gaps, JP of learning per competency, the assessments that had no effect and why, and the
    development plan against what was done."""
    from lrs.read.competencies import pegawai_profile

    found = read_report(database_url, lambda engine: pegawai_profile(engine, nip, year, as_of))
    if as_json:
        echo_json(found)
        return
    click.echo(f"{nip} {found.nama or ''} {year}: {found.jabatan or '-'}, {found.unit_kerja or '-'} "
               f"({found.standard}); JPM {plain_json(found.jpm) if found.jpm is not None else '-'}")
    for row in found.competencies:
        def level(value: int | None) -> str:
            return "-" if value is None else str(value)
        gap = "-" if row.gap is None else str(row.gap)
        click.echo(f"  {row.code:<8} {row.jenis:<15} required {level(row.required_level)} assessed "
                   f"{level(row.assessed_level)} gap {gap}  learning {plain_json(row.jp_learning)} JP")
        for refused in row.assessments_without_effect:
            click.echo(f"    assessment {refused.statement_id} at level {refused.level} (no effect): "
                       f"{refused.reason}")
    for item in found.plan:
        click.echo(f"  plan: {item.title or item.activity_id} ({plain_json(item.jp_planned) if item.jp_planned else '-'}"
                   f" JP): {item.status}")


@click.command("competency-gaps")
@click.argument("instansi")
@click.argument("unit_kerja")
@click.option("--year", required=True, type=int)
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@database_option
def competency_gaps(instansi: str, unit_kerja: str, year: int, as_of: str | None, as_json: bool,
                    database_url: str) -> None:
    """Per competency, how many pegawai of UNIT_KERJA (in INSTANSI on 31 December of the year)
    have a gap against their position's standard, and how many are not assessed."""
    from lrs.read.competencies import unit_gaps

    found = read_report(database_url, lambda engine: unit_gaps(engine, instansi, unit_kerja, year, as_of))
    if as_json:
        echo_json(found)
        return
    click.echo(f"{unit_kerja}, {instansi} {year}: {found.pegawai} pegawai")
    for row in found.competencies:
        click.echo(f"  {row.code:<12} {row.jenis:<15} {row.with_gap} of {row.with_standard} with a gap, "
                   f"{row.not_assessed} not assessed")


@click.command("pegawai")
@click.option("--instansi", required=True)
@click.option("--year", required=True, type=int)
@click.option("--unit", "unit_kerja", default=None, help="Only this unit kerja.")
@click.option("--below-target", is_flag=True, help="Only pegawai whose target is not met (target_met=false).")
@click.option("--status", default=None, help="Only this roster status (PNS, PPPK...).")
@click.option("--jp-below", type=click.FLOAT, default=None, help="Only pegawai with fewer JP counted.")
@click.option("--sort", default="jp", type=click.Choice(["jp", "-jp", "nama", "-nama", "nip", "-nip"]),
              show_default=True)
@click.option("--limit", default=50, type=click.IntRange(1, 10_000), show_default=True)
@click.option("--cursor", default=None, help="The next page, as the previous page printed it.")
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the page and its rows.")
@database_option
def report_pegawai(instansi: str, year: int, unit_kerja: str | None, below_target: bool, status: str | None,
                   jp_below: float | None, sort: str, limit: int, cursor: str | None, as_of: str | None,
                   as_json: bool, database_url: str) -> None:
    """A page of an instansi's (or unit kerja's) pegawai with their JP of a year, as a table: who
    is behind (--below-target --sort jp) first."""
    from decimal import Decimal

    from lrs.read.pegawai_list import ListQuery, pegawai_list

    query = ListQuery(False if below_target else None, status, unit_kerja,
                      None if jp_below is None else Decimal(str(jp_below)), sort, limit, cursor)
    page = read_report(database_url, lambda engine: pegawai_list(engine, instansi, year, query, as_of=as_of))
    if as_json:
        echo_json(page)
        return
    met = {True: "met", False: "not met", None: "no target"}
    click.echo(f"{'nip':<18}  {'nama':<24}  {'unit kerja':<20}  {'status':<6}  {'JP':>6}  {'pending':>7}  "
               f"{'target':>6}  target met")
    for item in page.items:
        note = " (waiting to be recomputed)" if item.pending else " (computed now)" if item.computed else ""
        click.echo(f"{item.nip:<18}  {(item.nama or '')[:24]:<24}  {(item.unit_kerja or '')[:20]:<20}  "
                   f"{item.status or '':<6}  {plain_json(item.jp_counted):>6}  {plain_json(item.jp_pending):>7}  "
                   f"{'-' if item.target_jp is None else plain_json(item.target_jp):>6}  {met[item.target_met]}{note}")
    click.echo(f"current as of seq {page.current_as_of}; {page.pending} figure(s) of {year} waiting to be "
               f"recomputed; {page.computed} member(s) without a stored figure computed now")
    if page.next_cursor is not None:
        click.echo(f"next page: --cursor {page.next_cursor}")
