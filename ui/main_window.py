"""The main window: tabs (dashboard first), menus, status bar; wires the parts.

It owns no data logic: `QtDataSession` holds the open file and its payloads,
`DrilldownTabs` the drill-down tabs, `MetricsRecorder` the timings, and the
`QueryService` every read and write.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabBar, QTabWidget

from execdash_desktop import APP_NAME, __version__
from execdash_desktop.packs.executive.drilldowns import CARD_DRILLDOWN, DRILLDOWNS, drilldown_for_alert
from execdash_desktop.format import month_name
from execdash_desktop.paths import demo_file

from .dataio import import_actions
from .export import export_actions
from . import theme
from .dashboard.page import QtDashboardPage
from .drilldown.drilldown_tabs import DrilldownTabs
from .menus import QtShortcutsDialog, build_menus, shortcut_rows
from .services.metrics_recorder import MetricsRecorder
from .present.playlist import DASHBOARD
from .present.presentation import QtPresentation
from .services.query_service import Job, QueryService
from .services.session import QtDataSession
from .services.settings import Settings

DEMO_ORDERS = 200_000
PREFETCH_AFTER_MS = 600  # drill-downs are fetched in the background once the first screen is up


class QtMainWindow(QMainWindow):
    firstPainted = Signal(dict)  # start-up timings, once the first payload is on screen

    def __init__(self, service: QueryService, settings: Settings, session: QtDataSession | None = None,
                 t_main: float | None = None):
        super().__init__()
        self.service = service
        self.settings = settings
        self.session = session or QtDataSession(service, settings, self)
        if self.session.parent() is None:
            self.session.setParent(self)
        self._t_main = t_main
        self._first_shown = False
        self._api = None
        self._diagnostics = None
        self._render_waiting_for_chart: tuple | None = None
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(900, 540)  # fits a 1366x768 laptop at 125% (1093x614)
        self.setWindowIcon(theme.app_icon())

        self.page = QtDashboardPage()
        self.page.set_drill_titles({k: DRILLDOWNS[v] for k, v in CARD_DRILLDOWN.items()})
        self.tabs = QTabWidget()
        self.tabs.setObjectName("MainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.addTab(self.page, "Dashboard")
        for side in (QTabBar.ButtonPosition.RightSide, QTabBar.ButtonPosition.LeftSide):
            self.tabs.tabBar().setTabButton(0, side, None)  # the dashboard stays
        self.tabs.tabCloseRequested.connect(self._on_tabs_tab_close_requested)
        self.setCentralWidget(self.tabs)

        self.recorder = MetricsRecorder(service, lambda: self.session.path, self)
        self.drilldowns = DrilldownTabs(self.tabs, service, self.session, self.recorder, self)

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
        self._fill_recent()
        self._wire()
        self.exports = export_actions.install(self)  # File > Export board pack / PNG
        self.imports = import_actions.install(self)  # File > Import data / history, file drops

    def _wire(self) -> None:
        c, s, p = self.page.controls, self.session, self.page
        c.rangeChanged.connect(self._on_controls_range_changed)
        c.granularityChanged.connect(self._on_controls_granularity_changed)
        c.asOfChanged.connect(self._on_controls_as_of_changed)
        c.refreshRequested.connect(self._on_refresh_action_triggered)
        p.cardActivated.connect(self._on_page_card_activated)
        p.alertActivated.connect(self._on_page_alert_activated)
        p.banner.retryRequested.connect(s.retry)
        p.banner.openAnotherRequested.connect(self._on_open_action_triggered)
        p.banner.openDemoRequested.connect(self._on_open_demo_action_triggered)
        p.chartReady.connect(self._on_page_chart_ready)
        s.fileOpened.connect(self._on_session_file_opened)
        s.payloadChanged.connect(self._on_session_payload_changed)
        s.trendChanged.connect(self._on_session_trend_changed)
        s.alertsPolled.connect(self._on_session_alerts_polled)
        s.monthsChanged.connect(c.set_months)
        s.stateChanged.connect(self._on_session_state_changed)
        s.sourceChanged.connect(self._on_session_source_changed)
        s.loadFailed.connect(self._on_session_failed)
        s.loadRecovered.connect(p.banner.clear)
        s.loadProgressed.connect(self._on_session_progressed)
        self.service.busyChanged.connect(self._on_service_busy_changed)
        self.service.resultReady.connect(self._on_service_result_ready)
        self.service.requestFailed.connect(self._on_service_request_failed)
        self.service.requestProgressed.connect(self._on_service_progressed)
        self.presentation.playlist.advanced.connect(self._on_playlist_advanced)
        self.drilldowns.tabOpened.connect(self._on_drilldowns_tab_opened)

    # -- opening files -----------------------------------------------------------------------
    def open_file(self, path: str | Path) -> None:
        self.session.open(path)

    def create_demo(self, path: str | Path, orders: int = DEMO_ORDERS) -> None:
        """Write the demo data file in the background, then open it."""
        self.page.banner.show_info("Creating a demo data file for the first start\u2026", "Welcome")
        self.service.submit("demo", Job("demo", str(path), (("orders", orders), ("force", True))), ("demo",))

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

    # -- the session's news ------------------------------------------------------------------------
    def _on_session_file_opened(self, path: str) -> None:
        self.setWindowTitle(f"{Path(path).name} \u2014 {APP_NAME}")
        self.setWindowFilePath(path)
        self.page.banner.clear()
        self._fill_recent()
        if self._api is not None:  # serve the file now open
            self.menus.serve_api.setChecked(False)
            self.menus.serve_api.setChecked(True)

    def _on_session_payload_changed(self, payload: dict, cause: str, t0: float, t_data: float) -> None:
        self.page.set_payload(payload)
        self._request_summary()
        notes = payload["meta"].get("notes") or ()  # read uncached, or without the -wal
        self.status_as_of.setText(f"Data as of {month_name(payload['meta']['as_of'])}"
                                  + (" \u2014 see note" if notes else ""))
        self.status_as_of.setToolTip("\n".join(notes))
        extra = {"range": payload["timeframe"]["range"], "as_of": payload["meta"]["as_of"]}
        first = not self._first_shown and cause == "load"
        if first:
            self._first_shown = True
        then = self._on_first_painted if first else None
        if self.page.chart is None:  # start-up: the chart comes next; "painted" includes it
            self._render_waiting_for_chart = (cause, t0, t_data, extra, then)
            return
        self.recorder.data_shown(cause, t0, t_data, self.page.paint_targets(), extra, then=then)

    def install_chart_soon(self, fallback_ms: int = 250) -> None:
        """Create the trend chart (imports pyqtgraph) once the first data is on screen,
        or after `fallback_ms` if the data is slow: the worker's load then does not
        compete with the import for the interpreter."""
        self.session.payloadChanged.connect(self._on_first_payload_for_chart)
        QTimer.singleShot(fallback_ms, self.page, self.page.ensure_chart)

    def _on_first_payload_for_chart(self, *_args) -> None:
        self.session.payloadChanged.disconnect(self._on_first_payload_for_chart)
        QTimer.singleShot(0, self.page, self.page.ensure_chart)

    def _on_page_chart_ready(self) -> None:
        if self._render_waiting_for_chart is not None:
            cause, t0, t_data, extra, then = self._render_waiting_for_chart
            self._render_waiting_for_chart = None
            self.recorder.data_shown(cause, t0, t_data, [self.page.chart], extra, then=then)

    def _on_first_painted(self, t_paint: float) -> None:
        timings = {}
        if self._t_main is not None:
            timings["since_main_ms"] = round((t_paint - self._t_main) * 1000, 1)
        self.recorder.app_started(timings)
        self.firstPainted.emit(timings)
        QTimer.singleShot(PREFETCH_AFTER_MS, self.drilldowns, self.drilldowns.prefetch)

    def _on_session_trend_changed(self, payload: dict, t0: float) -> None:
        targets = [self.page.chart] if self.page.chart is not None else []
        self.recorder.data_shown("granularity", t0, t0, targets,
                                 {"granularity": payload["timeframe"]["granularity"]})
        self.page.set_trend(payload)

    def _on_session_alerts_polled(self, alerts: list, interval_ms: float) -> None:
        self.page.set_alerts(alerts)
        self.page.alerts.polls += 1
        self.recorder.poll_started(interval_ms)

    def _on_session_state_changed(self, state) -> None:
        self.page.controls.set_state(state.range, state.granularity, state.as_of)

    def _on_session_source_changed(self, result) -> None:
        when = datetime.fromtimestamp(result.data_changed_at)  # not the app's own timing writes
        self.status_changed.setText(f"Data changed {when.day} {when:%b %Y, %H:%M}")
        self.status_changed.setToolTip(self.session.path or "")
        path = self.session.path
        demo = bool(getattr(result.src, "demo", False)) or (path is not None and Path(path) == demo_file())
        self.page.set_badges(demo, result.read_only)

    def _on_session_failed(self, cause: str, message: str) -> None:
        self.status_activity.setText("")
        if cause == "load":  # the file itself: say so plainly, offer what can help
            from execdash_desktop.file_check import plain_words

            problem = plain_words(message)
            self.page.banner.show_problem(problem.title, problem.text, message, problem.retry_helps)
            if self.session.payload is None:  # else the file on screen stays, and so do its figures
                self.page.subtitle.setText("No data shown: the file could not be opened")
                self.status_as_of.setText("No data")
            return
        from execdash_desktop.file_check import plain_words

        problem = plain_words(message)
        self.page.banner.show_problem(problem.title, problem.text, message, retry=True)
        for b in (self.page.banner.open_another, self.page.banner.open_demo):
            b.hide()  # the file opened; it is a refresh or a view that failed

    def _on_session_progressed(self, fraction: float, message: str) -> None:
        self.status_activity.setText(f"{message} ({fraction:.0%})")

    def _on_service_busy_changed(self, busy: bool) -> None:
        self.status_activity.setText("Loading\u2026" if busy else "")

    def _request_summary(self) -> None:
        """Now / Reason / Action for the monthly payload, composed in the worker (it reads
        the NRR drivers from the file); a newer request supersedes an older one."""
        s = self.session
        if s.path and s.src is not None and s.monthly is not None:
            tf = s.monthly["timeframe"]
            job = Job("summary", s.path, (tf["range"], tf["as_of"], s.data_generation, s.sensitivity),
                      payload=(s.src, s.monthly))
            self.service.submit("summary", job, ("summary", s.path))

    # -- controls --------------------------------------------------------------------------------------
    def _on_controls_range_changed(self, range_: str, t0: float) -> None:
        self.session.set_range(range_, t0)

    def _on_controls_granularity_changed(self, granularity: str, t0: float) -> None:
        self.session.set_granularity(granularity, t0)

    def _on_controls_as_of_changed(self, as_of, t0: float) -> None:
        self.session.set_as_of(as_of, t0)

    def _on_refresh_action_triggered(self) -> None:
        self.session.refresh()

    # -- drill-downs ---------------------------------------------------------------------------------------
    def _on_page_card_activated(self, key: str, t0: float) -> None:
        target = CARD_DRILLDOWN.get(key)
        if target:
            self.drilldowns.open(target, clicks=1, t0=t0, origin="card")

    def _on_page_alert_activated(self, alert: dict, t0: float) -> None:
        self.recorder.alert_clicked(alert)
        self.drilldowns.open(drilldown_for_alert(alert), clicks=1, t0=t0, origin="alert")

    def _on_drilldown_action_triggered(self, key: str) -> None:
        self.drilldowns.open(key, clicks=2, t0=time.perf_counter(), origin="menu")

    def _on_tabs_tab_close_requested(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.page:
            return
        if widget is self._diagnostics:
            self.tabs.removeTab(index)
            self._diagnostics.deleteLater()
            self._diagnostics = None
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
        """Off / Normal / Sensitive: the trend's rings (with the summary) and the drill-down in view."""
        self.settings.unusual_months = level
        self.session.sensitivity = level
        self._request_summary()
        self.drilldowns.refresh()

    def _on_full_refresh_action_toggled(self, on: bool) -> None:
        self.settings.full_refresh = on
        self.session.set_full_refresh(on)

    def _on_serve_api_action_toggled(self, on: bool) -> None:
        if on and self.session.path:
            self._start_api()
        elif not on:
            if self._api is not None:
                server, self._api = self._api, None
                self._stop_api(server)
            self.status_api.setText("")  # a start in flight is stopped when it lands

    def _start_api(self) -> None:
        # one channel per file: a later start never supersedes (and so never loses) an
        # earlier one's server; every start result is delivered and judged there
        self.status_api.setText("Starting the API\u2026")
        self.service.submit(f"api-start:{self.session.path}", Job("api_start", self.session.path), ("api",))

    def _stop_api(self, server) -> None:
        # its own channel: no later job supersedes (and prunes) a stop not yet started
        self.service.submit(f"api-stop:{id(server)}",
                            Job("api_stop", str(server.db_path), (id(server),), payload=server), ("api",))

    # -- presentation -----------------------------------------------------------------------------------------
    def page_title(self, key: str) -> str:
        return "Dashboard" if key == DASHBOARD else DRILLDOWNS.get(key, key)

    def playlist_pages(self) -> list[str]:
        """The drill-downs presentation mode plays: the chosen ones, else the open tabs."""
        chosen = self.settings.playlist
        return [k for k in (chosen if chosen is not None else self.drilldowns.keys()) if k in DRILLDOWNS]

    def _on_presentation_action_triggered(self) -> None:
        if self.presentation.active:
            self.presentation.leave()
            return
        pages = self.playlist_pages()
        for key in pages:  # open (and fetch) them now, so each is ready when its turn comes
            if self.drilldowns.tab(key) is None:
                self.drilldowns.open(key, clicks=1, t0=time.perf_counter(), origin="playlist")
        self.tabs.setCurrentWidget(self.page)
        self.presentation.enter(pages, self.settings.playlist_interval_s)

    def _on_playlist_advanced(self, _index: int, key: str) -> None:
        if key == DASHBOARD:
            self.tabs.setCurrentWidget(self.page)
            return
        tab = self.drilldowns.tab(key) or self.drilldowns.open(key, clicks=1, t0=time.perf_counter(),
                                                                origin="playlist")
        self.tabs.setCurrentWidget(tab)

    def _on_drilldowns_tab_opened(self, key: str) -> None:
        self.drilldowns.tab(key).set_presenting(self.presentation.active)
        mgr = theme.manager()
        if mgr is not None:  # a card, alert or playlist click while presenting: the projector look
            mgr.dress(self.drilldowns.tab(key))

    def _on_playlist_action_triggered(self) -> None:
        from .present.playlist_dialog import QtPlaylistDialog

        dlg = QtPlaylistDialog(self.playlist_pages(), self.settings.playlist_interval_s, self)
        if dlg.exec():
            self.settings.playlist = dlg.chosen()
            self.settings.playlist_interval_s = dlg.interval_s()

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
        if self._diagnostics is None:
            from .diagnostics import QtDiagnosticsView

            self._diagnostics = QtDiagnosticsView()
            self._diagnostics.refreshRequested.connect(self._load_gates)
            self.tabs.addTab(self._diagnostics, "Diagnostics")
        self.tabs.setCurrentWidget(self._diagnostics)
        self._load_gates()

    def _load_gates(self) -> None:
        if self.session.path:
            self.recorder.flush()  # the latest events count too (the gates job queues behind them)
            self.service.submit("gates", Job("gates", self.session.path, (time.time(),)), ("gates",))

    def diagnostics_view(self):
        return self._diagnostics

    # -- results of the window's own jobs (demo file, gates, API) ---------------------------------------------
    def _on_service_result_ready(self, req, result, _t_done: float) -> None:
        if req.channel == "summary":
            if req.job.path == self.session.path:
                self.page.summary.setToolTip("")
                self.page.set_summary(result)
        elif req.channel == "demo":
            self.page.banner.clear()
            self.open_file(req.job.path)
        elif req.channel == "gates" and self._diagnostics is not None:
            self._diagnostics.set_gates(result, f"Timings kept with {self.session.path}")
        elif req.job.kind == "api_start":
            if (self._api is not None or not self.menus.serve_api.isChecked()
                    or req.job.path != self.session.path):
                self._stop_api(result)  # toggled off, or another file opened, while it started
                if self._api is None and self.menus.serve_api.isChecked() and self.session.path:
                    self._start_api()  # serve the file now open
                return
            self._api = result
            self.status_api.setText(f"API {result.url}")
            self.status_api.setToolTip(f"Serving {req.job.path}")

    def _on_service_request_failed(self, req, message: str) -> None:
        if req.channel == "summary":  # the summary degrades to nothing, never to a wrong line
            self.page.set_summary(None)
            self.page.summary.setToolTip(f"No summary: {message}")
        elif req.channel == "demo":
            self.page.banner.show_error(message, "Could not create the demo file", retry=False)
        elif req.channel == "gates" and self._diagnostics is not None:
            self._diagnostics.show_error(message)
        elif req.job.kind == "api_start" and req.job.path == self.session.path:
            self.status_api.setText("")
            self.menus.serve_api.blockSignals(True)
            self.menus.serve_api.setChecked(False)
            self.menus.serve_api.blockSignals(False)
            self.page.banner.show_error(message, "Could not start the API", retry=False)

    def _on_service_progressed(self, req, fraction: float, message: str) -> None:
        if req.channel == "demo":
            self.page.banner.show_info(f"{message} ({fraction:.0%})", "Creating the demo data file")

    # -- closing ------------------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.presentation.leave()
        self.page.controls.flush()
        self.session.stop()
        self.recorder.flush()
        self.settings.geometry = self.saveGeometry()
        self.settings.sync()
        if self._api is not None:
            try:
                self._api.stop()
            except Exception:
                pass
            self._api = None
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
