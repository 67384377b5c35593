"""The one place background work runs: SQLite reads, metric writes, demo files.

A caller `submit`s a `Job` (jobs.py) on a *channel* ("dashboard", "alerts",
"drilldown:finance/nrr"...) and gets a `Request` with a new generation id; the
newest generation of a channel is the only one whose result is delivered:

- stale results are dropped here, never emitted (`dropped` counts them);
- an identical job already in flight is not started again: the new request
  waits on it (single-flight; `coalesced` counts them);
- a queued job nobody waits for any more is taken off the pool.

Reads run on a private QThreadPool; each worker thread keeps its own read-only
connection per file (`store.open_reader`). Metric writes run on a second pool
with one thread, through one `metrics.MetricsWriter` per file, holding the
stamp book's lock so that the app's own writes are told apart from real
changes of the file. Results reach the GUI thread through a queued signal;
nothing here touches a widget. `set_slow_hook` lets a test inject a slow query.
"""

from __future__ import annotations

import itertools
from collections import Counter
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from .jobs import (AFTER_WRITES, HANDLERS, Context, Job, SourceResult, StampBook, message_of, record_event,
                   slow_sqlite)

__all__ = ["QueryService", "Request", "Job", "SourceResult", "StampBook", "slow_sqlite"]


@dataclass(frozen=True)
class Request:
    generation: int
    channel: str
    job: Job
    context: Any = field(default=None, compare=False)  # the caller's intent (range, key...)
    submitted: float = field(default_factory=time.perf_counter, compare=False)



class _Runner(QRunnable):
    def __init__(self, service: "QueryService", job: Job):
        super().__init__()  # auto-deleted by the pool after run(); the service keeps only flags
        self._service = service
        self._ctx = service._ctx
        self._job = job
        self.started = False

    def run(self) -> None:
        self.started = True
        job, ctx, relay = self._job, self._ctx, self._service._relay
        if ctx.closing:
            return

        def progress(fraction: float, message: str) -> None:
            if not ctx.closing:
                relay.jobProgressed.emit(job, float(fraction), str(message))

        try:
            hook = ctx.slow_hook
            if hook is not None and job.kind in ("source", "drilldown", "gates"):
                hook(job, ctx)
            result = HANDLERS[job.kind](ctx, job, progress)
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a message
            if not ctx.closing:
                relay.jobFinished.emit(job, None, message_of(exc), time.perf_counter())
            return
        if not ctx.closing:
            relay.jobFinished.emit(job, result, None, time.perf_counter())


class _WriteRunner(QRunnable):
    def __init__(self, service: "QueryService", path: str, event_type: str, meta, raw, when):
        super().__init__()
        self._ctx = service._ctx
        self._relay = service._relay
        self._args = (path, event_type, meta, raw, when)

    def run(self) -> None:
        path, event_type, meta, raw, when = self._args
        ctx = self._ctx
        try:
            with ctx.book.lock:  # a stamp check never sees half of our own write
                event_id, target = record_event(ctx, path, event_type, meta, raw, when)
        except BaseException as exc:  # noqa: BLE001
            if not ctx.closing:
                self._relay.writeFailed.emit(event_type, message_of(exc))
            return
        if not ctx.closing:
            self._relay.eventWritten.emit(event_type, int(event_id), target)


class _Relay(QObject):
    """Carries worker results to the GUI thread (queued: it lives there)."""

    jobFinished = Signal(object, object, object, float)  # job, result, error message, when
    jobProgressed = Signal(object, float, str)
    eventWritten = Signal(str, int, str)
    writeFailed = Signal(str, str)


@dataclass
class _Flight:
    runner: _Runner
    waiters: list[Request]


