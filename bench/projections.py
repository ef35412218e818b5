#!/usr/bin/env python3
"""Projection benchmark: full rebuild of every projection (policies, sources, bindings, roster,
JP claims, voids, decisions) over N generated statements, report reads, and the catch-up lag
after a burst.

1. `../shared/tools/xapi_gen.py --count N --seed 7 --with-ids --void-rate 0.02
   --approval-rate 0.5` (the atasan approves half the nonformal claims) and its population
   (`--population-out`) into a temporary folder;
2. a fresh database (SQLite file, or PostgreSQL schema `bench_proj_<pid>` in --pg-url);
   the population as roster rows, then the statements appended in batches of 1000 without
   live projection (`record_statements(project=False)`);
3. rebuild, in a child process so its peak memory is its own: events/s and peak RSS;
4. reads, of the year with the most claims: the largest instansi's summary (its stored roll-up, and rolled up per request from
   each pegawai's figure) and the national one, one pegawai's JP, and the same as of half the log
   (a fresh replay, then again from the kept replay);
5. burst: --burst more statements appended without projection, then one catch-up, timed:
   the lag a reader would see after such a burst.

Prints one line per figure and, with --json, a JSON object last. No figure is asserted.

    /work/venv/bin/python bench/projections.py --count 100000 --backend sqlite
    /work/venv/bin/python bench/projections.py --backend postgresql        # 1,000,000
    /work/venv/bin/python bench/projections.py --backend postgresql --keep  # then, again:
    /work/venv/bin/python bench/projections.py --url 'postgresql+psycopg://...search_path%3Dbench_proj_N'
"""
from __future__ import annotations

import argparse
import json
import os
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


def _engine(url: str) -> Any:
    from lrs.store.engine import make_engine
    from lrs.store.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    return engine


def load(url: str, statements: Path, people: Path) -> int:
    from lrs.write.reference import default_authority
    from lrs.write.reference import record_roster, trust_source
    from lrs.write.statements import record_statements

    engine = _engine(url)
    trust_source(engine, "bench")
    record_roster(engine, roster_rows(people))
    count = 0
    authority = default_authority("bench")
    for chunk in chunks(statements.open(), 1000):
        record_statements(engine, chunk, authority=authority, project=False)
        count += len(chunk)
    engine.dispose()
    return count


def _timing_rollups() -> dict[str, float]:
    """Add up the seconds spent keeping the stored roll-ups (projections/rollups.py apply)."""
    from projections import rollups

    spent = {"rollup_seconds": 0.0}
    apply = rollups.apply

    def timed(*args: Any, **kw: Any) -> None:
        started = time.perf_counter()
        apply(*args, **kw)
        spent["rollup_seconds"] += time.perf_counter() - started
    rollups.apply = timed  # type: ignore[assignment]
    return spent


def rebuild_child(url: str) -> None:
    """Run in a child: rebuild everything, print events, seconds (and those keeping the roll-ups)
    and peak RSS as JSON."""
    from lrs.store import read_models
    from projections import runner

    engine = _engine(url)
    with engine.connect() as conn:
        head = read_models.head_seq(conn)
    spent = _timing_rollups()
    started = time.perf_counter()
    runner.rebuild(engine)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"events": head, "seconds": seconds, "peak_rss_mb": peak_kb / 1024, **spent}))


def reads(url: str) -> dict[str, float]:
    """Seconds of the report reads: the largest instansi's summary, one pegawai's JP, and an
    as-of read halfway through the log (a fresh replay, then from the kept replay)."""
    from sqlalchemy import text

    from lrs.read import jp as reports
    from lrs.store import read_models
    from projections.replays import Replays

    engine = _engine(url)
    with engine.connect() as conn:
        instansi, pegawai = conn.execute(text(
            "SELECT instansi, count(DISTINCT nip) FROM roster_entries GROUP BY instansi "
            "ORDER BY count(DISTINCT nip) DESC LIMIT 1")).one()
        nip = conn.execute(text("SELECT nip FROM roster_entries ORDER BY nip LIMIT 1")).scalar_one()
        year = int(conn.execute(text(  # the year with the most claims (xapi_gen.py dates them from 2024)
            "SELECT substr(activity_date, 1, 4) FROM jp_claims GROUP BY substr(activity_date, 1, 4) "
            "ORDER BY count(*) DESC LIMIT 1")).scalar_one())
        half = read_models.head_seq(conn) // 2

    def timed(call: Any) -> float:
        started = time.perf_counter()
        call()
        return time.perf_counter() - started

    replays = Replays(engine, size=1)
    figures = {
        "summary_pegawai": pegawai,
        "year": year,
        "summary_seconds": timed(lambda: reports.summary(engine, instansi, year)),
        "summary_computed_seconds": timed(lambda: reports.summary(engine, instansi, year, computed=True)),
        "national_seconds": timed(lambda: reports.national_summary(engine, year)),
        "pegawai_seconds": timed(lambda: reports.pegawai_jp(engine, nip, year)),
        "as_of_replay_seconds": timed(lambda: reports.pegawai_jp(engine, nip, year, str(half), replays=replays)),
        "as_of_kept_seconds": timed(lambda: reports.pegawai_jp(engine, nip, year, str(half), replays=replays)),
    }
    replays.close()
    engine.dispose()
    return figures


