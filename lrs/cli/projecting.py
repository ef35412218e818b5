"""`lrs projections run|rebuild|status`: fold the log into the read models."""
from __future__ import annotations

import json
import sys
import time

import click

from lrs.cli.common import (
    database_option, open_engine, snapshot_every_option, snapshot_settings, snapshots_kept_option,
)


@click.group()
def projections() -> None:
    """Fold the log into the read models: run, rebuild, status."""


@projections.command("run")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1, 100_000),
              help="Log positions folded per transaction.")
@click.option("--once", is_flag=True, help="Catch up once and exit.")
@click.option("--interval", default=1.0, show_default=True, type=float, help="Seconds between polls.")
@click.option("--max-seconds", default=None, type=float, help="Stop after this long.")
@snapshot_every_option
@snapshots_kept_option
@database_option
def projections_run(batch: int, once: bool, interval: float, max_seconds: float | None, snapshot_every: int | None,
                    snapshots_kept: int | None, database_url: str) -> None:
    """A worker: catch up, then poll the log for new events (Ctrl-C stops it)."""
    from projections import runner

    engine = open_engine(database_url)
    keep = snapshot_settings(snapshot_every, snapshots_kept)
    started = time.monotonic()
    while True:
        seq = runner.catch_up(engine, batch=batch, keep=keep)
        if once or (max_seconds is not None and time.monotonic() - started >= max_seconds):
            click.echo(f"projections at seq {seq}")
            return
        time.sleep(interval)


@projections.command("rebuild")
@click.argument("names", nargs=-1)
@click.option("--batch", default=10_000, show_default=True, type=click.IntRange(1, 100_000),
              help="Log positions folded per transaction (memory grows with it, not with the log).")
@snapshot_every_option
@snapshots_kept_option
@database_option
def projections_rebuild(names: tuple[str, ...], batch: int, snapshot_every: int | None, snapshots_kept: int | None,
                        database_url: str) -> None:
    """Clear the named projections (default: all) and fold the whole log again, then compute every
    stored figure; the snapshots are taken again (about --snapshots-kept over the log)."""
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

        seq = runner.rebuild(engine, names, batch=batch, on_batch=progress,
                             keep=snapshot_settings(snapshot_every, snapshots_kept))
    click.echo(f"rebuilt {', '.join(names) or 'all projections'} to seq {seq}")


@projections.command("status")
@click.option("--json", "as_json", is_flag=True)
@database_option
def projections_status(as_json: bool, database_url: str) -> None:
    """Each projection's checkpoint and lag (events behind the head of the log), the stored
    figures waiting to be recomputed, and the snapshots kept for as-of replays."""
    from projections import runner, snapshots

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
    kept = snapshots.status(engine)
    if as_json:
        click.echo(json.dumps({"name": "snapshots", "kept": [
            {"seq": s["seq"], "rows": s["rows"], "bytes": s["bytes"], "taken": s["taken"].isoformat(),
             "usable": s["usable"]} for s in kept]}))
    else:
        click.echo(f"snapshots\tkept {len(kept)}" + "".join(
            f"\n  seq {s['seq']}\t{s['rows']} rows\t{s['bytes']} bytes\ttaken {s['taken']:%Y-%m-%d %H:%M}"
            + ("" if s["usable"] else "\tnot usable (the read models changed shape)") for s in kept))
