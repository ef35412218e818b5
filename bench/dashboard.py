#!/usr/bin/env python3
"""Dashboard benchmark: how long the Corpu dashboard's read (lrs/read/dashboard.py gather())
and its XLSX file take for the largest instansi, beside the /api/v1 summary of the same
instansi (lrs/read/jp.py summary()), over N generated statements.

1. `../shared/tools/xapi_gen.py --count N --seed 7 --with-ids --approval-rate 0.5 --year Y` and its
   population into a temporary folder; loaded and projected as bench/projections.py does;
   with --one-instansi CODE, every learner of the population is placed in that instansi (the
   generator spreads them over ~10), so its dashboard covers all of them;
2. each read timed --repeat times (the best and the median printed), with the machine's CPU
   count and load average, since the machine is shared: gather() as pages read it (the stored
   rows) and computed (every pegawai's facts folded, as before the stored rows and as an as_of
   read), the page's first 200 below target, and the XLSX. No figure is asserted.

    .venv/bin/python bench/dashboard.py --count 20000 --learners 2000
    .venv/bin/python bench/dashboard.py --count 40000 --learners 20000 --one-instansi KEMENKEU
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_i13]

With --url (a store loaded by bench/reports.py, the figures benchmark: 300,000 pegawai), nothing
is generated: the largest instansi's dashboard page `/app/instansi/<code>` is rendered through the
app (create_app, Flask's test client, logged in with a national reports credential), which is
the server time of a request without the network, beside gather() and its XLSX download.

    .venv/bin/python bench/dashboard.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_reports --year 2025
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.projections import GEN, load  # noqa: E402


def _timed(call: Callable[[], Any], repeat: int) -> list[float]:
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        found.append(time.perf_counter() - started)
    return found


def _one_instansi(people: Path, code: str) -> None:
    lines = [json.loads(line) for line in people.open()]
    with people.open("w") as handle:
        for person in lines:
            person["instansi"]["code"] = code
            handle.write(json.dumps(person) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", type=int, default=2026, help="the year the statements fall in and is read")
    parser.add_argument("--one-instansi", help="place every learner in this instansi")
    parser.add_argument("--pg-url", help="PostgreSQL instead of SQLite: a database the bench may add a schema to")
    parser.add_argument("--url", help="a store loaded by bench/reports.py: time the rendered page on it")
    args = parser.parse_args()
    if args.url:
        on_store(args.url, args.year, args.repeat)
        return
    from sqlalchemy import text

    from lrs.read import dashboard, jp, report_files
    from lrs.store.engine import make_engine
    from projections import runner

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        common = ["--seed", "7", "--learners", str(args.learners), "--year", str(args.year), "--quiet"]
        subprocess.run([sys.executable, str(GEN), "--count", "0", "--population-out", str(tmp / "people.ndjson"),
                        *common], check=True)
        if args.one_instansi:
            _one_instansi(tmp / "people.ndjson", args.one_instansi)
        subprocess.run([sys.executable, str(GEN), "--count", str(args.count), "--with-ids", "--approval-rate", "0.5",
                        "--out", str(tmp / "all.ndjson"), *common], check=True)
        url = f"sqlite:///{tmp / 'bench.sqlite'}"
        schema = f"bench_dashboard_{os.getpid()}"
        if args.pg_url:
            admin = make_engine(args.pg_url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
        loaded = load(url, tmp / "all.ndjson", tmp / "people.ndjson")
        engine = make_engine(url)
        runner.catch_up(engine)
        if args.pg_url:  # the planner's statistics, as autovacuum gathers them after a bulk load
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        with engine.connect() as conn:
            instansi, pegawai = conn.execute(text(
                "SELECT instansi, count(DISTINCT nip) FROM roster_entries GROUP BY instansi "
                "ORDER BY count(DISTINCT nip) DESC LIMIT 1")).one()
        board = dashboard.gather(engine, instansi, args.year)
        figures = {
            "summary (/api/v1)": _timed(lambda: jp.summary(engine, instansi, args.year, limit=500), args.repeat),
            "dashboard gather() (stored rows)": _timed(lambda: dashboard.gather(engine, instansi, args.year),
                                                       args.repeat),
            "dashboard gather() computed": _timed(lambda: dashboard.gather(engine, instansi, args.year, computed=True),
                                                  args.repeat),
            "page's 200 below target": _timed(lambda: board.below_target_page(limit=200), args.repeat),
            "XLSX of every table": _timed(lambda: report_files.xlsx_bytes(
                [report_files.units_table(board.units, args.year), report_files.pegawai_table(board.below_target(), args.year),
                 report_files.waiting_table(board)], report_files.about_dashboard(board)), args.repeat),
        }
        below, stored = len(board.below_target()), board.lister is not None  # the list reads the store
        engine.dispose()
        if args.pg_url:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    load1, load5, _ = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load1:.2f} (1 min) {load5:.2f} (5 min); "
          f"{'postgresql' if args.pg_url else 'sqlite'}")
    print(f"{loaded} statements; instansi {instansi}: {pegawai} pegawai, {len(board.units)} unit kerja, "
          f"{below} below target; gather() read the stored rows: {stored}")
    for name, seconds in figures.items():
        print(f"{name}: best {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s ({args.repeat} runs)")


def on_store(url: str, year: int, repeat: int) -> None:
    """The largest instansi's dashboard page on an existing store, rendered through the app."""
    import re

    from sqlalchemy import text

    from lrs.app import create_app
    from lrs.read import dashboard
    from lrs.store import credentials
    from lrs.write.reference import create_credential

    app = create_app({"DATABASE_URL": url, "TESTING": True, "PROJECT_IN_BACKGROUND": False, "SECRET_KEY": "bench"})
    engine = app.extensions["lrs.engine"]
    with engine.connect() as conn:
        if credentials.find_credential(conn, "bench-dashboard") is None:
            create_credential(engine, "bench-dashboard", "bench-dashboard", ["reports"])
        instansi, pegawai = conn.execute(text(
            "SELECT instansi, count(DISTINCT nip) FROM roster_entries GROUP BY instansi "
            "ORDER BY count(DISTINCT nip) DESC, instansi LIMIT 1")).one()
        statements = conn.execute(text("SELECT count(*) FROM statements")).scalar_one()
    client = app.test_client()
    login = client.get("/app/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login)
    client.post("/app/login", data={"username": "bench-dashboard", "password": "bench-dashboard",
                                    "csrf_token": token.group(1) if token else ""})

    def page(path: str) -> None:
        reply = client.get(path)
        if reply.status_code != 200:
            raise RuntimeError(f"GET {path}: {reply.status_code}")

    figures = {
        "dashboard page /app/instansi/<code>": _timed(lambda: page(f"/app/instansi/{instansi}?year={year}"), repeat),
        "dashboard gather() (stored rows)": _timed(lambda: dashboard.gather(engine, instansi, year), repeat),
        "XLSX download": _timed(lambda: page(f"/app/instansi/{instansi}/export/semua.xlsx?year={year}"), repeat),
        "national page /app/": _timed(lambda: page(f"/app/?year={year}"), repeat),
    }
    load1, load5, _ = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load1:.2f} (1 min) {load5:.2f} (5 min); {url.split(':')[0]}")
    print(f"{statements:,} statements; the largest instansi {instansi}: {pegawai:,} pegawai; year {year}")
    for name, seconds in figures.items():
        print(f"{name}: best {min(seconds) * 1000:,.0f} ms, median {statistics.median(seconds) * 1000:,.0f} ms "
              f"({repeat} runs)")
    engine.dispose()


if __name__ == "__main__":
    main()
