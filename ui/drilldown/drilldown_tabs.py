"""Opening, focusing, refreshing and closing the drill-down tabs.

A card, an alert or the Drill-down menu asks for a key; an open tab is
focused, else a tab is added at once (showing "Loading") and its data is
asked of the query service on channel "drilldown:<key>", with a snapshot of
the session's ExecSource and window. When the window or the file's data
changes, open tabs become stale and reload when shown.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QTabWidget

from execdash_desktop.packs.executive.drilldowns import DRILLDOWNS

from .drilldown_tab import QtDrilldownTab
from ..services.query_service import Job


class DrilldownTabs(QObject):
    tabOpened = Signal(str)  # key (a new tab)
    tabShown = Signal(str)  # key (data set on the tab)

    def __init__(self, tabs: QTabWidget, service, session, recorder, parent: QObject | None = None):
        super().__init__(parent)
        self.tabs = tabs
        self.service = service
        self.session = session
        self.recorder = recorder
        self._open: dict[str, QtDrilldownTab] = {}
        self._version: dict[str, tuple] = {}  # key -> (window, path, data generation) it shows
        self._cache: dict[str, tuple[tuple, object]] = {}  # key -> (version, Drilldown), prefetched
        service.resultReady.connect(self._on_service_result_ready)
        service.requestFailed.connect(self._on_service_request_failed)
        session.payloadChanged.connect(self._on_session_payload_changed)
        tabs.currentChanged.connect(self._on_tabs_current_changed)

    # -- opening ----------------------------------------------------------------------------
    def open(self, key: str, clicks: int = 1, t0: float | None = None, origin: str = "card") -> QtDrilldownTab:
        t0 = time.perf_counter() if t0 is None else t0
        if key not in DRILLDOWNS:
            raise KeyError(f"unknown drill-down {key!r}")
        self.recorder.drilldown_clicked(key, clicks, origin)
        tab = self._open.get(key)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)
            cached = self._cache.get(key)
            if tab.drilldown is not None and not self._is_stale(key):
                self.recorder.drilldown_shown(key, clicks, t0, tab.paint_targets())
                tab.update()
            elif cached is not None and cached[0] == self._current_version():
                self._show(tab, cached[1], cached[0], (t0, clicks))
            else:
                self._load(tab, (t0, clicks))
            return tab
        tab = QtDrilldownTab(key, DRILLDOWNS[key], data_file=lambda: self.session.path)
        tab.retryRequested.connect(lambda k=key: self._reload(k))
        tab.csvExported.connect(self._on_tab_exported)
        self._open[key] = tab
        index = self.tabs.addTab(tab, DRILLDOWNS[key])
        self.tabs.setTabToolTip(index, f"{DRILLDOWNS[key]} (Ctrl+W closes)")
        self.tabs.setCurrentWidget(tab)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == self._current_version():
            self._show(tab, cached[1], cached[0], (t0, clicks))
        else:
            self._load(tab, (t0, clicks))
        self.tabOpened.emit(key)
        return tab

    def prefetch(self, keys=None) -> None:
        """Ask for drill-downs in the background (idle time after the first paint), so
        that a later click shows its tab at once; identical requests share one query."""
        version = self._current_version()
        if version is None:
            return
        w, _, gen, _ = version
        for key in keys or DRILLDOWNS:
            hit = self._cache.get(key)
            if key in self._open or (hit is not None and hit[0] == version):
                continue
            job = Job("drilldown", self.session.path, (key, w, gen, self.session.sensitivity),
                      payload=self.session.src)
            self.service.submit(f"prefetch:{key}", job, ("prefetch", None, version))

    def tab(self, key: str) -> QtDrilldownTab | None:
        return self._open.get(key)

    def keys(self) -> list[str]:
        return list(self._open)

    def close(self, key: str) -> None:
        tab = self._open.pop(key, None)
        if tab is None:
            return
        self._version.pop(key, None)
        self.service.cancel(f"drilldown:{key}")
        i = self.tabs.indexOf(tab)
        if i >= 0:
            self.tabs.removeTab(i)
        tab.deleteLater()

    def close_widget(self, widget) -> bool:
        for key, tab in list(self._open.items()):
            if tab is widget:
                self.close(key)
                return True
        return False

    # -- loading ----------------------------------------------------------------------------------
    def _current_version(self) -> tuple | None:
        res = self.session.result
        w = self.session.window()
        return None if res is None or w is None else (w, self.session.path, self.session.data_generation,
                                                      self.session.sensitivity)

    def _is_stale(self, key: str) -> bool:
        return self._version.get(key) != self._current_version()

    def _reload(self, key: str) -> None:
        tab = self._open.get(key)
        if tab is not None:
            self._load(tab, None)

    def _load(self, tab: QtDrilldownTab, timing: tuple | None) -> None:
        version = self._current_version()
        if version is None:
            tab.show_error("No data file is loaded yet.")
            return
        w, _, gen, _ = version
        job = Job("drilldown", self.session.path, (tab.key, w, gen, self.session.sensitivity),
                  payload=self.session.src)
        self.service.submit(f"drilldown:{tab.key}", job, ("drilldown", timing, version))

    def _on_service_result_ready(self, req, result, _t_done: float) -> None:
        if not req.channel.startswith(("drilldown:", "prefetch:")):
            return
        key = req.channel.split(":", 1)[1]
        _, timing, version = req.context
        self._cache[key] = (version, result)
        tab = self._open.get(key)
        if tab is not None and req.channel.startswith("drilldown:"):
            self._show(tab, result, version, timing)

    def _show(self, tab: QtDrilldownTab, dd, version: tuple, timing: tuple | None) -> None:
        currency = self.session.src.currency if self.session.src else "£"
        tab.set_drilldown(dd, currency)
        self._version[tab.key] = version
        if timing is not None:
            t0, clicks = timing
            self.recorder.drilldown_shown(tab.key, clicks, t0, tab.paint_targets())
        self.tabShown.emit(tab.key)

    def _on_service_request_failed(self, req, message: str) -> None:
        if req.channel.startswith("drilldown:"):
            tab = self._open.get(req.channel.split(":", 1)[1])
            if tab is not None:
                tab.show_error(message)

    def _on_session_payload_changed(self, _payload, _cause, _t0, _t_data) -> None:
        self._refresh_current()

    def _on_tabs_current_changed(self, _index: int) -> None:
        self._refresh_current()

    def refresh(self) -> None:
        """Re-read the tab in view (a setting that changes what they show, such as unusual months)."""
        self._refresh_current()

    def _refresh_current(self) -> None:
        """The tab in view follows the window and the file; the others when shown."""
        current = self.tabs.currentWidget()
        for key, tab in self._open.items():
            if tab is current and tab.drilldown is not None and self._is_stale(key):
                cached = self._cache.get(key)
                if cached is not None and cached[0] == self._current_version():
                    self._show(tab, cached[1], cached[0], None)
                else:
                    self._load(tab, None)

    def _on_tab_exported(self, key: str, table: str, rows: int) -> None:
        self.recorder.exported(key, table, rows)
