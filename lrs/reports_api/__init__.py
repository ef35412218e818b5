"""/api/v1: Jejak's own JSON API for figures (not xAPI), for dashboards and integrations, and its
audit endpoints, and their OpenAPI document and documentation page."""
from __future__ import annotations

from flask import Flask

from lrs.reports_api import audit, docs, figures


def register(app: Flask) -> None:
    app.register_blueprint(figures.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(docs.bp)
