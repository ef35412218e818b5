"""/api/v1: Jejak's own JSON API for figures (not xAPI), for dashboards and integrations."""
from __future__ import annotations

from flask import Flask

from lrs.reports_api import figures


def register(app: Flask) -> None:
    app.register_blueprint(figures.bp)
