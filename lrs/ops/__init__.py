"""What the people who run the LRS need around the APIs: /health and /ready for a load balancer
or an orchestrator."""
from __future__ import annotations

from flask import Flask

from lrs.ops import health


def register(app: Flask) -> None:
    app.register_blueprint(health.bp)
