"""One dashboard in the window: its session, its page, its own tabs and drill-downs.

Each dashboard of the open file gets a `DashboardView`: a `QtDataSession`
for its data (its own range, granularity and as-of), a `QtDashboardPage`
rendered from its declaration, a tab widget holding the page and the
drill-downs opened from it, and the lanes on which its panels' queries run.
The window shows one view at a time and switches between them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QTabBar, QTabWidget

from execdash_desktop.dashboards import Dashboard

from ..drilldown.drilldown_tabs import DrilldownTabs
from ..services.query_service import Job
from ..services.session import QtDataSession
from .page import QtDashboardPage


class DashboardView(QObject):
    def __init__(self, dashboard: Dashboard, service, settings, recorder, session: QtDataSession | None = None,
                 parent: QObject | None = None, page: QtDashboardPage | None = None):
        super().__init__(parent)
        self.dashboard = dashboard
        self.service = service
        self.session = session or QtDataSession(service, settings, self, dashboard)
        if self.session.parent() is None:
            self.session.setParent(self)
        self.page = page or QtDashboardPage(dashboard=dashboard)  # the window makes it staged (shell._place_views)
        titles = dashboard.drilldown_titles
        self.page.set_drill_titles({k: titles[v] for k, v in dashboard.card_drilldown.items() if v in titles})
        self.tabs = QTabWidget()
        self.tabs.setObjectName("MainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.addTab(self.page, "Dashboard")
        for side in (QTabBar.ButtonPosition.RightSide, QTabBar.ButtonPosition.LeftSide):
            self.tabs.tabBar().setTabButton(0, side, None)  # the dashboard stays
        self.drilldowns = DrilldownTabs(self.tabs, service, self.session, recorder, self)
        self.first_shown = False  # its first payload has been painted
        self.restored: str | None = None  # the file whose remembered drill-downs were reopened
        self.render_waiting_for_chart: tuple | None = None
        self.summary_lane = service.lane(f"{dashboard.name}:summary", self)
        self._panel_lanes = {}
        self._asking: dict | None = None  # the payload whose panels are asked for on the next turn
        for name in self.page.panels:
            self._bind(name)
        self.page.panelAdded.connect(self._on_page_panel_added)  # those below the first screen come later
        self.session.payloadChanged.connect(self._on_session_payload_changed)

    @property
    def name(self) -> str:
        return self.dashboard.name

    @property
    def title(self) -> str:
        return self.dashboard.title

    # -- the panels' own queries ---------------------------------------------------------------
    def _bind(self, name: str) -> None:
        widget = self.page.panels[name]
        if hasattr(widget, "bind"):  # it pages through the file itself (the bug table)
            widget.bind(self.service, self.session)

    def _on_page_panel_added(self, name: str) -> None:
        self._bind(name)
        if self.session.payload is not None:
            self._ask_panel(self.dashboard.panel(name), self.session.payload)

    def _on_session_payload_changed(self, payload: dict, *_args) -> None:
        """Panels with a query of their own read on a worker thread; the newest request wins. Asked
        on the next turn of the event loop: starting seven jobs hands the interpreter to a worker
        seven times (~2 ms each), which the frame that draws the payload need not wait for."""
        if self.session.path is None or self.session.src is None:
            return
        if self._asking is None:
            QTimer.singleShot(0, self, self._ask_panels)
        self._asking = payload

    def _ask_panels(self) -> None:
        payload, self._asking = self._asking, None  # the newest of those that came meanwhile
        if payload is None:
            return
        for panel in self.dashboard.panels:
            self._ask_panel(panel, payload)

    def _ask_panel(self, panel, payload: dict) -> None:
        s = self.session
        widget = self.page.panels.get(panel.name)
        if widget is None or s.path is None or s.src is None:
            return  # a panel not built yet asks when it is (_on_page_panel_added)
        if hasattr(widget, "bind"):
            widget.set_data(None, payload)
            return
        if panel.payload_key is not None or panel.query is None:
            return
        lane = self._panel_lanes.get(panel.name)
        if lane is None:
            lane = self._panel_lanes[panel.name] = self.service.lane(f"{self.name}:{panel.name}", self)
        job = Job("panel", s.path, (panel.name, s.window(), s.data_generation), payload=(s.src, s.monthly),
                  dashboard=self.name)
        lane.submit(job, lambda _req, data, n=panel.name: self.page.set_panel_data(n, data),
                    lambda _req, message, n=panel.name: self._on_panel_failed(n, message))

    def _on_panel_failed(self, name: str, message: str) -> None:
        widget = self.page.panels.get(name)
        if widget is not None:
            widget.setToolTip(f"Could not read this panel: {message}")
