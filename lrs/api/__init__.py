"""The xAPI HTTP API: one blueprint per resource, plus the request handling every entrypoint
shares (alternate syntax, version headers, authentication, the error map)."""
from __future__ import annotations

from flask import Flask

from lrs.api import (
    about, activities, activity_profile, agent_profile, agents, alternate, auth, errors, headers,
    inputs, profile, routing, state, statements,
)


def register(app: Flask) -> None:
    alternate.register(app)   # first: rewrites ?method= form posts before anything reads them
    inputs.register(app)      # no NUL in the path, parameters or headers
    headers.register(app)     # version check, then xAPI and CORS headers on every response
    auth.register(app)
    errors.register(app)
    routing.register(app)     # which database reads; the log position a write reached
    for module in (about, statements, state, activity_profile, agent_profile, activities, agents, profile):
        app.register_blueprint(module.bp)
