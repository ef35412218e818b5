"""Production serving with gunicorn: the app is built in each worker, after fork."""
from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]


class LrsServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, database_url: str, options: dict[str, Any], secret_key: str | None = None,
                 settings: dict[str, Any] | None = None) -> None:
        self.database_url = database_url
        self.settings = settings or {}
        self.options = options
        self.secret_key = secret_key
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from lrs.app import create_app
        from lrs.ops import logs

        overrides: dict[str, Any] = {"DATABASE_URL": self.database_url, **self.settings}
        if self.secret_key is not None:
            overrides["SECRET_KEY"] = self.secret_key
        app = create_app(overrides)
        logs.configure(app.config["LOG_LEVEL"])  # in the worker: JSON lines with request ids
        return app


def run(*, database_url: str, host: str, port: int, workers: int, threads: int, secret_key: str | None = None,
        settings: dict[str, Any] | None = None) -> None:
    """Serve until SIGTERM. `secret_key` (made by `lrs serve` when LRS_SECRET_KEY is unset) signs
    the web sessions in every worker alike; `settings` override the app's (flags of `lrs serve`)."""
    LrsServer(database_url, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "graceful_timeout": 20,
        "timeout": 120,
        "accesslog": None,
        "loglevel": "warning",
    }, secret_key, settings).run()
