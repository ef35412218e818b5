#!/usr/bin/env python3
"""Reports at national scale: a PostgreSQL database of its own holding --pegawai pegawai (default
300,000) and --statements statements (default 3,000,000), then the figures a report reader and an
operator see on it. Prints figures, never asserts.

1. load (skipped with --url): `../shared/tools/xapi_gen.py --learners P --population-out` (the
   roster), then `xapi_gen.py --count S --seed 7 --with-ids --void-rate 0.02 --approval-rate 0.5`
   streamed through a pipe into `record_statements(project=False)` in batches of 1000 (the
   fastest correct path: every statement rule, no projection during the load), into the database
   `--database` (created; kept, so later runs pass `--url` and skip the load). `--max-load-seconds`
   stops the load early: the figures are then those of the statements loaded (printed).
2. rebuild (facts and figures) in a child process: events/s and its peak RSS;
3. reads, each --repeat times (p50/p95): one pegawai's JP, the largest instansi's summary, the
   national summary and the largest instansi's first page of pegawai below target by JP (when
   lrs/read offers them; "not available" otherwise);
4. as_of half-way through the log: the first answer (a replay from the nearest snapshot), then
   the kept one (the server's kept replay), and the first answer with no snapshot at all;
5. catch-up after a --burst (10,000) statement burst, figures included;
6. a national policy version published while statements keep arriving (batches of 100 from
   another thread): seconds until every figure it can change (those of its year and later, and
   of the year before) is current.

    .venv/bin/python bench/reports.py --pegawai 20000 --statements 200000      # a quick try
    nice .venv/bin/python bench/reports.py                                     # full scale
    .venv/bin/python bench/reports.py --url 'postgresql+psycopg://postgres@127.0.0.1:5432/bench_reports'
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from jsonlines import chunks, roster_rows  # bench/jsonlines.py: the script's folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]
GEN = ROOT.parent / "shared" / "tools" / "xapi_gen.py"
sys.path.insert(0, str(ROOT))
YEAR = 2025


def _engine(url: str) -> Any:
    from lrs.store.engine import make_engine
    from lrs.store.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    return engine


def _generate(count: int, pegawai: int, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(GEN), "--count", str(count), "--seed", str(seed), "--learners", str(pegawai),
         "--year", str(YEAR), "--with-ids", "--void-rate", "0.02", "--approval-rate", "0.5", "--quiet",
         "--out", "-"], stdout=subprocess.PIPE, text=True, bufsize=1 << 20)


def _record_roster(engine: Any, rows: list[dict[str, Any]]) -> None:
    """record_roster() without its catch-up: the same row rules (ROSTER.parse_rows) and append,
    the projections left to the rebuild that follows the load (as record_statements(project=False))."""
    from datetime import datetime, timezone

    from lrs.events import ROSTER_RECORDED, EventDraft
    from lrs.store import log
    from lrs.store.engine import writing
    from lrs.write.reference_rows import ROSTER

    header = list(dict.fromkeys(name for row in rows for name in row))
    good, problems = ROSTER.parse_rows(header, [[row.get(n) for n in header] for row in rows])
    if problems:
        raise ValueError(f"roster rows refused: {problems[:3]}")
    with writing(engine) as conn:
        log.append(conn, [EventDraft(ROSTER_RECORDED, row) for row in good], datetime.now(timezone.utc))


def load(url: str, pegawai: int, statements: int, data: Path, max_seconds: float | None, loaders: int) -> int:
    from lrs.write.reference import trust_source

    engine = _engine(url)
    people = data / "people.ndjson"
    # The population depends on --year as the statements do: the same options, or no claim matches.
    subprocess.run([sys.executable, str(GEN), "--count", "0", "--seed", "7", "--learners", str(pegawai),
                    "--year", str(YEAR), "--quiet", "--population-out", str(people)], check=True)
    trust_source(engine, "bench")
    rows = roster_rows(people)
    started = time.monotonic()
    for start in range(0, len(rows), 10_000):
        _record_roster(engine, rows[start:start + 10_000])
    print(f"roster of {len(rows):,} pegawai in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    engine.dispose()
    # --loaders processes append 1000-statement batches read from one generator (a bounded queue
    # between): appends are serialized by the log's lock, but the checks before it run in parallel.
    queue: Any = multiprocessing.Queue(maxsize=2 * loaders)
    counter: Any = multiprocessing.Value("q", 0)
    workers = [multiprocessing.Process(target=_loader, args=(url, queue, counter)) for _ in range(loaders)]
    for worker in workers:
        worker.start()
    started = time.monotonic()
    generator = _generate(statements, pegawai, 7)
    assert generator.stdout is not None
    chunk: list[str] = []
    shown = 0
    for line in generator.stdout:
        chunk.append(line)
        if len(chunk) == 1000:
            queue.put(chunk)
            chunk = []
        if counter.value - shown >= 100_000:
            shown = counter.value
            print(f"loaded {shown:,} statements, {shown / (time.monotonic() - started):,.0f}/s", file=sys.stderr,
                  flush=True)
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            print(f"load stopped after {max_seconds:.0f} s", file=sys.stderr)
            chunk = []
            break
    if chunk:
        queue.put(chunk)
    for _ in workers:
        queue.put(None)
    for worker in workers:
        worker.join()
    generator.kill()
    generator.wait()
    return int(counter.value)


def _loader(url: str, queue: Any, counter: Any) -> None:
    from lrs.store.engine import make_engine
    from lrs.write.reference import default_authority
    from lrs.write.statements import record_statements

    engine = make_engine(url)
    authority = default_authority("bench")
    while (lines := queue.get()) is not None:
        record_statements(engine, [json.loads(line) for line in lines], authority=authority, project=False)
        with counter.get_lock():
            counter.value += len(lines)
    engine.dispose()


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"nproc": os.cpu_count(), "python": platform.python_version(),
                            "loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            info["cpu"] = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            info["mem_gb"] = round(int(line.split()[1]) / 1024 / 1024)
    return info


def rebuild_child(url: str) -> None:
    """Run in a child: rebuild everything (facts, then figures), print the figures as JSON."""
    from lrs.store import read_models
    from projections import runner, snapshots

    engine = _engine(url)
    with engine.connect() as conn:
        head = read_models.head_seq(conn)
    folded = [0.0]
    started = time.perf_counter()
    runner.rebuild(engine, on_batch=lambda seq: folded.__setitem__(0, time.perf_counter() - started))
    seconds = time.perf_counter() - started
    kept = snapshots.status(engine)
    with engine.connect() as conn:
        figures = conn.exec_driver_sql("SELECT count(*) FROM jp_figures").scalar_one()
    print(json.dumps({"events": head, "seconds": seconds, "fold_seconds": folded[0], "figures": figures,
                      "snapshots": len(kept), "snapshot_bytes": sum(s["bytes"] for s in kept),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _rebuild(url: str) -> dict[str, Any]:
    child = subprocess.run([sys.executable, __file__, "--rebuild-child", url], check=True,
                           capture_output=True, text=True)
    found: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return found


def _timings(call: Callable[[int], Any], times: int) -> dict[str, float]:
    spent = []
    for index in range(times):
        started = time.perf_counter()
        call(index)
        spent.append(time.perf_counter() - started)
    spent.sort()
    return {"p50": statistics.median(spent), "p95": spent[min(len(spent) - 1, round(0.95 * (len(spent) - 1)))],
            "n": len(spent)}


class Client:
    """The app in process (create_app, Flask's test client): the /api/v1 views, their access
    checks and JSON, without a network; the server's kept as-of replays live in the app."""

    def __init__(self, url: str) -> None:
        import base64

        from lrs.app import create_app
        from lrs.store import credentials
        from lrs.write.reference import create_credential

        self.app = create_app({"DATABASE_URL": url, "TESTING": True, "PROJECT_IN_BACKGROUND": False})
        engine = self.app.extensions["lrs.engine"]
        with engine.connect() as conn:
            if credentials.find_credential(conn, "bench-reports") is None:
                create_credential(engine, "bench-reports", "bench-reports", ["all"])
        self.client = self.app.test_client()
        self.headers = {"Authorization": "Basic " + base64.b64encode(b"bench-reports:bench-reports").decode()}

    def exists(self, path: str) -> bool:
        from werkzeug.exceptions import NotFound

        try:
            self.app.url_map.bind("localhost").match(path, method="GET")
        except NotFound:
            return False
        return True

    def get(self, path: str) -> Any:
        reply = self.client.get(path, headers=self.headers)
        if reply.status_code != 200:
            raise RuntimeError(f"GET {path}: {reply.status_code} {reply.get_data(as_text=True)[:300]}")
        return reply.get_json()


def _policy(version: str) -> dict[str, Any]:
    from projections.rules.policy import national_defaults

    document = json.loads(json.dumps(national_defaults()[0]))
    document.update({"version": version, "effective_from": f"{YEAR}-07-01",
                     "note": "bench/reports.py: the PNS target raised to 24 JP from mid-year"})
    document["targets"]["PNS"]["target_jp"]["value"] = 24
    return document


def measure(url: str, args: argparse.Namespace, data: Path) -> dict[str, Any]:
    from sqlalchemy import text

    from lrs.store import figure_rows, read_models
    from lrs.write.reference import default_authority, publish_policy
    from lrs.write.statements import record_statements
    from projections import runner, snapshots

    info = machine()
    engine = _engine(url)
    with engine.connect() as conn:
        info["postgresql"] = conn.exec_driver_sql("SHOW server_version").scalar_one()
        statements = conn.exec_driver_sql("SELECT count(*) FROM statements").scalar_one()
    result: dict[str, Any] = {"machine": info, "statements": statements}
    say = print if not args.json else (lambda *a, **k: print(*a, **k, file=sys.stderr))
    say(f"store: {statements:,} statements ({url})")

    if not args.skip_rebuild:
        rebuilt = _rebuild(url)
        rebuilt["events_per_second"] = rebuilt["events"] / rebuilt["seconds"]
        rebuilt["fold_events_per_second"] = rebuilt["events"] / max(rebuilt["fold_seconds"], 1e-9)
        result["rebuild"] = rebuilt
        say(f"rebuild: {rebuilt['events']:,} events in {rebuilt['seconds']:.1f} s = "
            f"{rebuilt['events_per_second']:,.0f} events/s (facts {rebuilt['fold_seconds']:.1f} s = "
            f"{rebuilt['fold_events_per_second']:,.0f} events/s; {rebuilt['figures']:,} figures "
            f"{rebuilt['seconds'] - rebuilt['fold_seconds']:.1f} s), {rebuilt['snapshots']} snapshots "
            f"({rebuilt['snapshot_bytes'] / 1e6:.0f} MB), peak RSS {rebuilt['peak_rss_mb']:.0f} MB")

    client = Client(url)
    with engine.connect() as conn:
        result["pegawai"] = conn.exec_driver_sql("SELECT count(DISTINCT nip) FROM roster_entries").scalar_one()
        instansi = conn.execute(text(
            "SELECT instansi FROM roster_entries GROUP BY instansi ORDER BY count(DISTINCT nip) DESC, instansi "
            "LIMIT 1")).scalar_one()
        members = conn.execute(text("SELECT count(DISTINCT nip) FROM roster_entries WHERE instansi = :i"),
                               {"i": instansi}).scalar_one()
        nips = list(conn.execute(text("SELECT DISTINCT nip FROM jp_claims JOIN roster_entries ON nip = account "
                                      "ORDER BY nip LIMIT :n"), {"n": args.repeat}).scalars())
        half = read_models.head_seq(conn) // 2
    reads: dict[str, Any] = {}
    reads["pegawai_jp"] = _timings(lambda i: client.get(f"/api/v1/pegawai/{nips[i % len(nips)]}/jp?year={YEAR}"),
                                   args.repeat)
    reads["instansi_summary"] = _timings(
        lambda i: client.get(f"/api/v1/instansi/{instansi}/summary?year={YEAR}"), args.repeat_heavy)
    national = f"/api/v1/summary?year={YEAR}"
    reads["national_summary"] = (_timings(lambda i: client.get(national), args.repeat_heavy)
                                 if client.exists("/api/v1/summary") else None)
    below = f"/api/v1/instansi/{instansi}/pegawai?year={YEAR}&target_met=false&sort=jp"
    reads["below_target_page"] = (_timings(lambda i: client.get(below), args.repeat_heavy)
                                  if client.exists(f"/api/v1/instansi/{instansi}/pegawai") else None)
    result["reads"] = reads
    say(f"reads ({result['pegawai']:,} pegawai; the largest instansi {instansi}: {members:,}), p50 / p95:")
    for name, found in reads.items():
        say(f"  {name}: " + ("not available (no such endpoint on this branch)" if found is None else
                             f"{found['p50'] * 1000:,.0f} / {found['p95'] * 1000:,.0f} ms (n={found['n']})"))

    # as_of half-way: from the nearest snapshot (the server's first answer), then the kept replay,
    # and a replay with no snapshot (folded from the first event), for comparison.
    nip = nips[0]
    as_of = f"/api/v1/pegawai/{nip}/jp?year={YEAR}&as_of={half}"
    nearest = snapshots.nearest(engine, half)
    started = time.perf_counter()
    first = client.get(as_of)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    kept = client.get(as_of)
    kept_seconds = time.perf_counter() - started
    assert first == kept
    started = time.perf_counter()
    runner.replay(engine, half, from_snapshot=False).dispose()
    bare_seconds = time.perf_counter() - started
    result["as_of"] = {"seq": half, "snapshot": nearest, "first_seconds": first_seconds,
                       "kept_seconds": kept_seconds, "no_snapshot_seconds": bare_seconds}
    say(f"as_of seq {half:,} (nearest snapshot {nearest:,}): first {first_seconds:.2f} s, kept "
        f"{kept_seconds * 1000:.0f} ms; without snapshots {bare_seconds:.1f} s")

    # A burst, then one catch-up including the figures it touches.
    runner.catch_up(engine)
    authority = default_authority("bench")
    generator = _generate(args.burst, args.pegawai, 8 + statements)
    assert generator.stdout is not None
    count = 0
    for chunk in chunks(generator.stdout, 100):
        record_statements(engine, chunk, authority=authority, project=False)
        count += len(chunk)
    generator.wait()
    started = time.perf_counter()
    runner.catch_up(engine)
    result["burst"] = {"statements": count, "catch_up_seconds": time.perf_counter() - started}
    say(f"catch-up after a {count:,}-statement burst (figures included): {result['burst']['catch_up_seconds']:.1f} s")

    # A national policy version while statements keep arriving (100 a batch, project=False, as a
    # server's requests append), until every figure is current: the queue empty and computed at
    # or after the policy's seq.
    stop = threading.Event()
    arrived = [0]

    def arrive() -> None:
        feed = _generate(1_000_000, args.pegawai, 9 + statements)
        assert feed.stdout is not None
        for chunk in chunks(feed.stdout, 100):
            if stop.is_set():
                break
            record_statements(engine, chunk, authority=authority, project=False)
            arrived[0] += len(chunk)
        feed.kill()
        feed.wait()

    arrivals = threading.Thread(target=arrive, name="arrivals")
    arrivals.start()
    try:
        started = time.perf_counter()
        published = publish_policy(engine, _policy(f"bench-{statements}"))  # appends, then catches up
        assert published.event is not None
        while True:
            runner.catch_up(engine)
            with engine.connect() as conn:
                pending, _ = figure_rows.pending(conn)
                # The figures the version can change: the years from the one before it takes effect
                # (projections/figures.py); older ones keep the seq they were computed at.
                stale = conn.execute(text("SELECT count(*) FROM jp_figures WHERE current_as_of < :s AND year >= :y"),
                                     {"s": published.event.seq, "y": YEAR - 1}).scalar_one()
            if pending == 0 and stale == 0:
                break
        policy_seconds = time.perf_counter() - started
    finally:
        stop.set()
        arrivals.join()
    with engine.connect() as conn:
        figures = conn.exec_driver_sql("SELECT count(*) FROM jp_figures").scalar_one()
        changed = conn.execute(text("SELECT count(*) FROM jp_figures WHERE year >= :y"), {"y": YEAR - 1}).scalar_one()
    result["policy"] = {"seconds": policy_seconds, "figures": figures, "recomputed": changed, "arrived": arrived[0]}
    say(f"national policy published: every one of {changed:,} figures of {YEAR - 1} on (of {figures:,}) current "
        f"after {policy_seconds:.1f} s, while {arrived[0]:,} statements arrived")
    info["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    say(f"machine: {info.get('cpu', '?')}, nproc {info['nproc']}, {info.get('mem_gb', '?')} GB, Python "
        f"{info['python']}, PostgreSQL {info['postgresql']}; load average {info['loadavg_start']} at start, "
        f"{info['loadavg_end']} at end (shared machine)")
    client.app.extensions["lrs.replays"].close()
    engine.dispose()
    if args.json:
        print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pegawai", type=int, default=300_000)
    parser.add_argument("--statements", type=int, default=3_000_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20, help="one-pegawai reads timed (p50, p95)")
    parser.add_argument("--repeat-heavy", type=int, default=5, help="summary and list reads timed")
    parser.add_argument("--skip-rebuild", action="store_true", help="measure on the read models as they are")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a database to create --database from")
    parser.add_argument("--database", default="bench_reports")
    parser.add_argument("--data", default=str(Path.cwd() / "bench-reports-data"),
                        help="folder kept for the population file")
    parser.add_argument("--max-load-seconds", type=float)
    parser.add_argument("--loaders", type=int, default=2, help="processes appending statements")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--url", help="a database loaded by an earlier run: measure without loading")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rebuild-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rebuild_child:
        rebuild_child(args.rebuild_child)
        return
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    url = args.url
    if url is None:
        from sqlalchemy import text

        from lrs.store.engine import make_engine

        admin = make_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{args.database}"'))
        admin.dispose()
        url = args.pg_url.rsplit("/", 1)[0] + "/" + args.database
        started = time.perf_counter()
        loaded = load(url, args.pegawai, args.statements, data, args.max_load_seconds, args.loaders)
        print(f"loaded {loaded:,} statements in {time.perf_counter() - started:.0f} s; --url '{url}'",
              file=sys.stderr)
        if args.load_only:
            return
    measure(url, args, data)


if __name__ == "__main__":
    main()
