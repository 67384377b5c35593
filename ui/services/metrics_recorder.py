"""Measures what the user waits for and records it (seed 002 section 8).

Timings end when the widgets showing the new data have *painted* (each view
emits `painted` after its paintEvent), not when data was handed to them:

- page_load / refresh: `ttfb_ms` (request to data ready in the worker) and
  `render_total_ms` (request to cards and chart painted);
- switch: `switch_latency_ms` (click to repaint) for range, as-of and
  granularity, plus the analytics event `switch_range_or_granularity`;
- alerts_poll: `alerts_poll_interval_ms` between poll starts;
- drilldown_timing: `drilldown_duration_ms` (click to tab painted) and
  `drilldown_clicks`, plus the analytics event `drilldown`;
- alert_click, export_csv: analytics events; app_start: start-up timings (raw).

Events go to the query service's writer thread: never written on the GUI thread.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

PAINT_TIMEOUT_MS = 10_000
QUIET_MS = 400  # events wait for a quiet moment, so a write never competes with a repaint


def process_age_ms() -> float | None:
    """Milliseconds since this process started (Linux /proc), or None elsewhere."""
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000)
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def on_screen(widget) -> bool:
    """Shown and not scrolled out of view: a widget the user can see repaint. One scrolled
    away repaints only when scrolled back, which would make a fast switch look slow."""
    return widget is not None and widget.isVisible() and not widget.visibleRegion().isEmpty()


class _PaintWatch(QObject):
    """Calls back once every target on screen has painted; with None when that did not
    happen within PAINT_TIMEOUT_MS (the wait could not be measured: counted, not timed)."""

    def __init__(self, targets: list, done: Callable[[float | None], None], parent: QObject):
        super().__init__(parent)
        self._done = done
        self._pending = {id(t): t for t in targets if on_screen(t)}
        self._conns = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        if not self._pending:
            QTimer.singleShot(0, self, self._finish_now)
            return
        for key, t in self._pending.items():
            self._conns.append((t, t.painted.connect(lambda k=key: self._on_target_painted(k))))
        self._timer.start(PAINT_TIMEOUT_MS)

    def _finish_now(self) -> None:
        self._done(time.perf_counter())
        self.deleteLater()

    def _on_target_painted(self, key: int) -> None:
        if self._pending.pop(key, None) is not None and not self._pending:
            t = time.perf_counter()
            self._disconnect()
            self._done(t)
            self.deleteLater()

    def _on_timer_timeout(self) -> None:
        self._disconnect()
        self._done(None)  # not painted (a hidden window): an unmeasured wait
        self.deleteLater()

    def _disconnect(self) -> None:
        self._timer.stop()
        for t, c in self._conns:
            try:
                t.painted.disconnect(c)
            except (RuntimeError, TypeError):
                pass
        self._conns.clear()


class MetricsRecorder(QObject):
    """Turns user-visible moments into events for `QueryService.record`."""

    eventRecorded = Signal(str, dict)  # event type, meta (also for the status bar and tests)

    def __init__(self, service, path_of: Callable[[], str | None], parent: QObject | None = None):
        super().__init__(parent)
        self._service = service
        self._path_of = path_of
        self.enabled = True
        self.last: dict[str, dict] = {}
        self._pending: list[tuple] = []
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(QUIET_MS)
        self._quiet.timeout.connect(self.flush)

    def record(self, event_type: str, meta: dict | None = None, raw: dict | None = None) -> None:
        """Queue one event (its time is now); it is written, one transaction each, once
        the GUI has been quiet for a moment, on the query service's writer thread."""
        path = self._path_of()
        # None: a wait that could not be measured (stored as NULL, counted by the gates)
        meta = {k: (round(float(v), 3) if v is not None else None) for k, v in (meta or {}).items()}
        self.last[event_type] = dict(meta)
        self.eventRecorded.emit(event_type, dict(meta))
        if self.enabled and path:
            self._pending.append((path, event_type, meta or None, raw, datetime.now(timezone.utc)))
            self._quiet.start()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        """Hand every queued event to the writer thread now."""
        self._quiet.stop()
        pending, self._pending = self._pending, []
        for path, event_type, meta, raw, when in pending:
            self._service.record(path, event_type, meta, raw, when)

    def after_paint(self, targets: list, done: Callable[[float], None]) -> None:
        _PaintWatch(targets, done, self)

    # -- the moments -------------------------------------------------------------------------------
    def data_shown(self, cause: str, t0: float, t_data: float, targets: list,
                   extra: dict | None = None, then: Callable[[float], None] | None = None) -> None:
        """A payload was applied for `cause`; record once `targets` have painted."""

        def done(t_paint: float | None) -> None:
            total = (t_paint - t0) * 1000 if t_paint is not None else None
            if cause in ("load", "refresh"):
                event = "page_load" if cause == "load" else "refresh"
                self.record(event, {"ttfb_ms": max(0.0, (t_data - t0) * 1000), "render_total_ms": total})
            elif cause in ("range", "as_of", "granularity"):
                context = {"what": cause, **(extra or {})}
                self.record("switch", {"switch_latency_ms": total}, context)
                self.record("switch_range_or_granularity", None, context)
            if then is not None and t_paint is not None:
                then(t_paint)

        self.after_paint(targets, done)

    def poll_started(self, interval_ms: float) -> None:
        if interval_ms > 0:
            self.record("alerts_poll", {"alerts_poll_interval_ms": interval_ms})

    def drilldown_clicked(self, key: str, clicks: int, origin: str) -> None:
        self.record("drilldown", None, {"key": key, "from": origin, "clicks": clicks})

    def drilldown_shown(self, key: str, clicks: int, t0: float, targets: list) -> None:
        def done(t_paint: float | None) -> None:
            ms = (t_paint - t0) * 1000 if t_paint is not None else None
            self.record("drilldown_timing", {"drilldown_duration_ms": ms, "drilldown_clicks": clicks}, {"key": key})

        self.after_paint(targets, done)

    def alert_clicked(self, alert: dict) -> None:
        self.record("alert_click", None, {"alert_id": alert.get("id"), "type": alert.get("type"),
                                          "severity": alert.get("severity")})

    def exported(self, key: str, table: str, rows: int) -> None:
        self.record("export_csv", None, {"key": key, "table": table, "rows": rows})

    def app_started(self, timings: dict) -> None:
        """Start-up to the first full paint (kept as raw context of an `app_start` event)."""
        raw = dict(timings)
        age = process_age_ms()
        if age is not None:
            raw["since_process_start_ms"] = round(age, 1)
        self.record("app_start", None, raw)
