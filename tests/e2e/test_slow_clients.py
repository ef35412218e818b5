"""Slow clients against a real `lrs serve` (fault 1 of issue #15): connections that send a request
a header line at a time (slow-loris), a body a little at a time, or nothing, must not hold the
threads that answer everyone else; they are cut with 408 once LRS_REQUEST_SECONDS have passed."""
from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from typing import Callable, Iterator

import pytest

from tests.e2e.conftest import LiveServer, basic_headers
from tests.e2e.test_crash_safety import statement

pytestmark = pytest.mark.slow

REQUEST_SECONDS = 10   # the server's deadline for a request to arrive in full
LINE_EVERY = 2.0       # a slow-loris header line this often: well inside the deadline each time
ANSWER_WITHIN = 5.0    # a normal request's socket timeout: a held-up server fails it
SLOW_HEADS, SLOW_BODIES, SILENT = 6, 4, 4  # the default server has 2 workers x 2 threads


def raw_request(method: str, path: str, body: bytes = b"", extra: dict[str, str] | None = None) -> bytes:
    headers = {"Host": "127.0.0.1", **basic_headers(), **(extra or {})}
    if body:
        headers.update({"Content-Type": "application/json", "Content-Length": str(len(body))})
    head = f"{method} /xapi/{path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"\r\n" + body


def read_reply(sock: socket.socket) -> tuple[int, bytes]:
    """One HTTP/1.1 reply with a Content-Length: (status, body); 1xx replies skipped."""
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            assert more, f"connection closed after {data!r}"
            data += more
        head, _, data = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        if status >= 200:
            break
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(data) < length:
        more = sock.recv(65536)
        assert more, "connection closed in the body"
        data += more
    return status, data[:length]


class SlowClients:
    """Connections held open in slow ways while the test runs normal requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.heads: list[socket.socket] = []
        self.others: list[socket.socket] = []
        self.stop = threading.Event()
        self.dripper = threading.Thread(target=self._drip, daemon=True)

    def _connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=60)

    def open(self) -> None:
        for _ in range(SLOW_HEADS):
            sock = self._connect()
            sock.sendall(b"GET /xapi/about HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.heads.append(sock)
        for _ in range(SLOW_BODIES):
            sock = self._connect()
            sock.sendall(raw_request("POST", "statements", b"[" + b" " * 999)[:-900])
            self.others.append(sock)
        self.others += [self._connect() for _ in range(SILENT)]
        self.dripper.start()

    def _drip(self) -> None:
        n = 0
        while not self.stop.wait(LINE_EVERY):
            n += 1
            for sock in self.heads:
                try:
                    sock.sendall(f"X-Slow-{n}: still typing\r\n".encode())
                except OSError:
                    pass  # cut by the server: asserted on by the test

    def close(self) -> None:
        self.stop.set()
        self.dripper.join(timeout=10)
        for sock in self.heads + self.others:
            sock.close()


@pytest.fixture
def slow_server(lrs_servers: Callable[..., LiveServer]) -> LiveServer:
    return lrs_servers(env={"LRS_REQUEST_SECONDS": str(REQUEST_SECONDS)})


@pytest.fixture
def slow_clients(slow_server: LiveServer) -> Iterator[SlowClients]:
    clients = SlowClients(slow_server.port)
    clients.open()
    yield clients
    clients.close()


def test_slow_clients_do_not_hold_up_others(slow_server: LiveServer, slow_clients: SlowClients) -> None:
    for _ in range(3):
        about = slow_server.request("GET", "about", timeout=ANSWER_WITHIN)
        assert about.status == 200, about.body
        sid = str(uuid.uuid4())
        posted = slow_server.request("POST", "statements", [statement(sid, 1, 1)], timeout=ANSWER_WITHIN)
        assert posted.status == 200, posted.body
        got = slow_server.request("GET", f"statements?statementId={sid}", timeout=ANSWER_WITHIN)
        assert got.status == 200 and got.json()["id"] == sid
        time.sleep(LINE_EVERY)  # across several drips of the slow clients


def test_slow_clients_are_cut_with_408(slow_server: LiveServer, slow_clients: SlowClients) -> None:
    for sock in slow_clients.heads + slow_clients.others[:SLOW_BODIES]:
        status, body = read_reply(sock)  # their socket timeout (60 s) bounds the wait
        assert status == 408
        assert json.loads(body)["error"] == "RequestTimeout"
    assert slow_server.request("GET", "about", timeout=ANSWER_WITHIN).status == 200


def test_a_request_sent_in_pieces_is_answered(slow_server: LiveServer) -> None:
    sid = str(uuid.uuid4())
    data = raw_request("POST", "statements", json.dumps([statement(sid, 2, 2)]).encode())
    with socket.create_connection(("127.0.0.1", slow_server.port), timeout=30) as sock:
        for at in range(0, len(data), 97):
            sock.sendall(data[at:at + 97])
            time.sleep(0.05)
        status, body = read_reply(sock)
        assert status == 200, body
        assert json.loads(body) == [sid]
        # The same connection, kept alive, carries the next request.
        sock.sendall(raw_request("GET", f"statements?statementId={sid}"))
        status, body = read_reply(sock)
        assert status == 200 and json.loads(body)["id"] == sid


def test_chunked_and_expect_continue_bodies(slow_server: LiveServer) -> None:
    ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    with socket.create_connection(("127.0.0.1", slow_server.port), timeout=30) as sock:
        body = json.dumps([statement(ids[0], 3, 3)]).encode()
        head = raw_request("POST", "statements", extra={"Content-Type": "application/json",
                                                         "Transfer-Encoding": "chunked"})
        sock.sendall(head)
        for at in range(0, len(body), 50):
            piece = body[at:at + 50]
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            time.sleep(0.05)
        sock.sendall(b"0\r\n\r\n")
        status, reply = read_reply(sock)
        assert status == 200, reply
        assert json.loads(reply) == ids[:1]

    with socket.create_connection(("127.0.0.1", slow_server.port), timeout=30) as sock:
        body = json.dumps([statement(ids[1], 3, 4)]).encode()
        data = raw_request("POST", "statements", body, extra={"Expect": "100-continue"})
        head_end = data.index(b"\r\n\r\n") + 4
        sock.sendall(data[:head_end])
        assert sock.recv(65536).startswith(b"HTTP/1.1 100 Continue\r\n")
        sock.sendall(data[head_end:])
        status, reply = read_reply(sock)
        assert status == 200, reply
        assert json.loads(reply) == ids[1:]
