"""The `lrs` command. Each group lives in a module named for what it holds; `--help` on any
command explains it."""
from __future__ import annotations

import click

from lrs.cli import (
    auditing, credentials, database, projecting, reference, report_exports, reports, serving, statements,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
# The installed distribution's version (its metadata, from setup.cfg), never a copy in code.
@click.version_option(package_name="jejak-lrs", prog_name="lrs", message="%(prog)s (Jejak LRS) %(version)s")
def main() -> None:
    """Jejak LRS: an event-sourced xAPI Learning Record Store.

    Every command but `keys create` takes --database-url (default: $LRS_DATABASE_URL, else
    sqlite:///jejak.db). Only `serve` and `db upgrade` create or migrate the schema.
    """


for command in (serving.serve, credentials.credentials, database.db, auditing.verify, auditing.keys,
                auditing.checkpoint, auditing.export_log, auditing.import_log, auditing.explain, auditing.replay,
                reference.policy, reference.roster, reference.standards, projecting.projections, reports.jp, reports.recognitions,
                reports.pending, reports.validations, reports.competencies, reports.competency_gaps,
                report_exports.report, statements.statements):
    main.add_command(command)
