"""Fuzz the xAPI endpoints and /api/v1 with many more examples than the test suite runs
(tests/lrs/api/test_fuzz.py, tests/lrs/reports_api/test_fuzz_openapi.py), through the WSGI app
on a fresh SQLite store, and print per target how many answers had each status, then every
problem seen (a 5xx, a 4xx naming nothing). It never asserts: a problem is a bug to fix.

    .venv/bin/python bench/fuzz.py                 # 500 examples per target
    .venv/bin/python bench/fuzz.py --examples 5000 --only xapi
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fixtures import fuzzing  # noqa: E402


def _json(value: Any) -> dict[str, Any]:
    return {"data": json.dumps(value).encode(), "content_type": "application/json"}


def xapi_targets(client: Any, auth: dict[str, str]) -> dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], Any]]]:
    """name -> (strategy, send one example: returns (method, response))."""
    agent = json.dumps({"mbox": "mailto:siti@example.go.id"})
    return {
        "POST mutated statement": (fuzzing.mutated_statements(), lambda s: (
            "POST", client.post("/xapi/statements", **_json(s), headers=auth))),
        "PUT mutated statement": (fuzzing.mutated_statements(), lambda s: (
            "PUT", client.put(f"/xapi/statements?statementId={uuid.uuid4()}", **_json(s), headers=auth))),
        "POST random JSON": (fuzzing.json_values, lambda v: (
            "POST", client.post("/xapi/statements", **_json(v), headers=auth))),
        "POST broken multipart": (fuzzing.broken_multipart(), lambda m: (
            "POST", client.post("/xapi/statements", data=m[1], content_type=m[0], headers=auth))),
        "odd headers and parameters": (st.tuples(
            st.sampled_from(fuzzing.RESOURCES), st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD"]),
            fuzzing.query_params, fuzzing.odd_headers, st.binary(max_size=100)), lambda t: (
            t[1], client.open(t[0], method=t[1], query_string=t[2], headers={**auth, **t[3]}, data=t[4]))),
        "documents": (st.tuples(st.sampled_from(fuzzing.DOCUMENT_RESOURCES),
                                st.sampled_from(["GET", "PUT", "POST", "DELETE"]), fuzzing.query_params,
                                fuzzing.json_values), lambda t: (
            t[1], client.open(t[0], method=t[1], query_string={"activityId": fuzzing.ACTIVITY, "agent": agent, **t[2]},
                              **_json(t[3]), headers=auth))),
        "GET statements parameters": (fuzzing.query_params, lambda p: (
            "GET", client.get("/xapi/statements", query_string=p, headers=auth))),
    }


def run(name: str, strategy: st.SearchStrategy[Any], send: Callable[[Any], Any], examples: int,
        tally: fuzzing.Tally, problems: dict[str, str]) -> None:
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(value=strategy)
    def once(value: Any) -> None:
        method, response = send(value)
        status = response.status_code
        tally.add(name, status)
        found = fuzzing.problem(method, status, response.get_data() if hasattr(response, "get_data")
                                else response.content)
        if found is not None:
            problems.setdefault(f"{name}: {found[:160]}", repr(value)[:400])

    once()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=500, help="Examples per target.")
    parser.add_argument("--only", choices=["xapi", "api_v1"], help="Only one of the two groups.")
    args = parser.parse_args()

    from lrs.app import create_app
    from lrs.store.engine import make_engine
    from lrs.store.schema import upgrade
    from tests.fixtures.builders import add_credential, make_statement

    folder = tempfile.mkdtemp(prefix="jejak-fuzz-")
    url = f"sqlite:///{folder}/lrs.sqlite"
    engine = make_engine(url)
    upgrade(engine)
    auth = add_credential(engine, "fuzzer", "s3cret", ["all"])
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": url, "PROJECT_IN_BACKGROUND": False, "AUTH_FAILURE_LIMIT": 0,
                      "MAX_CONTENT_LENGTH": 1_000_000})
    client = app.test_client()
    client.post("/xapi/statements", json=[make_statement() for _ in range(3)], headers=auth)
    tally, problems = fuzzing.Tally(), {}
    started = time.perf_counter()
    if args.only in (None, "xapi"):
        for name, (strategy, send) in xapi_targets(client, auth).items():
            run(name, strategy, send, args.examples, tally, problems)
    if args.only in (None, "api_v1"):
        basic = {"Authorization": auth["Authorization"]}
        for label, cases in fuzzing.api_v1_cases(app):
            run(label, cases, lambda case: (case.method.upper(), case.call(headers=basic)), args.examples, tally,
                problems)
    seconds = time.perf_counter() - started
    print(f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{args.examples} examples per target, {sum(sum(c.values()) for c in tally.counts.values())} requests "
          f"in {seconds:.1f} s (SQLite)")
    for name, counts in tally.counts.items():
        print(f"  {name:60} " + "  ".join(f"{status}: {n}" for status, n in sorted(counts.items())))
    print(f"problems: {len(problems)}")
    for problem, example in problems.items():
        print(f"  {problem}\n    example: {example}")
    app.extensions["lrs.replays"].close()
    app.extensions["lrs.engine"].dispose()


if __name__ == "__main__":
    main()
