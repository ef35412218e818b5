"""Callbacks an operator's metrics (lrs/ops/metrics.py) hang on an engine, so the store tells
what it did without importing them: how long a writer waited for the log's lock, and which
events an append added."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from lrs.events import Event


@dataclass(frozen=True)
class Hooks:
    lock_waited: Callable[[float], None]         # seconds from asking for the writers' lock to holding it
    appended: Callable[[Sequence[Event]], None]  # the events one append() linked (before its commit)


# Keyed weakly by engine: an app's engine takes its hooks with it when it goes (tests build many).
_attached: WeakKeyDictionary[Engine, Hooks] = WeakKeyDictionary()


def attach(engine: Engine, hooks: Hooks) -> None:
    _attached[engine] = hooks


def of(engine: Engine) -> Hooks | None:
    return _attached.get(engine)
