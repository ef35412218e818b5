"""Group commit: requests of one process that wait for the log's write lock are appended in one
transaction, so they share its lock, head read, inserts and commit.

The first thread to arrive leads: it opens the writing transaction (waiting there while another
process holds the lock) and only then takes every job queued meanwhile, its own included. A
thread that finds its job done by another leader returns its result. When the group's
transaction fails, each job of it runs again alone, so one request's error (a value the database
refuses, a number canonical JSON cannot carry) never becomes another's; a request refused by
its own rules (a conflict) is refused inside the group without undoing the others.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Callable, Generic, Sequence, TypeVar

from sqlalchemy import Connection, Engine

from lrs.store.engine import writing

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class Job(Generic[Item, Result]):
    item: Item
    result: Result | None = None
    error: BaseException | None = None
    done: bool = False


# Stores the jobs in `conn`'s transaction: sets each job's result, or its error when that job
# alone is refused. Raising undoes the whole group.
Store = Callable[[Connection, Sequence[Job[Item, Result]]], None]


@dataclass
class _Queue:
    lead: threading.Lock = field(default_factory=threading.Lock)
    guard: threading.Lock = field(default_factory=threading.Lock)
    waiting: list[Job[object, object]] = field(default_factory=list)


_queues: weakref.WeakKeyDictionary[Engine, dict[object, _Queue]] = weakref.WeakKeyDictionary()
_queues_guard = threading.Lock()


def _queue_for(engine: Engine, store: object) -> _Queue:
    with _queues_guard:
        by_store = _queues.setdefault(engine, {})
        return by_store.setdefault(store, _Queue())


def commit(engine: Engine, item: Item, store: Store[Item, Result], *,
           reset: Callable[[Item], None] | None = None) -> Result:
    """Store `item` with whatever other jobs of the same `store` on `engine` are waiting, and
    return its result (or raise its error). `reset` puts an item back as submitted before a
    job runs again alone."""
    job: Job[Item, Result] = Job(item)
    queue = _queue_for(engine, store)
    with queue.guard:
        queue.waiting.append(job)  # type: ignore[arg-type]
    with queue.lead:
        if not job.done:
            _lead(engine, queue, store, reset)
    if job.error is not None:
        raise job.error
    return job.result  # type: ignore[return-value]


def alone(engine: Engine, item: Item, store: Store[Item, Result]) -> Result:
    """Store `item` in a transaction of its own."""
    job: Job[Item, Result] = Job(item)
    _alone(engine, job, store, None)
    if job.error is not None:
        raise job.error
    return job.result  # type: ignore[return-value]


def _lead(engine: Engine, queue: _Queue, store: Store[Item, Result],
          reset: Callable[[Item], None] | None) -> None:
    group: list[Job[Item, Result]] = []
    try:
        try:
            with writing(engine) as conn:
                with queue.guard:
                    group, queue.waiting = queue.waiting, []  # type: ignore[assignment]
                store(conn, group)
        except Exception as exc:
            if not group:  # no transaction: the jobs are still waiting, this leader's too
                with queue.guard:
                    group, queue.waiting = queue.waiting, []  # type: ignore[assignment]
            if len(group) == 1:
                group[0].error = exc
            else:
                for job in group:
                    _alone(engine, job, store, reset)
    finally:
        for job in group:
            if job.result is None and job.error is None:
                job.error = RuntimeError("the request was not stored: its group commit was stopped")
            job.done = True


def _alone(engine: Engine, job: Job[Item, Result], store: Store[Item, Result],
           reset: Callable[[Item], None] | None) -> None:
    job.result, job.error = None, None
    if reset is not None:
        reset(job.item)
    try:
        with writing(engine) as conn:
            store(conn, [job])
    except Exception as exc:
        job.error = exc
