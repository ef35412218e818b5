"""`lrs db upgrade` and `lrs verify`: the schema, and the integrity of the log."""
from __future__ import annotations

import sys

import click

from lrs.cli.common import database_option, migrated_engine, open_engine


@click.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@database_option
def db_upgrade(database_url: str) -> None:
    """Create the schema or migrate it to the newest revision."""
    migrated_engine(database_url).dispose()
    click.echo("database is at the newest revision")


@click.command()
@click.option("--figures", "figures", is_flag=True,
              help="Instead: recompute every stored figure and list those that differ.")
@database_option
def verify(figures: bool, database_url: str) -> None:
    """Verify the hash chain of the whole event log, and that every attachment's bytes still
    hash to the sha2 the log names; exit 1 at the first broken event or swapped file. With
    --figures, recompute every stored figure (those waiting to be recomputed are skipped) and
    list each that differs; exit 1 when any does."""
    from lrs.store import attachment_blobs, chain, log, read_models
    from lrs.store.engine import reading

    if figures:
        _verify_figures(database_url)
        return
    count = 0
    with reading(open_engine(database_url)) as conn:
        prev = None
        with click.progressbar(length=read_models.head_seq(conn), label="verifying", file=sys.stderr) as bar:
            for event in log.stream(conn):
                if chain.verify([event], prev) is not None:
                    raise click.ClickException(f"chain broken at seq {event.seq}")
                prev = event
                count += 1
                bar.update(1)
        swapped = list(attachment_blobs.mismatched(conn))
    if swapped:
        raise click.ClickException(f"attachment bytes do not match their sha2: {', '.join(swapped)}")
    click.echo(f"chain verified: {count} events, head {prev.hash if prev else chain.GENESIS_HASH}")


def _verify_figures(database_url: str) -> None:
    from lrs.store import figure_rows
    from lrs.store.engine import reading
    from projections import figures

    with reading(open_engine(database_url)) as conn:
        wrong = list(figures.differences(conn))
        pending, _ = figure_rows.pending(conn)
    for (nip, year), what in wrong:
        click.echo(f"{nip}/{year}: {what}")
    skipped = f"; {pending} waiting to be recomputed were not checked" if pending else ""
    if wrong:
        raise click.ClickException(f"{len(wrong)} stored figure(s) differ from what the rules compute{skipped}")
    click.echo(f"stored figures match what the rules compute{skipped}")
