"""The one place background work runs: SQLite reads, metric writes, demo files.

A requester asks on a `Lane` of its own (`service.lane("dashboard", owner)`):
`lane.submit(job, on_result, on_error, on_progress)` returns a `Request` (a
handle with a generation id) and the outcome is handed to those callbacks, on
the GUI thread, and to nobody else. The newest request of a lane is the only
one whose outcome is delivered:

- stale results are dropped here, never delivered (`dropped` counts them);
- an identical job already in flight is not started again: the new request
  waits on it (single-flight across lanes; `coalesced` counts them);
- a queued job nobody waits for any more is taken off the pool;
- a lane whose owner (a QObject) has been deleted is delivered nothing.

`service.submit(job, ...)` is a one-off lane: never superseded (an API start
or stop must always land). Each request carries its dashboard's name (the
job's `dashboard`), so one file's dashboards load side by side.

Reads run on a private QThreadPool; each worker thread keeps its own read-only
connection per file (`store.open_reader`). Metric writes run on a second pool
with one thread, through one `metrics.MetricsWriter` per file, holding the
stamp book's lock so that the app's own writes are told apart from real
changes of the file. Results reach the GUI thread through a queued signal;
nothing here touches a widget. `set_slow_hook` lets a test inject a slow query.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from .jobs import (AFTER_WRITES, HANDLERS, Context, Job, SourceResult, StampBook, message_of, record_event,
                   slow_sqlite)

__all__ = ["QueryService", "Lane", "Request", "Job", "SourceResult", "StampBook", "slow_sqlite"]

ResultCallback = Callable[["Request", Any], None]
ErrorCallback = Callable[["Request", str], None]
ProgressCallback = Callable[["Request", float, str], None]

# How long a thread running Python keeps the interpreter lock while another waits for it. The GUI
# thread gives the lock up inside Qt calls (a repaint calls back into Python many times, once per
# pyqtgraph item) and must take it back each time: at Python's default 5 ms, a worker computing in
# Python stretched a 2 ms repaint of a chart to 12 ms; at 1 ms, to ~2.5 ms.
GUI_SWITCH_INTERVAL_S = 0.001


class Request:
    """One request: its generation id, its lane, and where its outcome goes."""

    __slots__ = ("generation", "lane", "job", "context", "submitted", "finished", "on_result",
                 "on_error", "on_progress")

    def __init__(self, generation: int, lane: "Lane", job: Job, context: Any,
                 on_result: ResultCallback | None, on_error: ErrorCallback | None,
                 on_progress: ProgressCallback | None):
        self.generation = generation
        self.lane = lane
        self.job = job
        self.context = context  # the caller's intent (range, key...)
        self.submitted = time.perf_counter()
        self.finished = 0.0  # perf_counter when the worker finished (set on delivery)
        self.on_result, self.on_error, self.on_progress = on_result, on_error, on_progress

    @property
    def dashboard(self) -> str:
        return self.job.dashboard

    @property
    def current(self) -> bool:
        """True while no newer request of its lane (nor a cancel) has superseded it."""
        return self.lane._generation == self.generation and self.lane.alive

    def cancel(self) -> None:
        if self.current:
            self.lane.cancel()

    def __repr__(self) -> str:
        return f"Request({self.generation}, {self.lane.name!r}, {self.job!r})"


class Lane:
    """The requests of one requester: each new one supersedes the earlier ones."""

    def __init__(self, service: "QueryService", name: str, owner: QObject | None = None):
        self.service = service
        self.name = name  # for diagnostics and repr only: nobody filters on it
        self._owner = owner
        self._generation = 0
        self._latest: Request | None = None

    @property
    def alive(self) -> bool:
        return self._owner is None or shiboken6.isValid(self._owner)

    def submit(self, job: Job, on_result: ResultCallback | None = None, on_error: ErrorCallback | None = None,
               on_progress: ProgressCallback | None = None, context: Any = None) -> Request:
        req = Request(next(self.service._gen), self, job, context, on_result, on_error, on_progress)
        self._generation = req.generation
        self._latest = req
        self.service._start(req)
        return req

    def cancel(self) -> None:
        """Forget the pending request: its outcome will be dropped."""
        self._generation = next(self.service._gen)
        self._latest = None
        self.service._prune()

    @property
    def in_flight(self) -> bool:
        """A current request is waiting for its outcome."""
        req = self._latest
        return req is not None and req.current and self.service._waiting(req)

    @property
    def latest(self) -> Request | None:
        return self._latest if self._latest is not None and self._latest.current else None


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
            if hook is not None and job.kind in ("source", "drilldown", "gates", "panel", "page", "choices"):
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
    """Runs jobs off the GUI thread; delivers only current results, to their requester."""

    busyChanged = Signal(bool)
    eventWritten = Signal(str, int, str)  # event type, id, file it went to
    writeFailed = Signal(str, str)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2):
        super().__init__(parent)
        if sys.getswitchinterval() > GUI_SWITCH_INTERVAL_S:  # process-wide: the window shares it with our workers
            sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
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
        self._flights: dict[Job, _Flight] = {}
        self._closed = False
        self._busy = False
        self.started = 0
        self.started_kinds: Counter[str] = Counter()  # job kind -> jobs started (tests, diagnostics)
        self.coalesced = 0
        self.dropped = 0
        self.pending_writes = 0

    # -- the caller's side ----------------------------------------------------------
    def lane(self, name: str, owner: QObject | None = None) -> Lane:
        """A stream of requests whose newest supersedes the rest; `owner`: nothing is
        delivered once that QObject is deleted."""
        return Lane(self, name, owner)

    def submit(self, job: Job, on_result: ResultCallback | None = None, on_error: ErrorCallback | None = None,
               on_progress: ProgressCallback | None = None, context: Any = None,
               owner: QObject | None = None) -> Request:
        """A one-off request that nothing supersedes (its outcome always lands)."""
        return Lane(self, job.kind, owner).submit(job, on_result, on_error, on_progress, context)

    def _start(self, req: Request) -> None:
        if self._closed:
            return
        job = req.job
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

    def _waiting(self, req: Request) -> bool:
        flight = self._flights.get(req.job)
        return flight is not None and any(r is req for r in flight.waiters)

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
            if flight.runner.started or any(r.current for r in flight.waiters):
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
            if not req.current:
                self.dropped += 1
                continue
            req.finished = t_done
            req.lane._latest = None  # answered: no longer in flight
            if error is not None:
                if req.on_error is not None:
                    req.on_error(req, error)
            elif req.on_result is not None:
                req.on_result(req, result)

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
        for req in list(flight.waiters):
            if req.current and req.on_progress is not None:
                req.on_progress(req, fraction, message)
