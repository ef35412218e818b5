"""Tests for the multipart/mixed attachment codec."""
from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from lrs.errors import BadRequest, InvalidStatement
from lrs.xapi.multipart import Part, build_response, check_attachments, is_multipart, parse_request

BOUNDARY = "-------314159265358979323846"
HEADER = f"multipart/mixed; boundary={BOUNDARY}"
CRLF = "\r\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment(data: bytes, **extra: Any) -> dict[str, Any]:
    return {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": "text/plain",
        "length": len(data),
        "sha2": sha256(data),
        **extra,
    }


def statement(*attachments: dict[str, Any]) -> dict[str, Any]:
    return {
        "actor": {"mbox": "mailto:sample.agent@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": "http://www.example.com/tincan/activities/multipart"},
        "attachments": list(attachments),
    }


def conformance_body(stmt: Any, *parts: tuple[bytes, dict[str, str]], eol: str = CRLF) -> bytes:
    """Build a request the way the ADL LRS conformance suite does (string concatenation)."""
    msg = (f"--{BOUNDARY}{eol}Content-Type: application/json{eol}{eol}").encode()
    msg += json.dumps(stmt).encode() + eol.encode()
    for content, headers in parts:
        msg += f"--{BOUNDARY}{eol}".encode()
        msg += "".join(f"{k}: {v}{eol}" for k, v in headers.items()).encode() + eol.encode()
        msg += content + eol.encode()
    return msg + f"--{BOUNDARY}--{eol}".encode()


def good_headers(content: bytes) -> dict[str, str]:
    return {
        "Content-Type": "text/plain",
        "Content-Transfer-Encoding": "binary",
        "X-Experience-API-Hash": sha256(content),
    }


TEXT = b"here is a simple attachment"
TEXT_SHA = sha256(TEXT)


def test_conformance_style_request() -> None:
    stmt = statement(attachment(TEXT))
    first, parts = parse_request(HEADER, conformance_body(stmt, (TEXT, good_headers(TEXT))))
    assert json.loads(first) == stmt
    assert parts == [Part(sha2=sha256(TEXT), content_type="text/plain", content=TEXT)]
    check_attachments([stmt], parts)


def test_spec_example_with_quoted_boundary_and_no_space_after_colon() -> None:
    boundary = "abcABC0123'()+_,-./:=?"
    stmt = statement(attachment(TEXT, contentType="text/plain; charset=ascii"))
    body = (
        f"{CRLF}--{boundary}{CRLF}Content-Type:application/json{CRLF}{CRLF}{json.dumps(stmt)}{CRLF}"
        f"--{boundary}{CRLF}Content-Type:text/plain{CRLF}Content-Transfer-Encoding:binary{CRLF}"
        "X-Experience-API-Hash:495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
        f"{CRLF}"
        f"{CRLF}{TEXT.decode()}{CRLF}--{boundary}--"
    ).encode()
    first, parts = parse_request(f'multipart/mixed; boundary="{boundary}"', body)
    assert json.loads(first) == stmt
    assert [p.content for p in parts] == [TEXT]
    check_attachments([stmt], parts)


def test_quoted_boundary_with_escapes_and_other_parameters() -> None:
    stmt = statement(attachment(TEXT))
    body = conformance_body(stmt, (TEXT, good_headers(TEXT)))
    header = f'Multipart/Mixed; charset=utf-8; BOUNDARY="{BOUNDARY}"'
    assert parse_request(header, body)[1][0].content == TEXT
    escaped = body.replace(BOUNDARY.encode(), b'a"b;c')
    assert parse_request('multipart/mixed; boundary="a\\"b;c"', escaped)[1][0].content == TEXT


def test_round_trip_build_then_parse() -> None:
    blob = bytes(range(256)) * 4 + b"\r\n--\r\n\n--x\r\n"
    parts = [
        Part(sha2=sha256(TEXT), content_type="text/plain", content=TEXT),
        Part(sha2=sha256(blob), content_type="image/png", content=blob),
        Part(sha2=sha256(TEXT), content_type="text/plain", content=TEXT),  # duplicate
    ]
    statements_json = json.dumps({"statements": [statement(attachment(TEXT))], "more": ""}).encode()
    content_type, body = build_response(statements_json, parts)
    assert is_multipart(content_type)
    assert content_type.startswith("multipart/mixed; boundary=")
    first, parsed = parse_request(content_type, body)
    assert first == statements_json
    assert parsed == parts[:2]


