"""`lrs recognitions`, `lrs pending`, `lrs standards import`, `lrs competencies` and
`lrs competency-gaps`: the recognition of nonformal learning and competency profiles."""
from __future__ import annotations

import json
from pathlib import Path

import click

from lrs.cli_reports import database_option, import_rows, open_engine, plain_json, read_report


def register(main: click.Group) -> None:
    main.add_command(recognitions)
    main.add_command(pending)
    main.add_command(standards)
    main.add_command(competencies)
    main.add_command(competency_gaps)


@click.command()
@click.argument("nip")
@click.option("--year", required=True, type=int)
@click.option("--as-of", default=None, help="An event seq, or a stored time (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per claim, with its decisions.")
@database_option
def recognitions(nip: str, year: int, as_of: str | None, as_json: bool, database_url: str) -> None:
    """Claims of pegawai NIP in a year that need a decision: status, JP, and each decision."""
    from lrs import recognitions as read

    lines = read_report(database_url, lambda engine: read.claims_of(engine, nip, year, as_of))
    for line in lines:
        if as_json:
            click.echo(json.dumps(plain_json(line), ensure_ascii=False))
            continue
        click.echo(f"{line.activity_date} {line.form_code} {line.statement_id}: {line.recognition}, "
                   f"{plain_json(line.jp) if line.jp is not None else '-'} JP, {line.status}")
        for ruling in line.decisions:
            effect = "has effect" if ruling.effective else "no effect"
            click.echo(f"    {ruling.kind} by {ruling.decider or '?'} ({effect}): {ruling.reason}")


@click.command()
@click.argument("nip")
@click.option("--as-of", default=None, help="An event seq, or a stored time (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per claim.")
@database_option
def pending(nip: str, as_of: str | None, as_json: bool, database_url: str) -> None:
    """Claims waiting for atasan (or delegated verifier) NIP to decide, oldest first."""
    from lrs import recognitions as read

    for claimed in read_report(database_url, lambda engine: read.pending_for(engine, nip, as_of)):
        line = claimed.line
        if as_json:
            click.echo(json.dumps({"nip": claimed.nip, "nama": claimed.nama, **plain_json(line)}, ensure_ascii=False))
        else:
            click.echo(f"{line.statement_id} {claimed.nip} {claimed.nama or ''}: {line.form_code} on "
                       f"{line.activity_date}, {plain_json(line.jp) if line.jp is not None else '-'} JP")



@click.group()
def standards() -> None:
    """Competency standards of positions (standar kompetensi jabatan)."""


@standards.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Record the good rows even if some rows are bad.")
@database_option
def standards_import(file: Path, skip_invalid: bool, database_url: str) -> None:
    """Append one standard.recorded event per row of FILE (CSV or XLSX), all in one transaction.

    Header: instansi,jabatan,kompetensi,jenis,level,effective_from. instansi may be empty (the
    standard of the jabatan in every instansi); jenis is teknis, manajerial (INT, KS, KOM, OPH,
    PP, PDOL, MP, PK) or sosial_kultural (PB); level 1 to 5. A later row with the same instansi,
    jabatan, kompetensi and effective_from corrects the earlier one. A file with bad rows changes
    nothing unless --skip-invalid is given."""
    from lrs.commands import record_standards
    from projections import standards as rows

    import_rows(file, skip_invalid, rows, lambda good: record_standards(open_engine(database_url), good), "standard")


@click.command()
@click.argument("nip")
@click.option("--year", required=True, type=int)
@click.option("--as-of", default=None, help="An event seq, or a stored time (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: competencies, learning and plan.")
@database_option
def competencies(nip: str, year: int, as_of: str | None, as_json: bool, database_url: str) -> None:
    """Competency profile of pegawai NIP on 31 December of a year: required and assessed levels,
    gaps, JP of learning per competency, and the development plan against what was done."""
    from lrs.competencies import pegawai_profile

    found = read_report(database_url, lambda engine: pegawai_profile(engine, nip, year, as_of))
    if as_json:
        click.echo(json.dumps(plain_json(found), ensure_ascii=False))
        return
    click.echo(f"{nip} {found.nama or ''} {year}: {found.jabatan or '-'}, {found.unit_kerja or '-'} "
               f"({found.standard}); JPM {plain_json(found.jpm) if found.jpm is not None else '-'}")
    for row in found.competencies:
        def level(value: int | None) -> str:
            return "-" if value is None else str(value)
        gap = "-" if row.gap is None else str(row.gap)
        click.echo(f"  {row.code:<8} {row.jenis:<15} required {level(row.required_level)} assessed "
                   f"{level(row.assessed_level)} gap {gap}  learning {plain_json(row.jp_learning)} JP")
    for item in found.plan:
        click.echo(f"  plan: {item.title or item.activity_id} ({plain_json(item.jp_planned) if item.jp_planned else '-'}"
                   f" JP): {item.status}")


@click.command("competency-gaps")
@click.argument("instansi")
@click.argument("unit_kerja")
@click.option("--year", required=True, type=int)
@click.option("--as-of", default=None, help="An event seq, or a stored time (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@database_option
def competency_gaps(instansi: str, unit_kerja: str, year: int, as_of: str | None, as_json: bool,
                    database_url: str) -> None:
    """Per competency, how many pegawai of UNIT_KERJA (in INSTANSI on 31 December of the year)
    have a gap against their position's standard, and how many are not assessed."""
    from lrs.competencies import unit_gaps

    found = read_report(database_url, lambda engine: unit_gaps(engine, instansi, unit_kerja, year, as_of))
    if as_json:
        click.echo(json.dumps(plain_json(found), ensure_ascii=False))
        return
    click.echo(f"{unit_kerja}, {instansi} {year}: {found.pegawai} pegawai")
    for row in found.competencies:
        click.echo(f"  {row.code:<12} {row.jenis:<15} {row.with_gap} of {row.with_standard} with a gap, "
                   f"{row.not_assessed} not assessed")
