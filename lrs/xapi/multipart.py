"""multipart/mixed codec for xAPI statement attachments (Communication 1.5.2, Data 2.4.11)."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from lrs.errors import BadRequest, InvalidStatement
from lrs.xapi.media_types import media_type, parameters

MULTIPART_MIXED = "multipart/mixed"
HASH_HEADER = "x-experience-api-hash"
TRANSFER_ENCODING_HEADER = "content-transfer-encoding"
# Used when an attachment part has no Content-Type header (the header is only a SHOULD).
DEFAULT_PART_TYPE = "application/octet-stream"
# "SHA-2" in xAPI: SHA-256, SHA-384 or SHA-512 (Communication 1.5.2); the hex length tells which.
ALGORITHM_BY_HEX_LENGTH = {64: "sha256", 96: "sha384", 128: "sha512"}
_HEX = re.compile(r"[0-9a-f]+")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_LF, _SP, _TAB = 0x0A, 0x20, 0x09


@dataclass(frozen=True)
class Part:
    """One attachment part: its verified SHA-2 (lowercase hex), Content-Type and raw octets."""

    sha2: str
    content_type: str
    content: bytes


def is_multipart(content_type_header: str | None) -> bool:
    """True when the Content-Type header names multipart/mixed (parameters and case ignored)."""
    return content_type_header is not None and media_type(content_type_header) == MULTIPART_MIXED


def parse_request(content_type_header: str, body: bytes) -> tuple[bytes, list[Part]]:
    """Split a multipart/mixed xAPI request into the first part's JSON bytes and the attachments.

    Attachment parts must carry X-Experience-API-Hash (verified against the content) and
    Content-Transfer-Encoding: binary; parts with the same hash are returned once."""
    raw_parts = _split(body, _boundary(content_type_header))
    first_headers, statements = _parse_part(raw_parts[0], 0)
    first_type = first_headers.get("content-type")
    if first_type is None or media_type(first_type) != "application/json":
        raise BadRequest(
            "the first part of a multipart/mixed statement request must have Content-Type "
            f"application/json, not {first_type or 'none'}"
        )
    parts: list[Part] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_parts[1:], start=1):
        headers, content = _parse_part(raw, number)
        declared = headers.get(HASH_HEADER)
        if declared is None:
            raise BadRequest(f"multipart part {number} has no X-Experience-API-Hash header")
        encoding = headers.get(TRANSFER_ENCODING_HEADER)
        if encoding is None or encoding.lower() != "binary":
            raise BadRequest(
                f"multipart part {number} (X-Experience-API-Hash {declared}) must have "
                f"Content-Transfer-Encoding: binary, not {encoding or 'none'}"
            )
        sha2 = declared.lower()
        algorithm = ALGORITHM_BY_HEX_LENGTH.get(len(sha2))
        if algorithm is None or not _HEX.fullmatch(sha2):
            raise BadRequest(
                f"multipart part {number}: X-Experience-API-Hash {declared!r} is not a hex "
                "SHA-256, SHA-384 or SHA-512 digest"
            )
        actual = hashlib.new(algorithm, content).hexdigest()
        if actual != sha2:
            raise BadRequest(
                f"multipart part {number}: X-Experience-API-Hash {sha2} does not match the "
                f"{algorithm.upper()} of its content ({actual})"
            )
        if sha2 not in seen:
            seen.add(sha2)
            content_type = headers.get("content-type") or DEFAULT_PART_TYPE
            if "\0" in content_type:  # stored as text, which PostgreSQL cannot hold with NUL
                raise BadRequest(
                    f"multipart part {number}: its Content-Type holds a NUL character (U+0000), "
                    "which this LRS does not take"
                )
            parts.append(Part(sha2=sha2, content_type=content_type, content=content))
    return statements, parts


def check_attachments(statements: Sequence[Mapping[str, Any]], parts: Sequence[Part]) -> None:
    """Cross-check the statements' attachment objects against the received parts.

    Every attachment without a populated fileUrl needs a part with its sha2 (case-insensitive);
    every part must be referenced by some attachment. SubStatement attachments count too.
    With parts=[] this is the application/json rule: every attachment needs a fileUrl."""
    available = {part.sha2.lower() for part in parts}
    referenced: set[str] = set()
    for index, statement in enumerate(statements):
        if not isinstance(statement, Mapping):
            raise InvalidStatement(f"statements[{index}] is not a JSON object")
        for where, attachments in _attachment_arrays(statement):
            if not isinstance(attachments, list):
                raise InvalidStatement(f"statements[{index}].{where} must be an array")
            for position, attachment in enumerate(attachments):
                path = f"statements[{index}].{where}[{position}]"
                sha2 = attachment.get("sha2") if isinstance(attachment, Mapping) else None
                if not isinstance(sha2, str) or not sha2:
                    raise InvalidStatement(f"{path}.sha2 is required and must be a string")
                key = sha2.lower()
                referenced.add(key)
                file_url = attachment.get("fileUrl")
                if key not in available and not (isinstance(file_url, str) and file_url):
                    raise InvalidStatement(
                        f"{path} (statement {index}) has sha2 {sha2} but no fileUrl and no "
                        "multipart part with that X-Experience-API-Hash"
                    )
    for part in parts:
        if part.sha2.lower() not in referenced:
            raise InvalidStatement(
                f"the multipart part with X-Experience-API-Hash {part.sha2} is not referenced "
                "by the sha2 of any statement's attachment"
            )


def build_response(statements_json: bytes, parts: Sequence[Part]) -> tuple[str, bytes]:
    """Build a multipart/mixed response: the statements JSON, then one part per distinct sha2.

    Returns (the Content-Type header value with a fresh random boundary, the body)."""
    distinct: dict[str, Part] = {}
    for part in parts:
        distinct.setdefault(part.sha2.lower(), part)
    while True:  # a random 128-bit boundary practically never occurs in the content; make sure
        boundary = secrets.token_hex(16)
        marker = b"--" + boundary.encode("ascii")
        contents = [statements_json, *(p.content for p in distinct.values())]
        if all(marker not in content for content in contents):
            break
    chunks = [marker, b"\r\nContent-Type: application/json\r\n\r\n", statements_json]
    for part in distinct.values():
        content_type = _CONTROL.sub(" ", part.content_type).strip() or DEFAULT_PART_TYPE
        chunks += [
            b"\r\n", marker,
            b"\r\nContent-Type: ", content_type.encode("utf-8"),
            b"\r\nContent-Transfer-Encoding: binary",
            b"\r\nX-Experience-API-Hash: ", _CONTROL.sub("", part.sha2).encode("utf-8"),
            b"\r\n\r\n", part.content,
        ]
    chunks += [b"\r\n", marker, b"--\r\n"]
    return f"{MULTIPART_MIXED}; boundary={boundary}", b"".join(chunks)


def _boundary(content_type_header: str) -> bytes:
    """The boundary parameter of a multipart/mixed Content-Type, quoted or not (RFC 2045/2046)."""
    if not is_multipart(content_type_header):
        raise BadRequest(f"expected Content-Type multipart/mixed, got {content_type_header!r}")
    boundary = parameters(content_type_header).get("boundary")
    if not boundary:
        raise BadRequest("the multipart/mixed Content-Type header has no boundary parameter")
    if not boundary.isascii() or _CONTROL.search(boundary):
        raise BadRequest(f"the multipart boundary {boundary!r} is not printable ASCII")
    return boundary.encode("ascii")


def _split(body: bytes, boundary: bytes) -> list[bytes]:
    """The raw body parts between delimiter lines, each without the CRLF (or LF) before the next.

    A delimiter is `--boundary` at the start of a line followed by optional blanks and a line end;
    `--boundary--` at the start of a line closes the body. Preamble and epilogue are ignored.
    One forward pass with bytes.find, so linear in the body size."""
    dash = b"--" + boundary
    parts: list[bytes] = []
    start = -1  # where the current part begins; -1 while still in the preamble
    position = 0
    while True:
        found = body.find(dash, position)
        if found < 0:
            if start < 0:
                raise BadRequest(f"the multipart body has no delimiter line --{boundary.decode()}")
            raise BadRequest(f"the multipart body has no close delimiter --{boundary.decode()}--")
        position = found + 1
        if found > 0 and body[found - 1] != _LF:
            continue  # not at the start of a line: part of some content
        after = found + len(dash)
        closing = body.startswith(b"--", after)
        if not closing:
            while after < len(body) and body[after] in (_SP, _TAB):
                after += 1  # transport padding
            if body.startswith(b"\r\n", after):
                after += 2
            elif body.startswith(b"\n", after):
                after += 1
            else:
                continue  # `--boundary` followed by something else: not a delimiter
        if start >= 0:
            end = found - 2 if body[found - 2:found] == b"\r\n" else found - 1
            parts.append(body[start:max(start, end)])
        elif closing:
            raise BadRequest("the multipart body has no parts")
        if closing:
            return parts
        start = after


def _parse_part(raw: bytes, number: int) -> tuple[dict[str, str], bytes]:
    """Headers (lower-cased names, stripped values) up to the first blank line, then the content."""
    headers: dict[str, str] = {}
    last: str | None = None
    position = 0
    while position < len(raw):
        newline = raw.find(b"\n", position)
        line_end = len(raw) if newline < 0 else newline
        line = raw[position:line_end]
        position = line_end + 1
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            return headers, raw[position:]
        text = line.decode("utf-8", errors="replace")
        if text[0] in " \t" and last is not None:  # folded continuation line
            headers[last] = f"{headers[last]} {text.strip()}".strip()
            continue
        name, colon, value = text.partition(":")
        name = name.strip()
        if not colon or not _TOKEN.fullmatch(name):
            raise BadRequest(f"multipart part {number} has a malformed header line {text[:80]!r}")
        last = name.lower()
        headers[last] = value.strip()
    return headers, b""  # only headers, no blank line: an empty body (RFC 2046 body-part)


def _attachment_arrays(statement: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """The statement's attachments array and, if its object is a SubStatement, that one's."""
    if "attachments" in statement:
        yield "attachments", statement["attachments"]
    target = statement.get("object")
    if isinstance(target, Mapping) and target.get("objectType") == "SubStatement":
        if "attachments" in target:
            yield "object.attachments", target["attachments"]
