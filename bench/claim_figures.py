#!/usr/bin/env python3
"""Stored claim and competency figures: what they add to a refresh, and what they save a read.

1. `../shared/tools/xapi_gen.py --count N --seed 7 --with-ids --void-rate 0.02 --approval-rate
   0.5 --year 2026` and its population into a temporary folder; a fresh SQLite file (or a
   PostgreSQL schema `bench_claimrows_<pid>` in --pg-url); the roster, one standard per jabatan
   (every managerial competency at level 3) and the statements loaded; a rebuild stores every figure.
2. Refresh: every stored key queued again and recomputed, once with the JP figures only (the
   claim and competency rows switched off) and once with them: seconds and keys per second.
3. Reads, computed (every key queued, so nothing stored is current) and then stored: the largest
   instansi's claims waiting for its unit pengelola, its unit x competency gap counts, one
   pegawai's claims and profile.

Prints one line per figure with the machine's load average, and with --json a JSON object last.
No figure is asserted.

    .venv/bin/python bench/claim_figures.py --count 20000 --learners 2000
    .venv/bin/python bench/claim_figures.py --backend postgresql
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.projections import GEN, _engine, load  # noqa: E402

MANAJERIAL = ("INT", "KS", "KOM", "OPH", "PP", "PDOL", "MP", "PK")


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _requeue(engine: Any) -> int:
    from sqlalchemy import select

    from lrs.store import figure_rows
    from lrs.store.tables import jp_figures

    with engine.begin() as conn:
        keys = {(r.nip, int(r.year)): "bench" for r in conn.execute(select(jp_figures.c.nip, jp_figures.c.year))}
        figure_rows.enqueue(conn, keys, 1)
    return len(keys)


def measure(url: str) -> dict[str, Any]:
    from sqlalchemy import text

    from lrs.read.competencies import instansi_gaps, pegawai_profile
    from lrs.read.recognitions import claims_of, pending_validation
    from lrs.write.reference import record_standards
    from projections import claim_figures, figures, runner

    engine = _engine(url)
    with engine.connect() as conn:
        jabatans = [r[0] for r in conn.execute(text("SELECT DISTINCT jabatan FROM roster_entries"))]
        instansi = conn.execute(text("SELECT instansi FROM roster_entries GROUP BY instansi "
                                     "ORDER BY count(DISTINCT nip) DESC LIMIT 1")).scalar_one()
    record_standards(engine, [{"instansi": "", "jabatan": j, "kompetensi": code, "jenis": "manajerial", "level": 3,
                               "effective_from": "2020-01-01"} for j in jabatans for code in MANAJERIAL])
    rebuild_seconds, _ = _timed(lambda: runner.rebuild(engine))
    names = list(runner.BY_NAME)
    out: dict[str, Any] = {"rebuild_seconds": rebuild_seconds}
    real = claim_figures.save
    claim_figures.save = lambda *args, **kw: None  # type: ignore[assignment]
    try:
        keys = _requeue(engine)
        out["refresh_jp_only_seconds"], _ = _timed(lambda: figures.refresh(engine, names))
    finally:
        claim_figures.save = real  # type: ignore[assignment]
    _requeue(engine)
    out["refresh_with_rows_seconds"], _ = _timed(lambda: figures.refresh(engine, names))
    out["keys"] = keys
    with engine.connect() as conn:
        for table in ("claim_figures", "competency_figures"):
            out[f"{table}_rows"] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        nip = conn.execute(text("SELECT nip FROM claim_figures WHERE year = 2026 GROUP BY nip "
                                "ORDER BY count(*) DESC LIMIT 1")).scalar_one()
    today = date(2026, 12, 31)
    reads = {"inbox_unit_pengelola": lambda: pending_validation(engine, instansi, today=today),
             "instansi_gaps": lambda: instansi_gaps(engine, instansi, 2026),
             "pegawai_claims": lambda: claims_of(engine, nip, 2026),
             "pegawai_profile": lambda: pegawai_profile(engine, nip, 2026)}
    _requeue(engine)
    for name, call in reads.items():
        out[f"{name}_computed_seconds"], _ = _timed(call)
    figures.refresh(engine, names)
    for name, call in reads.items():
        out[f"{name}_stored_seconds"], _ = _timed(call)
    out["instansi"] = instansi
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        common = ["--seed", "7", "--learners", str(args.learners), "--year", "2026", "--quiet"]
        subprocess.run([sys.executable, str(GEN), "--count", "0", "--population-out", str(tmp / "people.ndjson"),
                        *common], check=True)
        subprocess.run([sys.executable, str(GEN), "--count", str(args.count), "--with-ids", "--void-rate", "0.02",
                        "--approval-rate", "0.5", "--out", str(tmp / "all.ndjson"), *common], check=True)
        schema = f"bench_claimrows_{os.getpid()}"
        admin = None
        if args.backend == "sqlite":
            url = f"sqlite:///{tmp / 'bench.sqlite'}"
        else:
            from sqlalchemy import text

            from lrs.store.engine import make_engine

            admin = make_engine(args.pg_url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
        try:
            statements = load(url, tmp / "all.ndjson", tmp / "people.ndjson")
            result = {"backend": args.backend, "statements": statements, **measure(url)}
        finally:
            if admin is not None:
                from sqlalchemy import text

                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    result["load_average"] = os.getloadavg()[0]
    result["cpus"] = os.cpu_count()
    for name, value in result.items():
        print(f"{name}\t{value:.3f}" if isinstance(value, float) else f"{name}\t{value}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
