"""The gunicorn worker `lrs serve` runs: gunicorn's threaded worker, except that a request is read
by the worker's event loop until it is complete, and only then handed to a thread.

gunicorn's gthread worker gives a connection to a thread as soon as its first byte arrives; the
thread then blocks reading the rest. Four clients sending one header line every few seconds
(slow-loris) hold all four threads of the default server, and every other request waits. Here the
event loop reads whatever has arrived, without blocking, into the connection's buffer; when the
head and the body (up to a budget) are in, a thread parses and answers it from memory. A request
that is not complete within REQUEST_SECONDS of its first byte gets 408 and the connection is closed.

What is not buffered: a body longer than BODY_BUFFER_BYTES (or any body once the worker holds
WORKER_BUFFER_BYTES for arriving requests) is read by the thread, each read bounded by
REQUEST_SECONDS. A reverse proxy that buffers whole requests closes that gap (README,
"Operating"). With TLS configured in gunicorn (`lrs serve` does not) the worker is plain gthread:
TLS belongs to the proxy.
"""
from __future__ import annotations

import errno
import selectors
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker  # type: ignore[import-untyped]

HEAD_LIMIT_BYTES = 64 * 1024          # more head than gunicorn accepts: handed over, and refused there
BODY_BUFFER_BYTES = 1024 * 1024       # a body up to this size is read in full before a thread takes it
WORKER_BUFFER_BYTES = 64 * 1024 * 1024  # past this much held for arriving requests, only heads are
DEFAULT_REQUEST_SECONDS = 30.0
STOP_LINGER_SECONDS = 2.0             # a stopping worker waits this long for requests half sent
RECV_BYTES = 64 * 1024

