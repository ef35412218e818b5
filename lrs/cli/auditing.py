"""`lrs verify`, `lrs keys create`, `lrs checkpoint`, `lrs export`, `lrs import`, `lrs explain`,
`lrs replay`: what an auditor uses to trust the log without trusting the operator of the server."""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from lrs.cli.common import as_of_option, database_option, domain_errors, echo_json, open_engine, plain_json, read_report
from lrs.config import signing_key_file_from_env

key_file_option = click.option(
    "--key-file", default=signing_key_file_from_env, show_default="$LRS_SIGNING_KEY_FILE",
    help="The Ed25519 private key (PEM) that signs checkpoints (`lrs keys create` writes one).",
)


@contextmanager
def _progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, and a callback that moves it to a count done."""
    with click.progressbar(length=max(length, 0), label=label, file=sys.stderr) as bar:
        done = [0]

        def moved(count: int) -> None:
            bar.update(count - done[0])
            done[0] = count

        yield moved


class _Phases:
    """Progress bars on stderr, one per phase of a long check, each moved to a count done."""

    def __init__(self) -> None:
        self.label: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, label: str, done: int, length: int) -> None:
        if label != self.label:
            self.close()
            self.label, self.done = label, 0
            self.bar = click.progressbar(length=max(length, 0), label=label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command()
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A checkpoint kept outside the LRS (`lrs checkpoint` output, or one item of "
                   "/api/v1/audit/checkpoints): prove the log still extends it.")
@click.option("--file", "export", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Verify this export file (`lrs export`) instead of the database.")
@click.option("--from-seq", default=1, show_default=True, type=click.IntRange(1),
              help="Walk the log from this seq (from the hash of the event before it); the read models are "
                   "checked only by a walk of the whole log.")
@click.option("--to-seq", default=None, type=click.IntRange(1), help="Walk the log up to this seq (default: the head).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--figures", "figures", is_flag=True,
              help="Instead: recompute every stored figure, roll-up, claim and competency row from the live read "
                   "models and list those that differ.")
@database_option
def verify(checkpoint_file: Path | None, export: Path | None, from_seq: int, to_seq: int | None, as_json: bool,
           figures: bool, database_url: str) -> None:
    """Walk the event log and check every hash, every published key and signed checkpoint,
    and rehash every attachment against its sha2; with --checkpoint, also that the log holds the
    checkpointed event with the signed hash under a key it published. In the same pass, check
    every statement's rows and index rows against the log by digests per block of seqs; then
    rebuild the other read models from the log (the StatementRef closure, documents,
    activities, agents, the projections, credential bindings among them, and the stored
    figures) in a scratch file and compare them with the database's tables row by row: a row
    edited, added or removed is named by table and key. Names every problem; exit 1 if there is any. With --figures, recompute
    every stored figure, roll-up, claim and competency row instead (those waiting to be
    recomputed are skipped) and list each that differs (--json: as one object); exit 1 when any
    does. --figures takes none of the log walk's options."""
    from lrs.read.verification import Outside, verify_file, verify_store
    from lrs.store import export_file

    if figures:
        given = [name for name, value in (("--checkpoint", checkpoint_file), ("--file", export),
                                          ("--from-seq", from_seq != 1), ("--to-seq", to_seq)) if value]
        if given:
            raise click.UsageError(f"--figures recomputes the database's stored figures; {', '.join(given)} "
                                   "belongs to the walk of the log: run them apart")
        _verify_figures(database_url, as_json)
        return

    with domain_errors():
        outside = Outside.from_text(checkpoint_file.read_text(encoding="utf-8"), str(checkpoint_file)) \
            if checkpoint_file else None
        if export is not None:
            header = export_file.header_of(export)
            with _progress(header.to_seq - header.from_seq + 1, "verifying") as moved:
                result = verify_file(export, outside=outside, progress=lambda seq: moved(seq - header.from_seq + 1))
        else:
            engine = open_engine(database_url)
            phases = _Phases()
            try:
                result = verify_store(engine, outside=outside, progress=phases, from_seq=from_seq, to_seq=to_seq)
            finally:
                phases.close()
                engine.dispose()
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, default=str))
    else:
        for problem in result.problems:
            click.echo(f"{problem.kind}: {problem.message}")
        if result.problem_count > len(result.problems):
            click.echo(f"... and {result.problem_count - len(result.problems)} more problems")
        if result.ok:
            which = "the file" if export is not None else "the log"
            what = f"; {which} extends the checkpoint at seq {result.outside.seq}" if result.outside else ""
            span = f" (seqs {result.first_seq} to {result.head_seq})" if result.first_seq > 1 else ""
            click.echo(f"chain verified: {result.events} events{span}, head {result.head_hash}, "
                       f"{result.checkpoints} signed checkpoints{what}")
            if result.rows is not None:
                click.echo(f"read models verified: {result.rows} rows are what the log implies")
            elif export is None:
                click.echo("read models not checked: only a walk of the whole log checks them")
    if not result.ok:
        raise SystemExit(1)


