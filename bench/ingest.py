#!/usr/bin/env python3
"""End-to-end ingest and query benchmark of Jejak LRS, read against the machine's raw limit.

One run does, for the statements of one seed:

1. generate N statements (default 100,000) with the shared xapi_gen.py
   (`--count N --seed 7 --with-ids`) into a temporary folder;
2. for each backend in --backends (sqlite, postgresql):
   * prepare a fresh database: SQLite, a new file in the temporary folder;
     PostgreSQL, a new schema `bench_<pid>` in the --pg-url database, selected
     with the URL query `?options=-csearch_path%3Dbench_<pid>` (dropped at the end);
   * `lrs db upgrade`, `lrs credentials create --key bench --secret bench --scope all`;
   * `lrs serve --host 127.0.0.1 --port <free port> --workers W` as a subprocess,
     waiting for GET /xapi/about;
   * ingest: `xapi_load.py --batch 100 --concurrency 4 --json` over all N statements
     (bounded by --max-seconds), then count what the database holds;
   * query, with the store full: `xapi_load.py --query --max-seconds 20 --pages 3`;
   * stop the server with SIGTERM and wait for its exit;
3. `db_limit.py --rows min(N, 100000) [--pg-dsn ...] --json`: the raw append limit of
   this machine's SQLite (WAL, batch 100, synchronous NORMAL and FULL; the LRS runs
   FULL) and PostgreSQL (multi-row INSERT batch 100, COPY batch 1000);
4. print machine information and one table: statements stored, ingest statements/s,
   POST p95, GET p50/p95/p99, the raw limits and ingest as a percentage of each.

Temporary files, the server and the PostgreSQL schema are removed even after an
error, Ctrl-C or SIGTERM (--keep keeps the temporary folder). Everything talks to
127.0.0.1 only; a --pg-url host that is not loopback is refused.

Exit status: 0 when every phase ran without errors, 1 when some request failed, the
server did not exit cleanly or a phase failed, 2 on bad arguments.

Examples
    .venv/bin/python bench/ingest.py
    .venv/bin/python bench/ingest.py --count 5000 --backends sqlite --json
    .venv/bin/python bench/ingest.py --backends postgresql --workers 4 --threads 8

Standard library only; it calls the `lrs` console script, the shared tools with this
Python, and `psql` for PostgreSQL housekeeping (as db_limit.py does).
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
KEY = SECRET = "bench"
BACKENDS = ("sqlite", "postgresql")

# db_limit.py run names compared with each backend's ingest rate: (run key, label).
LIMITS = {
    "sqlite": [("sqlite_full_b100", "sqlite WAL sync=FULL, batch 100"),
               ("sqlite_normal_b100", "sqlite WAL sync=NORMAL, batch 100")],
    "postgresql": [("pg_insert_b100", "pg multi-row INSERT, batch 100"),
                   ("pg_copy_b1000", "pg COPY, batch 1000")],
}


class BenchError(Exception):
    """A phase failed; the message says which and why."""


def log(msg: str) -> None:
    print(f"[ingest {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def echo_block(title: str, text: str, limit: int = 60) -> None:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return
    if len(lines) > limit:
        lines = [f"... ({len(lines) - limit} earlier lines left out)"] + lines[-limit:]
    print(f"  --- {title} ---", file=sys.stderr)
    for ln in lines:
        print("  | " + ln, file=sys.stderr)
    sys.stderr.flush()


# --------------------------------------------------------------------------
# helpers: processes, ports, PostgreSQL
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_tool(cmd: list[str], what: str, timeout: float | None = None,
             ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    """Run a command, capture its output; raise BenchError (with its stderr) on failure."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what}: no result after {timeout:.0f} s") from exc
    if proc.returncode not in ok_codes:
        echo_block(f"{what} stderr", proc.stderr)
        echo_block(f"{what} stdout", proc.stdout)
        raise BenchError(f"{what} exited with status {proc.returncode}: {' '.join(cmd)}")
    return proc


def last_json(stdout: str, what: str) -> dict:
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    raise BenchError(f"{what}: no JSON object on stdout")