class QueryService(QObject):
    """Runs jobs off the GUI thread; delivers only current results."""

    resultReady = Signal(object, object, float)  # Request, result, when the worker finished
    requestFailed = Signal(object, str)  # Request, message
    requestProgressed = Signal(object, float, str)  # Request, fraction, message
    busyChanged = Signal(bool)
    eventWritten = Signal(str, int, str)  # event type, id, file it went to
    writeFailed = Signal(str, str)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2):
        super().__init__(parent)
        self._ctx = Context()
        self._relay = _Relay(self)
        self._relay.jobFinished.connect(self._on_relay_job_finished)
        self._relay.jobProgressed.connect(self._on_relay_job_progressed)
        self._relay.eventWritten.connect(self._on_relay_event_written)
        self._relay.writeFailed.connect(self._on_relay_write_failed)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._writes = QThreadPool(self)
        self._writes.setMaxThreadCount(1)  # one writer, events in order
        self._writes.setExpiryTimeout(-1)
        self._gen = itertools.count(1)
        self._current: dict[str, int] = {}
        self._flights: dict[Job, _Flight] = {}
        self._closed = False
        self._busy = False
        self.started = 0
        self.started_kinds: Counter[str] = Counter()  # job kind -> jobs started (tests, diagnostics)
        self.coalesced = 0
        self.dropped = 0
        self.pending_writes = 0

    # -- the caller's side ----------------------------------------------------------
    def submit(self, channel: str, job: Job, context: Any = None) -> Request:
        """Run `job` for `channel`; this request supersedes the channel's earlier ones."""
        req = Request(next(self._gen), channel, job, context)
        self._current[channel] = req.generation
        if self._closed:
            return req
        flight = self._flights.get(job)
        if flight is not None:
            flight.waiters.append(req)
            self.coalesced += 1
        else:
            runner = _Runner(self, job)
            self._flights[job] = _Flight(runner, [req])
            self.started += 1
            self.started_kinds[job.kind] += 1
            # the quality gates read the metrics: queue them behind the pending writes
            (self._writes if job.kind in AFTER_WRITES else self._pool).start(runner)
        self._prune()
        return req

    def cancel(self, channel: str) -> None:
        """Forget the channel's pending request: its result will be dropped."""
        self._current[channel] = next(self._gen)
        self._prune()

    def is_current(self, req: Request) -> bool:
        return self._current.get(req.channel) == req.generation

    def in_flight(self, channel: str) -> bool:
        return any(self.is_current(r) for f in self._flights.values() for r in f.waiters
                   if r.channel == channel)

    @property
    def busy(self) -> bool:
        return bool(self._flights)

    def record(self, path: str, event_type: str, meta: dict | None = None,
               raw: dict | None = None, when=None) -> None:
        """Store one metrics event (one transaction) on the writer thread; `when`: its time."""
        if self._closed or not path:
            return
        self.pending_writes += 1
        self._writes.start(_WriteRunner(self, str(path), event_type, dict(meta or {}) or None, raw, when))

    def forget(self, path: str) -> None:
        self._ctx.book.forget(path)

    # -- test hooks -----------------------------------------------------------------------
    def set_slow_hook(self, hook: Callable[[Job, Context], None] | None) -> None:
        """Run `hook(job, ctx)` in the worker before each read (tests: a slow query)."""
        self._ctx.slow_hook = hook

    def wait_for_writes(self, msecs: int = 5000) -> bool:
        return self._writes.waitForDone(msecs)

    def wait_for_done(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    # -- shutdown -------------------------------------------------------------------------
    def shutdown(self, msecs: int = 5000) -> None:
        """Stop taking work, interrupt running reads, flush writes, close connections."""
        if self._closed:
            return
        self._closed = True
        self._pool.clear()
        self._ctx.closing = True
        self._ctx.interrupt_all()
        self._pool.waitForDone(msecs)
        self._ctx.closing = False  # let queued metric writes finish
        self._writes.waitForDone(msecs)
        self._ctx.closing = True
        self._ctx.close()
        self._flights.clear()

    # -- results ----------------------------------------------------------------------------
    def _prune(self) -> None:
        """Take queued jobs off the pool when every request waiting on them is stale."""
        for job, flight in list(self._flights.items()):
            if flight.runner.started or any(self.is_current(r) for r in flight.waiters):
                continue
            try:
                pool = self._writes if job.kind in AFTER_WRITES else self._pool
                taken = pool.tryTake(flight.runner)
            except RuntimeError:  # it ran and was deleted meanwhile
                taken = False
            if taken:
                del self._flights[job]
                self.dropped += len(flight.waiters)
        self._set_busy(bool(self._flights))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)

    @Slot(object, object, object, float)
    def _on_relay_job_finished(self, job: Job, result, error, t_done: float) -> None:
        flight = self._flights.pop(job, None)
        if flight is None:
            return
        self._set_busy(bool(self._flights))
        for req in flight.waiters:
            if not self.is_current(req):
                self.dropped += 1
                continue
            if error is not None:
                self.requestFailed.emit(req, error)
            else:
                self.resultReady.emit(req, result, t_done)

    @Slot(str, int, str)
    def _on_relay_event_written(self, event_type: str, event_id: int, target: str) -> None:
        self.pending_writes -= 1
        self.eventWritten.emit(event_type, event_id, target)

    @Slot(str, str)
    def _on_relay_write_failed(self, event_type: str, message: str) -> None:
        self.pending_writes -= 1
        self.writeFailed.emit(event_type, message)

    @Slot(object, float, str)
    def _on_relay_job_progressed(self, job: Job, fraction: float, message: str) -> None:
        flight = self._flights.get(job)
        if flight is None:
            return
        for req in flight.waiters:
            if self.is_current(req):
                self.requestProgressed.emit(req, fraction, message)
