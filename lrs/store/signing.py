"""Signed checkpoints, pure: Ed25519 signing keys, their ids, and signing and checking a
checkpoint of the chain head. No SQL and no files: callers read the key file and the log.

A checkpoint says "the event at `seq` had hash `hash` and was stored at `stored`", signed with
the key `key_id`. The signed bytes are the RFC 8785 canonical JSON of
{"hash", "key_id", "seq", "stored"}; the signature is Ed25519 (RFC 8032), in base64. A key's id
is the first 16 hex digits of the SHA-256 of its 32 raw public bytes, so an id names one key."""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Mapping

import rfc8785
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lrs.errors import InvalidCheckpoint, SigningKeyError

ALGORITHM = "Ed25519"
_HASH = re.compile(r"^[0-9a-f]{64}$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
_STORED = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")  # chain.format_stored


def new_key_pem() -> bytes:
    """A new Ed25519 private key as unencrypted PKCS#8 PEM (`lrs keys create`)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def load_key(pem: bytes, source: str) -> Ed25519PrivateKey:
    """The Ed25519 private key in `pem`; SigningKeyError naming `source` (the file) otherwise."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"{source} is not an unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{source} holds a {type(key).__name__.lstrip('_')}, not an Ed25519 private key "
                              "(make one with `lrs keys create`)")
    return key


def key_id_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class PublicKey:
    """The public half of a signing key, as the `key.published` event carries it."""

    key_id: str
    public_key: str  # base64 of the 32 raw bytes

    @classmethod
    def of(cls, key: Ed25519PrivateKey) -> PublicKey:
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cls(key_id_of(raw), base64.b64encode(raw).decode("ascii"))

    @classmethod
    def from_json(cls, value: Any, where: str) -> PublicKey:
        """A published key, checked: its public_key is 32 bytes of base64 and key_id is its id."""
        if not isinstance(value, Mapping):
            raise InvalidCheckpoint(f"{where} must be a JSON object")
        if value.get("algorithm", ALGORITHM) != ALGORITHM:
            raise InvalidCheckpoint(f"{where}.algorithm must be {ALGORITHM!r}, not {value.get('algorithm')!r}")
        raw = _base64(value.get("public_key"), f"{where}.public_key", 32)
        key_id = _text(value, "key_id", _KEY_ID, where, "16 lowercase hex digits")
        if key_id_of(raw) != key_id:
            raise InvalidCheckpoint(f"{where}.key_id {key_id} is not the id of its public_key ({key_id_of(raw)})")
        return cls(key_id, value["public_key"])

    def as_json(self) -> dict[str, str]:
        return {"algorithm": ALGORITHM, "key_id": self.key_id, "public_key": self.public_key}

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key)).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the chain head: the event at `seq` has `hash` and `stored`."""

    seq: int
    hash: str
    stored: str  # as chain.format_stored writes it
    key_id: str
    signature: str  # base64 of the 64-byte Ed25519 signature

    def signed_bytes(self) -> bytes:
        return signed_bytes(self.seq, self.hash, self.stored, self.key_id)

    def signed_by(self, key: PublicKey) -> bool:
        """The signature verifies under `key` (and `key` is the one the checkpoint names)."""
        return key.key_id == self.key_id and key.verifies(base64.b64decode(self.signature), self.signed_bytes())

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "stored": self.stored, "key_id": self.key_id,
                "signature": self.signature}

    @classmethod
    def from_json(cls, value: Any, where: str = "the checkpoint") -> Checkpoint:
        """A checkpoint document, its fields checked (InvalidCheckpoint names the one that is
        wrong). Other fields (`public_key`, `event_seq`) are left to the caller."""
        if not isinstance(value, Mapping):
            raise InvalidCheckpoint(f"{where} must be a JSON object with seq, hash, stored, key_id and signature")
        seq = value.get("seq")
        if type(seq) is not int or seq < 1:
            raise InvalidCheckpoint(f"{where}.seq must be a positive integer, not {seq!r}")
        _base64(value.get("signature"), f"{where}.signature", 64)
        return cls(seq, _text(value, "hash", _HASH, where, "64 lowercase hex digits"),
                   _text(value, "stored", _STORED, where, "a UTC time such as 2026-01-31T08:00:00.000Z"),
                   _text(value, "key_id", _KEY_ID, where, "16 lowercase hex digits"), value["signature"])


def signed_bytes(seq: int, hash: str, stored: str, key_id: str) -> bytes:
    return rfc8785.dumps({"hash": hash, "key_id": key_id, "seq": seq, "stored": stored})


def sign(key: Ed25519PrivateKey, *, seq: int, hash: str, stored: str) -> Checkpoint:
    key_id = PublicKey.of(key).key_id
    signature = key.sign(signed_bytes(seq, hash, stored, key_id))
    return Checkpoint(seq, hash, stored, key_id, base64.b64encode(signature).decode("ascii"))


def _text(value: Mapping[str, Any], name: str, form: re.Pattern[str], where: str, described: str) -> str:
    found = value.get(name)
    if not isinstance(found, str) or not form.match(found):
        raise InvalidCheckpoint(f"{where}.{name} must be {described}, not {found!r}")
    return found


def _base64(value: Any, where: str, length: int) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True) if isinstance(value, str) else None
    except (binascii.Error, ValueError):
        raw = None
    if raw is None or len(raw) != length:
        raise InvalidCheckpoint(f"{where} must be base64 of {length} bytes")
    return raw
