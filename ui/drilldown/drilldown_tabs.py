"""Opening, focusing, refreshing and closing the drill-down tabs.

A card, an alert or the Drill-down menu asks for a key; an open tab is
focused, else a tab is added at once (showing "Loading") and its data is
asked of the query service on the key's own lane (a newer request for the
same key supersedes the older), with a snapshot of the session's ExecSource
and window; the result comes back to `_on_tab_loaded` for that key. When the window or the file's data
changes, open tabs become stale and reload when shown.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QTabWidget

from .drilldown_tab import QtDrilldownTab
from ..services.query_service import Job


class DrilldownTabs(QObject):
    tabOpened = Signal(str)  # key (a new tab)
    tabShown = Signal(str)  # key (data set on the tab)
    tabsChanged = Signal(list)  # the keys of the open tabs, after one opened or closed

    def __init__(self, tabs: QTabWidget, service, session, recorder, parent: QObject | None = None):
        super().__init__(parent)
        self.tabs = tabs
        self.service = service
        self.session = session
        self.recorder = recorder
        self._open: dict[str, QtDrilldownTab] = {}
        self._version: dict[str, tuple] = {}  # key -> (window, path, data generation) it shows
        self._cache: dict[str, tuple[tuple, object]] = {}  # key -> (version, Drilldown), prefetched
        self.titles = session.dashboard.drilldown_titles  # key -> tab title, of this dashboard
        self._lanes: dict[str, object] = {}  # key -> its tab's lane
        self._prefetch_lanes: dict[str, object] = {}
        session.payloadChanged.connect(self._on_session_payload_changed)
        tabs.currentChanged.connect(self._on_tabs_current_changed)

    # -- opening ----------------------------------------------------------------------------
    def open(self, key: str, clicks: int = 1, t0: float | None = None, origin: str = "card") -> QtDrilldownTab:
        t0 = time.perf_counter() if t0 is None else t0
        if self._base(key) not in self.titles:
            raise KeyError(f"unknown drill-down {key!r}")
        if origin != "restore":  # reopening last session's tabs is nobody's click
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
        title = self.title_of(key)
        tab = QtDrilldownTab(key, title, data_file=lambda: self.session.path)
        tab.retryRequested.connect(lambda k=key: self._reload(k))
        tab.csvExported.connect(self._on_tab_exported)
        self._open[key] = tab
        index = self.tabs.addTab(tab, title)
        self.tabs.setTabToolTip(index, f"{title} (Ctrl+W closes)")
        self.tabs.setCurrentWidget(tab)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == self._current_version():
            self._show(tab, cached[1], cached[0], (t0, clicks))
        else:
            self._load(tab, (t0, clicks))
        self.tabOpened.emit(key)
        self.tabsChanged.emit(self.keys())
        return tab

    def prefetch(self, keys=None) -> None:
        """Ask for drill-downs in the background (idle time after the first paint), so
        that a later click shows its tab at once; identical requests share one query."""
        version = self._current_version()
        if version is None:
            return
        w, _, gen, _ = version
        for key in keys or self.titles:
            hit = self._cache.get(key)
            if key in self._open or (hit is not None and hit[0] == version):
                continue
            job = self._job(key, w, gen)
            lane = self._prefetch_lanes.get(key) or self._prefetch_lanes.setdefault(
                key, self.service.lane(f"prefetch:{key}", self))
            lane.submit(job, lambda _req, dd, k=key, v=version: self._on_prefetched(k, v, dd), context=version)

    def restore(self, keys: list[str]) -> None:
        """Reopen the tabs that were open when this file and dashboard were last shown,
        behind the tab in view (each loads in the background)."""
        current = self.tabs.currentWidget()
        for key in keys:
            if self._base(key) in self.titles and key not in self._open:
                self.open(key, clicks=0, origin="restore")
        if current is not None:
            self.tabs.setCurrentWidget(current)

    @staticmethod
    def _base(key: str) -> str:
        """A key may carry one argument after '?' (a product for one product's history)."""
        return key.partition("?")[0]

    def title_of(self, key: str) -> str:
        base, _, arg = key.partition("?")
        return f"{self.titles[base]}: {arg}" if arg else self.titles[base]

    def tab(self, key: str) -> QtDrilldownTab | None:
        return self._open.get(key)

    def keys(self) -> list[str]:
        return list(self._open)

    def close(self, key: str) -> None:
        tab = self._open.pop(key, None)
        if tab is None:
            return
        self._version.pop(key, None)
        lane = self._lanes.pop(key, None)
        if lane is not None:
            lane.cancel()
        i = self.tabs.indexOf(tab)
        if i >= 0:
            self.tabs.removeTab(i)
        tab.deleteLater()
        self.tabsChanged.emit(self.keys())

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
        key = tab.key
        job = self._job(key, w, gen)
        lane = self._lanes.get(key) or self._lanes.setdefault(key, self.service.lane(f"drilldown:{key}", self))
        lane.submit(job, lambda _req, dd: self._on_tab_loaded(key, version, timing, dd),
                    lambda _req, message: self._on_tab_failed(key, message), context=version)

    def _job(self, key: str, window, gen: int) -> Job:
        s = self.session
        return Job("drilldown", s.path, (key, window, gen, s.sensitivity), payload=(s.src, s.monthly),
                   dashboard=s.name)

    def _on_prefetched(self, key: str, version: tuple, dd) -> None:
        self._cache[key] = (version, dd)

    def _on_tab_loaded(self, key: str, version: tuple, timing: tuple | None, dd) -> None:
        self._cache[key] = (version, dd)
        tab = self._open.get(key)
        if tab is not None:
            self._show(tab, dd, version, timing)

    def _show(self, tab: QtDrilldownTab, dd, version: tuple, timing: tuple | None) -> None:
        currency = getattr(self.session.src, "currency", "£")
        tab.set_drilldown(dd, currency)
        self._version[tab.key] = version
        if timing is not None:
            t0, clicks = timing
            self.recorder.drilldown_shown(tab.key, clicks, t0, tab.paint_targets())
        self.tabShown.emit(tab.key)

    def _on_tab_failed(self, key: str, message: str) -> None:
        tab = self._open.get(key)
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
