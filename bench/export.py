"""`lrs statements export` on SQLite and PostgreSQL: time and peak memory (max RSS of the
command) for growing numbers of statements, to show the memory stays flat. Prints figures with
the machine and its load; never asserts.

    .venv/bin/python bench/export.py --counts 5000,20000 [--pg-url postgresql+psycopg://postgres@127.0.0.1/bench_export]
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LRS = str(Path(sys.executable).parent / "lrs")
AUTHORITY = {"objectType": "Agent", "mbox": "mailto:bench@example.go.id"}


def populate(url: str, count: int) -> None:
    from lrs.store.engine import make_engine
    from lrs.store.schema import upgrade
    from lrs.write.statements import record_statements

    engine = make_engine(url)
    upgrade(engine)
    for start in range(0, count, 1000):
        batch = [{"actor": {"mbox": f"mailto:p{(start + i) % 500}@example.go.id", "name": "Pegawai"},
                  "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
                  "object": {"id": f"https://lms.example.go.id/course/{(start + i) % 50}",
                             "definition": {"name": {"id-ID": "Kursus " + "x" * 200}}},
                  "result": {"completion": True, "duration": "PT2H"}}
                 for i in range(min(1000, count - start))]
        record_statements(engine, batch, authority=AUTHORITY, project=False)
    engine.dispose()


def export(url: str, out: Path, shape: str) -> tuple[float, int]:
    """Seconds and the command's max RSS (KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([LRS, "statements", "export", "--format", shape, "--out", str(out), "--database-url", url],
                   check=True, capture_output=True)
    seconds = time.perf_counter() - started
    # ru_maxrss of the children is the largest of them so far: run the smallest count first.
    return seconds, max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="5000,20000")
    parser.add_argument("--pg-url", help="An empty PostgreSQL database to fill (dropped tables are yours to clean).")
    args = parser.parse_args()
    counts = sorted(int(c) for c in args.counts.split(","))
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="jejak-export-") as folder:
        backends = [("sqlite", lambda n: f"sqlite:///{folder}/lrs-{n}.sqlite")]
        if args.pg_url:
            backends.append(("postgresql", lambda n: args.pg_url))
        for name, url_of in backends:
            for count in counts:
                url = url_of(count)
                if name == "postgresql":
                    _reset_pg(url)
                populate(url, count)
                for shape in ("ndjson", "csv"):
                    out = Path(folder) / f"out-{name}-{count}.{shape}"
                    seconds, rss = export(url, out, shape)
                    print(f"  {name:10} {count:>7} statements {shape:6} {seconds:6.1f} s "
                          f"{count / seconds:8.0f} statements/s  file {out.stat().st_size / 1e6:6.1f} MB  "
                          f"max RSS so far {rss / 1024:6.1f} MiB")
                    out.unlink()


def _reset_pg(url: str) -> None:
    from sqlalchemy import text

    from lrs.store.engine import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
