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
   another thread): seconds until every figure is current.

    .venv/bin/python bench/reports.py --pegawai 20000 --statements 200000      # a quick try
    nice .venv/bin/python bench/reports.py                                     # full scale
    .venv/bin/python bench/reports.py --url 'postgresql+psycopg://postgres@127.0.0.1:5432/bench_reports'
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

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


def _chunks(lines: Iterator[str], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for line in lines:
        chunk.append(json.loads(line))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _roster_rows(people: Path) -> list[dict[str, Any]]:
    rows = []
    with people.open() as handle:
        for line in handle:
            person = json.loads(line)
            rows.append({"nip": person["nip"], "nama": person["name"], "status": "PNS",
                         "jabatan": person["jabatan"], "unit_kerja": person["unit_kerja"],
                         "instansi": person["instansi"]["code"], "atasan_nip": person["atasan"].get("nip"),
                         "effective_from": "2000-01-01", "mbox": person["actor"].get("mbox")})
    return rows


def _generate(count: int, pegawai: int, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(GEN), "--count", str(count), "--seed", str(seed), "--learners", str(pegawai),
         "--year", str(YEAR), "--with-ids", "--void-rate", "0.02", "--approval-rate", "0.5", "--quiet",
         "--out", "-"], stdout=subprocess.PIPE, text=True, bufsize=1 << 20)


def load(url: str, pegawai: int, statements: int, data: Path, max_seconds: float | None) -> int:
    from lrs.write.reference import default_authority, record_roster, trust_source
    from lrs.write.statements import record_statements

    engine = _engine(url)
    people = data / "people.ndjson"
    subprocess.run([sys.executable, str(GEN), "--count", "0", "--seed", "7", "--learners", str(pegawai),
                    "--quiet", "--population-out", str(people)], check=True)
    trust_source(engine, "bench")
    rows = _roster_rows(people)
    for start in range(0, len(rows), 10_000):
        record_roster(engine, rows[start:start + 10_000])
    authority = default_authority("bench")
    started = time.monotonic()
    count = 0
    generator = _generate(statements, pegawai, 7)
    assert generator.stdout is not None
    for chunk in _chunks(generator.stdout, 1000):
        record_statements(engine, chunk, authority=authority, project=False)
        count += len(chunk)
        if count % 100_000 == 0:
            rate = count / (time.monotonic() - started)
            print(f"loaded {count:,} statements, {rate:,.0f}/s", file=sys.stderr, flush=True)
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            print(f"load stopped after {max_seconds:.0f} s at {count:,} statements", file=sys.stderr)
            break
    generator.kill()
    generator.wait()
    engine.dispose()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pegawai", type=int, default=300_000)
    parser.add_argument("--statements", type=int, default=3_000_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20, help="reads timed per figure (p50, p95)")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a database to create --database from")
    parser.add_argument("--database", default="bench_reports")
    parser.add_argument("--data", default=str(Path.cwd() / "bench-reports-data"),
                        help="folder kept for the population file")
    parser.add_argument("--max-load-seconds", type=float)
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
        loaded = load(url, args.pegawai, args.statements, data, args.max_load_seconds)
        print(f"loaded {loaded:,} statements in {time.perf_counter() - started:.0f} s; --url '{url}'",
              file=sys.stderr)
        if args.load_only:
            return
    measure(url, args, data)


if __name__ == "__main__":
    main()