class Pg:
    """psql-based housekeeping: schema create/drop, counts, server facts."""

    def __init__(self, psql: str, sqlalchemy_url: str) -> None:
        u = urllib.parse.urlsplit(sqlalchemy_url)
        if not u.scheme.startswith("postgres"):
            raise BenchError(f"--pg-url must be a postgresql URL, got {sqlalchemy_url!r}")
        host = u.hostname or "127.0.0.1"
        if not is_loopback(host):
            raise BenchError(f"--pg-url host {host!r} is not loopback; this benchmark is local only")
        self.url = sqlalchemy_url
        self.psql = psql
        parts = {"host": host, "port": str(u.port or 5432), "user": urllib.parse.unquote(u.username or "postgres"),
                 "dbname": u.path.lstrip("/") or "postgres"}
        if u.password:
            parts["password"] = urllib.parse.unquote(u.password)
        # libpq keyword/value string (for psql and db_limit.py)
        self.dsn = " ".join(f"{k}={v}" for k, v in parts.items())
        self.dsn_shown = " ".join(f"{k}={v}" for k, v in parts.items() if k != "password")

    def sql(self, statement: str, timeout: float = 120) -> str:
        proc = subprocess.run([self.psql, self.dsn, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", statement],
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise BenchError(f"psql failed ({statement[:60]!r}): {proc.stderr.strip()}")
        return proc.stdout.strip()

    def schema_url(self, schema: str) -> str:
        """The --pg-url with options=-csearch_path=<schema> added to its query."""
        u = urllib.parse.urlsplit(self.url)
        query = [(k, v) for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True) if k != "options"]
        query.append(("options", f"-csearch_path={schema}"))
        return urllib.parse.urlunsplit(u._replace(query=urllib.parse.urlencode(query, safe="-")))


# --------------------------------------------------------------------------
# the LRS server
# --------------------------------------------------------------------------


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def session_cpu(session: int) -> float:
    """CPU seconds (user + system) of the live processes in `session` (the server's master and
    workers: it runs in a session of its own)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[3]) == session:
            total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def backend_cpu(pg: Pg | None, schema: str | None) -> dict[int, float]:
    """pid -> CPU seconds of the PostgreSQL backends serving the bench schema (their
    search_path is not visible, so: every backend of the bench database but this query's)."""
    if pg is None or schema is None:
        return {}
    pids = pg.sql("SELECT string_agg(pid::text, ',') FROM pg_stat_activity "
                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    found = {}
    for pid in filter(None, pids.split(",")):
        if fields := _stat(int(pid)):
            found[int(pid)] = (int(fields[11]) + int(fields[12])) / _TICK
    return found


class Server:
    def __init__(self, lrs: str, url: str, port: int, workers: int, threads: int | None, log_path: Path) -> None:
        self.port = port
        self.log_path = log_path
        cmd = [lrs, "serve", "--host", "127.0.0.1", "--port", str(port), "--database-url", url,
               "--workers", str(workers)]
        if threads:
            cmd += ["--threads", str(threads)]
        self.cmd = cmd
        self._log = open(log_path, "wb")
        # own session: Ctrl-C in the terminal does not reach it; we stop it with SIGTERM.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.exit_code: int | None = None
        self.clean: bool | None = None
        self.stop_seconds: float | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xapi"

    def wait_ready(self, timeout: float = 90) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise BenchError(f"lrs serve exited with status {self.proc.returncode} before answering:\n"
                                 + self.log_text())
            try:
                req = urllib.request.Request(self.endpoint + "/about",
                                             headers={"X-Experience-API-Version": "1.0.3"})
                with urllib.request.urlopen(req, timeout=2) as resp:
                    if resp.status == 200:
                        return time.monotonic() - t0
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        raise BenchError(f"lrs serve did not answer /xapi/about within {timeout:.0f} s:\n" + self.log_text())

    def stop(self, timeout: float = 40) -> None:
        if self.proc.poll() is None:
            t0 = time.monotonic()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
                self.stop_seconds = time.monotonic() - t0
            except subprocess.TimeoutExpired:
                log(f"server pid {self.proc.pid} still running {timeout:.0f} s after SIGTERM; killing its group")
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
            self.exit_code = self.proc.returncode
            self.clean = self.exit_code == 0 and self.stop_seconds is not None
        else:
            self.exit_code = self.proc.returncode
            self.clean = False   # it died on its own
        # gunicorn workers are in the server's session; make sure none is left behind
        try:
            os.killpg(self.proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            pass
        else:
            log(f"processes of server group {self.proc.pid} remain after exit; sending SIGKILL")
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not self._log.closed:
            self._log.close()

    def log_text(self) -> str:
        if not self._log.closed:
            self._log.flush()
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def server_problems(text: str) -> list[str]:
    """Lines of the server log that look like errors (tracebacks, ERROR, CRITICAL, worker deaths)."""
    keys = ("Traceback", "Error", "ERROR", "CRITICAL", "Exception", "WORKER TIMEOUT", "Worker exited",
            "was sent SIGKILL", "died")
    return [ln for ln in text.splitlines() if any(k in ln for k in keys)]


# --------------------------------------------------------------------------
# phases
# --------------------------------------------------------------------------


def count_sqlite(path: Path) -> dict:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("events", "statements")}
    finally:
        con.close()


def count_pg(pg: Pg, schema: str) -> dict:
    out = pg.sql(f"SELECT (SELECT count(*) FROM {schema}.events), (SELECT count(*) FROM {schema}.statements)")
    ev, st = out.split("|")
    return {"events": int(ev), "statements": int(st)}


def run_backend(name: str, args, ctx: dict, data: Path, tmp: Path, pg: Pg | None) -> dict:
    res: dict[str, Any] = {"backend": name}
    schema = None
    if name == "sqlite":
        db_path = tmp / "lrs.sqlite"
        url = f"sqlite:///{db_path}"
    else:
        assert pg is not None
        schema = f"bench_{os.getpid()}"
        pg.sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        ctx["schemas"].add(schema)
        url = pg.schema_url(schema)
    res["database_url"] = url
    log(f"{name}: database {url}")

    t = time.perf_counter()
    run_tool([args.lrs, "db", "upgrade", "--database-url", url], f"{name}: lrs db upgrade", timeout=300)
    run_tool([args.lrs, "credentials", "create", "--key", KEY, "--secret", SECRET, "--scope", "all",
              "--database-url", url], f"{name}: lrs credentials create", timeout=300)
    res["setup_s"] = round(time.perf_counter() - t, 2)

    port = free_port()
    server = Server(args.lrs, url, port, args.workers, args.threads, tmp / f"server-{name}.log")
    ctx["servers"].append(server)
    completed = False
    try:
        ready = server.wait_ready()
        log(f"{name}: server pid {server.proc.pid} ready on port {port} after {ready:.1f} s "
            f"(workers {args.workers}, threads {args.threads or 'default'})")
        load = [args.python, str(ctx["tools"] / "xapi_load.py"), "--endpoint", server.endpoint,
                "--user", KEY, "--password", SECRET, "--input", str(data), "--concurrency", str(args.concurrency),
                "--json"]

        log(f"{name}: ingest of {args.count} statements, batch {args.batch}, concurrency {args.concurrency}, "
            f"max {args.max_seconds:.0f} s")
        server_cpu, db_cpu = session_cpu(server.proc.pid), backend_cpu(pg, schema)
        proc = run_tool(load + ["--batch", str(args.batch), "--max-seconds", str(args.max_seconds)],
                        f"{name}: xapi_load ingest", timeout=args.max_seconds + 300, ok_codes=(0, 1))
        ing = last_json(proc.stdout, f"{name}: xapi_load ingest")
        # CPU per statement: unlike rates, it barely moves with the machine's load.
        accepted = max(int(ing.get("statements_accepted") or 0), 1)
        db_after = backend_cpu(pg, schema)
        res["cpu_ms_per_statement"] = {
            "server": round(1000 * (session_cpu(server.proc.pid) - server_cpu) / accepted, 3),
            "postgres_backends": round(1000 * sum(v - db_cpu.get(pid, 0.0) for pid, v in db_after.items())
                                       / accepted, 3) if pg is not None and schema else None,
        }
        echo_block(f"{name}: xapi_load ingest report", proc.stderr, limit=20)
        res["ingest"] = ing
        res["stored"] = count_sqlite(db_path) if name == "sqlite" else count_pg(pg, schema)
        log(f"{name}: {ing['summary']}; stored {res['stored']['statements']} statements, "
            f"{res['stored']['events']} events")

        log(f"{name}: query mode for {args.query_seconds:.0f} s, pages {args.pages}")
        proc = run_tool(load + ["--query", "--max-seconds", str(args.query_seconds), "--pages", str(args.pages)],
                        f"{name}: xapi_load query", timeout=args.query_seconds + 300, ok_codes=(0, 1))
        qry = last_json(proc.stdout, f"{name}: xapi_load query")
        echo_block(f"{name}: xapi_load query report", proc.stderr, limit=20)
        res["query"] = qry
        log(f"{name}: {qry['summary']}")
        completed = True
    finally:
        server.stop()
        text = server.log_text()
        problems = server_problems(text)
        res["server"] = {"cmd": server.cmd, "pid": server.proc.pid, "exit_code": server.exit_code,
                         "clean_exit": server.clean, "stop_s": round(server.stop_seconds, 2)
                         if server.stop_seconds is not None else None,
                         "log_lines": len(text.splitlines()), "problem_lines": len(problems),
                         "log_tail": text.splitlines()[-80:]}
        log(f"{name}: server stopped: exit {server.exit_code}"
            + (f" after {server.stop_seconds:.1f} s" if server.stop_seconds is not None else "")
            + (", clean" if server.clean else ", NOT clean"))
        failed = (not completed or not server.clean or problems or res.get("ingest", {}).get("errors")
                  or res.get("query", {}).get("errors"))
        if failed:
            echo_block(f"{name}: server log (lrs serve stdout+stderr)", text, limit=80)
        if args.logs:
            Path(args.logs).mkdir(parents=True, exist_ok=True)
            shutil.copy(server.log_path, Path(args.logs) / server.log_path.name)
        if schema:
            drop_schema(pg, schema, ctx)
    return res


def drop_schema(pg: Pg, schema: str, ctx: dict) -> None:
    try:
        pg.sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        ctx["schemas"].discard(schema)
        log(f"dropped schema {schema}")
    except Exception as exc:  # noqa: BLE001 - cleanup must go on
        log(f"could not drop schema {schema}: {exc}")


def machine_info(args, pg: Pg | None) -> dict:
    info: dict[str, Any] = {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "python": f"{platform.python_version()} ({sys.executable})",
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["mem_total_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    try:
        env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")
        info["lrs_commit"] = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                            capture_output=True, text=True, env=env, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    lrs_env = {k: v for k, v in os.environ.items() if k.startswith("LRS_")}
    if lrs_env:
        info["lrs_env"] = lrs_env
    if pg is not None:
        info["pg_server"] = pg.sql("SHOW server_version")
        info["pg_settings"] = {k: pg.sql(f"SHOW {k}") for k in
                               ("synchronous_commit", "fsync", "shared_buffers", "max_connections")}
    return info


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------


def fmt(x: Any, spec: str = ",.0f", missing: str = "-") -> str:
    if x is None:
        return missing
    return format(x, spec)


def comparison(results: list[dict], limit: dict | None) -> list[dict]:
    rows = []
    runs = (limit or {}).get("runs", {})
    for r in results:
        rate = r.get("ingest", {}).get("statements_per_s")
        for key, label in LIMITS[r["backend"]]:
            lim = runs.get(key, {}).get("rows_per_s")
            rows.append({"backend": r["backend"], "limit": key, "label": label, "limit_rows_per_s": lim,
                         "ingest_pct": round(100 * rate / lim, 1) if rate is not None and lim else None})
    return rows


def print_report(args, info: dict, results: list[dict], limit: dict | None, comp: list[dict]) -> None:
    out = sys.stdout
    print("", file=out)
    print("Jejak LRS ingest benchmark", file=out)
    print("==========================", file=out)
    print(f"machine: nproc {info['nproc']} ({info.get('cpu_model', '?')}, {info.get('mem_total_gb', '?')} GB), "
          f"{info['platform']}", file=out)
    print(f"python {info['python']}; sqlite {info['sqlite']}"
          + (f"; PostgreSQL {info['pg_server']} (" + ", ".join(f"{k}={v}" for k, v in info["pg_settings"].items())
             + ")" if "pg_server" in info else ""), file=out)
    print(f"load average at start {info['loadavg_start']}, at end {info.get('loadavg_end')}; "
          f"lrs commit {info.get('lrs_commit', '?')}" + (f"; env {info['lrs_env']}" if info.get("lrs_env") else ""),
          file=out)
    print(f"run: {args.count} statements (xapi_gen --seed {args.seed} --with-ids), lrs serve --workers "
          f"{args.workers} --threads {args.threads or 'default(2)'}; ingest batch {args.batch}, concurrency "
          f"{args.concurrency}, max {args.max_seconds:.0f} s; query {args.query_seconds:.0f} s, pages {args.pages}, "
          f"concurrency {args.concurrency}", file=out)
    if limit:
        print(f"raw limit: db_limit.py --rows {limit['rows']} (payload avg {limit['payload_avg_bytes']} B)", file=out)
    print("", file=out)

    head = (f"{'backend':<11} {'stored':>8} {'ingest/s':>9} {'POST p95':>9} {'errors':>6} {'GET p50':>8} "
            f"{'GET p95':>8} {'GET p99':>8} {'GET err':>7}  {'raw insert limit (db_limit.py)':<34} "
            f"{'rows/s':>8} {'ingest %':>8}")
    print(head, file=out)
    print("-" * len(head), file=out)
    for r in results:
        ing, qry = r.get("ingest") or {}, r.get("query") or {}
        stored = (r.get("stored") or {}).get("statements")
        left = (f"{r['backend']:<11} {fmt(stored, 'd'):>8} {fmt(ing.get('statements_per_s'), ',.1f'):>9} "
                f"{fmt((ing.get('latency_ms') or {}).get('p95'), '.1f'):>9} {fmt(ing.get('errors'), 'd'):>6} "
                f"{fmt((qry.get('latency_ms') or {}).get('p50'), '.1f'):>8} "
                f"{fmt((qry.get('latency_ms') or {}).get('p95'), '.1f'):>8} "
                f"{fmt((qry.get('latency_ms') or {}).get('p99'), '.1f'):>8} {fmt(qry.get('errors'), 'd'):>7}")
        blank = " " * len(left)
        mine = [c for c in comp if c["backend"] == r["backend"]]
        if r.get("failed"):
            print(left + f"  FAILED: {r['failed']}", file=out)
            continue
        for i, c in enumerate(mine):
            pct = f"{c['ingest_pct']:.1f} %" if c["ingest_pct"] is not None else "-"
            print((left if i == 0 else blank) + f"  {c['label']:<34} {fmt(c['limit_rows_per_s']):>8} {pct:>8}",
                  file=out)
    print("", file=out)
    print("ingest/s: statements accepted per second (xapi_load); POST p95 and GET p50/p95/p99 in ms per request;",
          file=out)
    print("stored: rows in the statements table after ingest; ingest %: ingest/s over the raw limit's rows/s.",
          file=out)
    for r in results:
        ing, srv = r.get("ingest") or {}, r.get("server") or {}
        if ing:
            print(f"{r['backend']}: ingest {ing['statements_accepted']}/{ing['statements_sent']} accepted in "
                  f"{ing['elapsed_s']:.1f} s, {ing['requests_per_s']:.1f} req/s, POST p50 {ing['latency_ms']['p50']:.1f}"
                  f" p99 {ing['latency_ms']['p99']:.1f} max {ing['latency_ms']['max']:.1f} ms, status "
                  f"{ing['status']}", file=out)
        qry = r.get("query") or {}
        if qry:
            print(f"{r['backend']}: query {qry['requests']} requests ({qry['requests_per_s']:.1f}/s), "
                  f"{qry['statements_returned']} statements returned, pages {qry['pages_reached']}, "
                  f"max {qry['latency_ms']['max']:.1f} ms, status {qry['status']}", file=out)
        for b in (ing.get("error_bodies") or []) + (qry.get("error_bodies") or []):
            print(f"{r['backend']}: error body: {b}", file=out)
        cpu = r.get("cpu_ms_per_statement")
        if cpu:
            print(f"{r['backend']}: CPU per statement during ingest: server (master + workers) "
                  f"{cpu['server']:.3f} ms" + (f", PostgreSQL backends {cpu['postgres_backends']:.3f} ms"
                                               if cpu.get("postgres_backends") is not None else ""), file=out)
        if srv:
            print(f"{r['backend']}: server exit {srv['exit_code']}"
                  + (f" {srv['stop_s']:.1f} s after SIGTERM" if srv.get("stop_s") is not None else "")
                  + (" (clean)" if srv["clean_exit"] else " (NOT clean)")
                  + f"; log {srv['log_lines']} lines, {srv['problem_lines']} error-looking", file=out)
    out.flush()


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="End-to-end ingest/query benchmark of Jejak LRS (lrs serve) on SQLite and PostgreSQL, "
                    "compared with the raw insert limit of this machine (db_limit.py).",
        epilog="The module docstring (head -45 bench/ingest.py) describes each phase.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--count", type=int, default=100_000, help="statements generated and ingested")
    ap.add_argument("--seed", type=int, default=7, help="xapi_gen.py seed")
    ap.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated: sqlite, postgresql")
    ap.add_argument("--pg-url", default=DEFAULT_PG_URL,
                    help="PostgreSQL SQLAlchemy URL (loopback); a schema bench_<pid> is created in it and dropped")
    ap.add_argument("--workers", type=int, default=2, help="lrs serve --workers")
    ap.add_argument("--threads", type=int, default=None, help="lrs serve --threads (None: lrs's own default, 2)")
    ap.add_argument("--batch", type=int, default=100, help="statements per POST")
    ap.add_argument("--concurrency", type=int, default=4, help="xapi_load threads (ingest and query)")
    ap.add_argument("--max-seconds", type=float, default=600, help="upper bound on the ingest phase")
    ap.add_argument("--query-seconds", type=float, default=20, help="length of the query phase")
    ap.add_argument("--pages", type=int, default=3, help="query mode: follow `more` up to this many pages")
    ap.add_argument("--limit-rows", type=int, default=None,
                    help="db_limit.py --rows (None: min(count, 100000))")
    ap.add_argument("--no-limit", action="store_true", help="skip db_limit.py")
    ap.add_argument("--shared", default=str(DEFAULT_SHARED), help="the shared/ folder holding tools/")
    ap.add_argument("--lrs", default=None, help="the lrs console script (None: the one next to this Python, else from PATH)")
    ap.add_argument("--psql", default=shutil.which("psql") or "psql", help="psql binary")
    ap.add_argument("--workdir", default=None, help="parent folder for the temporary folder (None: the system default)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (statements, SQLite, logs)")
    ap.add_argument("--logs", default=None, help="copy the server logs into this folder")
    ap.add_argument("--json", action="store_true", help="also print a JSON summary as the last line of stdout")
    args = ap.parse_args(argv)
    args.python = sys.executable
    args.backends_list = [b.strip() for b in args.backends.split(",") if b.strip()]
    bad = [b for b in args.backends_list if b not in BACKENDS]
    if bad or not args.backends_list:
        ap.error(f"--backends: unknown {bad}; choose from {', '.join(BACKENDS)}")
    if args.count < 1 or args.workers < 1 or args.concurrency < 1 or args.pages < 1:
        ap.error("--count, --workers, --concurrency and --pages must be at least 1")
    if not 1 <= args.batch <= 1000:
        ap.error("--batch must be between 1 and 1000")
    if args.lrs is None:
        sibling = Path(sys.executable).parent / "lrs"
        args.lrs = str(sibling) if sibling.exists() else (shutil.which("lrs") or "lrs")
    tools = Path(args.shared) / "tools"
    for t in ("xapi_gen.py", "xapi_load.py", "db_limit.py"):
        if not (tools / t).is_file():
            ap.error(f"{tools / t} not found (use --shared)")
    args.tools = tools
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def on_term(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    ctx: dict[str, Any] = {"tools": args.tools, "servers": [], "schemas": set()}
    tmp = Path(tempfile.mkdtemp(prefix="jejak_ingest_", dir=args.workdir))
    pg = None
    status = 0
    results: list[dict] = []
    limit = None
    info: dict[str, Any] = {}
    try:
        if "postgresql" in args.backends_list:
            pg = Pg(args.psql, args.pg_url)
        info = machine_info(args, pg)
        log(f"temporary folder {tmp}; nproc {info['nproc']}, python {info['python']}, sqlite {info['sqlite']}"
            + (f", PostgreSQL {info['pg_server']}" if pg else ""))

        data = tmp / "s.ndjson"
        t = time.perf_counter()
        proc = run_tool([args.python, str(args.tools / "xapi_gen.py"), "--count", str(args.count), "--seed",
                         str(args.seed), "--with-ids", "--out", str(data)], "xapi_gen", timeout=3600)
        echo_block("xapi_gen", proc.stderr, limit=10)
        log(f"generated {args.count} statements ({data.stat().st_size / 1e6:.1f} MB) in "
            f"{time.perf_counter() - t:.1f} s")

        for name in args.backends_list:
            try:
                r = run_backend(name, args, ctx, data, tmp, pg)
            except BenchError as exc:
                log(f"{name}: FAILED: {exc}")
                r = {"backend": name, "failed": str(exc).splitlines()[0]}
                status = 1
            results.append(r)
            if (r.get("ingest") or {}).get("errors") or (r.get("query") or {}).get("errors") \
                    or not (r.get("server") or {}).get("clean_exit", True):
                status = 1

        if not args.no_limit:
            rows = args.limit_rows or min(args.count, 100_000)
            cmd = [args.python, str(args.tools / "db_limit.py"), "--rows", str(rows), "--batches", "100,1000",
                   "--sqlite-sync", "normal,full" if "sqlite" in args.backends_list else "", "--json",
                   "--workdir", str(tmp)]
            if pg:
                cmd += ["--pg-dsn", pg.dsn, "--pg-modes", "copy,insert", "--pg-table", f"bench_limit_{os.getpid()}",
                        "--psql", args.psql]
            log(f"raw limit: db_limit.py --rows {rows}" + (f" --pg-dsn {pg.dsn_shown!r}" if pg else ""))
            try:
                proc = run_tool(cmd, "db_limit", timeout=3600)
                echo_block("db_limit", "\n".join(ln for ln in proc.stdout.splitlines()
                                                 if not ln.startswith("{")), limit=20)
                limit = last_json(proc.stdout, "db_limit")
            except BenchError as exc:
                log(f"db_limit FAILED: {exc}")
                status = 1
        info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        comp = comparison(results, limit)
        print_report(args, info, results, limit, comp)
        if args.json:
            summary = {"machine": info, "options": {k: v for k, v in vars(args).items()
                                                    if k not in ("tools", "backends_list")},
                       "results": results, "db_limit": limit, "comparison": comp}
            for r in summary["results"]:
                if (r.get("server") or {}).get("problem_lines") == 0 and (r.get("server") or {}).get("clean_exit"):
                    r["server"].pop("log_tail", None)
            print(json.dumps(summary, default=str))
    except KeyboardInterrupt as exc:
        log(f"interrupted ({str(exc) or 'Ctrl-C'}); cleaning up")
        status = 130
    except BenchError as exc:
        log(f"FAILED: {exc}")
        status = 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for server in ctx["servers"]:
            if server.proc.poll() is None:
                log(f"stopping server pid {server.proc.pid}")
                server.stop()
        for schema in list(ctx["schemas"]):
            drop_schema(pg, schema, ctx)
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return status


if __name__ == "__main__":
    sys.exit(main())
