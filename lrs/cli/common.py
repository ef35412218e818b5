"""What every `lrs` command shares: the --database-url option, opening the database (only
`serve` and `db upgrade` migrate it), the one mapping of domain errors to command errors, and
reading CSV or XLSX files."""
from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import click
from sqlalchemy import Engine

from lrs.cli.connecting import check_url, connecting, shown
from lrs.config import database_url_from_env

T = TypeVar("T")

database_option = click.option(
    "--database-url", default=database_url_from_env, show_default="$LRS_DATABASE_URL or sqlite:///jejak.db",
    help="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db.",
)
snapshot_every_option = click.option(
    "--snapshot-every", type=click.IntRange(0), default=None, show_default="$LRS_SNAPSHOT_EVERY or 100000",
    help="Snapshot the read models every this many events, for as-of replays (0: never).")
snapshots_kept_option = click.option(
    "--snapshots-kept", type=click.IntRange(0), default=None, show_default="$LRS_SNAPSHOTS_KEPT or 8",
    help="Most snapshots kept (spread over the log; older ones pruned).")


def snapshot_settings(every: int | None, kept: int | None) -> Any:
    """The projections.snapshots.Snapshots the flags (else LRS_SNAPSHOT_EVERY, LRS_SNAPSHOTS_KEPT) say."""
    from lrs.config import snapshot_settings_from_env
    from projections.snapshots import Snapshots

    env_every, env_kept = snapshot_settings_from_env()
    return Snapshots(env_every if every is None else every, env_kept if kept is None else kept)


as_of_option = click.option("--as-of", default=None, help="An event seq, or a stored time (ISO 8601).")


@contextmanager
def domain_errors(prefix: str = "") -> Iterator[None]:
    """A domain error (an unknown nip, a bad file, a refused policy) becomes the command's error
    message (after `prefix`) and exit status 1, never a traceback."""
    from lrs.errors import LrsError

    try:
        yield
    except LrsError as exc:
        raise click.ClickException(f"{prefix}{exc}") from exc


def open_engine(url: str) -> Engine:
    """The database at `url`, whose schema must be the newest: a command other than `serve` and
    `db upgrade` never migrates what it reads or writes. A database that cannot be used stops
    the command with one line saying why (lrs/cli/connecting.py)."""
    from lrs.store.engine import make_engine
    from lrs.store.schema import is_current

    check_url(url)
    engine = make_engine(url)
    with connecting(url):
        current = is_current(engine)
    if not current:
        engine.dispose()
        raise click.ClickException(f"the database at {shown(url)} does not have the newest schema; "
                                   "run `lrs db upgrade` first")
    _configure_snapshots(engine)
    return engine


def _configure_snapshots(engine: Engine) -> None:
    """Every catch-up a command runs on the engine snapshots as LRS_SNAPSHOT_EVERY and
    LRS_SNAPSHOTS_KEPT say (a command's own flags, where it has them, still win)."""
    from projections import snapshots

    snapshots.configure(engine, snapshot_settings(None, None))


def migrated_engine(url: str) -> Engine:
    """The database at `url`, its schema created or migrated to the newest revision."""
    from lrs.store.engine import make_engine
    from lrs.store.schema import upgrade

    check_url(url)
    engine = make_engine(url)
    with connecting(url):
        upgrade(engine)
    _configure_snapshots(engine)
    return engine


def read_report(database_url: str, read: Callable[[Engine], T]) -> T:
    """Catch the projections up, then run a report read on the engine."""
    from projections import runner

    engine = open_engine(database_url)
    try:
        with domain_errors():
            runner.catch_up(engine)
            return read(engine)
    finally:
        engine.dispose()


def plain_json(value: Any) -> Any:
    from lrs.read.values import to_json

    return to_json(value)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(plain_json(value), ensure_ascii=False))


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
