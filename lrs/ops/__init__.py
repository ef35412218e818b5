"""What the people who run the LRS need around the APIs: /health and /ready for a load balancer
or an orchestrator; request ids, an access log and JSON logs; Prometheus metrics."""
from __future__ import annotations

from flask import Flask

from lrs.ops import health, logs, metrics


def register(app: Flask) -> None:
    app.register_blueprint(health.bp)
    logs.register(app)
    metrics.register(app)