_TIMEOUT_BODY = b'{"error": "RequestTimeout", "message": "the request did not arrive in time; send it again"}'
_TIMEOUT_REPLY = (b"HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY))


def _head_end(data: bytes | bytearray) -> int:
    """Where the body starts (after the blank line ending the head), or -1."""
    crlf = data.find(b"\r\n\r\n")
    # A bare "\n\n" ends it too when it comes first; looked for only up to the CRLF one, so a
    # large body is not scanned again each time more of it arrives.
    lf = data.find(b"\n\n", 0, crlf + 3 if crlf >= 0 else len(data))
    if lf >= 0:
        return lf + 2
    return crlf + 4 if crlf >= 0 else -1


def _headers(head: bytes) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in head.split(b"\n")[1:]:
        name, colon, value = line.partition(b":")
        if colon:
            found.setdefault(name.strip().lower().decode("latin-1"), []).append(
                value.strip().decode("latin-1"))
    return found


def _chunked_end(body: bytes | bytearray) -> int:
    """Bytes of `body` up to the end of its last chunk and trailers; -1 while more must come,
    -2 when the framing is wrong (gunicorn's parser refuses it)."""
    at = 0
    while True:
        line_end = body.find(b"\n", at)
        if line_end < 0:
            return -1
        size_text = body[at:line_end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return -2
        if size < 0:
            return -2
        at = line_end + 1
        if size == 0:
            while True:  # trailers, then an empty line
                line_end = body.find(b"\n", at)
                if line_end < 0:
                    return -1
                line, at = body[at:line_end].strip(), line_end + 1
                if not line:
                    return at
        at += size
        if len(body) < at + 1:
            return -1
        if body[at:at + 2] == b"\r\n":
            at += 2
        elif body[at:at + 1] == b"\n":
            at += 1
        elif len(body) < at + 2:
            return -1
        else:
            return -2


def request_ready(data: bytes | bytearray, body_budget: int) -> bool:
    """Whether a thread may take the request starting `data` now without waiting on the client:
    head complete, and the body either complete or not to be buffered (longer than
    `body_budget`, or framed wrongly: the thread refuses those). A head longer than
    HEAD_LIMIT_BYTES is handed over too, to be refused."""
    start = _head_end(data)
    if start < 0:
        return len(data) > HEAD_LIMIT_BYTES
    headers = _headers(bytes(data[:start]))
    arrived = len(data) - start
    if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
        return arrived > body_budget or _chunked_end(data[start:]) != -1
    lengths = headers.get("content-length", [])
    if not lengths:
        return True
    if len(set(lengths)) > 1 or not lengths[0].isdigit():
        return True
    length = int(lengths[0])
    return length > body_budget or arrived >= length


def expects_continue(data: bytes | bytearray) -> bool:
    """Whether the complete head in `data` asks for 100 Continue before its body."""
    start = _head_end(data)
    return start >= 0 and "100-continue" in ",".join(
        _headers(bytes(data[:start])).get("expect", [])).lower()


class ArrivingConn(TConn):  # type: ignore[misc]
    """A connection whose next request is being read by the event loop into `received`."""

    def __init__(self, cfg: Any, sock: Any, client: Any, server: Any) -> None:
        super().__init__(cfg, sock, client, server)
        self.received = bytearray()
        self.deadline = 0.0
        self.continued = False
        self.read_seconds = DEFAULT_REQUEST_SECONDS

    def init(self) -> None:
        """In the thread, before parsing: the parser reads the buffered request first, and any
        further read (a body over the budget) is bounded by a timeout."""
        super().init()
        self.sock.settimeout(self.read_seconds)
        if self.received:
            self.parser.unreader.unread(bytes(self.received))
            self.received = bytearray()


class BufferingWorker(ThreadWorker):  # type: ignore[misc]
    """gthread with requests read in full by the event loop (see the module's doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arriving: dict[ArrivingConn, None] = {}  # in deadline order
        self.buffered_bytes = 0
        self.request_seconds = DEFAULT_REQUEST_SECONDS
        self.body_buffer_bytes = BODY_BUFFER_BYTES
        self.stop_deadline: float | None = None

    def load_wsgi(self) -> None:
        super().load_wsgi()
        config = getattr(self.wsgi, "config", {})
        self.request_seconds = float(config.get("REQUEST_SECONDS", DEFAULT_REQUEST_SECONDS))
        limit = config.get("MAX_CONTENT_LENGTH")
        if limit:
            self.body_buffer_bytes = min(BODY_BUFFER_BYTES, int(limit) + 1)

    # -- connections arrive in the event loop -------------------------------------------------

    def accept(self, listener: Any) -> None:
        if self.cfg.is_ssl:  # the buffered bytes would be TLS records: gthread as it is
            super().accept(listener)
            return
        try:
            client_sock, client_addr = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = ArrivingConn(self.cfg, client_sock, client_addr, listener.getsockname())
        self._await_request(conn)

    def on_client_socket_readable(self, conn: ArrivingConn, client: Any) -> None:
        """A kept-alive connection: its next request is read here too."""
        if self.cfg.is_ssl:
            super().on_client_socket_readable(conn, client)
            return
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_request(conn)
        self._on_bytes(conn, client)

    def _await_request(self, conn: ArrivingConn) -> None:
        conn.sock.setblocking(False)
        conn.read_seconds = self.request_seconds
        conn.deadline = time.monotonic() + self.request_seconds
        conn.continued = False
        self.arriving[conn] = None
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_bytes, conn))

    def _on_bytes(self, conn: ArrivingConn, _client: Any) -> None:
        try:
            data = conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._forget(conn)
            self.nr_conns -= 1
            conn.close()
            return
        conn.received += data
        self.buffered_bytes += len(data)
        budget = self.body_buffer_bytes if self.buffered_bytes <= WORKER_BUFFER_BYTES else 0
        if request_ready(conn.received, budget):
            self._forget(conn)
            conn.data_ready = True
            self.enqueue_req(conn)
        elif not conn.continued and expects_continue(conn.received):
            conn.continued = True  # a second 100 from gunicorn later is allowed (RFC 9110, 15.2)
            try:
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                pass

    def _forget(self, conn: ArrivingConn) -> None:
        self.arriving.pop(conn, None)
        self.buffered_bytes -= len(conn.received)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    # -- deadlines ------------------------------------------------------------------------------

    def murder_pending(self) -> None:
        """Close arriving connections past their deadline (408 to those that sent a part);
        a stopping worker waits STOP_LINGER_SECONDS at most."""
        super().murder_pending()
        now = time.monotonic()
        if not self.alive and self.stop_deadline is None:
            self.stop_deadline = now + STOP_LINGER_SECONDS
        for conn in list(self.arriving):
            if conn.deadline > now and (self.stop_deadline is None or self.stop_deadline > now):
                if self.stop_deadline is None:
                    break  # in deadline order
                continue
            self._forget(conn)
            self.nr_conns -= 1
            if conn.received:
                try:
                    conn.sock.send(_TIMEOUT_REPLY)
                except OSError:
                    pass
            conn.close()
