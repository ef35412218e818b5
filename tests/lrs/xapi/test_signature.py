"""Signed statements: structure, algorithm, payload and RSA signature checks of the JWS attachment."""
from __future__ import annotations

import base64
import hashlib
import json

import pytest

from lrs.errors import InvalidStatement
from lrs.xapi.multipart import Part
from lrs.xapi.signature import SIGNATURE_USAGE, check_signatures
from tests.fixtures.builders import make_statement
from tests.fixtures.signing import Signer, attach_signature, ec_signer, jws, rsa_signer


def b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def signed(alg: str = "RS256", payload: object | None = None, content_type: str = "application/octet-stream"):
    statement = make_statement(id="6e0c4f4a-3f3e-4f0a-9d5e-3c1f0b8a7e21")
    jws = f"{b64({'alg': alg})}.{b64(payload if payload is not None else statement)}.c2ln"
    part = Part(hashlib.sha256(jws.encode()).hexdigest(), "application/octet-stream", jws.encode())
    statement["attachments"] = [{
        "usageType": SIGNATURE_USAGE, "display": {"en-US": "signature"}, "contentType": content_type,
        "length": len(jws), "sha2": part.sha2,
    }]
    return statement, part


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_well_formed_signature_with_rsa_algorithm_passes(alg: str) -> None:
    statement, part = signed(alg)
    check_signatures([statement], [part])


@pytest.mark.parametrize("statement_part, reason", [
    (signed("HS256"), "alg"),
    (signed(content_type="text/plain"), "contentType"),
    (signed(payload=make_statement(verb={"id": "http://example.com/other"})), "payload"),
])
def test_bad_signatures_are_refused(statement_part, reason: str) -> None:
    statement, part = statement_part
    with pytest.raises(InvalidStatement, match=reason):
        check_signatures([statement], [part])


def test_signature_that_is_not_a_jws_is_refused() -> None:
    statement, _ = signed()
    broken = Part(statement["attachments"][0]["sha2"], "application/octet-stream", b"not-a-jws")
    with pytest.raises(InvalidStatement, match="JWS"):
        check_signatures([statement], [broken])


# --------------------------------------------------------------------------- RSA verification (x5c)

def rsa_signed(alg: str = "RS256", *, payload: object | None = None, signer: Signer | None = None,
               sign_with: Signer | None = None, x5c: list[str] | None = None):
    """A statement carrying a real JWS signature of itself (or of `payload`)."""
    signer = signer or rsa_signer()
    statement = make_statement(id="6e0c4f4a-3f3e-4f0a-9d5e-3c1f0b8a7e21", result={"duration": "PT1M2.25S"})
    token = jws(statement if payload is None else payload, signer, alg, x5c=x5c, sign_with=sign_with)
    return statement, attach_signature(statement, token)


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_signature_made_with_the_x5c_certificate_key_verifies(alg: str) -> None:
    statement, part = rsa_signed(alg)
    check_signatures([statement], [part])


def test_signature_with_a_tampered_payload_is_refused() -> None:
    statement, part = rsa_signed()
    header, payload, sig = part.content.decode().split(".")
    forged = {**json.loads(base64.urlsafe_b64decode(payload + "==")), "verb": {"id": "http://example.com/forged"}}
    statement["verb"] = forged["verb"]  # the statement matches the forged payload, so only the signature can tell
    token = f"{header}.{b64(forged)}.{sig}"
    tampered = Part(hashlib.sha256(token.encode()).hexdigest(), "application/octet-stream", token.encode())
    statement["attachments"][0]["sha2"] = tampered.sha2
    with pytest.raises(InvalidStatement, match="does not verify with the key of the first x5c certificate"):
        check_signatures([statement], [tampered])


def test_signature_made_with_another_key_is_refused() -> None:
    statement, part = rsa_signed(sign_with=rsa_signer("someone else"))
    with pytest.raises(InvalidStatement, match=r"does not verify .*CN=Jejak test signer"):
        check_signatures([statement], [part])


def test_verified_signature_must_still_sign_this_statement() -> None:
    statement, part = rsa_signed(payload=make_statement(verb={"id": "http://example.com/other"}))
    with pytest.raises(InvalidStatement, match="payload is not the statement"):
        check_signatures([statement], [part])


@pytest.mark.parametrize("x5c, reason", [
    ([], "non-empty array"),
    ("MIIB", "non-empty array"),
    ([42], "non-empty array"),
    (["not base64!"], "not a base64 DER X.509 certificate"),
    ([base64.b64encode(b"not a certificate").decode()], "not a base64 DER X.509 certificate"),
])
def test_malformed_x5c_is_refused(x5c: object, reason: str) -> None:
    statement, part = rsa_signed(x5c=x5c)  # type: ignore[arg-type]
    with pytest.raises(InvalidStatement, match=reason):
        check_signatures([statement], [part])


def test_certificate_without_an_rsa_key_is_refused() -> None:
    statement, part = rsa_signed(x5c=ec_signer().x5c)
    with pytest.raises(InvalidStatement, match="does not hold an RSA key"):
        check_signatures([statement], [part])


def test_rsa_key_shorter_than_2048_bits_is_refused() -> None:
    short = rsa_signer("short key", bits=1024)
    statement, part = rsa_signed(signer=short)
    with pytest.raises(InvalidStatement, match="1024 bits"):
        check_signatures([statement], [part])


def test_signature_without_x5c_is_accepted_unverified() -> None:
    # Data 2.6 only asks to verify against a certificate the header carries; "c2ln" is no RSA signature.
    statement, part = signed()
    check_signatures([statement], [part])


def test_durations_compare_to_the_hundredth_of_a_second() -> None:
    # IEEE 9274.1.1 4.2.7 / xAPI 1.0.3 Data 4.6: precision beyond 0.01 s is not compared.
    statement, part = rsa_signed()
    statement["result"]["duration"] = "PT1M2.2599S"
    check_signatures([statement], [part])
    statement["result"]["duration"] = "PT1M2.26S"
    with pytest.raises(InvalidStatement, match="payload is not the statement"):
        check_signatures([statement], [part])


@pytest.mark.parametrize("crit", [["exp"], ["http://example.com/must-understand"], [], "exp"])
def test_a_critical_header_extension_this_lrs_does_not_understand_is_refused(crit: object) -> None:
    # RFC 7515 4.1.11: a recipient that does not understand every name in "crit" must reject
    # the JWS, even when the signature itself verifies.
    signer = rsa_signer()
    statement = make_statement(id="6e0c4f4a-3f3e-4f0a-9d5e-3c1f0b8a7e21")
    token = jws(statement, signer, extra={"crit": crit, "exp": 1})
    part = attach_signature(statement, token)
    with pytest.raises(InvalidStatement, match="crit"):
        check_signatures([statement], [part])
