"""The `lrs` command: serve, credentials, db, verify; policy, roster, projections and jp come from
lrs/cli_reports.py. Each subcommand's --help says what it does."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Any

import click

from lrs.config import database_url_from_env

database_option = click.option(
    "--database-url", default=database_url_from_env, show_default="$LRS_DATABASE_URL or sqlite:///jejak.db",
    help="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db.",
)


def _engine(url: str) -> Any:
    from lrs.store.engine import make_engine

    return make_engine(url)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Jejak LRS: an event-sourced xAPI Learning Record Store.

    Every command takes --database-url (default: $LRS_DATABASE_URL, else sqlite:///jejak.db).
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="TCP port.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (gunicorn); each runs --threads threads.")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker process.")
@click.option("--demo", is_flag=True,
              help="Create the credential demo/demo (scope all) if missing and print it.")
@database_option
def serve(host: str, port: int, workers: int, threads: int, demo: bool, database_url: str) -> None:
    """Run the LRS with gunicorn (xAPI base URL http://HOST:PORT/xapi/).

    The schema is created or migrated first. SIGTERM stops it cleanly: requests in flight
    finish, nothing half-written remains (each request is one transaction).
    """
    from lrs.server import run
    from lrs.store.schema import upgrade

    engine = _engine(database_url)
    upgrade(engine)
    if demo:
        _ensure_demo(engine)
    engine.dispose()
    click.echo(f"Jejak LRS on http://{host}:{port}/xapi/  (database {database_url})", err=True)
    run(database_url=database_url, host=host, port=port, workers=workers, threads=threads)


def _ensure_demo(engine: Any) -> None:
    from lrs.auth import create_credential
    from lrs.store import credentials
    from lrs.store.engine import reading

    with reading(engine) as conn:
        existing = credentials.find_credential(conn, "demo")
    if existing is None:
        create_credential(engine, "demo", "demo", ["all"], "Demo credential")
        click.echo("Created demo credential: key demo, secret demo (scope all)", err=True)
    else:
        click.echo("Demo credential: key demo, secret demo (exists already)", err=True)


@main.group()
def credentials() -> None:
    """Create, list and revoke API credentials (HTTP Basic key and secret)."""


@credentials.command("create")
@click.option("--key", required=True, help="The Basic auth user name.")
@click.option("--secret", required=True, help="The Basic auth password (stored as a scrypt hash).")
@click.option("--scope", "scopes", multiple=True, default=["all"], show_default=True,
              type=click.Choice(
                  ["all", "statements/write", "statements/read", "statements/read/mine", "state", "profile", "reports"]
              ),
              help="Repeat for several scopes.")
@click.option("--name", default=None, help="Display name of the credential's authority agent.")
@click.option("--trusted-source", is_flag=True,
              help="An LMS of an instansi or a national one: its `auto` learning forms count at once, "
                   "and its decisions are those of the statement's actor.")
@click.option("--nip", default=None, help="Bind to a person (18-digit NIP): a personal credential, whose "
                                          "approvals and rejections are that person's decisions.")
@click.option("--role", type=click.Choice(["verifier", "unit_pengelola"]), default=None,
              help="verifier: decides claims for one unit kerja in place of the atasan (needs --nip, "
                   "--instansi, --unit-kerja); unit_pengelola: validates claims of an instansi (--instansi).")
@click.option("--instansi", default=None, help="The instansi a --role is bound to.")
@click.option("--unit-kerja", default=None, help="The unit kerja a --role is bound to.")
@database_option
def credentials_create(key: str, secret: str, scopes: tuple[str, ...], name: str | None,
                       trusted_source: bool, nip: str | None, role: str | None, instansi: str | None,
                       unit_kerja: str | None, database_url: str) -> None:
    """Create a credential. Statements it sends carry its authority; a binding (--nip, --role) and
    --trusted-source are recorded in the log with it."""
    from lrs.auth import create_credential
    from lrs.errors import LrsError
    from lrs.store.schema import upgrade

    engine = _engine(database_url)
    upgrade(engine)
    try:
        cred = create_credential(engine, key, secret, list(scopes), name, trusted_source, nip=nip, role=role,
                                 instansi=instansi, unit_kerja=unit_kerja)
    except LrsError as exc:
        raise click.ClickException(str(exc)) from exc
    notes = [*(["trusted source"] if trusted_source else []), *([f"nip {nip}"] if nip else []),
             *([f"{role} of {' / '.join(filter(None, [instansi, unit_kerja]))}"] if role else [])]
    click.echo(f"created {cred.key} with scope {' '.join(cred.scopes)}"
               + (f" ({', '.join(notes)})" if notes else ""))


@credentials.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@database_option
def credentials_list(as_json: bool, database_url: str) -> None:
    """List credentials (never their secrets)."""
    from lrs.store import credentials as rows
    from lrs.store.engine import reading
    from lrs.store.schema import upgrade

    engine = _engine(database_url)
    upgrade(engine)
    with reading(engine) as conn:
        found = rows.list_credentials(conn)
    for row in found:
        state = "revoked" if row.revoked else "active"
        if as_json:
            click.echo(json.dumps({"key": row.key, "scopes": list(row.scopes), "state": state,
                                   "created": row.created.isoformat()}))
        else:
            click.echo(f"{row.key}\t{' '.join(row.scopes)}\t{state}")


@credentials.command("revoke")
@click.argument("key")
@database_option
def credentials_revoke(key: str, database_url: str) -> None:
    """Revoke a credential at once; its statements stay stored."""
    from lrs.store import credentials as rows

    engine = _engine(database_url)
    with engine.begin() as conn:
        done = rows.revoke_credential(conn, key, datetime.now(timezone.utc))
    if not done:
        raise click.ClickException(f"no active credential {key!r}")
    click.echo(f"revoked {key}")


@main.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@database_option
def db_upgrade(database_url: str) -> None:
    """Create the schema or migrate it to the newest revision."""
    from lrs.store.schema import upgrade

    upgrade(_engine(database_url))
    click.echo("database is at the newest revision")


@main.command()
@database_option
def verify(database_url: str) -> None:
    """Verify the hash chain of the whole event log, and that every attachment's bytes still
    hash to the sha2 the log names; exit 1 at the first broken event or swapped file."""
    from lrs.store import attachment_blobs, chain, log
    from lrs.store.engine import reading

    count = 0
    with reading(_engine(database_url)) as conn:
        prev = None
        with click.progressbar(length=_count(conn), label="verifying", file=sys.stderr) as bar:
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


def _count(conn: Any) -> int:
    from sqlalchemy import func, select

    from lrs.store.tables import events

    return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def _register_reports() -> None:
    from lrs import cli_development, cli_reports

    cli_reports.register(main)
    cli_development.register(main)


_register_reports()
