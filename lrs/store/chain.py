"""Pure hashing of the event chain: hash = SHA-256(prev_hash || RFC 8785 canonical JSON of the event)."""
from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

import orjson
import rfc8785

from lrs.errors import InvalidStatement
from lrs.events import Event, EventDraft
from lrs.xapi import json_limits

GENESIS_HASH = "0" * 64
# An event as `lrs verify` reads it: seq, type, stored (UTC), the payload's UTF-8 bytes, prev_hash, hash.
RawRow = tuple[int, str, datetime, bytes, str, str]


# JSON numbers are written the ECMAScript way (RFC 8785 3.2.2.3). Python's repr agrees for
# every float but integral ones ("1.0" vs "1") and those in these exponent ranges.
_SAFE_FLOAT = (1e-4, 1e16)
_EXACT = 2**53


def _fast_ready(value: Any) -> bool:
    """Make `value` safe for json.dumps(sort_keys=True) to equal RFC 8785, in place: integral
    floats become ints. False when only the full algorithm will do (non-ASCII keys sort by
    UTF-16 units there; floats in exponent ranges print differently; huge integers)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            if not "".join(item).isascii():
                return False
            pairs: Any = item.items()
        else:
            pairs = enumerate(item)
        for key, child in pairs:
            kind = type(child)
            if kind is str:
                continue
            if kind is dict or kind is list:
                stack.append(child)
            elif kind is float:
                if child.is_integer():
                    if not -_EXACT < child < _EXACT:
                        return False  # ECMAScript prints it without ".0"; only rfc8785 knows how
                    item[key] = int(child)
                elif not _SAFE_FLOAT[0] <= abs(child) < _SAFE_FLOAT[1]:
                    return False
            elif kind is int and not -_EXACT < child < _EXACT:
                return False
    return True


def canonical_json(value: Any) -> str:
    """RFC 8785 (JCS) text of a JSON value. Integral floats in `value` are turned into ints in
    place (the same JSON number). Common statements take a fast path through orjson;
    anything else goes through the rfc8785 library; both give the same text."""
    try:
        if isinstance(value, (dict, list)) and _fast_ready(value):
            # For such values orjson writes what json.dumps(sort_keys=True, separators=(",", ":"),
            # ensure_ascii=False) writes, ten times faster (test_chain.py holds both to rfc8785).
            # It refuses a lone surrogate or a key that is not a string: json.dumps then decides.
            try:
                return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
            except orjson.JSONEncodeError:
                pass
            text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        else:
            text = rfc8785.dumps(value).decode("utf-8")
        text.encode("utf-8")  # lone surrogates from \ud800-style escapes cannot be stored
    except rfc8785.IntegerDomainError as exc:
        raise InvalidStatement(
            f"a number is outside the range JSON can carry exactly (+/-2^53): {exc}"
        ) from exc
    except UnicodeEncodeError as exc:  # before ValueError, which it is a kind of
        json_limits.check_strings(value, "the value")  # names where, for callers that skip validation
        raise InvalidStatement("a string holds a lone UTF-16 surrogate") from exc
    except (rfc8785.FloatDomainError, ValueError) as exc:
        raise InvalidStatement(f"a number is not finite: {exc}") from exc
    return text


def format_stored(moment: datetime) -> str:
    """The form `stored` takes everywhere: UTC, millisecond precision, 'Z'."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def truncate_ms(moment: datetime) -> datetime:
    """`moment` in UTC with microseconds cut to whole milliseconds (what `stored` can say)."""
    utc = moment.astimezone(timezone.utc)
    return utc.replace(microsecond=utc.microsecond - utc.microsecond % 1000)


def event_text(seq: int, type_: str, stored: datetime, payload_json: str) -> str:
    """Canonical JSON of {"payload", "seq", "stored", "type"}, built around the already-canonical
    payload so it is not serialised twice (the keys are in RFC 8785 order)."""
    return '{"payload":' + payload_json + ',"seq":' + str(seq) + ',"stored":' + _stored_json(stored) + ',"type":' \
        + _type_json(type_) + "}"


# Hashing a whole log (`lrs verify`, an import) formats the same few types and, for events
# appended together, the same stored time over and over: remembered, not formatted again.
@functools.lru_cache(maxsize=4096)
def _stored_json(stored: datetime) -> str:
    return json.dumps(format_stored(stored))


@functools.lru_cache(maxsize=256)
def _type_json(type_: str) -> str:
    return json.dumps(type_, ensure_ascii=False)


@functools.lru_cache(maxsize=4096)
def _stored_bytes(stored: datetime) -> bytes:
    return _stored_json(stored).encode("ascii")


@functools.lru_cache(maxsize=256)
def _type_bytes(type_: str) -> bytes:
    return _type_json(type_).encode("utf-8")


def event_hash(prev_hash: str, seq: int, type_: str, stored: datetime, payload_json: str) -> str:
    return payload_hash(prev_hash, seq, type_, stored, payload_json.encode("utf-8"))


def payload_hash(prev_hash: str, seq: int, type_: str, stored: datetime, payload: bytes) -> str:
    """event_hash() of a payload given as its UTF-8 bytes (as `lrs verify` reads the log: the
    database sends the bytes, nothing is decoded and encoded again): the same bytes event_text()
    builds, hashed in one call."""
    return hashlib.sha256(b'%s{"payload":%s,"seq":%d,"stored":%s,"type":%s}' % (
        prev_hash.encode("ascii"), payload, seq, _stored_bytes(stored), _type_bytes(type_))).hexdigest()


def link(head: Event | None, drafts: Sequence[EventDraft], stored: datetime) -> list[Event]:
    """Give drafts their positions and hashes after `head`. `stored` never goes back in time:
    it is at least the head's, so ordering by seq and by stored agree."""
    prev_hash, seq = (head.hash, head.seq) if head else (GENESIS_HASH, 0)
    moment = truncate_ms(stored)
    if head is not None and moment < head.stored:
        moment = head.stored
    linked = []
    for draft in drafts:
        seq += 1
        payload_json = canonical_json(draft.payload)
        digest = event_hash(prev_hash, seq, draft.type, moment, payload_json)
        linked.append(Event(seq, draft.type, moment, payload_json, prev_hash, digest))
        prev_hash = digest
    return linked


def verify(events: Iterable[Event], prev: Event | None = None) -> int | None:
    """The seq of the first event that breaks the chain after `prev`, or None if all hold."""
    prev_hash, prev_seq = (prev.hash, prev.seq) if prev else (GENESIS_HASH, 0)
    for event in events:
        expected = event_hash(prev_hash, event.seq, event.type, event.stored, event.payload_json)
        if event.seq != prev_seq + 1 or event.prev_hash != prev_hash or event.hash != expected:
            return event.seq
        prev_hash, prev_seq = event.hash, event.seq
    return None


def utc(moment: datetime) -> datetime:
    """Treat a naive datetime (as SQLite returns it) as UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment

