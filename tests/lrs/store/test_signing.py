"""Signed checkpoints, pure: a signature holds under its own key only, covers every field, and
a key id names one public key."""
from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lrs.errors import InvalidCheckpoint, SigningKeyError
from lrs.store import signing
from lrs.store.signing import Checkpoint, PublicKey

HASH = "ab" * 32
STORED = "2026-03-02T03:00:00.123Z"


def _key() -> signing.Ed25519PrivateKey:
    return signing.load_key(signing.new_key_pem(), "test key")


def test_a_checkpoint_verifies_under_the_key_that_signed_it_and_no_other() -> None:
    key, other = _key(), _key()
    signed = signing.sign(key, seq=7, hash=HASH, stored=STORED)
    assert signed.key_id == PublicKey.of(key).key_id
    assert signed.signed_by(PublicKey.of(key))
    assert not signed.signed_by(PublicKey.of(other))
    # the other key under the same id (a forged key.published) does not verify it either
    assert not signed.signed_by(dataclasses.replace(PublicKey.of(other), key_id=signed.key_id))


@pytest.mark.parametrize("change", [{"seq": 8}, {"hash": "cd" * 32}, {"stored": "2026-03-02T03:00:00.124Z"},
                                    {"key_id": "0" * 16}])
def test_the_signature_covers_every_field(change: dict) -> None:
    key = _key()
    signed = signing.sign(key, seq=7, hash=HASH, stored=STORED)
    changed = dataclasses.replace(signed, **change)
    assert not changed.signed_by(dataclasses.replace(PublicKey.of(key), key_id=changed.key_id))


def test_the_signed_bytes_are_the_canonical_json_of_the_four_fields() -> None:
    """What an outside party verifies with any Ed25519 library."""
    assert signing.signed_bytes(7, HASH, STORED, "0123456789abcdef") == (
        b'{"hash":"' + HASH.encode() + b'","key_id":"0123456789abcdef","seq":7,"stored":"' + STORED.encode() + b'"}')


def test_a_checkpoint_document_round_trips_and_its_fields_are_checked_by_name() -> None:
    signed = signing.sign(_key(), seq=7, hash=HASH, stored=STORED)
    assert Checkpoint.from_json({**signed.as_json(), "event_seq": 9}) == signed
    for field, bad in (("seq", 0), ("seq", "7"), ("hash", "AB" * 32), ("stored", "2026-03-02"),
                       ("key_id", "xyz"), ("signature", "bm90IDY0IGJ5dGVz")):
        with pytest.raises(InvalidCheckpoint, match=rf"the checkpoint\.{field} must be"):
            Checkpoint.from_json({**signed.as_json(), field: bad})
    with pytest.raises(InvalidCheckpoint, match="must be a JSON object"):
        Checkpoint.from_json([1, 2])


def test_a_key_id_names_one_public_key() -> None:
    key, other = PublicKey.of(_key()), PublicKey.of(_key())
    assert PublicKey.from_json(key.as_json(), "k") == key
    with pytest.raises(InvalidCheckpoint, match=f"k.key_id {key.key_id} is not the id of its public_key"):
        PublicKey.from_json({**other.as_json(), "key_id": key.key_id}, "k")
    with pytest.raises(InvalidCheckpoint, match="k.public_key must be base64 of 32 bytes"):
        PublicKey.from_json({**key.as_json(), "public_key": "AAAA"}, "k")


def test_only_an_ed25519_private_key_is_loaded() -> None:
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(SigningKeyError, match="key.pem holds a RSAPrivateKey, not an Ed25519 private key"):
        signing.load_key(rsa_pem, "key.pem")
    with pytest.raises(SigningKeyError, match="key.pem is not an unencrypted PEM private key"):
        signing.load_key(b"hello", "key.pem")
