"""`lrs serve`: migrate the schema, then run the LRS with gunicorn."""
from __future__ import annotations

import secrets

import click
from sqlalchemy import Engine

from lrs.cli.common import database_option, migrated_engine, snapshot_every_option, snapshots_kept_option
from lrs.cli.connecting import shown
from lrs.config import log_level_from_env, secret_key_from_env


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="TCP port.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (gunicorn); each runs --threads threads.")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker process.")
@click.option("--demo", is_flag=True,
              help="Create the credential demo/demo (scope all) if missing and print it.")
@snapshot_every_option
@snapshots_kept_option
@database_option
def serve(host: str, port: int, workers: int, threads: int, demo: bool, snapshot_every: int | None,
          snapshots_kept: int | None, database_url: str) -> None:
    """Run the LRS with gunicorn (xAPI base URL http://HOST:PORT/xapi/).

    The schema is created or migrated first. SIGTERM stops it cleanly: requests in flight
    finish, nothing half-written remains (each request is one transaction).
    """
    from lrs.ops.logs import check_level
    from lrs.server import run

    try:
        check_level(log_level_from_env())  # here, not in each worker that would fail to boot
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    engine = migrated_engine(database_url)
    if demo:
        _ensure_demo(engine)
    engine.dispose()
    secret_key = None
    if secret_key_from_env() is None:
        # One key for all the workers of this start: a session opened on one is known to the others.
        secret_key = secrets.token_hex(32)
        click.echo("LRS_SECRET_KEY is not set: web sessions (/app/) are signed with a key made at this start, "
                   "so they end when the server restarts. Set LRS_SECRET_KEY to keep them.", err=True)
    click.echo(f"Jejak LRS on http://{host}:{port}/xapi/, web pages on http://{host}:{port}/app/  "
               f"(database {shown(database_url)})", err=True)
    settings = {name: value for name, value in (("SNAPSHOT_EVERY", snapshot_every), ("SNAPSHOTS_KEPT", snapshots_kept))
                if value is not None}
    run(database_url=database_url, host=host, port=port, workers=workers, threads=threads, secret_key=secret_key,
        settings=settings)


def _ensure_demo(engine: Engine) -> None:
    from lrs.store import credentials
    from lrs.store.engine import reading
    from lrs.write.reference import create_credential

    with reading(engine) as conn:
        existing = credentials.find_credential(conn, "demo")
    if existing is None:
        create_credential(engine, "demo", "demo", ["all"], "Demo credential")
        click.echo("Created demo credential: key demo, secret demo (scope all)", err=True)
    else:
        click.echo("Demo credential: key demo, secret demo (exists already)", err=True)