@click.group()
def keys() -> None:
    """Signing keys for checkpoints of the log."""


@keys.command("create")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the private key (PEM, readable by its owner only); never overwritten.")
def keys_create(out: Path) -> None:
    """Create an Ed25519 signing key. Give its path to the server and to `lrs checkpoint` as
    LRS_SIGNING_KEY_FILE; only its public half ever enters the log."""
    from lrs.store.signing import PublicKey, load_key, new_key_pem

    pem = new_key_pem()
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise click.ClickException(f"{out} exists: a signing key is never overwritten (choose another --out)") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot create {out}: {exc.strerror}") from exc
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # whatever the umask
        handle.write(pem)
    public = PublicKey.of(load_key(pem, str(out)))
    click.echo(f"wrote {out} (key id {public.key_id}, public key {public.public_key})")


@click.command()
@key_file_option
@database_option
def checkpoint(key_file: str | None, database_url: str) -> None:
    """Sign the head of the log now, append the signed checkpoint, and print it as JSON: keep
    that copy outside the LRS (`lrs verify --checkpoint FILE` checks the log against it)."""
    from lrs.write.checkpoints import read_key, sign_head

    if not key_file:
        raise click.ClickException("no signing key: pass --key-file or set LRS_SIGNING_KEY_FILE "
                                   "(`lrs keys create --out FILE` makes one)")
    with domain_errors():
        key = read_key(key_file)
        engine = open_engine(database_url)
        signed = sign_head(engine, key)
        engine.dispose()
    click.echo(json.dumps(signed.as_json()))


@click.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (gzip-compressed NDJSON, e.g. jejak.ndjson.gz); never overwritten.")
@click.option("--from-seq", default=1, show_default=True, type=click.IntRange(1), help="First event to export.")
@click.option("--to-seq", default=None, type=click.IntRange(1), help="Last event to export (default: the head).")
@database_option
def export_log(out: Path, from_seq: int, to_seq: int | None, database_url: str) -> None:
    """Write the events (with their hashes and the signed checkpoints among them) and the
    attachment bytes they name to a file. A range carries the hash before its first event, so it
    verifies on its own (`lrs verify --file`)."""
    from lrs.read.exports import export, export_range

    with domain_errors():
        engine = open_engine(database_url)
        _, head = export_range(engine)
        last = to_seq if to_seq is not None else head
        try:
            with _progress(last - from_seq + 1, "exporting") as moved:
                done = export(engine, out, from_seq=from_seq, to_seq=to_seq,
                              progress=lambda seq: moved(seq - from_seq + 1))
        except FileExistsError as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            engine.dispose()
    click.echo(f"exported seqs {done.from_seq} to {done.to_seq}: {done.events} events, "
               f"{done.attachments} attachments to {out}")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@database_option
def import_log(path: Path, database_url: str) -> None:
    """Import an export of a whole log into an empty store: the same events and hashes, the
    read models rebuilt from them. A non-empty store, a broken chain, checkpoints that do not
    verify or a cut file refuse it, and nothing is written. Credentials are not in the log:
    create them again."""
    from lrs.store.export_file import header_of
    from lrs.write.imports import import_file

    engine = open_engine(database_url)
    try:
        with domain_errors("import refused, nothing written: "):
            with _progress(header_of(path).to_seq, "importing") as moved:
                done = import_file(engine, path, progress=moved)
    finally:
        engine.dispose()
    click.echo(f"imported {done.events} events ({done.checkpoints} signed checkpoints, {done.attachments} "
               f"attachments), head seq {done.head_seq} {done.head_hash}; projections rebuilt")


def _verify_figures(database_url: str, as_json: bool) -> None:
    from lrs.store import figure_rows
    from lrs.store.engine import reading
    from projections import figures, rollups

    with reading(open_engine(database_url)) as conn:
        wrong = [(f"{nip}/{year}", what) for (nip, year), what in figures.differences(conn)]
        rolled = list(rollups.differences(conn))
        pending, _ = figure_rows.pending(conn)
    if as_json:
        click.echo(json.dumps({"ok": not (wrong or rolled), "pending_not_checked": pending,
                               "figures": [{"key": key, "difference": what} for key, what in wrong],
                               "rollups": [{"key": key, "difference": what} for key, what in rolled]},
                              ensure_ascii=False))
        if wrong or rolled:
            raise SystemExit(1)
        return
    for where, what in [*wrong, *rolled]:
        click.echo(f"{where}: {what}")
    skipped = f"; {pending} waiting to be recomputed were not checked" if pending else ""
    if wrong or rolled:
        raise click.ClickException(f"{len(wrong)} stored figure(s) differ from what the rules compute and "
                                   f"{len(rolled)} roll-up row(s) from their figures{skipped}")
    click.echo(f"stored figures match what the rules compute, and the roll-ups their figures{skipped}")


