#!/usr/bin/env python3
"""Audit benchmark: `lrs verify` (the hash walk, then every read-model row against a rebuild
from the log) and `lrs replay` over a generated log, in events/s and peak memory.

1. `--load`: `../shared/tools/xapi_gen.py --count N --seed 7 --with-ids --void-rate 0.02
   --approval-rate 0.5` and its population into a temporary folder; a fresh PostgreSQL
   database (`--database`, default `bench_verify`; or a SQLite file with --sqlite FILE); the
   population as roster rows and the statements appended in batches of 1000 without live
   projection (`record_statements(project=False)`, the fastest product path that writes a log:
   `lrs import` needs an export of one), then every projection rebuilt (the stored figures with
   them). The database is kept for step 2.
2. (default) each measured in a child process, so its peak RSS is its own: the hash walk
   alone (`verify_store(models=False)`, as `lrs verify --to-seq HEAD` runs it); `verify_store`
   as `lrs verify` runs it, phase by phase (the walk with the statement rows checked by block
   digests in the same pass; the projections folded into a scratch SQLite file; the other read
   models compared row by row); and `replay_to_files` as `lrs replay` runs it, as of the head.
3. `--drop`: drop the database.

Prints one line per figure and, with --json, a JSON object last. No figure is asserted; quote
the machine and the load average printed with them.

    .venv/bin/python bench/verify.py --load --count 1000000   # ~12 min on 2 cores
    .venv/bin/python bench/verify.py                           # measure (repeat at will)
    .venv/bin/python bench/verify.py --drop
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jsonlines import chunks, roster_rows  # bench/jsonlines.py: the script's folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]
GEN = ROOT.parent / "shared" / "tools" / "xapi_gen.py"
sys.path.insert(0, str(ROOT))

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _url(args: argparse.Namespace) -> str:
    if args.sqlite:
        return f"sqlite:///{Path(args.sqlite).resolve()}"
    return ADMIN.rsplit("/", 1)[0] + "/" + args.database


def _admin(sql: str) -> None:
    from sqlalchemy import text

    from lrs.store.engine import make_engine

    admin = make_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(sql))
    admin.dispose()


def load(args: argparse.Namespace) -> None:
    from lrs.store.engine import make_engine
    from lrs.store.schema import upgrade
    from lrs.write.reference import default_authority, record_roster, trust_source
    from lrs.write.statements import record_statements
    from projections import runner

    if not args.sqlite:
        _admin(f'CREATE DATABASE "{args.database}"')
    url = _url(args)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        common = ["--seed", "7", "--learners", str(args.learners), "--quiet"]
        subprocess.run([sys.executable, str(GEN), "--count", "0", "--population-out", str(tmp / "people.ndjson"),
                        *common], check=True)
        subprocess.run([sys.executable, str(GEN), "--count", str(args.count), "--with-ids", "--void-rate", "0.02",
                        "--approval-rate", "0.5", "--out", str(tmp / "all.ndjson"), *common], check=True)
        engine = make_engine(url)
        upgrade(engine)
        trust_source(engine, "bench")
        record_roster(engine, roster_rows(tmp / "people.ndjson"))
        started, count = time.perf_counter(), 0
        authority = default_authority("bench")
        for chunk in chunks((tmp / "all.ndjson").open(), 1000):
            record_statements(engine, chunk, authority=authority, project=False)
            count += len(chunk)
            if count % 100_000 == 0:
                print(f"  {count} statements, {time.perf_counter() - started:.0f} s", file=sys.stderr)
        print(f"loaded {count} statements in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        started = time.perf_counter()
        runner.rebuild(engine)
        print(f"projections rebuilt in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        engine.dispose()
    print(f"kept: {url}", file=sys.stderr)


def child(what: str, url: str) -> None:
    """Run in a child process: one measurement, printed as JSON with this process's peak RSS."""
    from lrs.read.replay_files import replay_to_files
    from lrs.read.verification import verify_store
    from lrs.store import read_models
    from lrs.store.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        head = read_models.head_seq(conn)
    figures: dict[str, Any] = {"what": what, "events": head}
    started = time.perf_counter()
    if what == "walk":
        result = verify_store(engine, models=False)
        figures.update(ok=result.ok, problems=result.problem_count)
    elif what == "verify":
        phases: dict[str, float] = {}
        current: list[Any] = [None, started]

        def progress(label: str, done: int, of: int) -> None:
            if label != current[0]:
                now = time.perf_counter()
                if current[0] is not None:
                    phases[current[0]] = now - current[1]
                current[:] = [label, now]

        result = verify_store(engine, progress=progress)
        phases[current[0]] = time.perf_counter() - current[1]
        figures.update(ok=result.ok, problems=result.problem_count, rows=result.rows, phases=phases)
    else:
        with tempfile.TemporaryDirectory() as folder:
            done = replay_to_files(engine, str(head), Path(folder) / "out")
            figures.update(rows=sum(f.rows for f in done.files))
    figures["seconds"] = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures["peak_rss_mb"] = usage.ru_maxrss / 1024
    figures["cpu_seconds"] = usage.ru_utime + usage.ru_stime  # this process, all its threads
    engine.dispose()
    print(json.dumps(figures))


def machine() -> str:
    load1, load5, _ = os.getloadavg()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"load average {load1:.1f} / {load5:.1f}")


def measure(args: argparse.Namespace) -> None:
    url = _url(args)
    results = []
    for what in args.what:
        before = machine()
        run = subprocess.run([sys.executable, __file__, "--child", what, url], check=True, capture_output=True,
                             text=True)
        found = json.loads(run.stdout.strip().splitlines()[-1])
        found["machine_before"] = before
        results.append(found)
        rate = found["events"] / found["seconds"]
        cpu = found.get("cpu_seconds")
        per_cpu = f", {found['events'] / cpu:,.0f} events per CPU second of this process" if cpu else ""
        print(f"{what}: {found['events']:,} events in {found['seconds']:.1f} s = {rate:,.0f} events/s{per_cpu}, "
              f"peak RSS {found['peak_rss_mb']:.0f} MB ({before}; after {machine().rsplit('load average ', 1)[1]})")
        for name, seconds in found.get("phases", {}).items():
            print(f"  {name}: {seconds:.1f} s = {found['events'] / seconds:,.0f} events/s")
        if what == "verify":
            print(f"  ok {found['ok']}, {found['problems']} problems, {found['rows']:,} read-model rows compared")
    if args.json:
        print(json.dumps({"url": url, "results": results}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", action="store_true", help="generate and load the log (then measure with no flag)")
    parser.add_argument("--drop", action="store_true", help="drop the database")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--database", default="bench_verify", help="PostgreSQL database (created by --load)")
    parser.add_argument("--sqlite", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--what", nargs="+", default=["walk", "verify", "replay"], choices=["walk", "verify", "replay"])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
    elif args.load:
        load(args)
    elif args.drop:
        if args.sqlite:
            Path(args.sqlite).unlink(missing_ok=True)
        else:
            _admin(f'DROP DATABASE IF EXISTS "{args.database}"')
    else:
        measure(args)


if __name__ == "__main__":
    main()
