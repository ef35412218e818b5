"""`lrs projections run|rebuild|status`: fold the log into the read models."""
from __future__ import annotations

import json
import sys
import time

import click

from lrs.cli.common import database_option, open_engine


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
    from lrs.store.engine import reading
    from projections import runner

    unknown = [n for n in names if n not in runner.BY_NAME]
    if unknown:
        raise click.ClickException(f"unknown projection(s) {unknown}; choose from {', '.join(runner.BY_NAME)}")
    engine = open_engine(database_url)
    with reading(engine) as conn:
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
    """Each projection's checkpoint and lag (events behind the head of the log), and the stored
    figures waiting to be recomputed."""
    from projections import runner

    engine = open_engine(database_url)
    rows = runner.status(engine)
    for name, seq, lag in rows:
        click.echo(json.dumps({"name": name, "checkpoint": seq, "lag": lag}) if as_json
                   else f"{name}\tcheckpoint {seq}\tlag {lag}")
    # The stored figures follow the projections they are computed from: their checkpoint and lag
    # are the projections' (the lowest), with the figures still queued.
    seq, lag = min((seq, lag) for _, seq, lag in rows)
    count, oldest = runner.figure_status(engine)
    click.echo(json.dumps({"name": "figures", "checkpoint": seq, "lag": lag, "pending": count, "oldest_seq": oldest})
               if as_json else f"figures\tcheckpoint {seq}\tlag {lag}\tpending {count}"
               + (f"\toldest seq {oldest}" if oldest is not None else ""))
