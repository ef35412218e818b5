#!/usr/bin/env python3
"""Roll-up benchmark: one instansi of --pegawai pegawai in --units unit kerja (roster from
2026-01-01), a claim for every tenth, then

1. the catch-up after the claims, that stores their figures of 2026 and rolls them up (and the
   part spent in projections/rollups.py apply);
2. the instansi's summary read from its stored roll-up (median of 5) against rolled up per request
   from each pegawai's stored figure (summary(computed=True), median of 3), a unit's, the nation's;
3. one more claim of one pegawai, recorded with its catch-up: the cost of a change to one figure.

Prints one line per figure, with the machine's CPUs and load average; --json adds a JSON object.
No figure is asserted.

    .venv/bin/python bench/rollups.py --pegawai 20000
    .venv/bin/python bench/rollups.py --backend postgresql --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_x
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INSTANSI = "KEMENBENCH"
SIASN = "https://siasn.bkn.go.id"


def _claim(nip: str, day: int, jp: int) -> dict[str, Any]:
    """A trusted LMS's completion of a technical course worth `jp` JP (as Jejak's xAPI Profile)."""
    import uuid

    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": SIASN, "name": nip}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": f"https://lms.bench/course/{uuid.uuid4()}"},
        "context": {"registration": str(uuid.uuid4()), "extensions": {
            "https://jejak.example/xapi/ext/learning-form": "KL_TEKNIS", "https://jejak.example/xapi/ext/jp": jp}},
        "timestamp": f"2026-{1 + day % 12:02d}-{1 + day % 28:02d}T10:00:00+07:00",
    }


def _median(call: Callable[[], Any], times: int) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent)


def run(url: str, pegawai: int, units: int) -> dict[str, Any]:
    from lrs.read import jp
    from lrs.store.engine import make_engine
    from lrs.store.schema import upgrade
    from lrs.write.reference import default_authority, record_roster, trust_source
    from lrs.write.statements import record_statements
    from projections import rollups, runner

    engine = make_engine(url)
    upgrade(engine)
    trust_source(engine, "bench")
    nips = [f"{199001012020000000 + i}" for i in range(pegawai)]
    rows = [{"nip": nip, "nama": f"Pegawai {i}", "status": "PNS", "jabatan": "Analis",
             "unit_kerja": f"Unit {i % units:03d}", "instansi": INSTANSI, "atasan_nip": None,
             "effective_from": "2026-01-01", "mbox": None} for i, nip in enumerate(nips)]
    spent = {"apply": 0.0}
    apply = rollups.apply

    def timed(*args: Any, **kw: Any) -> None:
        started = time.perf_counter()
        apply(*args, **kw)
        spent["apply"] += time.perf_counter() - started
    rollups.apply = timed  # type: ignore[assignment]
    authority = default_authority("bench")
    record_roster(engine, rows)  # with its catch-up: every figure of 2026, rolled up
    claims = [_claim(nip, i, 5 + i % 40) for i, nip in enumerate(nips) if i % 10 == 0]
    for start in range(0, len(claims), 1000):
        record_statements(engine, claims[start:start + 1000], authority=authority, project=False)
    spent["apply"] = 0.0
    started = time.perf_counter()
    runner.catch_up(engine)  # the claims' figures, rolled up
    catch_up = time.perf_counter() - started
    result: dict[str, Any] = {"pegawai": pegawai, "units": units, "claims": len(claims),
                              "catch_up_seconds": catch_up, "catch_up_rollup_seconds": spent["apply"]}
    result["summary_stored_seconds"] = _median(lambda: jp.summary(engine, INSTANSI, 2026), 5)
    result["summary_computed_seconds"] = _median(lambda: jp.summary(engine, INSTANSI, 2026, computed=True), 3)
    result["unit_stored_seconds"] = _median(lambda: jp.summary(engine, INSTANSI, 2026, unit_kerja="Unit 000"), 5)
    result["national_seconds"] = _median(lambda: jp.national_summary(engine, 2026), 5)
    spent["apply"] = 0.0
    started = time.perf_counter()
    record_statements(engine, [_claim(nips[1], 3, 7)], authority=authority)  # with its catch-up
    result["one_change_seconds"] = time.perf_counter() - started
    result["one_change_rollup_seconds"] = spent["apply"]
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pegawai", type=int, default=20_000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.backend == "sqlite":
            result = run(f"sqlite:///{Path(folder) / 'bench.sqlite'}", args.pegawai, args.units)
        else:
            from sqlalchemy import text

            from lrs.store.engine import make_engine

            schema = f"bench_rollups_{os.getpid()}"
            admin = make_engine(args.pg_url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                result = run(f"{args.pg_url}?options=-csearch_path%3D{schema}", args.pegawai, args.units)
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    result["backend"] = args.backend
    result["machine"] = f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    print(result["machine"])
    print(f"{args.backend}: {result['pegawai']} pegawai in {result['units']} units, {result['claims']} claims: "
          f"catch-up {result['catch_up_seconds']:.1f} s (roll-ups {result['catch_up_rollup_seconds']:.1f} s)")
    print(f"instansi summary: stored {result['summary_stored_seconds'] * 1000:.0f} ms, rolled up per request "
          f"{result['summary_computed_seconds']:.2f} s; a unit {result['unit_stored_seconds'] * 1000:.0f} ms; "
          f"the nation {result['national_seconds'] * 1000:.0f} ms")
    print(f"one more claim with its catch-up: {result['one_change_seconds'] * 1000:.0f} ms "
          f"(roll-ups {result['one_change_rollup_seconds'] * 1000:.0f} ms)")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