def test_build_response_format() -> None:
    content_type, body = build_response(b"[]", [Part(TEXT_SHA, "text/plain\r\nX: y", TEXT)])
    b = content_type.split("boundary=", 1)[1]
    assert '"' not in b  # unquoted token: the conformance suite's parser does not unquote
    assert body.decode() == (
        f"--{b}\r\nContent-Type: application/json\r\n\r\n[]\r\n--{b}\r\n"
        "Content-Type: text/plain X: y\r\nContent-Transfer-Encoding: binary\r\n"
        f"X-Experience-API-Hash: {TEXT_SHA}\r\n\r\n{TEXT.decode()}\r\n--{b}--\r\n"
    )
    e_type, e_body = build_response(b"[]", [])
    e = e_type.split("boundary=", 1)[1]
    assert e_body.decode() == f"--{e}\r\nContent-Type: application/json\r\n\r\n[]\r\n--{e}--\r\n"
    assert build_response(b"[]", [])[0] != e_type  # a fresh random boundary each time


def test_binary_content_with_crlf_dashes_and_boundary_lookalikes() -> None:
    tricky = (
        b"\r\n\r\n--\r\n--" + BOUNDARY.encode() + b"X\r\n"  # boundary followed by other chars
        + b"a--" + BOUNDARY.encode() + b"\r\n"  # boundary not at a line start
        + b"\x00\xff\r\r\n\n\r\n\r\n"  # ends in line breaks, which belong to the content
    )
    stmt = statement(attachment(tricky))
    _, parts = parse_request(HEADER, conformance_body(stmt, (tricky, good_headers(tricky))))
    assert parts[0].content == tricky
    check_attachments([stmt], parts)


def test_bare_lf_tolerated() -> None:
    stmt = statement(attachment(TEXT))
    body = conformance_body(stmt, (TEXT, good_headers(TEXT)), eol="\n")
    assert b"\r" not in body
    first, parts = parse_request(HEADER, body)
    assert json.loads(first) == stmt
    assert parts[0].content == TEXT


def test_header_names_case_insensitive_and_binary_value_case() -> None:
    headers = {"content-type": "text/plain", "CONTENT-TRANSFER-ENCODING": "Binary",
               "x-experience-api-hash": sha256(TEXT).upper()}
    body = conformance_body(statement(attachment(TEXT)), (TEXT, headers)).replace(
        b"Content-Type: application/json", b"CONTENT-TYPE: Application/JSON; charset=utf-8")
    _, parts = parse_request(HEADER, body)
    assert parts[0].sha2 == sha256(TEXT)


@pytest.mark.parametrize("wrong", [sha256(b"something else"), "not-a-hash"])
def test_wrong_hash(wrong: str) -> None:
    headers = {**good_headers(TEXT), "X-Experience-API-Hash": wrong}
    with pytest.raises(BadRequest, match=wrong):
        parse_request(HEADER, conformance_body(statement(attachment(TEXT)), (TEXT, headers)))


def test_sha512_hash_accepted() -> None:
    digest = hashlib.sha512(TEXT).hexdigest()
    headers = {**good_headers(TEXT), "X-Experience-API-Hash": digest}
    stmt = statement(attachment(TEXT, sha2=digest))
    _, parts = parse_request(HEADER, conformance_body(stmt, (TEXT, headers)))
    assert parts[0].sha2 == digest
    check_attachments([stmt], parts)


def test_missing_hash_header() -> None:
    headers = {k: v for k, v in good_headers(TEXT).items() if k != "X-Experience-API-Hash"}
    with pytest.raises(BadRequest, match="X-Experience-API-Hash"):
        parse_request(HEADER, conformance_body(statement(attachment(TEXT)), (TEXT, headers)))


def test_statements_split_over_two_json_parts_rejected() -> None:
    stmt = statement(attachment(TEXT))
    body = conformance_body(stmt, (json.dumps(stmt).encode(), {"Content-Type": "application/json"}),
                            (TEXT, good_headers(TEXT)))
    with pytest.raises(BadRequest, match="part 1 has no X-Experience-API-Hash"):
        parse_request(HEADER, body)


@pytest.mark.parametrize("encoding", [None, "base64", "8bit"])
def test_missing_or_wrong_transfer_encoding(encoding: str | None) -> None:
    headers = {k: v for k, v in good_headers(TEXT).items() if k != "Content-Transfer-Encoding"}
    headers.update({"Content-Transfer-Encoding": encoding} if encoding else {})
    with pytest.raises(BadRequest, match="Content-Transfer-Encoding"):
        parse_request(HEADER, conformance_body(statement(attachment(TEXT)), (TEXT, headers)))


def test_attachment_part_without_content_type_gets_default() -> None:
    headers = {k: v for k, v in good_headers(TEXT).items() if k != "Content-Type"}
    _, parts = parse_request(HEADER, conformance_body(statement(), (TEXT, headers)))
    assert parts[0].content_type == "application/octet-stream"


def test_duplicate_parts_returned_once() -> None:
    body = conformance_body(statement(), (TEXT, good_headers(TEXT)), (TEXT, good_headers(TEXT)))
    assert len(parse_request(HEADER, body)[1]) == 1


