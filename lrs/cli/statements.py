"""`lrs statements export`: the statements, as GET /xapi/statements returns them, to NDJSON or
CSV for a data warehouse or another LRS; streamed (memory flat), a progress bar on stderr."""
from __future__ import annotations

import csv
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Iterator

import click

from lrs.cli.common import database_option, domain_errors, open_engine

# One row a statement: the fields a warehouse filters on, then the whole statement as JSON.
CSV_COLUMNS = ("id", "stored", "timestamp", "actor", "actor_name", "verb", "object_type", "object_id",
               "registration", "success", "completion", "score_scaled", "duration", "statement")


def _moment(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    """An ISO 8601 time with a zone, as milliseconds since the epoch (as GET's since/until)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time") from exc
    if moment.tzinfo is None:
        raise click.BadParameter(f"{value!r} needs a time zone (Z or +07:00)")
    return int(moment.timestamp() * 1_000_000) // 1000


def _agent(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A JSON Agent or identified Group (as GET's agent parameter), as its identifier string."""
    if value is None:
        return None
    from lrs.errors import InvalidStatement
    from lrs.xapi.statement import ifi
    from lrs.xapi.validate import validate_agent

    try:
        agent = json.loads(value)
        validate_agent(agent, "--agent")
    except (ValueError, InvalidStatement) as exc:
        raise click.BadParameter(f"must be a JSON Agent, e.g. '{{\"mbox\": \"mailto:siti@example.go.id\"}}': {exc}") from exc
    found = ifi(agent)
    if found is None:
        raise click.BadParameter("the Agent names no identifier (mbox, mbox_sha1sum, openid or account)")
    return found


@click.group()
def statements() -> None:
    """The statements of the LRS."""


@statements.command("export")
@click.option("--since", callback=_moment, help="Only statements stored after this time (ISO 8601 with a zone).")
@click.option("--until", callback=_moment, help="Only statements stored at or before this time.")
@click.option("--agent", callback=_agent, help="Only statements of this Agent (JSON, as GET's agent).")
@click.option("--activity", help="Only statements about this activity IRI.")
@click.option("--verb", help="Only statements with this verb IRI.")
@click.option("--related", is_flag=True, help="--agent and --activity also match context, authority, "
                                                 "sub-statements (GET's related_agents, related_activities).")
@click.option("--include-voided", is_flag=True, help="Also the voided statements (GET leaves them out).")
@click.option("--format", "shape", type=click.Choice(["ndjson", "csv"]), default="ndjson", show_default=True,
              help="ndjson: one statement (JSON) a line; csv: a row a statement, the statement in the last column.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (written as FILE.partial, renamed when complete); default stdout.")
@database_option
def export(since: int | None, until: int | None, agent: str | None, activity: str | None, verb: str | None,
           related: bool, include_voided: bool, shape: str, out: Path | None, database_url: str) -> None:
    """Export the statements, oldest first, exactly as GET /xapi/statements returns them
    (format exact), matched as GET matches them. One snapshot of the store: statements stored
    meanwhile are not in it."""
    from lrs.read.statements import exported
    from lrs.store.statement_queries import StatementFilter

    found = StatementFilter(agent=agent, related_agents=related, verb=verb, activity=activity,
                            related_activities=related, since_ms=since, until_ms=until)
    engine = open_engine(database_url)
    try:
        with domain_errors(), exported(engine, found, include_voided=include_voided) as (count, items):
            with _target(out) as handle, click.progressbar(length=count, label="exporting", file=sys.stderr) as bar:
                write = _csv_writer(handle) if shape == "csv" else _ndjson_writer(handle)
                for statement in items:
                    write(statement)
                    bar.update(1)
    finally:
        engine.dispose()
    click.echo(f"exported {count} statements" + (f" to {out}" if out else ""), err=True)


class _target:
    """stdout, or FILE.partial renamed to FILE once everything is written (removed on failure),
    so a cut export is never taken for a whole one."""

    def __init__(self, out: Path | None) -> None:
        self.out = out
        self.partial = None if out is None else out.with_name(out.name + ".partial")
        self.handle: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if self.partial is None:
            return sys.stdout
        self.handle = self.partial.open("w", encoding="utf-8", newline="")
        return self.handle

    def __exit__(self, kind: Any, *_rest: Any) -> None:
        if self.handle is None or self.partial is None or self.out is None:
            return
        self.handle.close()
        if kind is None:
            os.replace(self.partial, self.out)
        else:
            self.partial.unlink(missing_ok=True)


def _ndjson_writer(handle: IO[str]) -> Any:
    def write(statement: dict[str, Any]) -> None:
        handle.write(json.dumps(statement, ensure_ascii=False, separators=(",", ":")) + "\n")
    return write


def _csv_writer(handle: IO[str]) -> Any:
    rows = csv.writer(handle)
    rows.writerow(CSV_COLUMNS)

    def write(statement: dict[str, Any]) -> None:
        rows.writerow(list(_row(statement)))
    return write


def _row(statement: dict[str, Any]) -> Iterator[Any]:
    from lrs.xapi.statement import ifi

    actor, target = statement.get("actor") or {}, statement.get("object") or {}
    result = statement.get("result") or {}
    yield from (statement.get("id"), statement.get("stored"), statement.get("timestamp"), ifi(actor),
                actor.get("name"), (statement.get("verb") or {}).get("id"), target.get("objectType", "Activity"),
                target.get("id") or ifi(target), (statement.get("context") or {}).get("registration"),
                result.get("success"), result.get("completion"), (result.get("score") or {}).get("scaled"),
                result.get("duration"), json.dumps(statement, ensure_ascii=False, separators=(",", ":")))
