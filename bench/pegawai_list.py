#!/usr/bin/env python3
"""Pegawai list benchmark (lrs/read/pegawai_list.py): pages of one instansi's pegawai from the
stored figures, at --pegawai per instansi (default 80,000) in --instansi instansi (default 3).

1. A fresh database (SQLite file in a temporary folder, or PostgreSQL `--url`), migrated; the
   read models written directly, not folded from a log: one roster row per pegawai and their
   stored figure of 2026 (JP 0-40 in steps of 0.5, so ties are many), `--unstored` of the first
   instansi's pegawai with a roster row and no stored figure (computed on read);
2. timed (median and max of --repeat calls, in process): the first page of who is behind
   (target_met=false, sort jp), the 100th page by cursor, each other sort, a unit's list, and
   alone the query that finds members without a stored figure;
3. on PostgreSQL, the plan of the page query (EXPLAIN), to show it reads an index, not the table.

Prints one line per figure with the machine and load. No figure is asserted.

    .venv/bin/python bench/pegawai_list.py                                  # SQLite
    .venv/bin/python bench/pegawai_list.py --url postgresql+psycopg://postgres@127.0.0.1/bench_x
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UNITS = 40


def _nip(instansi: int, i: int) -> str:
    return f"19{instansi:02d}0101{i:08d}"[:18].ljust(18, "0")


def _load(engine: Any, instansi: int, pegawai: int, unstored: int) -> None:
    from lrs.store.engine import bulk_insert
    from lrs.store.tables import jp_figures, roster_entries

    roster, figures = [], []
    for n in range(instansi):
        code = f"INSTANSI{n}"
        for i in range(pegawai):
            nip, unit = _nip(n, i), f"Unit {i % UNITS}"
            status = "PPPK" if i % 10 == 0 else "PNS"
            jp = Decimal(i * 7 % 81) / 2
            roster.append({"nip": nip, "effective_from": "2020-01-01", "nama": f"Pegawai {i * 7919 % pegawai}",
                           "status": status, "jabatan": "Analis", "unit_kerja": unit, "instansi": code,
                           "atasan_nip": None, "mbox": None, "seq": 1, "jenis_jabatan": None})
            if n == 0 and i < unstored:
                continue
            target = None if status == "PPPK" else Decimal(20)
            figures.append({
                "nip": nip, "year": 2026, "nama": roster[-1]["nama"], "status": status, "unit_kerja": unit,
                "instansi": code, "jp_counted": str(jp), "jp_pending": "0", "jp_by_form": "{}",
                "target_jp": None if target is None else str(target),
                "target_met": None if target is None else jp >= target, "policy_versions": "[]", "warnings": 0,
                "suspected_duplicates": 0, "total": "{}", "current_as_of": 1, "jp_counted_num": jp,
                "jp_pending_num": Decimal(0), "target_jp_num": target})
    with engine.begin() as conn:
        for start in range(0, len(roster), 20_000):
            bulk_insert(conn, roster_entries, roster[start:start + 20_000])
        for start in range(0, len(figures), 20_000):
            bulk_insert(conn, jp_figures, figures[start:start + 20_000])
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE roster_entries")
            conn.exec_driver_sql("ANALYZE jp_figures")
            conn.commit()


def _time(repeat: int, call: Callable[[], Any]) -> tuple[float, float]:
    spent = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        spent.append((time.perf_counter() - start) * 1000)
    return statistics.median(spent), max(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a PostgreSQL database to fill (default: a temporary SQLite file)")
    parser.add_argument("--pegawai", type=int, default=80_000)
    parser.add_argument("--instansi", type=int, default=3)
    parser.add_argument("--unstored", type=int, default=0, help="pegawai of the first instansi with no figure")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from sqlalchemy import text

    from lrs.read.pegawai_list import ListQuery, pegawai_list
    from lrs.store import figure_rows
    from lrs.store.engine import make_engine, reading
    from lrs.store.schema import upgrade

    folder = tempfile.TemporaryDirectory()
    url = args.url or f"sqlite:///{Path(folder.name) / 'list.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    _load(engine, args.instansi, args.pegawai, args.unstored)
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, {engine.dialect.name}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"loaded {args.instansi} x {args.pegawai} pegawai ({args.unstored} without a stored figure) "
          f"in {time.perf_counter() - started:.1f} s")

    def page(**query: Any) -> Any:
        return pegawai_list(engine, "INSTANSI0", 2026, ListQuery(**query))

    behind = ListQuery(target_met=False, sort="jp", limit=50)
    cursor = None
    for _ in range(99):
        cursor = pegawai_list(engine, "INSTANSI0", 2026, ListQuery(**{**behind.__dict__, "cursor": cursor})
                              ).next_cursor
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("first page, target_met=false sort=jp limit=50", lambda: page(target_met=False, sort="jp")),
        ("100th page of the same, by cursor", lambda: page(target_met=False, sort="jp", cursor=cursor)),
        ("first page sort=-jp", lambda: page(sort="-jp")),
        ("first page sort=nama", lambda: page(sort="nama")),
        ("first page sort=-nip", lambda: page(sort="-nip")),
        ("first page jp_below=10 status=PNS", lambda: page(jp_below=Decimal(10), status="PNS")),
        ("a unit's first page, sort=-jp", lambda: page(unit_kerja="Unit 7", sort="-jp")),
    ]
    for name, call in cases:
        median, worst = _time(args.repeat, call)
        print(f"{name}: median {median:.1f} ms, max {worst:.1f} ms")

    def members() -> Any:
        with reading(engine) as conn:
            return figure_rows.members_without_figure(conn, "INSTANSI0", None, 2026, "2026-12-31")
    median, worst = _time(args.repeat, members)
    print(f"  of which the members without a stored figure ({len(members())}): median {median:.1f} ms, "
          f"max {worst:.1f} ms")

    def stored_page() -> Any:
        with reading(engine) as conn:
            return figure_rows.figure_page(conn, "INSTANSI0", 2026, target_met=False, limit=51)
    median, worst = _time(args.repeat, stored_page)
    print(f"  of which the stored page query alone: median {median:.1f} ms, max {worst:.1f} ms")
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            plan = conn.execute(text(
                "EXPLAIN SELECT nip FROM jp_figures WHERE instansi = 'INSTANSI0' AND year = 2026 "
                "AND target_met IS false AND (jp_counted_num, nip) > (10, '0') "
                "ORDER BY jp_counted_num, nip LIMIT 51")).scalars().all()
        print("plan:\n  " + "\n  ".join(plan))
    engine.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
