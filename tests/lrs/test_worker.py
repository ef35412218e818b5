"""When the serving worker's event loop hands a request to a thread (lrs/worker.py): not before
it is complete, unless it is not to be buffered; tests/e2e/test_slow_clients.py runs it."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lrs.worker import HEAD_LIMIT_BYTES, expects_continue, request_ready

BUDGET = 1000
HEAD = b"POST /xapi/statements HTTP/1.1\r\nHost: lrs\r\n"


def with_length(body: bytes) -> bytes:
    return HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body


def chunked(pieces: list[bytes], trailer: bytes = b"") -> bytes:
    framed = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in pieces if p)
    return HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + framed + b"0\r\n" + trailer + b"\r\n"


@given(st.binary(max_size=BUDGET))
def test_a_body_of_known_length_is_waited_for(body: bytes) -> None:
    request = with_length(body)
    assert request_ready(request, BUDGET)
    assert not any(request_ready(request[:cut], BUDGET) for cut in range(len(request)))


@given(st.lists(st.binary(min_size=1, max_size=40), max_size=8), st.booleans())
def test_a_chunked_body_is_waited_for_to_its_last_chunk(pieces: list[bytes], trailer: bool) -> None:
    request = chunked(pieces, b"X-Sum: 1\r\n" if trailer else b"")
    assert request_ready(request, BUDGET)
    assert not any(request_ready(request[:cut], BUDGET) for cut in range(len(request)))


def test_without_a_body_the_head_is_enough() -> None:
    request = b"GET /xapi/about HTTP/1.1\r\nHost: lrs\r\nX-Experience-API-Version: 1.0.3\r\n\r\n"
    assert request_ready(request, BUDGET)
    assert not any(request_ready(request[:cut], BUDGET) for cut in range(len(request)))
    assert request_ready(b"GET / HTTP/1.0\n\n", BUDGET)  # bare line feeds


def test_what_is_not_buffered_goes_to_a_thread_at_once() -> None:
    assert request_ready(HEAD + b"Content-Length: 1001\r\n\r\n", BUDGET)  # over the budget
    assert request_ready(HEAD + b"Content-Length: 5\r\n\r\nab", 0)  # the worker's budget is spent
    assert request_ready(HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"3e9\r\n" + b"x" * 1001, BUDGET)
    assert request_ready(HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", BUDGET)  # refused there
    assert request_ready(HEAD + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n", BUDGET)
    assert request_ready(HEAD + b"Content-Length: -5\r\n\r\n", BUDGET)
    assert request_ready(b"GET /" + b"a" * HEAD_LIMIT_BYTES, BUDGET)  # a head too long


def test_expect_continue() -> None:
    assert expects_continue(HEAD + b"Expect: 100-Continue\r\nContent-Length: 5\r\n\r\n")
    assert not expects_continue(HEAD + b"Content-Length: 5\r\n\r\n")
    assert not expects_continue(HEAD + b"Expect: 100-continue\r\n")  # head not complete yet


def test_the_gthread_worker_still_has_what_ours_extends() -> None:
    """lrs/worker.py overrides these parts of gunicorn's gthread worker; an upgrade that renames
    one would silently bring back a thread per slow client."""
    from gunicorn.workers.gthread import TConn, ThreadWorker

    for name in ("accept", "on_client_socket_readable", "murder_pending", "enqueue_req", "load_wsgi"):
        assert callable(getattr(ThreadWorker, name, None)), name
    assert callable(getattr(TConn, "init", None))
    assert "data_ready" in TConn.__init__.__code__.co_names
