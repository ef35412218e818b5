"""`lrs credentials create|list|revoke`: API credentials (HTTP Basic key and secret)."""
from __future__ import annotations

import json

import click

from lrs.cli.common import database_option, domain_errors, open_engine
from lrs.vocabulary import ROLES, SCOPES


@click.group()
def credentials() -> None:
    """Create, list and revoke API credentials (HTTP Basic key and secret)."""


@credentials.command("create")
@click.option("--key", required=True, help="The Basic auth user name.")
@click.option("--secret", required=True, help="The Basic auth password (stored as a scrypt hash).")
@click.option("--scope", "scopes", multiple=True, default=["all"], show_default=True, type=click.Choice(SCOPES),
              help="Repeat for several scopes.")
@click.option("--name", default=None, help="Display name of the credential's authority agent.")
@click.option("--trusted-source", is_flag=True,
              help="An LMS of an instansi or a national one, or an assessment centre: its `auto` learning "
                   "forms count at once, its decisions are those of the statement's actor, and its "
                   "competency assessments set the assessed level.")
@click.option("--nip", default=None, help="Bind to a person (18-digit NIP): a personal credential, whose "
                                          "approvals and rejections are that person's decisions, which "
                                          "reads only that person's reports and their bawahan's, and "
                                          "never assesses that person.")
@click.option("--role", type=click.Choice(ROLES), default=None,
              help="verifier: decides claims for one unit kerja in place of the atasan (needs --nip, "
                   "--instansi, --unit-kerja); unit_pengelola: validates claims of an instansi and assesses "
                   "its pegawai (--instansi), and reads only its reports (with --unit-kerja, that unit's); "
                   "assessor: its competency assessments set the assessed level of the instansi's pegawai "
                   "(--instansi; --nip names the assessor, who never assesses themselves).")
@click.option("--instansi", default=None, help="The instansi a --role is bound to.")
@click.option("--unit-kerja", default=None, help="The unit kerja a --role is bound to.")
@database_option
def credentials_create(key: str, secret: str, scopes: tuple[str, ...], name: str | None,
                       trusted_source: bool, nip: str | None, role: str | None, instansi: str | None,
                       unit_kerja: str | None, database_url: str) -> None:
    """Create a credential. Statements it sends carry its authority; a binding (--nip, --role) and
    --trusted-source are recorded in the log with it."""
    from lrs.write.reference import create_credential

    with domain_errors():
        row = create_credential(open_engine(database_url), key, secret, list(scopes), name, trusted_source,
                                nip=nip, role=role, instansi=instansi, unit_kerja=unit_kerja)
    notes = [*(["trusted source"] if trusted_source else []), *([f"nip {nip}"] if nip else []),
             *([f"{role} of {' / '.join(filter(None, [instansi, unit_kerja]))}"] if role else [])]
    click.echo(f"created {row.key} with scope {' '.join(row.scopes)}"
               + (f" ({', '.join(notes)})" if notes else ""))


@credentials.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@database_option
def credentials_list(as_json: bool, database_url: str) -> None:
    """List credentials (never their secrets)."""
    from lrs.store import credentials as rows
    from lrs.store.engine import reading

    with reading(open_engine(database_url)) as conn:
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
    from lrs.write.reference import revoke_credential

    with domain_errors():
        revoke_credential(open_engine(database_url), key)
    click.echo(f"revoked {key}")
