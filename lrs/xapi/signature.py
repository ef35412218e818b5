"""Signed statements (xAPI Data 2.6): the JWS attachment must be well formed, use RS256/384/512,
and carry the statement it signs. (Checking the RSA signature against x5c comes with xAPI 2.0
support; an unverifiable signature is stored as sent, as the spec allows.)"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Mapping, Sequence

from lrs.errors import InvalidStatement
from lrs.xapi.multipart import Part
from lrs.xapi.statement import equivalent

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
ALGORITHMS = ("RS256", "RS384", "RS512")


def _b64url_json(segment: str, what: str, where: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidStatement(f"{where}: the JWS {what} is not base64url-encoded JSON") from exc


def check_signatures(statements: Sequence[Mapping[str, Any]], parts: Sequence[Part]) -> None:
    """Refuse a statement whose signature attachment is malformed or signs something else."""
    by_sha2 = {p.sha2.lower(): p for p in parts}
    for index, statement in enumerate(statements):
        for position, attachment in enumerate(statement.get("attachments") or ()):
            if attachment.get("usageType") != SIGNATURE_USAGE:
                continue
            where = f"statement[{index}].attachments[{position}]"
            if attachment.get("contentType") != "application/octet-stream":
                raise InvalidStatement(f"{where}: a signature's contentType must be application/octet-stream")
            part = by_sha2.get(str(attachment.get("sha2", "")).lower())
            if part is None:
                raise InvalidStatement(f"{where}: the signature must be sent as a part, not a fileUrl")
            segments = part.content.decode("ascii", errors="replace").strip().split(".")
            if len(segments) != 3:
                raise InvalidStatement(f"{where}: the signature is not a JWS compact serialization")
            header = _b64url_json(segments[0], "header", where)
            if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
                raise InvalidStatement(f"{where}: the JWS alg must be one of {', '.join(ALGORITHMS)}")
            payload = _b64url_json(segments[1], "payload", where)
            signed = {k: v for k, v in statement.items() if k != "attachments"}
            if not isinstance(payload, dict) or not equivalent(
                {k: v for k, v in payload.items() if k != "attachments"}, signed
            ):
                raise InvalidStatement(f"{where}: the JWS payload is not the statement it is attached to")
