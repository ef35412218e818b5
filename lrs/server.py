"""Production serving with gunicorn: the app is built in each worker, after fork."""
from __future__ import annotations

import atexit
import glob
import os
import shutil
import tempfile
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
    _metrics_folder()
    LrsServer(database_url, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        # gthread, but a request is read in full before a thread takes it (slow clients).
        "worker_class": "lrs.worker.BufferingWorker",
        "graceful_timeout": 20,
        "timeout": 120,
        "accesslog": None,
        "loglevel": "warning",
        "child_exit": _worker_exited,
    }, secret_key, settings).run()


def _metrics_folder() -> None:
    """The folder where every worker counts its metrics (prometheus_client multiprocess mode,
    lrs/ops/metrics.py): PROMETHEUS_MULTIPROC_DIR, emptied of an earlier run's files, or a new
    temporary one. Set here, before a worker imports prometheus_client, which reads it then."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for old in glob.glob(os.path.join(folder, "*.db")):
            os.remove(old)
        return
    folder = tempfile.mkdtemp(prefix="jejak-metrics-")
    atexit.register(_remove_when_master_exits, folder, os.getpid())
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


def _remove_when_master_exits(folder: str, master: int) -> None:
    """Workers are forked with the master's exit handlers: only the master, at its exit, removes
    the folder (a worker that ends would take it from the others and from the next one)."""
    if os.getpid() == master:
        shutil.rmtree(folder, True)


def _worker_exited(_arbiter: Any, worker: Any) -> None:
    """A worker that ended no longer counts in the live gauges (the replays it kept)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
