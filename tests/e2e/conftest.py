"""End-to-end fixtures: a real `lrs serve` (gunicorn) on loopback, over SQLite and PostgreSQL.

`live_server` is one running server on the test's fresh `database_url` (parametrized by
`backend`), with the credential e2e / e2e-secret (scope all). `lrs_servers` starts more (other
environment, restart on the same database after a crash). At teardown every server still
running gets SIGTERM and must exit with code 0 within 20 s, leaving no worker behind.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pytest

LRS = str(Path(sys.executable).parent / "lrs")
KEY, SECRET = "e2e", "e2e-secret"
START_SECONDS = 20.0
STOP_SECONDS = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test's environment without stray LRS_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LRS_")}
    env.update(extra or {})
    return env


def run_cli(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LRS, *args], capture_output=True, text=True, timeout=timeout,
                          env=child_env())


def basic_headers(key: str = KEY, secret: str = SECRET) -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LiveServer:
    """One `lrs serve` process group. `base` is the xAPI base URL ending in /xapi/."""

    url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    workers: int = 2
    key: str = KEY
    secret: str = SECRET
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/xapi/"

    def stderr(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "LiveServer":
        assert self.process is None or self.process.poll() is not None, "already running"
        self.port = free_port()
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== lrs serve on port {self.port} ===\n".encode())
            log.flush()
            # Its own session (process group): a crash test can SIGKILL master and workers.
            self.process = subprocess.Popen(
                [LRS, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--database-url", self.url, "--workers", str(self.workers)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                env=child_env(self.env), start_new_session=True,
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"lrs serve exited with {self.process.returncode} before answering:\n"
                            f"{self.stderr()}")
            try:
                with urllib.request.urlopen(self.base + "about", timeout=1.0) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError) as exc:
                last = exc
            time.sleep(0.05)  # poll interval only; nothing is asserted about timing
        self.kill_group()
        pytest.fail(f"lrs serve did not answer GET /xapi/about within {START_SECONDS} s "
                    f"(last error {last!r}):\n{self.stderr()}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> int:
        """SIGTERM to the gunicorn master; return its exit code. Fails the test if it does not
        exit within STOP_SECONDS (then the whole group is killed) or leaves workers behind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill_group()
            pytest.fail(f"lrs serve ignored SIGTERM for {STOP_SECONDS} s:\n{self.stderr()}")
        if not self._group_gone(deadline=time.monotonic() + 5.0):
            self.kill_group()
            pytest.fail(f"workers outlived the master after SIGTERM:\n{self.stderr()}")
        return code

    def kill_group(self) -> None:
        """SIGKILL master and workers at once, as a power cut would."""
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=STOP_SECONDS)

    def _group_gone(self, deadline: float) -> bool:
        assert self.process is not None
        while True:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    # -- HTTP --------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, *,
                headers: Mapping[str, str] | None = None, raw: bytes | None = None,
                timeout: float = 30.0) -> Reply:
        """One request on a fresh connection; `path` is relative to /xapi/. A `body` is sent
        as JSON; `raw` as given."""
        sent = dict(basic_headers(self.key, self.secret))
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, "/xapi/" + path, body=data, headers=sent)
            response = conn.getresponse()
            return Reply(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()


class CredentialJob:
    """`lrs credentials create` for e2e / e2e-secret, run alongside the first server's start
    (both only read the already migrated schema before writing)."""

    def __init__(self, url: str) -> None:
        self.process: subprocess.Popen[str] | None = subprocess.Popen(
            [LRS, "credentials", "create", "--key", KEY, "--secret", SECRET, "--scope", "all",
             "--database-url", url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(),
        )

    def done(self) -> None:
        if self.process is None:
            return
        out, err = self.process.communicate(timeout=60)
        code, self.process = self.process.returncode, None
        assert code == 0, f"lrs credentials create failed ({code}):\n{out}{err}"


@pytest.fixture
def lrs_servers(database_url: str, tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """A factory: `lrs_servers(env={...})` starts a server on this test's database, which
    holds the credential e2e / e2e-secret (scope all) by the time the server is returned."""
    started: list[LiveServer] = []
    credential = CredentialJob(database_url)

    def start(env: Mapping[str, str] | None = None, workers: int = 2) -> LiveServer:
        server = LiveServer(database_url, tmp_path / f"server-{len(started)}.log",
                            dict(env or {}), workers)
        started.append(server)
        server.start()
        credential.done()
        return server

    yield start

    credential.done()
    failures = []
    for server in started:
        if server.running:
            try:
                code = server.terminate()  # kills the group itself before failing
            except pytest.fail.Exception as exc:
                failures.append(str(exc))
                continue
            if code != 0:
                failures.append(f"exit code {code} after SIGTERM:\n{server.stderr()}")
        print(f"--- {server.log_path} ---\n{server.stderr()}")  # pytest shows it on failure
    assert not failures, "\n".join(failures)


@pytest.fixture
def live_server(lrs_servers: Callable[..., LiveServer]) -> LiveServer:
    return lrs_servers()
