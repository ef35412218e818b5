"""Write side of reference data: policy versions, roster rows, positions' competency
standards, trusted sources, credentials and their bindings. Each runs all of its rules, then
appends its events (with any row that must exist exactly when they do) in one transaction.
No Flask, no SQL text."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from lrs.errors import BadRequest, InvalidPolicy, NotFound
from lrs.events import (
    CREDENTIAL_BOUND, POLICY_PUBLISHED, ROSTER_RECORDED, SOURCE_TRUSTED, STANDARD_RECORDED, Event, EventDraft,
)
from lrs.store import credentials, log, read_models
from lrs.store.engine import reading, writing
from lrs.vocabulary import ASSESSOR, CREDENTIALS_HOME, NIP, ROLES, SCOPES, VERIFIER
from lrs.write.reference_rows import ROSTER, STANDARDS, RowFormat, RowProblem
from projections import runner
from projections.rules.policy import PolicySet, Replacement, validate


def _append(
    engine: Engine, drafts: list[EventDraft], now: datetime | None,
    also: Callable[[Connection], None] | None = None,
) -> list[Event]:
    """Append drafts and run `also` (a row that must exist exactly when the events do) in one
    serialized transaction, then catch the projections up."""
    with writing(engine) as conn:
        if also is not None:
            also(conn)
        appended = log.append(conn, drafts, now or datetime.now(timezone.utc))  # link() clamps
    runner.catch_up(engine)
    return appended


def review_policy(engine: Engine, document: Any) -> Replacement:
    """Validate a policy document (national, or an instansi overlay on the national policy in
    force on its effective date), refuse a version already published or shipped, and say what
    publishing it would change on its effective date. Appends nothing."""
    runner.catch_up(engine)
    with reading(engine) as conn:
        rows = read_models.policy_rows(conn)
    known = PolicySet.from_rows(rows)
    if isinstance(document, dict) and isinstance(document.get("effective_from"), str):
        try:
            national = known.national(date.fromisoformat(document["effective_from"]))
        except ValueError as exc:
            raise InvalidPolicy(f"effective_from {document['effective_from']!r} is not a date") from exc
    else:
        national = None
    validate(document, national)
    for known_version in known.published:
        if (known_version.document["policy_id"], known_version.document["version"]) == (
                document["policy_id"], document["version"]):
            where = " (shipped in schemas/policy/)" if known_version.seq == 0 else ""
            raise InvalidPolicy(f"policy {document['policy_id']} version {document['version']} is published "
                                f"already{where}; publish a new version instead of editing one")
    return known.replacement(document)


@dataclass(frozen=True)
class PolicyPublication:
    """A published policy version (`event` None on a dry run) and what it changed."""

    event: Event | None
    replacement: Replacement


def publish_policy(engine: Engine, document: Any, *, replace: bool = False, dry_run: bool = False,
                   now: datetime | None = None) -> PolicyPublication:
    """Review a policy document (`review_policy`) and append it as a `policy.published` event.
    A version replaces the version of its layer in force on its effective date whole, so it is
    refused (InvalidPolicy naming the keys) when it would drop a value that version sets, unless
    `replace`. `dry_run`: every check, nothing appended."""
    replacement = review_policy(engine, document)
    if replacement.refusal is not None and not replace:
        raise InvalidPolicy(replacement.refusal)
    if dry_run:
        return PolicyPublication(None, replacement)
    return PolicyPublication(_append(engine, [EventDraft(POLICY_PUBLISHED, document)], now)[0], replacement)


@dataclass(frozen=True)
class Imported:
    recorded: int
    problems: list[RowProblem]


def import_rows(engine: Engine, kind: RowFormat, header: Sequence[str], rows: Sequence[Sequence[Any]], *,
                skip_invalid: bool = False, now: datetime | None = None) -> Imported:
    """Check a reference file's header and rows (`kind`: ROSTER or STANDARDS) and record the
    good rows in one transaction: all of them, or, when some are bad, none unless
    `skip_invalid`. BadRequest for a wrong header; the bad rows are returned with the reason."""
    if (problem := kind.check_header(header)) is not None:
        raise BadRequest(problem)
    good, problems = kind.parse_rows(header, rows)
    if problems and not skip_invalid:
        return Imported(0, problems)
    event = ROSTER_RECORDED if kind is ROSTER else STANDARD_RECORDED
    count = len(_append(engine, [EventDraft(event, row) for row in good], now)) if good else 0
    return Imported(count, problems)


def _record_all(engine: Engine, kind: RowFormat, rows: Sequence[Mapping[str, Any]], now: datetime | None) -> int:
    header = list(dict.fromkeys(name for row in rows for name in row))
    found = import_rows(engine, kind, header, [[row.get(n) for n in header] for row in rows], now=now)
    if found.problems:
        raise BadRequest("; ".join(f"row {p.row - 1}: {p.reason}" for p in found.problems))
    return found.recorded


def record_roster(engine: Engine, rows: Sequence[Mapping[str, Any]], *, now: datetime | None = None) -> int:
    """Append one `roster.recorded` event per row (keys as the roster file's header), all in one
    transaction, after every rule a roster row must meet; BadRequest names the bad rows."""
    return _record_all(engine, ROSTER, rows, now)


def record_standards(engine: Engine, rows: Sequence[Mapping[str, Any]], *, now: datetime | None = None) -> int:
    """Append one `standard.recorded` event per row (a position's competency standard), in one
    transaction, after every rule a standard row must meet; BadRequest names the bad rows."""
    return _record_all(engine, STANDARDS, rows, now)


def trust_source(engine: Engine, key: str, *, now: datetime | None = None) -> Event:
    """Record that statements sent with credential `key` come from a trusted source."""
    return _append(engine, [EventDraft(SOURCE_TRUSTED, {"key": key})], now)[0]


def default_authority(key: str, name: str | None = None) -> dict[str, Any]:
    """The authority agent a credential stamps on the statements it sends."""
    return {"objectType": "Agent", "name": name or key, "account": {"homePage": CREDENTIALS_HOME, "name": key}}


def create_credential(
    engine: Engine, key: str, secret: str, scopes: Sequence[str], name: str | None = None,
    trusted_source: bool = False, *, nip: str | None = None, role: str | None = None,
    instansi: str | None = None, unit_kerja: str | None = None,
) -> credentials.CredentialRow:
    """Create a credential. A trusted source (an LMS of an instansi or a national one) is also
    recorded in the log, so `auto`-verified learning forms count from it in every replay; so is
    a binding to a person (`nip`: a personal credential, whose decisions are that person's) or a
    role (`verifier` of a unit kerja, with its nip; `unit_pengelola` of an instansi; `assessor`
    of an instansi, whose assessments set the assessed level of its pegawai). The
    credential row and its events commit together, so the log and the credentials never disagree."""
    binding = _binding(nip, role, instansi, unit_kerja)
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise BadRequest(f"unknown scope(s) {unknown}; choose from {', '.join(SCOPES)}")
    if not key or not secret:
        raise BadRequest("a credential needs a non-empty key and secret")
    row = credentials.CredentialRow(key, credentials.hash_secret(secret), tuple(scopes),
                                    json.dumps(default_authority(key, name)), datetime.now(timezone.utc), None,
                                    trusted_source)
    drafts = []
    if row.trusted_source:
        drafts.append(EventDraft(SOURCE_TRUSTED, {"key": row.key}))
    if binding:
        drafts.append(EventDraft(CREDENTIAL_BOUND, {"key": row.key, **binding}))
    try:
        if drafts:
            _append(engine, drafts, None, also=lambda conn: credentials.insert_credential(conn, row))
        else:
            with writing(engine) as conn:
                credentials.insert_credential(conn, row)
    except IntegrityError as exc:
        raise BadRequest(f"a credential with key {key!r} already exists") from exc
    return row


def revoke_credential(engine: Engine, key: str, *, now: datetime | None = None) -> None:
    """Revoke a credential at once (its statements stay stored); NotFound when none is active."""
    with writing(engine) as conn:
        done = credentials.revoke_credential(conn, key, now or datetime.now(timezone.utc))
    if not done:
        raise NotFound(f"no active credential {key!r}")


def _binding(nip: str | None, role: str | None, instansi: str | None,
             unit_kerja: str | None) -> dict[str, str | None] | None:
    if nip is None and role is None:
        if instansi or unit_kerja:
            raise BadRequest("--instansi and --unit-kerja bind a role: give --role too")
        return None
    if nip is not None and not NIP.match(nip):
        raise BadRequest(f"nip {nip!r} is not 18 digits")
    if role is not None:
        if role not in ROLES:
            raise BadRequest(f"role {role!r} is not one of {', '.join(ROLES)}")
        if not instansi:
            whose = "whose pegawai it assesses" if role == ASSESSOR else "it acts for"
            raise BadRequest(f"a {role} credential is bound to the instansi {whose}: give --instansi")
        if role == VERIFIER and (nip is None or not unit_kerja):
            raise BadRequest("a verifier is a person deciding for one unit kerja: give --nip and --unit-kerja")
    return {"nip": nip, "role": role, "instansi": instansi or None, "unit_kerja": unit_kerja or None}
