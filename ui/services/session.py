"""One dashboard of the open data file: its source, the view state, polling and refreshes.

`QtDataSession` serves one dashboard (a `dashboards.Dashboard` declaration;
the Executive one unless told). It asks the query service for the
dashboard's source of the file (never SQLite itself) and builds payloads
from it on the GUI thread with the declaration's `payload` (pure,
sub-millisecond): a range or as-of change re-asks the worker (which answers
from memory while the file's stamp is unchanged); a granularity change only
re-buckets the monthly payload in memory (`rebucket`), with no query. Each
dashboard keeps its own range, granularity and as-of, remembered per file.

Its lanes (each request supersedes the lane's earlier ones; the outcome
comes back to the slot that asked): open (a new file), dashboard (range,
as-of, refresh), alerts (the 30 s +/- 5 s poll, never two in flight), check
(the file watcher).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from execdash_desktop.dashboards import Dashboard, registry
from execdash_desktop.errors import InvalidRequestError

from .query_service import Job, QueryService, SourceResult
from .settings import Settings, ViewState

POLL_MS = 30_000
POLL_JITTER_MS = 5_000
FULL_REFRESH_MS = 60_000
WATCH_DEBOUNCE_MS = 300


@dataclass(frozen=True)
class Intent:
    """Why a request was made (rides on the Request as its context)."""

    cause: str  # load | refresh | range | as_of | poll | check
    t0: float  # perf_counter of the user's action or of the request
    state: ViewState


class QtDataSession(QObject):
    fileOpened = Signal(str)  # path
    payloadChanged = Signal(dict, str, float, float)  # payload, cause, t0, t_data
    trendChanged = Signal(dict, float)  # re-bucketed payload, t0 (granularity switch)
    alertsPolled = Signal(list, float)  # alerts, interval since the previous poll (ms; 0: first)
    sourceChanged = Signal(object)  # SourceResult: the file's data changed (or was loaded)
    monthsChanged = Signal(list)  # months with a revenue_trend row, oldest first
    stateChanged = Signal(object)  # ViewState
    loadFailed = Signal(str, str)  # cause, message
    loadRecovered = Signal()
    loadProgressed = Signal(float, str)
    busyChanged = Signal(bool)

    def __init__(self, service: QueryService, settings: Settings, parent: QObject | None = None,
                 dashboard: Dashboard | None = None):
        super().__init__(parent)
        self.dashboard = dashboard or registry.get(registry.DEFAULT)
        self.service = service
        self.settings = settings
        self.path: str | None = None
        self.opening: str | None = None  # the file asked for last (loaded or not)
        self.state = ViewState()
        self.result: SourceResult | None = None
        self.data_generation = 0  # +1 each time the file's data is (re)loaded
        self.shown = True  # its dashboard is the one in view (the window says: set_shown)
        self.stale = False  # a refresh was asked for while hidden
        self.sensitivity = settings.unusual_months  # of unusual months: off | normal | sensitive
        self.monthly: dict | None = None
        self.payload: dict | None = None
        self._retry: tuple[str, Job, Intent] | None = None  # (lane, job, intent) that failed
        self._last_poll: float | None = None
        self._poll_interval = 0.0  # ms between the last two poll starts
        self.poll_ms, self.poll_jitter_ms = POLL_MS, POLL_JITTER_MS
        self.poll_timer = QTimer(self)
        self.poll_timer.setSingleShot(True)
        self.poll_timer.timeout.connect(self._on_poll_timer_timeout)
        self.full_timer = QTimer(self)
        self.full_timer.setInterval(FULL_REFRESH_MS)
        self.full_timer.timeout.connect(self._on_full_timer_timeout)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._on_watcher_changed)
        self.watcher.directoryChanged.connect(self._on_watcher_changed)
        self._watch_debounce = QTimer(self)
        self._watch_debounce.setSingleShot(True)
        self._watch_debounce.setInterval(WATCH_DEBOUNCE_MS)
        self._watch_debounce.timeout.connect(self._on_watch_debounce_timeout)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(1000)
        self._save_timer.timeout.connect(self._on_save_timer_timeout)
        # each lane's outcome goes to its own slot
        self._lanes = {"open": (service.lane("open", self), self._on_open_done),
                       "dashboard": (service.lane("dashboard", self), self._on_dashboard_done),
                       "alerts": (service.lane("alerts", self), self._on_alerts_done),
                       "check": (service.lane("check", self), self._on_check_done)}
        self.set_full_refresh(settings.full_refresh)

    # -- opening --------------------------------------------------------------------------
    def open(self, path: str | Path) -> None:
        """Load a data file; the current one stays on screen until it has loaded."""
        p = str(Path(path).expanduser().resolve())
        state = self.settings.view_state(p, self.dashboard.name)
        self.opening = p
        self._submit("open", self._job(p, state=state), Intent("load", time.perf_counter(), state))

    @property
    def name(self) -> str:
        return self.dashboard.name

    def _job(self, path: str, args: tuple = (), state=None) -> Job:
        """A load of `path`; the worker also builds the month payload for `state` (default:
        the current one), so a big dashboard's first payload is not built on the GUI thread."""
        state = state or self.state
        want = (state.range, state.as_of) if state is not None else None
        return Job("source", path, args, payload=want, dashboard=self.dashboard.name)

    @property
    def src(self):
        return self.result.src if self.result else None

    def window(self):
        """What the numbers on screen cover (hashable): drill-downs and the board pack are
        current while it is unchanged."""
        if self.monthly is None:
            return None
        tf = self.monthly["timeframe"]
        if self.dashboard.name == "executive":  # the ExecSource's month window (boardpack.gather)
            from execdash_desktop.packs.executive.narrative import window_of

            return window_of(self.monthly)
        return (tf.get("range"), tf.get("start_date"), tf.get("end_date"), tf.get("as_of"))

    # -- controls ------------------------------------------------------------------------------
    def set_range(self, range_: str, t0: float | None = None) -> None:
        self._set_state(self.state.with_(range=range_))
        self._requery("range", t0)

    def set_as_of(self, as_of: str | None, t0: float | None = None) -> None:
        self._set_state(self.state.with_(as_of=as_of))
        self._requery("as_of", t0)

    def set_granularity(self, granularity: str, t0: float | None = None) -> None:
        """Re-bucket the monthly payload in memory: no query."""
        t0 = time.perf_counter() if t0 is None else t0
        self._set_state(self.state.with_(granularity=granularity))
        if self.monthly is None:
            return
        self.payload = self._bucketed(self.monthly)
        self.trendChanged.emit(self.payload, t0)

    def set_shown(self, shown: bool) -> None:
        """In view or not: a refresh asked for while hidden runs when it is shown again."""
        self.shown = shown
        if shown and self.stale:
            self.stale = False
            self.refresh("refresh")

    def refresh_when_shown(self, cause: str = "refresh") -> None:
        """F5 and the 60 s timer: refresh now if in view, else mark stale (no hidden dashboard keeps
        old numbers, and none reloads a big file nobody looks at)."""
        if self.shown:
            self.refresh(cause)
        elif self.path:
            self.stale = True

    def refresh(self, cause: str = "refresh") -> None:
        """Re-query everything from the file (F5, the 60 s timer, a change on disk)."""
        self.stale = False
        if self.path:
            self._submit("dashboard", self._job(self.path, (True,)),
                         Intent(cause, time.perf_counter(), self.state))

    def retry(self) -> None:
        if self._retry is not None:
            lane, job, intent = self._retry
            self._submit(lane, job, Intent(intent.cause, time.perf_counter(), intent.state))

    def _requery(self, cause: str, t0: float | None) -> None:
        if self.path:
            t0 = time.perf_counter() if t0 is None else t0
            self._submit("dashboard", self._job(self.path), Intent(cause, t0, self.state))

    def _set_state(self, state: ViewState) -> None:
        self.state = state
        if self.path:
            self._save_timer.start()  # QSettings writes its file later: keep it off the click
        self.stateChanged.emit(state)

    def _on_save_timer_timeout(self) -> None:
        if self.path:
            self.settings.set_view_state(self.path, self.state, self.dashboard.name)

    def _submit(self, lane: str, job: Job, intent: Intent):
        queue, on_result = self._lanes[lane]
        on_error = lambda req, message: self._on_request_failed(lane, req, message)  # noqa: E731
        return queue.submit(job, on_result, on_error, self._on_request_progressed, context=intent)

    # -- refresh timers -----------------------------------------------------------------------
    def set_poll_interval(self, ms: int, jitter_ms: int) -> None:
        self.poll_ms, self.poll_jitter_ms = ms, jitter_ms
        if self.poll_timer.isActive():
            self._arm_poll()

    def set_full_refresh(self, on: bool) -> None:
        if on:
            self.full_timer.start()
        else:
            self.full_timer.stop()

    def _arm_poll(self) -> None:
        jitter = random.uniform(-self.poll_jitter_ms, self.poll_jitter_ms)
        self.poll_timer.start(max(10, int(self.poll_ms + jitter)))

    def poll_alerts(self) -> bool:
        """Ask for the alerts now, unless a poll is in flight. Returns whether it polled."""
        if not self.path or self.alerts_in_flight:
            return False
        now = time.perf_counter()
        interval = (now - self._last_poll) * 1000 if self._last_poll is not None else 0.0
        self._last_poll = now
        self._submit("alerts", self._job(self.path), Intent("poll", now, self.state))
        self._poll_interval = interval
        return True

    def _on_poll_timer_timeout(self) -> None:
        self.poll_alerts()
        self._arm_poll()

    def _on_full_timer_timeout(self) -> None:
        self.refresh_when_shown("refresh")

    # -- the file on disk ---------------------------------------------------------------------------
    def _watch(self, path: str) -> None:
        old = self.watcher.files() + self.watcher.directories()
        if old:
            self.watcher.removePaths(old)
        paths = [p for p in (path, f"{path}-wal", str(Path(path).parent)) if Path(p).exists()]
        if paths:
            self.watcher.addPaths(paths)

    def _on_watcher_changed(self, _changed: str) -> None:
        self._watch_debounce.start()

    def _on_watch_debounce_timeout(self) -> None:
        if not self.path:
            return
        wanted = [p for p in (self.path, f"{self.path}-wal") if Path(p).exists()]
        missing = [p for p in wanted if p not in self.watcher.files()]
        if missing:  # replaced files drop out of the watcher
            self.watcher.addPaths(missing)
        # the worker compares the stamp with the one it knows (own metric writes included)
        self._submit("check", self._job(self.path), Intent("check", time.perf_counter(), self.state))

    # -- results ---------------------------------------------------------------------------------------
    @property
    def alerts_in_flight(self) -> bool:
        return self._lanes["alerts"][0].in_flight

    def _on_open_done(self, req, result: SourceResult) -> None:
        self._on_opened(req.job.path, req.context, result, req.finished)

    def _on_dashboard_done(self, req, result: SourceResult) -> None:
        if req.job.path == self.path:
            self._apply(result, req.context, req.finished)

    def _on_alerts_done(self, req, result: SourceResult) -> None:
        if req.job.path == self.path:
            self.alertsPolled.emit(self._alerts_known(result.src), self._poll_interval)
            self._on_check_done(req, result)

    def _on_check_done(self, req, result: SourceResult) -> None:
        if req.job.path == self.path and result.changed:
            self._apply(result, Intent("refresh", req.context.t0, self.state), req.finished)

    def _on_opened(self, path: str, intent: Intent, result: SourceResult, t_done: float) -> None:
        if self._save_timer.isActive():  # the previous file's choice first
            self._save_timer.stop()
            self._on_save_timer_timeout()
        self.path = path
        self.state = intent.state
        self.settings.add_recent(path)
        self._watch(path)
        self._last_poll = None
        self.fileOpened.emit(path)
        self.stateChanged.emit(self.state)
        self._apply(result, intent, t_done, force_changed=True)
        self._arm_poll()

    def _alerts_known(self, src) -> list[dict]:
        """The polled alerts known at the shown as-of month (the dashboard's rule, if it has one)."""
        if self.dashboard.alerts_at is not None:
            return self.dashboard.alerts_at(src, self.state.range, self.state.as_of)
        return list(getattr(src, "alerts", ()))

    def _apply(self, result: SourceResult, intent: Intent, t_done: float,
               force_changed: bool = False) -> None:
        changed = force_changed or result.changed or self.result is None
        self.result = result
        src, d = result.src, self.dashboard
        options = d.as_of_options(src) if d.as_of_options is not None else []
        if changed:
            self.monthsChanged.emit(list(options))
        state = self.state
        if state.as_of is not None and d.as_of == "month" and state.as_of not in options:
            state = state.with_(as_of=None)  # that month is no longer in the file
            self._set_state(state)
        try:
            built = result.monthly
            if built is not None and built[0] == (state.range, state.as_of) and built[1] is not None:
                self.monthly = built[1]  # built by the worker with the source
            else:
                self.monthly = d.payload(src, state.range, "month", state.as_of)
        except InvalidRequestError as exc:
            if state.as_of is None:
                self.loadFailed.emit(intent.cause, str(exc))
                return
            self._set_state(state.with_(as_of=None))  # a remembered moment the file no longer covers
            self._apply(result, intent, t_done, force_changed)
            return
        self.payload = self._bucketed(self.monthly)
        if self._retry is not None:
            self._retry = None
            self.loadRecovered.emit()
        if changed:
            self.data_generation += 1
            self.sourceChanged.emit(result)
        self.payloadChanged.emit(self.payload, intent.cause, intent.t0, t_done)

    def _bucketed(self, monthly: dict) -> dict:
        if self.state.granularity == "quarter":
            return self.dashboard.rebucket(monthly, "quarter")
        return monthly

    def _on_request_failed(self, lane: str, req, message: str) -> None:
        if lane != "open" and req.job.path != self.path:
            return
        self._retry = (lane, req.job, req.context)
        self.loadFailed.emit(req.context.cause, message)

    def _on_request_progressed(self, _req, fraction: float, message: str) -> None:
        self.loadProgressed.emit(fraction, message)

    def stop(self) -> None:
        if self._save_timer.isActive():
            self._save_timer.stop()
            self._on_save_timer_timeout()
        self.poll_timer.stop()
        self.full_timer.stop()
        self._watch_debounce.stop()
        old = self.watcher.files() + self.watcher.directories()
        if old:
            self.watcher.removePaths(old)
