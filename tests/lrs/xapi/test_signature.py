"""Signed statements: structure, algorithm and payload checks of the JWS attachment."""
from __future__ import annotations

import base64
import hashlib
import json

import pytest

from lrs.errors import InvalidStatement
from lrs.xapi.multipart import Part
from lrs.xapi.signature import SIGNATURE_USAGE, check_signatures
from tests.fixtures.builders import make_statement


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
