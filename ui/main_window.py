"""The main window: the file's dashboards (a sidebar when there are several), each with
its tabs (dashboard first, then its drill-downs), menus, status bar; wires the parts.

It owns no data logic: each `DashboardView` holds a dashboard's `QtDataSession`
(payloads, range, granularity, as-of), page and `DrilldownTabs`;
`MetricsRecorder` the timings, and the `QueryService` every read and write.
`window.page`, `.session`, `.tabs` and `.drilldowns` are those of the
dashboard in view. A file with one dashboard looks as it always did (no
sidebar); Ctrl+1..3 switch dashboards.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QMainWindow,
                               QMessageBox, QStackedWidget, QWidget)

from execdash_desktop import APP_NAME, __version__
from execdash_desktop.dashboards import registry
from execdash_desktop.paths import demo_file

from .dataio import import_actions, snapshot_dialog
from .export import export_actions
from . import theme
from .dashboard.shell import DashboardsMixin, as_of_text
from .dashboard.view import DashboardView
from .menus import QtShortcutsDialog, build_menus, shortcut_rows
from .diagnostics import DiagnosticsTab
from .services.api_toggle import QtApiToggle
from .services.metrics_recorder import MetricsRecorder
from .present.presentation import QtPresentation
from .present.window_pages import PresentationPagesMixin
from .services.query_service import Job, QueryService
from .services.session import QtDataSession
from .services.settings import Settings


DEMO_ORDERS = 200_000
PREFETCH_AFTER_MS = 600  # drill-downs are fetched in the background once the first screen is up


class QtMainWindow(DashboardsMixin, PresentationPagesMixin, QMainWindow):
    firstPainted = Signal(dict)  # start-up timings, once the first payload is on screen
    dashboardShown = Signal(str)  # the dashboard now in view (its name)

    def __init__(self, service: QueryService, settings: Settings, session: QtDataSession | None = None,
                 t_main: float | None = None):
        super().__init__()
        self.service = service
        self.settings = settings
        self._t_main = t_main
        self._first_shown = False
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(900, 540)  # fits a 1366x768 laptop at 125% (1093x614)
        self.setWindowIcon(theme.app_icon())

        self.views: dict[str, DashboardView] = {}
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("DashboardList")
        self.sidebar.setFixedWidth(150)
        self.sidebar.hide()  # one dashboard: the window as it always was
        self.sidebar.currentRowChanged.connect(self._on_sidebar_current_row_changed)
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._holdings_lane = service.lane("holdings", self)
        self._holdings: tuple[str, ...] = ()  # the dashboards of the file, once their views are in place
        self._placing: tuple | None = None  # (path, holdings) whose views are being made, a turn at a time
        self._place_pending = False
        self._made_views: dict = {}  # views made for the holdings, not yet in the window

        self.recorder = MetricsRecorder(service, lambda: self.session.path, self)
        first = session.dashboard if session is not None else registry.get(registry.DEFAULT)
        self._current = self._add_view(first, session)

        self.status_as_of = QLabel("Loading\u2026")
        self.status_changed = QLabel("")
        self.status_activity = QLabel("")
        self.status_api = QLabel("")
        self.status_api.setObjectName("StatusApi")
        self.status_api.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        sb = self.statusBar()
        sb.setSizeGripEnabled(False)
        sb.addWidget(self.status_as_of)
        sb.addWidget(self.status_changed)
        sb.addPermanentWidget(self.status_activity)
        sb.addPermanentWidget(self.status_api)

        self.presentation = QtPresentation(self)
        self.menus = build_menus(self)
        self.menus.full_refresh.setChecked(settings.full_refresh)
        mgr = theme.manager()
        self.menus.theme[mgr.mode if mgr else "system"].setChecked(True)
        self.menus.unusual_months[settings.unusual_months].setChecked(True)
        self.api = QtApiToggle(service, self.menus.serve_api, lambda: self.session.path, self)
        self.diagnostics = DiagnosticsTab(self.tabs, service, lambda: self.session.path, self.recorder.flush, self)
        self._switch_actions: list[QAction] = []
        for i in range(3):  # Ctrl+1..3: the dashboards in sidebar order
            a = QAction(f"Dashboard {i + 1}", self)
            a.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(lambda _=False, n=i: self.show_dashboard_at(n))
            self.addAction(a)
            self.menus.dashboards.addAction(a)
            self._switch_actions.append(a)
        self._fill_recent()
        self._wire()
        self._refresh_dashboard_list()
        self.exports = export_actions.install(self)  # File > Export board pack / PNG
        self.snapshots = snapshot_dialog.install(self)  # File > Refresh from database, status note
        self.imports = import_actions.install(self)  # File > Import data / history, file drops
        if self.session.opening:  # app.py asked for the file before the window existed
            self._ask_holdings(self.session.opening)

    def _wire(self) -> None:
        self.service.busyChanged.connect(self._on_service_busy_changed)
        self.api.statusChanged.connect(self._on_api_status_changed)
        self.api.startFailed.connect(self._on_api_start_failed)
        self.presentation.playlist.advanced.connect(self._on_playlist_advanced)
        for v in self.views.values():
            self._wire_view(v)

    def _wire_view(self, v: DashboardView) -> None:
        """Connect one dashboard's parts; each slot is told which dashboard spoke."""
        c, s, p = v.page.controls, v.session, v.page
        c.rangeChanged.connect(s.set_range)
        c.granularityChanged.connect(s.set_granularity)
        c.asOfChanged.connect(s.set_as_of)
        c.refreshRequested.connect(self._on_refresh_action_triggered)
        p.cardActivated.connect(lambda key, t0: self._on_page_card_activated(v, key, t0))
        p.drilldownRequested.connect(lambda key, t0: v.drilldowns.open(key, clicks=1, t0=t0, origin="panel"))
        p.alertActivated.connect(lambda alert, t0: self._on_page_alert_activated(v, alert, t0))
        p.banner.retryRequested.connect(s.retry)
        p.banner.openAnotherRequested.connect(self._on_open_action_triggered)
        p.banner.openDemoRequested.connect(self._on_open_demo_action_triggered)
        p.chartReady.connect(lambda: self._on_page_chart_ready(v))
        s.fileOpened.connect(lambda path: self._on_session_file_opened(v, path))
        s.payloadChanged.connect(lambda *args: self._on_session_payload_changed(v, *args))
        s.trendChanged.connect(lambda payload, t0: self._on_session_trend_changed(v, payload, t0))
        s.alertsPolled.connect(lambda alerts, ms: self._on_session_alerts_polled(v, alerts, ms))
        s.monthsChanged.connect(c.set_months)
        s.stateChanged.connect(lambda state: c.set_state(state.range, state.granularity, state.as_of))
        s.sourceChanged.connect(lambda result: self._on_session_source_changed(v, result))
        s.loadFailed.connect(lambda cause, message: self._on_session_failed(v, cause, message))
        s.loadRecovered.connect(p.banner.clear)
        s.loadProgressed.connect(lambda f, m: self._on_session_progressed(v, f, m))
        v.tabs.tabCloseRequested.connect(self._on_tabs_tab_close_requested)
        v.drilldowns.tabOpened.connect(lambda key: self._on_drilldowns_tab_opened(v, key))
        v.drilldowns.tabsChanged.connect(lambda keys: self._on_drilldowns_tabs_changed(v, keys))
        actions = c.shortcut_actions()
        for a in actions:
            a.setEnabled(v is self._current)
        if v is not self._current:
            self.addActions(actions)  # the one in view's are in View > Range and granularity

    # -- opening files -----------------------------------------------------------------------
    def open_file(self, path: str | Path) -> None:
        """Load a data file: the dashboard in view reads it now; the holdings say which
        other dashboards it has (they load once the first screen is up)."""
        self.session.open(path)
        self._ask_holdings(str(path))

    def create_demo(self, path: str | Path, orders: int = DEMO_ORDERS) -> None:
        """Write the demo data file in the background, then open it."""
        self.page.banner.show_info("Creating a demo data file for the first start\u2026", "Welcome")
        job = Job("demo", str(path), (("executive", (("orders", orders),)), ("force", True)))
        self.service.submit(job,
                            self._on_demo_written, self._on_demo_failed, self._on_demo_progressed, owner=self)

    def _on_demo_written(self, req, _result) -> None:
        self.page.banner.clear()
        self.open_file(req.job.path)

    def _on_demo_failed(self, _req, message: str) -> None:
        self.page.banner.show_error(message, "Could not create the demo file", retry=False)

    def _on_demo_progressed(self, _req, fraction: float, message: str) -> None:
        self.page.banner.show_info(f"{message} ({fraction:.0%})", "Creating the demo data file")

    def _on_open_action_triggered(self) -> None:
        start = str(Path(self.session.path).parent) if self.session.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a data file", start,
                                              "SQLite files (*.sqlite *.sqlite3 *.db);;All files (*)")
        if path:
            self.open_file(path)

    def _on_open_demo_action_triggered(self) -> None:
        p = demo_file()
        if p.exists():
            self.open_file(p)
        else:
            self.create_demo(p)

    def _fill_recent(self) -> None:
        menu = self.menus.recent
        menu.clear()
        items = self.settings.recent_files
        for path in items:
            a = QAction(Path(path).name, menu)
            a.setToolTip(path)
            a.setStatusTip(path)
            a.triggered.connect(lambda _=False, p=path: self.open_file(p))
            menu.addAction(a)
        if items:
            menu.addSeparator()
            clear = menu.addAction("Clear the list")
            clear.triggered.connect(self._on_clear_recent_triggered)
        menu.setEnabled(bool(items))

    def _on_clear_recent_triggered(self) -> None:
        self.settings.clear_recent()
        self._fill_recent()

    # -- a dashboard's news --------------------------------------------------------------------------
    def _on_session_file_opened(self, v: DashboardView, path: str) -> None:
        self.setWindowTitle(f"{Path(path).name} \u2014 {APP_NAME}")
        self.setWindowFilePath(path)
        v.page.banner.clear()
        self._fill_recent()
        if v is self._current:
            self.api.file_opened(path)

    def _on_session_payload_changed(self, v: DashboardView, payload: dict, cause: str, t0: float,
                                    t_data: float) -> None:
        v.page.set_payload(payload)
        if cause == "load" and v.restored != v.session.path:  # the tabs open last time on this file
            v.restored = v.session.path
            QTimer.singleShot(PREFETCH_AFTER_MS, v.drilldowns,
                              lambda: v.drilldowns.restore(self.settings.open_drilldowns(v.session.path, v.name)))
        self._request_summary(v)
        if v is not self._current:
            return
        self._show_status(v)
        extra = {"range": payload["timeframe"]["range"], "as_of": as_of_text(payload)}
        if v.name != "executive":
            extra["dashboard"] = v.name
        first = not self._first_shown and cause == "load"
        if first:
            self._first_shown = True
        v.first_shown = v.first_shown or cause == "load"
        then = self._on_first_painted if first else None
        if v.page.chart is None:  # start-up: the chart comes next; "painted" includes it
            v.render_waiting_for_chart = (cause, t0, t_data, extra, then)
            return
        self.recorder.data_shown(cause, t0, t_data, v.page.paint_targets(), extra, then=then)

    def install_chart_soon(self, fallback_ms: int = 250) -> None:
        """Create the trend chart (imports pyqtgraph) once the first data is on screen,
        or after `fallback_ms` if the data is slow: the worker's load then does not
        compete with the import for the interpreter."""
        self.session.payloadChanged.connect(self._on_first_payload_for_chart)
        QTimer.singleShot(fallback_ms, self.page, self.page.ensure_chart)

    def _on_first_payload_for_chart(self, *_args) -> None:
        self.session.payloadChanged.disconnect(self._on_first_payload_for_chart)
        QTimer.singleShot(0, self.page, self.page.ensure_chart)

    def _on_page_chart_ready(self, v: DashboardView) -> None:
        if v.render_waiting_for_chart is not None:
            cause, t0, t_data, extra, then = v.render_waiting_for_chart
            v.render_waiting_for_chart = None
            self.recorder.data_shown(cause, t0, t_data, [v.page.chart], extra, then=then)

    def _on_first_painted(self, t_paint: float) -> None:
        timings = {}
        if self._t_main is not None:
            timings["since_main_ms"] = round((t_paint - self._t_main) * 1000, 1)
        self.recorder.app_started(timings)
        self.firstPainted.emit(timings)
        QTimer.singleShot(PREFETCH_AFTER_MS, self.drilldowns, self.drilldowns.prefetch)

    def _on_session_trend_changed(self, v: DashboardView, payload: dict, t0: float) -> None:
        if v is self._current:
            targets = [v.page.chart] if v.page.chart is not None else []
            self.recorder.data_shown("granularity", t0, t0, targets,
                                     {"granularity": payload["timeframe"]["granularity"]})
        v.page.set_trend(payload)

    def _on_session_alerts_polled(self, v: DashboardView, alerts: list, interval_ms: float) -> None:
        if v.page.alerts is None:
            return
        v.page.set_alerts(alerts)
        v.page.alerts.polls += 1
        self.recorder.poll_started(interval_ms)

    def _on_session_source_changed(self, v: DashboardView, result) -> None:
        path = v.session.path
        demo = bool(getattr(result.src, "demo", False)) or (path is not None and Path(path) == demo_file())
        v.page.set_badges(demo, result.read_only)
        if v is not self._current:
            return
        when = datetime.fromtimestamp(result.data_changed_at)  # not the app's own timing writes
        self.status_changed.setText(f"Data changed {when.day} {when:%b %Y, %H:%M}")
        self.status_changed.setToolTip(path or "")

    def _on_session_failed(self, v: DashboardView, cause: str, message: str) -> None:
        from execdash_desktop.file_check import plain_words

        if v is self._current:
            self.status_activity.setText("")
        problem = plain_words(message)
        if cause == "load":  # the file itself: say so plainly, offer what can help
            v.page.banner.show_problem(problem.title, problem.text, message, problem.retry_helps)
            if v.session.payload is None:  # else the file on screen stays, and so do its figures
                v.page.subtitle.setText("No data shown: the file could not be opened")
                if v is self._current:
                    self.status_as_of.setText("No data")
            return
        v.page.banner.show_problem(problem.title, problem.text, message, retry=True)
        for b in (v.page.banner.open_another, v.page.banner.open_demo):
            b.hide()  # the file opened; it is a refresh or a view that failed

    def _on_session_progressed(self, v: DashboardView, fraction: float, message: str) -> None:
        if v is self._current:
            self.status_activity.setText(f"{message} ({fraction:.0%})")

    def _on_service_busy_changed(self, busy: bool) -> None:
        self.status_activity.setText("Loading\u2026" if busy else "")

    def _request_summary(self, v: DashboardView) -> None:
        """Now / Reason / Action for the monthly payload, composed in the worker (it reads
        the file for the reasons); a newer request supersedes an older one."""
        s = v.session
        if "summary" not in [p.name for p in v.dashboard.panels] or v.dashboard.summary is None:
            return
        if s.path and s.src is not None and s.monthly is not None:
            tf = s.monthly["timeframe"]
            job = Job("summary", s.path, (tf["range"], tf["as_of"], s.data_generation, s.sensitivity),
                      dashboard=s.name,
                      payload=(s.src, s.monthly))
            v.summary_lane.submit(job, lambda req, summary: self._on_summary_written(v, req, summary),
                                  lambda _req, message: self._on_summary_failed(v, message))

    def _on_summary_written(self, v: DashboardView, req, summary) -> None:
        if req.job.path == v.session.path:
            v.page.summary.setToolTip("")
            v.page.set_summary(summary)

    def _on_summary_failed(self, v: DashboardView, message: str) -> None:
        v.page.set_summary(None)  # the summary degrades to nothing, never to a wrong line
        v.page.summary.setToolTip(f"No summary: {message}")

    # -- controls --------------------------------------------------------------------------------------
    def _on_refresh_action_triggered(self) -> None:
        """F5: every dashboard of the file (the one in view now, the others when shown)."""
        for v in self.views.values():
            v.session.refresh_when_shown()

    # -- drill-downs ---------------------------------------------------------------------------------------
    def _on_page_card_activated(self, v: DashboardView, key: str, t0: float) -> None:
        target = v.dashboard.card_drilldown.get(key)
        if target:
            v.drilldowns.open(target, clicks=1, t0=t0, origin="card")

    def _on_page_alert_activated(self, v: DashboardView, alert: dict, t0: float) -> None:
        self.recorder.alert_clicked(alert)
        if v.dashboard.alert_drilldown is not None:
            v.drilldowns.open(v.dashboard.alert_drilldown(alert), clicks=1, t0=t0, origin="alert")

    def _on_drilldown_action_triggered(self, key: str, dashboard: str | None = None) -> None:
        v = self.show_dashboard(dashboard) if dashboard else self._current
        if v is not None:
            v.drilldowns.open(key, clicks=2, t0=time.perf_counter(), origin="menu")

    def _on_tabs_tab_close_requested(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.page or self.diagnostics.close_widget(widget):
            return
        self.drilldowns.close_widget(widget)

    def _on_close_tab_action_triggered(self) -> None:
        self._on_tabs_tab_close_requested(self.tabs.currentIndex())

    def _on_export_action_triggered(self) -> None:
        tab = self.tabs.currentWidget()
        if hasattr(tab, "export_csv"):
            tab.export_csv(0)

    # -- settings, theme, API ------------------------------------------------------------------------------
    def _on_theme_action_triggered(self, mode: str) -> None:
        self.settings.theme = mode
        mgr = theme.manager()
        if mgr is not None:
            mgr.set_mode(mode)

    def _on_unusual_months_action_triggered(self, level: str) -> None:
        """Off / Normal / Sensitive: every dashboard's trend rings (with its summary) and the
        drill-down each shows."""
        self.settings.unusual_months = level
        for v in self.views.values():
            v.session.sensitivity = level
            self._request_summary(v)
            v.drilldowns.refresh()

    def _on_full_refresh_action_toggled(self, on: bool) -> None:
        self.settings.full_refresh = on
        for v in self.views.values():
            v.session.set_full_refresh(on)

    def _on_api_status_changed(self, text: str, tip: str) -> None:
        self.status_api.setText(text)
        self.status_api.setToolTip(tip)

    def _on_api_start_failed(self, message: str) -> None:
        self.page.banner.show_error(message, "Could not start the API", retry=False)

    def _on_drilldowns_tabs_changed(self, v: DashboardView, keys: list) -> None:
        if v.session.path and v.restored == v.session.path:  # remembered per file and dashboard
            self.settings.set_open_drilldowns(v.session.path, keys, v.name)

    def _on_drilldowns_tab_opened(self, v: DashboardView, key: str) -> None:
        v.drilldowns.tab(key).set_presenting(self.presentation.active)
        mgr = theme.manager()
        if mgr is not None:  # a card, alert or playlist click while presenting: the projector look
            mgr.dress(v.drilldowns.tab(key))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.presentation.bar.isVisible():
            self.presentation.bar.place()

    # -- help -----------------------------------------------------------------------------------------------
    def _on_shortcuts_action_triggered(self) -> None:
        dlg = QtShortcutsDialog(shortcut_rows(self), self)
        dlg.show()

    def _on_about_action_triggered(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}",
                          f"<b>{APP_NAME}</b> {__version__}<br>An offline executive dashboard over a "
                          "local SQLite file.")

    def _on_diagnostics_action_triggered(self) -> None:
        self.diagnostics.show()

    def diagnostics_view(self):
        return self.diagnostics.view

    # -- closing ------------------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.presentation.leave()
        path = self.session.path
        if path and len(self.views) > 1:
            self.settings.set_current_dashboard(path, self._current.name)
        for v in self.views.values():
            v.page.controls.flush()
            v.session.stop()
            if v.session.path and v.restored == v.session.path:
                self.settings.set_open_drilldowns(v.session.path, v.drilldowns.keys(), v.name)
        self.recorder.flush()
        self.settings.geometry = self.saveGeometry()
        self.settings.sync()
        self.api.shutdown()
        self.service.shutdown()
        super().closeEvent(event)


def _preview():
    from ._preview import sample_file

    service = QueryService()
    w = QtMainWindow(service, Settings())
    w.open_file(sample_file())
    w.page.ensure_chart()
    return w


if __name__ == "__main__":
    import sys

    from ._preview import run

    sys.exit(run(_preview, "Main window", (1440, 900)))
