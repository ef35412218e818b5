"""Signed statements (xAPI 1.0.3 Data 2.6; IEEE 9274.1.1 keeps the rules): the JWS attachment must be
a well formed compact serialization using RS256, RS384 or RS512 whose payload is the statement it
is attached to, and when its header carries an X.509 certificate chain (x5c), the signature must
verify with the public key of the first certificate. Without x5c there is no key to check the
signature with, and the spec lets the LRS store such a statement as sent."""
from __future__ import annotations

import base64
import binascii
from typing import Any, Mapping, Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from lrs.errors import InvalidStatement
from lrs.xapi import json_limits
from lrs.xapi.multipart import Part
from lrs.xapi.statement import equivalent

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512,
}
ALGORITHMS = tuple(HASHES)
# RFC 7518 3.3: RS256/384/512 keys MUST be at least 2048 bits long.
MIN_KEY_BITS = 2048


def _b64url(segment: str, what: str, where: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidStatement(f"{where}: the JWS {what} is not base64url-encoded") from exc


def _b64url_json(segment: str, what: str, where: str) -> Any:
    try:
        raw = _b64url(segment, what, where)
        return json_limits.loads(raw, f"{where}: the JWS {what}")
    except (InvalidStatement, ValueError) as exc:
        raise InvalidStatement(f"{where}: the JWS {what} is not base64url-encoded JSON") from exc


def check_signatures(statements: Sequence[Mapping[str, Any]], parts: Sequence[Part]) -> None:
    """Refuse a statement whose signature attachment is malformed, does not verify, or signs something else."""
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
            if "crit" in header:
                # RFC 7515 4.1.11: every extension named critical must be understood, and this
                # LRS understands none; a malformed "crit" makes the JWS invalid as well.
                raise InvalidStatement(f"{where}: the JWS header marks {header['crit']!r} critical (crit); this "
                                       "LRS understands no JWS extension, so it cannot accept the signature")
            payload = _b64url_json(segments[1], "payload", where)
            if "x5c" in header:
                _verify(header, segments, where)
            signed = {k: v for k, v in statement.items() if k != "attachments"}
            if not isinstance(payload, dict) or not equivalent(
                {k: v for k, v in payload.items() if k != "attachments"}, signed
            ):
                raise InvalidStatement(f"{where}: the JWS payload is not the statement it is attached to")


def _verify(header: Mapping[str, Any], segments: Sequence[str], where: str) -> None:
    """Check the RSA signature over "header.payload" with the key of the first x5c certificate
    (RFC 7515 4.1.6: the certificate holding the signing key comes first). The chain is not
    checked against trust anchors: the LRS proves the statement is what that key signed, and
    the JWS, stored as an attachment, lets any reader judge whose key it is."""
    certificate = _first_certificate(header["x5c"], where)
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidStatement(f"{where}: the first x5c certificate does not hold an RSA key, which {header['alg']} needs")
    if key.key_size < MIN_KEY_BITS:
        raise InvalidStatement(
            f"{where}: the first x5c certificate's RSA key has {key.key_size} bits; "
            f"{header['alg']} needs at least {MIN_KEY_BITS} (RFC 7518 3.3)"
        )
    signature = _b64url(segments[2], "signature", where)
    signing_input = f"{segments[0]}.{segments[1]}".encode("ascii")
    try:
        key.verify(signature, signing_input, padding.PKCS1v15(), HASHES[header["alg"]]())
    except InvalidSignature as exc:
        raise InvalidStatement(
            f"{where}: the JWS signature does not verify with the key of the first x5c certificate "
            f"({certificate.subject.rfc4514_string() or 'no subject'}): the signed header or payload was "
            "changed after signing, or another key made the signature"
        ) from exc


def _first_certificate(chain: Any, where: str) -> x509.Certificate:
    """The first certificate of an x5c header: a non-empty array of base64 (not base64url) DER certificates."""
    if not isinstance(chain, list) or not chain or not all(isinstance(c, str) for c in chain):
        raise InvalidStatement(f"{where}: the JWS x5c header must be a non-empty array of base64 DER certificates")
    try:
        return x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (binascii.Error, ValueError) as exc:
        raise InvalidStatement(
            f"{where}: the first certificate of the JWS x5c header is not a base64 DER X.509 certificate"
        ) from exc