def burst(url: str, statements: Path) -> dict[str, float]:
    from lrs.write.reference import default_authority
    from lrs.write.statements import record_statements
    from projections import runner

    engine = _engine(url)
    runner.catch_up(engine)
    spent = _timing_rollups()
    count = 0
    for chunk in chunks(statements.open(), 100):
        record_statements(engine, chunk, authority=default_authority("bench"), project=False)
        count += len(chunk)
    started = time.perf_counter()
    runner.catch_up(engine)
    lag = time.perf_counter() - started
    engine.dispose()
    return {"burst": count, "catch_up_seconds": lag, "catch_up_rollup_seconds": spent["rollup_seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--approval-rate", type=float, default=0.5,
                        help="share of nonformal claims the atasan approves (xapi_gen.py)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the loaded database (PostgreSQL schema or SQLite file) and print its URL")
    parser.add_argument("--url", help="a database a --keep run loaded: rebuild, read, and catch up after "
                                      "a burst of new statements again, without loading")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rebuild-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rebuild_child:
        rebuild_child(args.rebuild_child)
        return
    if args.url:
        again = _rebuild(args.url)
        read = reads(args.url)
        with tempfile.TemporaryDirectory() as folder:
            more = Path(folder) / "burst.ndjson"  # a seed of its own: new ids, the same population
            subprocess.run([sys.executable, str(GEN), "--count", str(args.burst), "--with-ids",
                            "--seed", str(8 + again["events"]),
                            "--learners", str(args.learners), "--approval-rate", str(args.approval_rate),
                            "--quiet", "--out", str(more)], check=True)
            lag = burst(args.url, more)
        _report({"backend": args.url.split(":", 1)[0], **again, **read, **lag}, args.json)
        return
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        common = ["--seed", "7", "--learners", str(args.learners), "--quiet"]
        subprocess.run([sys.executable, str(GEN), "--count", "0", "--population-out", str(tmp / "people.ndjson"),
                        *common], check=True)
        subprocess.run([sys.executable, str(GEN), "--count", str(args.count + args.burst), "--with-ids",
                        "--void-rate", "0.02", "--approval-rate", str(args.approval_rate),
                        "--out", str(tmp / "all.ndjson"), *common], check=True)
        with (tmp / "all.ndjson").open() as src, (tmp / "main.ndjson").open("w") as main_out, \
                (tmp / "burst.ndjson").open("w") as burst_out:
            for index, line in enumerate(src):
                (main_out if index < args.count else burst_out).write(line)
        schema = f"bench_proj_{os.getpid()}"
        if args.backend == "sqlite":
            url = f"sqlite:///{Path.cwd() / f'{schema}.sqlite' if args.keep else tmp / 'bench.sqlite'}"
        else:
            from sqlalchemy import text

            from lrs.store.engine import make_engine

            admin = make_engine(args.pg_url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
        try:
            started = time.perf_counter()
            loaded = load(url, tmp / "main.ndjson", tmp / "people.ndjson")
            print(f"loaded {loaded} statements in {time.perf_counter() - started:.1f} s (no projection)",
                  file=sys.stderr)
            rebuilt = _rebuild(url)
            read = reads(url)
            lag = burst(url, tmp / "burst.ndjson")
        finally:
            if args.keep:
                print(f"kept: --url '{url}'", file=sys.stderr)
            elif args.backend == "postgresql":
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    _report({"backend": args.backend, "statements": loaded, **rebuilt, **read, **lag}, args.json)


def _rebuild(url: str) -> dict[str, Any]:
    child = subprocess.run([sys.executable, __file__, "--rebuild-child", url], check=True,
                           capture_output=True, text=True)
    rebuilt: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return {**rebuilt, "events_per_second": rebuilt["events"] / rebuilt["seconds"]}


def _report(result: dict[str, Any], as_json: bool) -> None:
    result["machine"] = f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    print(result["machine"])
    print(f"{result['backend']}: rebuild of {result['events']} events in {result['seconds']:.1f} s = "
          f"{result['events_per_second']:,.0f} events/s (keeping the roll-ups {result['rollup_seconds']:.1f} s), "
          f"peak RSS {result['peak_rss_mb']:.0f} MB")
    if "burst" in result:
        print(f"catch-up after a {result['burst']}-statement burst: {result['catch_up_seconds']:.2f} s "
              f"(keeping the roll-ups {result['catch_up_rollup_seconds']:.2f} s)")
    print(f"reads ({result['year']}): summary of {result['summary_pegawai']} pegawai "
          f"{result['summary_seconds'] * 1000:.0f} ms stored, "
          f"{result['summary_computed_seconds']:.2f} s rolled up per request; national "
          f"{result['national_seconds'] * 1000:.0f} ms; one pegawai "
          f"{result['pegawai_seconds'] * 1000:.0f} ms, as of half the log {result['as_of_replay_seconds']:.2f} s "
          f"(replay), {result['as_of_kept_seconds'] * 1000:.0f} ms (kept replay)")
    if as_json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