@click.command()
@click.argument("nip")
@click.option("--year", required=True, type=int)
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object, as /api/v1/audit/explain answers.")
@database_option
def explain(nip: str, year: int, as_of: str | None, as_json: bool, database_url: str) -> None:
    """Explain pegawai NIP's JP in a year: each statement that could count, whether it counted,
    the rule and policy versions that decided it, each decision with who made it under which
    binding, and the seq and hash of every event each part comes from (check them against
    `lrs export`)."""
    from lrs.read.explain import explain as explain_year

    found = read_report(database_url, lambda engine: explain_year(engine, nip, year, as_of))
    if as_json:
        echo_json(found)
        return
    met = {True: "met", False: "not met", None: "no target"}[found.target_met]
    click.echo(f"{nip} {year} as of seq {found.as_of_seq}: {plain_json(found.jp_counted)} JP counted, "
               f"{plain_json(found.jp_pending)} pending; target {plain_json(found.target_jp)} ({met}: "
               f"{found.target_reason})")
    if found.target_roster is not None:
        click.echo(f"  target read from {_roster(found.target_roster)}; policy {_versions(found.target_policy_versions)}")
    for item in found.statements:
        jp = "-" if item.jp is None else plain_json(item.jp)
        click.echo(f"{item.activity_date} {item.form_code} {item.statement_id} {_event(item.event)}: {item.status}, "
                   f"{plain_json(item.jp_counted)} of {jp} JP counted")
        click.echo(f"    rule: {item.reason}")
        if item.policy_versions:
            click.echo(f"    policy: {_versions(item.policy_versions)}")
        if item.roster is not None:
            click.echo(f"    roster: {_roster(item.roster)}")
        if item.trusted_source is not None:
            click.echo(f"    trusted source {item.trusted_source.key} since {_event(item.trusted_source.event)}")
        if item.voided_by is not None:
            click.echo(f"    voided by {_event(item.voided_by)}")
        for ruling in item.decisions:
            effect = "has effect" if ruling.effective else "no effect"
            via = (f"credential {ruling.credential} bound to {ruling.binding.nip or ruling.binding.role} by "
                   f"{_event(ruling.binding.event)}" if ruling.binding is not None else
                   f"trusted source {ruling.credential} since {_event(ruling.trusted_source.event)}"
                   if ruling.trusted_source is not None else f"credential {ruling.credential} (no binding)")
            click.echo(f"    {ruling.kind} {ruling.statement_id} {_event(ruling.event)} by {ruling.decider or '?'} "
                       f"({effect}; {via}): {ruling.reason}")


def _event(source: Any) -> str:
    return f"seq {source.seq} {source.hash}"


def _versions(versions: Any) -> str:
    return ", ".join(f"{v.version} ({v.published if v.hash is None else _event(v)})" for v in versions)


def _roster(row: Any) -> str:
    return (f"roster row from {row.effective_from} ({row.status}, {row.unit_kerja}, {row.instansi}, atasan "
            f"{row.atasan_nip or 'none'}) {_event(row.event)}")


@click.command()
@click.option("--as-of", "as_of", required=True, help="An event seq, or a stored time (ISO 8601).")
@click.option("--out", required=True, type=click.Path(file_okay=True, path_type=Path),
              help="The directory to write (created; it must not exist, or be empty).")
@click.option("--projection", "names", multiple=True, metavar="NAME",
              help="Write only this read model (repeat for more; default all).")
@database_option
def replay(as_of: str, out: Path, names: tuple[str, ...], database_url: str) -> None:
    """Rebuild the read models as of a seq or stored time in a scratch database (the live ones are
    not touched) and write each as a canonical file (rows in key order, one RFC 8785 JSON object a
    line), with SHA256SUMS; print each file's SHA-256 and the digest of them all. The same as-of
    gives the same bytes on any machine, also from an export imported there."""
    from lrs.read.replay_files import MANIFEST, replay_to_files

    with domain_errors():
        engine = open_engine(database_url)
        try:
            done = replay_to_files(engine, as_of, out, names)
        finally:
            engine.dispose()
    click.echo(f"read models as of seq {done.seq} (event hash {done.hash}) in {out}:")
    for written in done.files:
        click.echo(f"{written.sha256}  {written.file} ({written.rows} rows)")
    click.echo(f"digest {done.digest} (SHA-256 of {MANIFEST})")