def test_json_only_multipart_request() -> None:
    stmt = statement()
    first, parts = parse_request(HEADER, conformance_body(stmt))
    assert json.loads(first) == stmt and parts == []
    check_attachments([stmt], parts)


@pytest.mark.parametrize("header", [
    "multipart/mixed", "multipart/mixed;", "multipart/mixed; boundary=",
    'multipart/mixed; boundary=""',
    "multipart/form-data; boundary=" + BOUNDARY, "application/json",
])
def test_bad_content_type_header(header: str) -> None:
    with pytest.raises(BadRequest):
        parse_request(header, conformance_body(statement()))


GOOD = conformance_body(statement(attachment(TEXT)), (TEXT, good_headers(TEXT)))


@pytest.mark.parametrize("body, match", [
    (json.dumps(statement()).encode(), "no delimiter"),
    (GOOD.replace(f"--{BOUNDARY}--".encode(), b""), "close delimiter"),
    (f"--{BOUNDARY}--\r\n".encode(), "no parts"),
    (GOOD.replace(b"application/json", b"text/plain", 1), "application/json"),  # XAPI-00134
    (f"--{BOUNDARY}\r\n\r\n{{}}\r\n--{BOUNDARY}--".encode(), "application/json"),  # no headers
    # XAPI-00131: JSON before the first delimiter is preamble, so the first part is text/plain
    (GOOD[len(f"--{BOUNDARY}\r\n"):], "application/json"),
    (GOOD.replace(b"Encoding: binary", b"Encoding binary"), "malformed header"),
])
def test_malformed_body(body: bytes, match: str) -> None:
    with pytest.raises(BadRequest, match=match):
        parse_request(HEADER, body)


def test_unreferenced_part() -> None:
    other = b"another attachment"
    parts = [Part(sha256(TEXT), "text/plain", TEXT), Part(sha256(other), "text/plain", other)]
    with pytest.raises(InvalidStatement, match=sha256(other)):
        check_attachments([statement(attachment(TEXT))], parts)


def test_attachment_with_file_url_and_no_part_is_fine() -> None:
    stmt = statement(attachment(TEXT, fileUrl="http://example.com/a.txt"))
    check_attachments([stmt], [])
    check_attachments([stmt], [Part(sha256(TEXT), "text/plain", TEXT)])  # and references a part


def test_attachment_without_file_url_or_part_fails() -> None:
    statements = [statement(), statement(attachment(b"x"), attachment(TEXT))]
    with pytest.raises(InvalidStatement, match=r"statements\[1\]\.attachments\[1\].*" + TEXT_SHA):
        check_attachments(statements, [Part(sha256(b"x"), "text/plain", b"x")])


def test_one_part_serves_several_statements_and_case_insensitive_sha2() -> None:
    upper = attachment(TEXT, sha2=sha256(TEXT).upper())
    check_attachments([statement(attachment(TEXT)), statement(upper)], [Part(TEXT_SHA, "t", TEXT)])


def test_substatement_attachments_are_checked() -> None:
    stmt = statement()
    stmt["object"] = {**statement(attachment(TEXT)), "objectType": "SubStatement"}
    check_attachments([stmt], [Part(sha256(TEXT), "text/plain", TEXT)])
    with pytest.raises(InvalidStatement, match=r"statements\[0\]\.object\.attachments\[0\]"):
        check_attachments([stmt], [])


@pytest.mark.parametrize("bad", [{}, [{"len": 1}], [1]])
def test_malformed_attachments_rejected(bad: Any) -> None:
    with pytest.raises(InvalidStatement):
        check_attachments([{**statement(), "attachments": bad}], [])


@pytest.mark.parametrize("header, expected", [
    ("multipart/mixed; boundary=x", True), ("Multipart/Mixed", True), (" multipart/mixed ;a", True),
    ("multipart/form-data; boundary=x", False), ("application/json", False), ("", False),
    (None, False),
])
def test_is_multipart(header: str | None, expected: bool) -> None:
    assert is_multipart(header) is expected


def test_large_body_with_many_lookalikes() -> None:
    chunk = b"\r\n--" + BOUNDARY.encode()[:-1] + b"\n--" + BOUNDARY.encode() + b"?\r\n"
    data = chunk * 50_000 + b"\x00" * 1_000_000
    _, parts = parse_request(HEADER, conformance_body(statement(), (data, good_headers(data))))
    assert parts[0].content == data


def test_part_content_type_holding_nul_is_refused() -> None:
    content = b"hello"
    body = conformance_body(statement(attachment(content)), (content, {**good_headers(content),
                                                                      "Content-Type": "text/plain\0"}))
    with pytest.raises(BadRequest, match="part 1: its Content-Type holds a NUL character"):
        parse_request(HEADER, body)
