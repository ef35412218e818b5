"""Prometheus metrics at /metrics: requests by resource (the route's rule, so /xapi/statements
and /api/v1/pegawai/<nip>/jp, never a nip) and status, their latency, the wait for the log's
writers' lock, the events and statements appended, each projection's lag behind the log head and
the as-of replays kept. No credentials: restrict /metrics at the reverse proxy (README).

Under gunicorn each worker counts in files under PROMETHEUS_MULTIPROC_DIR (set up by
lrs/server.py before any worker starts) and a scrape, whichever worker answers it, sums them."""
from __future__ import annotations

import logging
import os
import time
from typing import Iterable, Sequence

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess, values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from lrs.api.context import engine, replays
from lrs.events import STATEMENT_STORED, Event
from lrs.store import failures, hooks
from projections import runner

bp = Blueprint("metrics", __name__)
log = logging.getLogger(__name__)
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "(unmatched)"  # a request no route answers: its path is the client's, not a resource
# Seconds: from a 1 ms About to a 30 s as-of replay or a 1,000-statement batch.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
# A writer waits for the one before it: nothing, or a batch's append (half a second for 1,000).
LOCK_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


def multiprocess_mode() -> bool:
    """Whether values live in PROMETHEUS_MULTIPROC_DIR's files. prometheus_client decides where
    values live when it is first imported; the `lrs serve` master imports it (through lrs.ops)
    before lrs/server.py sets the folder, and its workers inherit that choice: it is made again."""
    if MULTIPROCESS_DIR not in os.environ:
        return False
    if values.ValueClass is values.MutexValue:
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    return True


class Metrics:
    """One app's metrics. In multiprocess mode they belong to no registry: each scrape reads
    every worker's files (prometheus_client multiprocess)."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.registry = registry
        self.requests = Counter("lrs_http_requests", "HTTP requests answered, by resource (route), method and status",
                                ["resource", "method", "status"], registry=registry)
        self.latency = Histogram("lrs_http_request_duration_seconds", "Time to answer a request, by resource and method",
                                 ["resource", "method"], buckets=LATENCY_BUCKETS, registry=registry)
        self.lock_wait = Histogram("lrs_append_lock_wait_seconds",
                                   "Time a writing transaction waited for the log's writers' lock",
                                   buckets=LOCK_BUCKETS, registry=registry)
        self.events = Counter("lrs_events_appended", "Events appended to the log by this server, by type",
                              ["type"], registry=registry)
        self.statements = Counter("lrs_statements_stored", "Statements stored (statement.stored events appended)",
                                  registry=registry)
        self.replays = Gauge("lrs_asof_replays_kept", "As-of replays kept in memory for reuse (all workers)",
                             multiprocess_mode="livesum", registry=registry)

    def appended(self, linked: Sequence[Event]) -> None:
        for event in linked:
            self.events.labels(event.type).inc()
            if event.type == STATEMENT_STORED:
                self.statements.inc()


class LogCollector(Collector):
    """Read at each scrape from the database, so every worker tells the same: how many events
    each projection is behind the log head, and whether the database answered."""

    def __init__(self, source: Engine) -> None:
        self.source = source

    def collect(self) -> Iterable[GaugeMetricFamily]:
        up = GaugeMetricFamily("lrs_database_up", "1 when the database answered this scrape, else 0")
        lag = GaugeMetricFamily("lrs_projection_lag_events", "Events in the log a projection has not folded yet",
                                labels=["projection"])
        try:
            for name, _seq, behind in runner.status(self.source):
                lag.add_metric([name], behind)
            up.add_metric([], 1)
        except DBAPIError as exc:
            log.warning("metrics: the database did not answer: %s", failures.first_line(exc))
            up.add_metric([], 0)
        yield up
        yield lag


def _metrics() -> Metrics:
    found: Metrics = current_app.extensions["lrs.metrics"]
    return found


@bp.get("/metrics")
def scrape() -> Response:
    found = _metrics()
    registry = found.registry
    if registry is None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(LogCollector(engine()))
    return Response(generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST,
                                                     "Cache-Control": "no-store"})


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _finished(response: Response) -> Response:
    found = _metrics()
    resource = request.url_rule.rule if request.url_rule is not None else UNMATCHED
    found.requests.labels(resource, request.method, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        found.latency.labels(resource, request.method).observe(time.perf_counter() - started)
    found.replays.set(replays().kept())
    return response


def register(app: Flask) -> None:
    """The app's metrics, the store's hooks on its engine, the request hooks and /metrics."""
    registry = None if multiprocess_mode() else CollectorRegistry()
    found = Metrics(registry)
    if registry is not None:
        registry.register(LogCollector(app.extensions["lrs.engine"]))
    app.extensions["lrs.metrics"] = found
    hooks.attach(app.extensions["lrs.engine"], hooks.Hooks(found.lock_wait.observe, found.appended))
    # First of the hooks, as the request log's: a request an earlier hook refuses is timed too.
    app.before_request_funcs.setdefault(None, []).insert(0, _started)
    app.after_request(_finished)
    app.register_blueprint(bp)
