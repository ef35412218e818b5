"""Signed checkpoints of the log: sign the chain head with the LRS's Ed25519 key and append the
signature as a `checkpoint.signed` event (after a `key.published` event the first time the key
signs); on demand (`lrs checkpoint`), or every LRS_CHECKPOINT_SECONDS in a server process
(Checkpointer). The private key stays in its file. No Flask, no SQL text."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine

from lrs.errors import InvalidCheckpoint, NotFound, SigningKeyError
from lrs.events import CHECKPOINT_SIGNED, KEY_PUBLISHED, EventDraft
from lrs.store import chain, log, signing
from lrs.store.engine import writing
from lrs.store.signing import Checkpoint, PublicKey

logger = logging.getLogger(__name__)


def read_key(path: str) -> Ed25519PrivateKey:
    """The signing key in the PEM file at `path` (`lrs keys create` writes one)."""
    try:
        pem = Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"cannot read the signing key file {path}: {exc.strerror or exc}") from exc
    return signing.load_key(pem, path)


@dataclass(frozen=True)
class Signed:
    """A checkpoint as appended: what to keep outside the log (`as_json`)."""

    checkpoint: Checkpoint
    key: PublicKey
    event_seq: int  # the checkpoint.signed event's own seq

    def as_json(self) -> dict[str, Any]:
        return {**self.checkpoint.as_json(), "public_key": self.key.public_key, "event_seq": self.event_seq}


def sign_head(engine: Engine, key: Ed25519PrivateKey, *, now: datetime | None = None) -> Signed:
    """Sign the head of the log now; NotFound when the log is empty."""
    with writing(engine) as conn:
        return _sign(conn, key, now or datetime.now(timezone.utc))


def sign_if_due(engine: Engine, key: Ed25519PrivateKey, every: float, *,
                now: datetime | None = None) -> tuple[Signed | None, float]:
    """Sign the head when it moved since the latest checkpoint (whoever signed it) and that one
    is at least `every` seconds old. Returns the checkpoint, if one was signed, and the seconds
    until the next may be due. Decided under the writers' lock, so server processes that share
    the database sign once between them."""
    moment = now or datetime.now(timezone.utc)
    with writing(engine) as conn:
        latest = log.checkpoint_events(conn, limit=1, newest_first=True)
        if latest:
            age = (moment - latest[0].stored).total_seconds()
            if age < every:
                return None, every - age
        head = log.head(conn)
        if head is None or (latest and head.seq == latest[0].seq):
            return None, every  # nothing appended since the latest checkpoint
        return _sign(conn, key, moment), every


def _sign(conn: Connection, key: Ed25519PrivateKey, now: datetime) -> Signed:
    head = log.head(conn)
    if head is None:
        raise NotFound("the log is empty: there is no head to sign yet")
    public = PublicKey.of(key)
    drafts = [] if _published(conn, public) else [EventDraft(KEY_PUBLISHED, public.as_json())]
    checkpoint = signing.sign(key, seq=head.seq, hash=head.hash, stored=chain.format_stored(head.stored))
    drafts.append(EventDraft(CHECKPOINT_SIGNED, checkpoint.as_json()))
    appended = log.append(conn, drafts, now)
    return Signed(checkpoint, public, appended[-1].seq)


def _published(conn: Connection, key: PublicKey) -> bool:
    for event in log.key_events(conn):
        try:
            if PublicKey.from_json(event.payload, "key.published") == key:
                return True
        except InvalidCheckpoint:
            continue  # a malformed key event is `lrs verify`'s to report; publish ours again
    return False


class Checkpointer:
    """A server process's signing thread. It starts on the first request (after any fork),
    signs when due (sign_if_due), sleeps until the next may be due, and stops on close()."""

    def __init__(self, engine: Engine, key: Ed25519PrivateKey, every: float) -> None:
        self.engine = engine
        self.key = key
        self.every = every
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closing = False
        self.checks = 0  # rounds finished (signed or not)

    def start(self) -> None:
        if self._thread is not None:
            return
        with self._changed:
            if self._thread is None and not self._closing:
                self._thread = threading.Thread(target=self._loop, name="checkpointer", daemon=True)
                self._thread.start()

    def wait(self, checks: int = 1, timeout: float = 30.0) -> bool:
        """Block until `checks` rounds have finished; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self.checks >= checks or self._closing, timeout)

    def close(self, timeout: float = 10.0) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            try:
                _, delay = sign_if_due(self.engine, self.key, self.every)
            except Exception:  # logged with its traceback; the next round tries again
                logger.exception("signing a checkpoint failed; it will be retried")
                delay = min(self.every, 60.0)
            with self._changed:
                self.checks += 1
                self._changed.notify_all()
                if self._changed.wait_for(lambda: self._closing, max(delay, 1.0)):
                    return
