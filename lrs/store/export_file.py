"""The export file of `lrs export`, read by `lrs import` and `lrs verify --file`: gzip-compressed
NDJSON, one JSON object a line, each with its `kind`:

  header      {"kind": "header", "format": "jejak-lrs-export", "version": 1, "from_seq", "to_seq",
               "prev_hash" (the hash of the event before from_seq; the genesis hash for seq 1),
               "keys" (keys published before from_seq), "exported" (when)}
  event       {"kind": "event", "seq", "type", "stored", "prev_hash", "hash", "payload"}, seq order;
               `payload` is the event's payload, whose RFC 8785 canonical text the hash covers
  attachment  {"kind": "attachment", "sha2", "content_type", "base64"}, after the first event
               in the file that names it
  end         {"kind": "end", "events", "attachments"}: the counts, so a cut file is refused

The events carry their hashes, so a range verifies on its own from `prev_hash`. Written to
FILE.partial and renamed at the end, so a failed export leaves no file that looks whole."""
from __future__ import annotations

import base64
import binascii
import gzip
import json
import os
import re
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Generator, Iterator, Mapping, Sequence

import orjson

from lrs.errors import InvalidCheckpoint, InvalidExport, LrsError
from lrs.events import Event
from lrs.store import chain
from lrs.store.signing import PublicKey

FORMAT, VERSION = "jejak-lrs-export", 1
_HASH = re.compile(r"^[0-9a-f]{64}$")
_SHA = re.compile(r"^[0-9a-f]{40,128}$")
_STORED = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")


@dataclass(frozen=True)
class Header:
    from_seq: int
    to_seq: int
    prev_hash: str
    keys: tuple[PublicKey, ...]
    exported: str


@dataclass(frozen=True)
class Attachment:
    sha2: str
    content_type: str
    content: bytes


