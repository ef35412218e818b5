"""Events are facts: EventDraft is what callers ask to append, Event is what the log holds."""
from __future__ import annotations

import orjson
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from typing import Any, Mapping

STATEMENT_STORED = "statement.stored"
# Document resources (State, Activity Profile, Agent Profile). Each payload names the document
# and, but for a deletion, carries its whole content (lrs/xapi/documents.py).
DOCUMENT_STORED = "document.stored"    # PUT, or POST of a document that did not exist
DOCUMENT_MERGED = "document.merged"    # POST of a JSON object into a stored JSON object
DOCUMENT_DELETED = "document.deleted"
DOCUMENT_EVENTS = (DOCUMENT_STORED, DOCUMENT_MERGED, DOCUMENT_DELETED)
# Reference data the projections read (projections/): a policy version (national or an instansi
# overlay), one roster row (who is who from a date), a credential marked as a trusted source.
POLICY_PUBLISHED = "policy.published"
ROSTER_RECORDED = "roster.recorded"
SOURCE_TRUSTED = "source.trusted"
# A credential bound to a person (nip) and/or a role (verifier, unit_pengelola) of an instansi or
# unit kerja: decisions posted with it are that person's or role's (projections/rules/recognition.py).
CREDENTIAL_BOUND = "credential.bound"
# One row of a position's competency standard (lrs standards import): the level a competency
# requires in a jabatan (of one instansi, or of every one), from a date.
STANDARD_RECORDED = "standard.recorded"
# Signed checkpoints (lrs/write/checkpoints.py): the public half of a signing key, published once
# per key before its first checkpoint, and a signature over the chain head (seq, hash, stored) as
# it stood when signed; the checkpoint event comes after the head it signs. The private key is
# never in the log (LRS_SIGNING_KEY_FILE).
KEY_PUBLISHED = "key.published"
CHECKPOINT_SIGNED = "checkpoint.signed"


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event before the log gives it a position, a stored time and a hash."""

    type: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class Event:
    """One entry of the log. `payload_json` is the RFC 8785 canonical text the hash covers;
    `payload` parses it on first use, once however many readers ask."""

    seq: int
    type: str
    stored: datetime
    payload_json: str
    prev_hash: str
    hash: str

    @cached_property
    def payload(self) -> dict[str, Any]:
        return parse_payload(self.payload_json)


def parse_payload(text: str) -> dict[str, Any]:
    """A stored payload as Python values. orjson reads it exactly as json.loads would: the log
    only holds canonical JSON (lrs/store/chain.py refuses integers beyond 2^53, non-finite
    numbers and lone surrogates, the inputs where the two differ), and does it ~4x faster."""
    value: dict[str, Any] = orjson.loads(text)
    return value
