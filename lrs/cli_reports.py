"""`lrs policy`, `lrs roster`, `lrs projections` and `lrs jp`: reference data, projections, reports."""
from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

import click

from lrs.config import database_url_from_env

T = TypeVar("T")
database_option = click.option(
    "--database-url", default=database_url_from_env, show_default="$LRS_DATABASE_URL or sqlite:///jejak.db",
    help="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db.",
)


def open_engine(url: str) -> Any:
    from lrs.store.engine import make_engine
    from lrs.store.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    return engine


def read_report(database_url: str, read: Callable[[Any], T]) -> T:
    """Catch the projections up, then run a report read on the engine; a domain error (an
    unknown nip, a bad as_of) becomes the command's error message."""
    from lrs.errors import LrsError
    from projections import runner

    engine = open_engine(database_url)
    runner.catch_up(engine)
    try:
        return read(engine)
    except LrsError as exc:
        raise click.ClickException(str(exc)) from exc


def plain_json(value: Any) -> Any:
    from lrs.reports import to_json

    return to_json(value)


def read_rows_file(path: Path) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a CSV (UTF-8) or XLSX (first sheet) file."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [list(r) for r in csv.reader(handle)]
    if not rows:
        raise click.ClickException(f"{path} is empty: it needs a header row")
    return [str(h or "") for h in rows[0]], rows[1:]


def register(main: click.Group) -> None:
    main.add_command(policy)
    main.add_command(roster)
    main.add_command(projections)
    main.add_command(jp)


@click.group()
def policy() -> None:
    """Publish policy versions (national or instansi overlays) as events."""


@policy.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@database_option
def policy_publish(file: Path, database_url: str) -> None:
    """Validate FILE against schemas/policy/policy.schema.json and append a policy.published event."""
    from lrs.commands import publish_policy
    from lrs.errors import LrsError

    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise click.ClickException(f"{file} is not JSON: {exc}") from exc
    try:
        event = publish_policy(open_engine(database_url), document)
    except LrsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"published {document['policy_id']} version {document['version']} "
               f"effective {document['effective_from']} (seq {event.seq})")


@click.group()
def roster() -> None:
    """Import the roster (who is who, from which date)."""


@roster.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Record the good rows even if some rows are bad.")
@database_option
def roster_import(file: Path, skip_invalid: bool, database_url: str) -> None:
    """Append one roster.recorded event per row of FILE (CSV or XLSX), all in one transaction.

    Header: nip,nama,status,jabatan,unit_kerja,instansi,atasan_nip,effective_from (optional: mbox).
    A file with bad rows changes nothing unless --skip-invalid is given."""
    from lrs.commands import record_roster
    from projections import roster as rows

    import_rows(file, skip_invalid, rows, lambda good: record_roster(open_engine(database_url), good), "roster")


def import_rows(file: Path, skip_invalid: bool, parser: Any, record: Any, noun: str) -> None:
    """Read a CSV or XLSX file, check its header and rows with `parser` (check_header,
    parse_rows), report bad rows, and `record` the good ones (all, or none unless skip_invalid)."""
    header, rows = read_rows_file(file)
    if (problem := parser.check_header(header)) is not None:
        raise click.ClickException(f"{file}: {problem}")
    good, problems = parser.parse_rows(header, rows)
    for item in problems:
        click.echo(f"{file}: row {item.row}: {item.reason}", err=True)
    if problems and not skip_invalid:
        raise click.ClickException(f"{len(problems)} bad row(s); nothing recorded (use --skip-invalid "
                                   "to record the good rows)")
    count = record(good) if good else 0
    click.echo(f"recorded {count} {noun} row(s)" + (f", skipped {len(problems)}" if problems else ""))


@click.group()
def projections() -> None:
    """Fold the log into the read models: run, rebuild, status."""


@projections.command("run")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1, 100_000),
              help="Log positions folded per transaction.")
@click.option("--once", is_flag=True, help="Catch up once and exit.")
@click.option("--interval", default=1.0, show_default=True, type=float, help="Seconds between polls.")
@click.option("--max-seconds", default=None, type=float, help="Stop after this long.")
@database_option
def projections_run(batch: int, once: bool, interval: float, max_seconds: float | None,
                    database_url: str) -> None:
    """A worker: catch up, then poll the log for new events (Ctrl-C stops it)."""
    from projections import runner

    engine = open_engine(database_url)
    started = time.monotonic()
    while True:
        seq = runner.catch_up(engine, batch=batch)
        if once or (max_seconds is not None and time.monotonic() - started >= max_seconds):
            click.echo(f"projections at seq {seq}")
            return
        time.sleep(interval)


@projections.command("rebuild")
@click.argument("names", nargs=-1)
@click.option("--batch", default=10_000, show_default=True, type=click.IntRange(1, 100_000),
              help="Log positions folded per transaction (memory grows with it, not with the log).")
@database_option
def projections_rebuild(names: tuple[str, ...], batch: int, database_url: str) -> None:
    """Clear the named projections (default: all) and fold the whole log again."""
    from lrs.store import read_models
    from projections import runner

    unknown = [n for n in names if n not in runner.BY_NAME]
    if unknown:
        raise click.ClickException(f"unknown projection(s) {unknown}; choose from {', '.join(runner.BY_NAME)}")
    engine = open_engine(database_url)
    with engine.connect() as conn:
        head = read_models.head_seq(conn)
    with click.progressbar(length=head, label="rebuilding", file=sys.stderr) as bar:
        last = [0]

        def progress(seq: int) -> None:
            bar.update(seq - last[0])
            last[0] = seq

        seq = runner.rebuild(engine, names, batch=batch, on_batch=progress)
    click.echo(f"rebuilt {', '.join(names) or 'all projections'} to seq {seq}")


@projections.command("status")
@click.option("--json", "as_json", is_flag=True)
@database_option
def projections_status(as_json: bool, database_url: str) -> None:
    """Each projection's checkpoint and lag (events behind the head of the log)."""
    from projections import runner

    for name, seq, lag in runner.status(open_engine(database_url)):
        click.echo(json.dumps({"name": name, "checkpoint": seq, "lag": lag}) if as_json
                   else f"{name}\tcheckpoint {seq}\tlag {lag}")


@click.command()
@click.argument("nip")
@click.option("--year", required=True, type=int)
@click.option("--as-of", default=None, help="An event seq, or a stored time (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, with the statements behind it.")
@database_option
def jp(nip: str, year: int, as_of: str | None, as_json: bool, database_url: str) -> None:
    """JP of pegawai NIP for a year: counted, pending, target, and the policy versions used."""
    from lrs.reports import pegawai_jp

    result = read_report(database_url, lambda engine: pegawai_jp(engine, nip, year, as_of))
    if as_json:
        click.echo(json.dumps(plain_json(result), ensure_ascii=False))
        return
    met = {True: "met", False: "not met", None: "no target"}[result.target_met]
    click.echo(f"{nip} {result.nama or ''} {year}: {plain_json(result.jp_counted)} JP counted, "
               f"{plain_json(result.jp_pending)} pending; target {plain_json(result.target_jp)} ({met})")
    for form, value in result.jp_by_form.items():
        click.echo(f"  {form}: {plain_json(value)} JP")
    click.echo(f"  policy: {', '.join(result.policy_versions)}")