class ExportWriter:
    """Writes one export file: `header`, then `event` and `attachment` in log order; the end
    line and the rename to `path` happen when the `with` block ends without an error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.events = 0
        self.attachments = 0
        self._file: IO[str] | None = None

    def __enter__(self) -> ExportWriter:
        if self.path.exists():
            raise FileExistsError(f"{self.path} exists; choose another --out (an export never overwrites)")
        self._file = gzip.open(self.partial, "wt", encoding="utf-8", compresslevel=6)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self._file is not None
        try:
            if kind is None:
                self._line({"kind": "end", "events": self.events, "attachments": self.attachments})
        finally:
            self._file.close()
        if kind is None:
            os.replace(self.partial, self.path)
        else:
            self.partial.unlink(missing_ok=True)

    def _line(self, value: Mapping[str, Any]) -> None:
        assert self._file is not None
        self._file.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n")

    def header(self, from_seq: int, to_seq: int, prev_hash: str, keys: Sequence[PublicKey], exported: datetime) -> None:
        self._line({"kind": "header", "format": FORMAT, "version": VERSION, "from_seq": from_seq, "to_seq": to_seq,
                    "prev_hash": prev_hash, "keys": [k.as_json() for k in keys],
                    "exported": chain.format_stored(exported)})

    def event(self, event: Event) -> None:
        assert self._file is not None
        # The payload is embedded as the canonical text the log holds, not serialised again.
        self._file.write('{"kind":"event","seq":' + str(event.seq) + ',"type":' + json.dumps(event.type)
                         + ',"stored":"' + chain.format_stored(event.stored) + '","prev_hash":"' + event.prev_hash
                         + '","hash":"' + event.hash + '","payload":' + event.payload_json + "}\n")
        self.events += 1

    def attachment(self, sha2: str, content_type: str, content: bytes) -> None:
        self._line({"kind": "attachment", "sha2": sha2, "content_type": content_type,
                    "base64": base64.b64encode(content).decode("ascii")})
        self.attachments += 1


@contextmanager
def opened(path: Path) -> Iterator[tuple[Header, Iterator[Event | Attachment]]]:
    """The header of an export file, and its events and attachments in file order. The file's
    form is checked as it is read (InvalidExport names the line and the field): a header first,
    events in seq order from `from_seq` to `to_seq`, and an end line whose counts match."""
    lines = _lines(path)
    try:
        number, first, _ = next(lines, (1, None, b""))
        if first is None:
            raise InvalidExport(f"{path} is empty: an export starts with its header line")
        header = _header(first, f"{path} line {number}")
        yield header, _body(path, header, lines)
    finally:
        lines.close()


def header_of(path: Path) -> Header:
    """The header alone (to size a progress bar before reading the file)."""
    with opened(path) as (header, _):
        return header


def _lines(path: Path) -> Generator[tuple[int, dict[str, Any], bytes], None, None]:
    number = 0
    try:
        with gzip.open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    value = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    raise InvalidExport(f"{path} line {number} is not JSON ({exc})") from exc
                if not isinstance(value, dict):
                    raise InvalidExport(f"{path} line {number} is not a JSON object")
                yield number, value, raw
    except (OSError, EOFError, zlib.error) as exc:
        raise InvalidExport(f"{path} cannot be read as a gzip file after line {number} ({exc}): it is cut "
                            "short or not an export") from exc


def _header(value: Mapping[str, Any], where: str) -> Header:
    if value.get("kind") != "header" or value.get("format") != FORMAT:
        raise InvalidExport(f"{where} is not the header of a {FORMAT} file (kind 'header', format {FORMAT!r})")
    if value.get("version") != VERSION:
        raise InvalidExport(f"{where}: version {value.get('version')!r} is not one this LRS reads ({VERSION})")
    from_seq, to_seq = _int(value, "from_seq", where, 1), _int(value, "to_seq", where, 0)
    if to_seq < from_seq - 1:
        raise InvalidExport(f"{where}: to_seq {to_seq} is before from_seq {from_seq}")
    prev_hash = _text(value, "prev_hash", _HASH, where)
    if from_seq == 1 and prev_hash != chain.GENESIS_HASH:
        raise InvalidExport(f"{where}: prev_hash must be the genesis hash (64 zeros) for an export from seq 1")
    keys = value.get("keys")
    if not isinstance(keys, list):
        raise InvalidExport(f"{where}: keys must be a list")
    try:
        published = tuple(PublicKey.from_json(k, f"{where} keys[{i}]") for i, k in enumerate(keys))
    except InvalidCheckpoint as exc:
        raise InvalidExport(str(exc)) from exc
    return Header(from_seq, to_seq, prev_hash, published, str(value.get("exported", "")))


def _body(path: Path, header: Header, lines: Iterator[tuple[int, dict[str, Any], bytes]]) -> Iterator[Event | Attachment]:
    seq, attachments = header.from_seq - 1, 0
    for number, value, raw in lines:
        where = f"{path} line {number}"
        kind = value.get("kind")
        if kind == "event":
            event = _event(value, raw, where)
            if event.seq != seq + 1:
                raise InvalidExport(f"{where}: seq {event.seq} follows seq {seq}; an export holds every seq of its range")
            seq = event.seq
            yield event
        elif kind == "attachment":
            attachments += 1
            yield _attachment(value, where)
        elif kind == "end":
            if seq != header.to_seq:
                raise InvalidExport(f"{where}: the file ends at seq {seq}, but its header says to_seq {header.to_seq}")
            counts = (value.get("events"), value.get("attachments"))
            if counts != (seq - header.from_seq + 1, attachments):
                raise InvalidExport(f"{where}: the end line counts {counts[0]} events and {counts[1]} attachments, "
                                    f"the file holds {seq - header.from_seq + 1} and {attachments}")
            if next(lines, None) is not None:
                raise InvalidExport(f"{where}: lines follow the end line")
            return
        else:
            raise InvalidExport(f"{where}: kind {kind!r} is not event, attachment or end")
    raise InvalidExport(f"{path} has no end line: it is cut short (the last seq read is {seq})")


def _event(value: Mapping[str, Any], raw: bytes, where: str) -> Event:
    seq = _int(value, "seq", where, 1)
    kind = value.get("type")
    if not isinstance(kind, str) or not kind:
        raise InvalidExport(f"{where}: type must be a non-empty string")
    stored = chain.utc(datetime.fromisoformat(_text(value, "stored", _STORED, where).replace("Z", "+00:00")))
    prev_hash, digest = _text(value, "prev_hash", _HASH, where), _text(value, "hash", _HASH, where)
    payload = value.get("payload")
    if not isinstance(payload, dict):
        raise InvalidExport(f"{where}: payload must be a JSON object")
    # The text as ExportWriter wrote it is the logged text when the hash says so (cheaper than
    # canonicalising again); a line written otherwise is canonicalised, and the chain decides.
    written = _written_payload(raw)
    if written is not None and chain.event_hash(prev_hash, seq, kind, stored, written) == digest:
        return Event(seq, kind, stored, written, prev_hash, digest)
    try:
        payload_json = chain.canonical_json(payload)
    except LrsError as exc:
        raise InvalidExport(f"{where}: payload: {exc}") from exc
    return Event(seq, kind, stored, payload_json, prev_hash, digest)


def _written_payload(raw: bytes) -> str | None:
    """The payload text of an event line in ExportWriter's layout (payload last, after fields
    whose values cannot hold ',"payload":'), or None."""
    start = raw.find(b',"payload":')
    line = raw.rstrip(b"\r\n")
    if start < 0 or not line.endswith(b"}"):
        return None
    try:
        return line[start + len(b',"payload":'):-1].decode("utf-8")
    except UnicodeDecodeError:
        return None


def _attachment(value: Mapping[str, Any], where: str) -> Attachment:
    content_type = value.get("content_type")
    if not isinstance(content_type, str):
        raise InvalidExport(f"{where}: content_type must be a string")
    try:
        content = base64.b64decode(value.get("base64", ""), validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidExport(f"{where}: base64 is not base64 ({exc})") from exc
    return Attachment(_text(value, "sha2", _SHA, where), content_type, content)


def _int(value: Mapping[str, Any], name: str, where: str, low: int) -> int:
    found = value.get(name)
    if type(found) is not int or found < low:
        raise InvalidExport(f"{where}: {name} must be an integer of at least {low}, not {found!r}")
    return found


def _text(value: Mapping[str, Any], name: str, form: re.Pattern[str], where: str) -> str:
    found = value.get(name)
    if not isinstance(found, str) or not form.match(found):
        raise InvalidExport(f"{where}: {name} {found!r} is not of the form it must have ({form.pattern})")
    return found
