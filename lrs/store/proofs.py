"""Pure checks of a stretch of the log, event by event in seq order, in memory flat in its
length: every hash links and recomputes, stored times never go back, every published key is
well formed, every signed checkpoint verifies under a key published before it and names the hash
of the event it signs; and a checkpoint kept outside the log against it. `lrs verify` (of the
database or of an export file) and `lrs import` share these; Problem is what they report."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Collection, Iterable, Mapping

from lrs.errors import InvalidCheckpoint
from lrs.events import CHECKPOINT_SIGNED, KEY_PUBLISHED, Event
from lrs.store import chain
from lrs.store.signing import Checkpoint, PublicKey

# Kinds of problem.
CHAIN = "chain"            # an event does not link to the one before, or its hash does not recompute
ORDER = "order"            # an event was stored before the one preceding it
KEY = "key"                # a key.published event is malformed
CHECKPOINT = "checkpoint"  # a checkpoint.signed event in the log does not verify
ATTACHMENT = "attachment"  # attachment bytes do not hash to the sha2 the log names
OUTSIDE = "outside_checkpoint"  # a checkpoint kept outside the log does not verify against it
READ_MODEL = "read_model"  # a read-model row is not what the log implies (edited, added or removed)
FIGURE = "figure"          # a stored figure is not what the rules compute from the log

_AUDIT = frozenset((KEY_PUBLISHED, CHECKPOINT_SIGNED))
KEPT = 1000  # problems listed; past that they are only counted
WINDOW = 64  # recent events kept, whose hash a checkpoint signs (ours sign the event just before)

Hashed = tuple[str, datetime | None]  # an event's hash and stored time (None: not known here)


@dataclass(frozen=True)
class Problem:
    kind: str
    seq: int | None  # the event it is about, when it is about one
    message: str
    table: str | None = None  # a read model's table, and the row's key in it, when it is about a row
    key: Mapping[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": self.kind, "seq": self.seq, "message": self.message}
        if self.table is not None:
            found.update(table=self.table, key=dict(self.key or {}))
        return found


class Problems:
    """The problems found, the first KEPT of them listed."""

    def __init__(self) -> None:
        self.listed: list[Problem] = []
        self.count = 0

    def add(self, kind: str, seq: int | None, message: str, table: str | None = None,
            key: Mapping[str, Any] | None = None) -> None:
        self.count += 1
        if len(self.listed) < KEPT:
            self.listed.append(Problem(kind, seq, message, table, key))

    def __bool__(self) -> bool:
        return self.count > 0


class Walk:
    """Feed it the events of a stretch of the log in seq order (`add`), then `resolve` the
    checkpoints that sign an event older than the recent ones it keeps, and read `problems`.

    `after` and `prev_hash` say where the stretch starts (0 and the genesis hash: the whole
    log); `keys` are keys published before it; `watch` are seqs whose hash to remember
    (`watched`), such as the seq of a checkpoint kept outside. `check_chain=False` leaves the
    links to a caller that checks them itself (log.append_verbatim)."""

    def __init__(self, *, after: int = 0, prev_hash: str = chain.GENESIS_HASH, keys: Iterable[PublicKey] = (),
                 watch: Collection[int] = (), check_chain: bool = True, problems: Problems | None = None) -> None:
        self.first = after + 1
        self.check_chain = check_chain
        self.problems = problems if problems is not None else Problems()
        self.keys: dict[str, PublicKey] = {k.key_id: k for k in keys}
        self.events = 0
        self.checkpoints = 0  # checkpoint.signed events seen
        self.pending: list[tuple[int, Checkpoint]] = []  # (its seq, checkpoint) signing an older event
        self.head: tuple[int, str] = (after, prev_hash)
        self._stored: datetime | None = None
        # The last WINDOW events' hashes, by seq % WINDOW (a ring: no allocation per event).
        self._recent: list[tuple[int, str, datetime | None] | None] = [None] * WINDOW
        if after:
            self._recent[after % WINDOW] = (after, prev_hash, None)
        self._watch = set(watch)
        self.watched: dict[int, Hashed] = {after: (prev_hash, None)} if after in self._watch else {}

    def add_row(self, row: chain.RawRow) -> None:
        """add() of an event as log.raw_rows reads it: the usual event (it links, it hashes, it
        is neither a key nor a checkpoint) is checked without making an Event of it."""
        seq, kind, stored, payload, prev_hash, digest = row
        if (not self.check_chain or kind in _AUDIT or seq != self.head[0] + 1 or prev_hash != self.head[1]
                or digest != chain.payload_hash(prev_hash, seq, kind, stored, payload)
                or (self._stored is not None and stored < self._stored)):
            self.add(Event(seq, kind, stored, payload.decode("utf-8"), prev_hash, digest))
            return
        self.events += 1
        self.head = (seq, digest)
        self._stored = stored
        self._recent[seq % WINDOW] = (seq, digest, stored)
        if seq in self._watch:
            self.watched[seq] = (digest, stored)

    def add(self, event: Event) -> None:
        seq, prev_hash = self.head
        if self.check_chain:
            self._link(event, seq, prev_hash)
        self.events += 1
        self.head = (event.seq, event.hash)
        self._stored = event.stored
        self._recent[event.seq % WINDOW] = (event.seq, event.hash, event.stored)
        if event.seq in self._watch:
            self.watched[event.seq] = (event.hash, event.stored)
        if event.type == KEY_PUBLISHED:
            self._key(event)
        elif event.type == CHECKPOINT_SIGNED:
            self._checkpoint(event)

    def _link(self, event: Event, seq: int, prev_hash: str) -> None:
        if event.seq != seq + 1:
            self.problems.add(CHAIN, event.seq, f"seq {event.seq} follows seq {seq}: events are missing or out of place")
        elif event.prev_hash != prev_hash:
            self.problems.add(CHAIN, event.seq, f"the event at seq {event.seq} does not link to the event at seq {seq} "
                                                "(its prev_hash is not that event's hash): an event was removed, "
                                                "inserted or swapped")
        elif event.hash != chain.event_hash(prev_hash, event.seq, event.type, event.stored, event.payload_json):
            self.problems.add(CHAIN, event.seq, f"the event at seq {event.seq} does not hash to its hash: its type, "
                                                "stored time or payload was changed")
        if self._stored is not None and event.stored < self._stored:
            self.problems.add(ORDER, event.seq, f"the event at seq {event.seq} was stored before the event preceding it")

    def _key(self, event: Event) -> None:
        try:
            key = PublicKey.from_json(event.payload, f"the key.published event at seq {event.seq}")
        except (InvalidCheckpoint, ValueError) as exc:
            self.problems.add(KEY, event.seq, str(exc))
            return
        self.keys.setdefault(key.key_id, key)

    def _checkpoint(self, event: Event) -> None:
        self.checkpoints += 1
        where = f"the checkpoint.signed event at seq {event.seq}"
        try:
            signed = Checkpoint.from_json(event.payload, where)
        except (InvalidCheckpoint, ValueError) as exc:
            self.problems.add(CHECKPOINT, event.seq, str(exc))
            return
        key = self.keys.get(signed.key_id)
        if key is None:
            self.problems.add(CHECKPOINT, event.seq, f"{where} names key {signed.key_id}, which no key.published event "
                                                     "before it publishes")
        elif not signed.signed_by(key):
            self.problems.add(CHECKPOINT, event.seq, f"{where}: its signature does not verify under key "
                                                     f"{signed.key_id}: the checkpoint was changed after signing")
        recent = self._recent[signed.seq % WINDOW]
        if signed.seq >= event.seq:
            self.problems.add(CHECKPOINT, event.seq, f"{where} signs seq {signed.seq}, which is not before it")
        elif recent is not None and recent[0] == signed.seq:
            self._compare(event.seq, signed, recent[1:])
        elif signed.seq >= self.first:
            self.pending.append((event.seq, signed))
        # else: it signs an event before this stretch, which only the whole log can check

    def resolve(self, found: Mapping[int, Hashed]) -> None:
        """Check the pending checkpoints against the events they sign (`found`: by seq)."""
        for seq, signed in self.pending:
            if signed.seq in found:
                self._compare(seq, signed, found[signed.seq])
            else:
                self.problems.add(CHECKPOINT, seq, f"the checkpoint.signed event at seq {seq} signs seq {signed.seq}, "
                                                   "which the log does not hold")
        self.pending = []

    def _compare(self, seq: int, signed: Checkpoint, hashed: Hashed) -> None:
        found, stored = hashed
        if found != signed.hash:
            self.problems.add(CHECKPOINT, seq, f"the checkpoint.signed event at seq {seq} signed hash {signed.hash} "
                                               f"for seq {signed.seq}, but the event at seq {signed.seq} has hash "
                                               f"{found}: the log was rewritten at or before seq {signed.seq}")
        elif stored is not None and chain.format_stored(stored) != signed.stored:
            self.problems.add(CHECKPOINT, seq, f"the checkpoint.signed event at seq {seq} signed stored time "
                                               f"{signed.stored} for seq {signed.seq}, but that event was stored at "
                                               f"{chain.format_stored(stored)}")


def check_outside(
    signed: Checkpoint, public_key: str | None, keys: Mapping[str, PublicKey], problems: Problems, *,
    first: int, last: int, hashed: Hashed | None, what: str = "the log",
) -> None:
    """A checkpoint kept outside the log (with the public key it came with, if any) against a
    stretch of the log holding seqs `first`..`last` (and the hash of `first - 1`): `hashed` is
    the hash and stored time at its seq there. The log extends it when that hash is the one
    signed and a key the log publishes made the signature."""
    if signed.seq > last:
        problems.add(OUTSIDE, signed.seq, f"{what} ends at seq {last}, but the checkpoint signs seq {signed.seq}: "
                                          f"{what} lost its events after seq {last} (or it is another log)")
    elif signed.seq < first - 1 or hashed is None:
        problems.add(OUTSIDE, signed.seq, f"the checkpoint signs seq {signed.seq}, before {what}'s first event "
                                          f"(seq {first}): it cannot be checked against {what}")
    elif hashed[0] != signed.hash:
        problems.add(OUTSIDE, signed.seq, f"the event at seq {signed.seq} has hash {hashed[0]}, but the checkpoint "
                                          f"signed hash {signed.hash}: the history up to seq {signed.seq} was "
                                          "rewritten since it was signed (or it is another log)")
    elif hashed[1] is not None and chain.format_stored(hashed[1]) != signed.stored:
        problems.add(OUTSIDE, signed.seq, f"the event at seq {signed.seq} was stored at "
                                          f"{chain.format_stored(hashed[1])}, but the checkpoint signed {signed.stored}")
    key = keys.get(signed.key_id)
    if key is None:
        problems.add(OUTSIDE, signed.seq, f"key {signed.key_id}, which the checkpoint names, is not published in "
                                          f"{what}: it never signed a checkpoint of it")
    elif public_key is not None and public_key != key.public_key:
        problems.add(OUTSIDE, signed.seq, f"the checkpoint's public_key is not key {signed.key_id} as {what} "
                                          "publishes it")
    elif not signed.signed_by(key):
        problems.add(OUTSIDE, signed.seq, f"the signature does not verify under key {signed.key_id} as {what} "
                                          "publishes it: that key never signed this checkpoint")
