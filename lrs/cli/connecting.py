"""What a command says when it cannot use the database at --database-url: one line naming the
URL (its password masked) and what to check, and exit status 1, never a traceback."""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator

import click
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

SUPPORTED = "sqlite:///path/to/file.db or postgresql://user:password@host:port/database"
DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}  # what setup.cfg installs


def shown(url: str) -> str:
    """The URL as a message shows it: as written, with its password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r":[^:/@]*@", ":***@", url)  # user:password@ in whatever was written


def _parsed(url: str) -> URL:
    from lrs.store.engine import normalize_url

    return make_url(normalize_url(url))


def check_url(url: str) -> None:
    """Refuse a URL that is not one, or names a database or driver Jejak does not use."""
    try:
        parsed = _parsed(url)
    except ArgumentError as exc:
        raise click.ClickException(f"{shown(url)!r} is not a database URL: use {SUPPORTED}") from exc
    backend = parsed.get_backend_name()
    if backend not in DRIVERS:
        raise click.ClickException(
            f"the database URL {shown(url)} is for {backend}, which Jejak does not support: use {SUPPORTED}")
    if parsed.get_driver_name() != DRIVERS[backend]:
        raise click.ClickException(
            f"the database URL {shown(url)} asks for the driver {parsed.get_driver_name()}, which Jejak "
            f"does not use: write {backend}:// (Jejak uses {DRIVERS[backend]})")


@contextmanager
def connecting(url: str) -> Iterator[None]:
    """A database error while a command opens the database becomes one line naming the URL."""
    try:
        yield
    except DBAPIError as exc:
        raise click.ClickException(_sentence(url, exc)) from exc


def _sentence(url: str, exc: DBAPIError) -> str:
    from lrs.store.failures import first_line

    said, where, parsed = first_line(exc), shown(url), _parsed(url)
    low = said.lower()
    if parsed.get_backend_name() == "sqlite":
        if "unable to open" in low:
            return (f"cannot open the SQLite database {parsed.database} ({where}): check that its folder "
                    "exists and that this user may write there")
        return f"cannot use the SQLite database at {where}: {said}"
    server = f"the PostgreSQL server at {parsed.host or 'localhost'}:{parsed.port or 5432}"
    if re.search(r'database "[^"]*" does not exist', low):
        return (f'the database "{parsed.database}" does not exist on {server} ({where}): create it '
                f"(createdb {parsed.database}) or correct the database name in the URL")
    if ("password authentication failed" in low or "no password supplied" in low
            or re.search(r'role "[^"]*" does not exist', low)):
        return (f"{server} refused the user {parsed.username} ({where}): check the user name and "
                "password in the URL")
    if "connection" in low or "resolve host" in low or "timeout" in low:
        return (f"cannot reach {server} ({where}): check that it is running and accepts TCP "
                f"connections there, and the host and port in the URL ({said})")
    return f"cannot use the database at {where}: {said}"
