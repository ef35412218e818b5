"""The body of an alternate-syntax form is read before authentication (the form carries the
credentials), so it is read only up to the body limit, and must be UTF-8."""
from __future__ import annotations

import io
import json
from urllib.parse import quote

import pytest

from tests.fixtures.builders import make_statement

LIMIT = 1_000_000  # MAX_CONTENT_LENGTH of the test app (tests/conftest.py)
FORM = "application/x-www-form-urlencoded"
CHUNKED = {"Transfer-Encoding": "chunked"}  # as a server sets it: the length is unknown


class CountingStream:
    """An endless form body that counts the bytes the server reads from it."""

    def __init__(self) -> None:
        self.read_so_far = 0

    def read(self, size: int = -1) -> bytes:
        size = 2**16 if size is None or size < 0 else size
        self.read_so_far += size
        return b"a" * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def test_alternate_form_longer_than_the_limit_is_413_before_reading(client) -> None:
    body = CountingStream()
    response = client.post("/xapi/statements?method=POST", content_type=FORM, environ_overrides={
        "wsgi.input": body, "CONTENT_LENGTH": str(160 * 2**20)})
    assert response.status_code == 413
    assert str(LIMIT) in response.get_json()["message"]
    assert body.read_so_far == 0


def test_chunked_alternate_form_is_read_only_up_to_the_limit(client) -> None:
    body = CountingStream()
    response = client.post("/xapi/statements?method=POST", content_type=FORM, headers=CHUNKED,
                           environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True})
    assert response.status_code == 413
    assert str(LIMIT) in response.get_json()["message"]
    assert body.read_so_far <= LIMIT + 2**16  # the limit and at most one buffer more


def test_chunked_alternate_form_within_the_limit_is_served(client, auth) -> None:
    form = {"Authorization": auth["Authorization"], "X-Experience-API-Version": "1.0.3",
            "content": json.dumps(make_statement())}
    data = "&".join(f"{k}={quote(v)}" for k, v in form.items()).encode()
    response = client.post("/xapi/statements?method=POST", content_type=FORM, headers=CHUNKED,
                           environ_overrides={"wsgi.input": io.BytesIO(data), "wsgi.input_terminated": True})
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("body", [b"content=\xff\xfe", b"content=%FF%FE"], ids=["raw", "escaped"])
def test_alternate_form_that_is_not_utf8_is_400(client, body: bytes) -> None:
    response = client.post("/xapi/statements?method=POST", data=body, content_type=FORM)
    assert response.status_code == 400
    assert "UTF-8" in response.get_json()["message"]
