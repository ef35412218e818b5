"""`lrs policy publish`, `lrs roster import`, `lrs standards import`: the reference data the
figures are computed from, each recorded as events."""
from __future__ import annotations

import json
from pathlib import Path

import click

from lrs.cli.common import database_option, domain_errors, open_engine, read_rows_file
from lrs.write.reference_rows import ROSTER, STANDARDS, RowFormat

existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def policy() -> None:
    """Publish policy versions (national or instansi overlays) as events."""


@policy.command("publish")
@click.argument("file", type=existing_file)
@click.option("--replace", is_flag=True,
              help="Publish even if the new version drops values the version in force sets.")
@click.option("--dry-run", is_flag=True, help="Check and show the difference; publish nothing.")
@database_option
def policy_publish(file: Path, replace: bool, dry_run: bool, database_url: str) -> None:
    """Validate FILE against schemas/policy/policy.schema.json, show what it changes in the policy
    in force on its effective date, and append a policy.published event.

    A new version replaces the version in force (the instansi's overlay, or the national policy)
    whole: it is refused when it drops a value that version sets, unless --replace."""
    from lrs.write.reference import publish_policy, review_policy

    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise click.ClickException(f"{file} is not JSON: {exc}") from exc
    engine = open_engine(database_url)
    with domain_errors():
        review = review_policy(engine, document)
    layer = f"instansi {document['instansi']}" if document["jurisdiction"] == "instansi" else "the national policy"
    replacing = f"replacing {review.replaces}" if review.replaces else "replacing no version"
    click.echo(f"{document['policy_id']}@{document['version']} for {layer} from {document['effective_from']} "
               f"({replacing}):")
    for change in review.changes:
        click.echo(f"  {change}")
    if not review.changes:
        click.echo("  no value changes")
    with domain_errors():
        done = publish_policy(engine, document, replace=replace, dry_run=dry_run)
    if done.event is None:
        click.echo("dry run: nothing published")
    else:
        click.echo(f"published {document['policy_id']} version {document['version']} "
                   f"effective {document['effective_from']} (seq {done.event.seq})")


def _import(file: Path, skip_invalid: bool, kind: RowFormat, database_url: str) -> None:
    """Record a CSV or XLSX file's rows through the write side (lrs/write/reference.py), which
    checks the header and every row; bad rows are listed with their number."""
    from lrs.write.reference import import_rows

    header, rows = read_rows_file(file)
    engine = open_engine(database_url)
    with domain_errors(prefix=f"{file}: "):
        found = import_rows(engine, kind, header, rows, skip_invalid=skip_invalid)
    for item in found.problems:
        click.echo(f"{file}: row {item.row}: {item.reason}", err=True)
    if found.problems and not skip_invalid:
        raise click.ClickException(f"{len(found.problems)} bad row(s); nothing recorded (use --skip-invalid "
                                   "to record the good rows)")
    click.echo(f"recorded {found.recorded} {kind.noun} row(s)"
               + (f", skipped {len(found.problems)}" if found.problems else ""))


@click.group()
def roster() -> None:
    """Import the roster (who is who, from which date)."""


@roster.command("import")
@click.argument("file", type=existing_file)
@click.option("--skip-invalid", is_flag=True, help="Record the good rows even if some rows are bad.")
@database_option
def roster_import(file: Path, skip_invalid: bool, database_url: str) -> None:
    """Append one roster.recorded event per row of FILE (CSV or XLSX), all in one transaction.

    Header: nip,nama,status,jabatan,unit_kerja,instansi,atasan_nip,effective_from (optional: mbox,
    jenis_jabatan).
    A file with bad rows changes nothing unless --skip-invalid is given."""
    _import(file, skip_invalid, ROSTER, database_url)


@click.group()
def standards() -> None:
    """Competency standards of positions (standar kompetensi jabatan)."""


@standards.command("import")
@click.argument("file", type=existing_file)
@click.option("--skip-invalid", is_flag=True, help="Record the good rows even if some rows are bad.")
@database_option
def standards_import(file: Path, skip_invalid: bool, database_url: str) -> None:
    """Append one standard.recorded event per row of FILE (CSV or XLSX), all in one transaction.

    Header: instansi,jabatan,kompetensi,jenis,level,effective_from. instansi may be empty (the
    standard of the jabatan in every instansi); jenis is teknis, manajerial (INT, KS, KOM, OPH,
    PP, PDOL, MP, PK) or sosial_kultural (PB); level 1 to 5. A later row with the same instansi,
    jabatan, kompetensi and effective_from corrects the earlier one. A file with bad rows changes
    nothing unless --skip-invalid is given."""
    _import(file, skip_invalid, STANDARDS, database_url)
