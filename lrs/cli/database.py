"""`lrs db upgrade`: the schema (`lrs verify`, the integrity of the log, is in auditing.py)."""
from __future__ import annotations

import click

from lrs.cli.common import database_option, migrated_engine


@click.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@database_option
def db_upgrade(database_url: str) -> None:
    """Create the schema or migrate it to the newest revision."""
    migrated_engine(database_url).dispose()
    click.echo("database is at the newest revision")
