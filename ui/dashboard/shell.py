"""The main window's dashboards: one `DashboardView` each, the sidebar, Ctrl+1..3, switching.

A mixin of `QtMainWindow` (main_window.py), kept apart so that the window
module holds the wiring and this one what "several dashboards" means: the
holdings (which dashboards the file has) are read on a worker; the dashboard
in view loads first, the others once it has painted; each keeps its own
session, page and drill-down tabs; the one in view is remembered per file.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QListWidgetItem

from execdash_desktop.dashboards import registry

from execdash_desktop.format import month_name, short_date

from ..services.query_service import Job
from ..services.session import QtDataSession
from .page import STEP_GAP_MS, QtDashboardPage
from .view import DashboardView

PREFETCH_AFTER_MS = 600  # the other dashboards load once the first screen is up
PLACE_GAP_MS = STEP_GAP_MS  # between two turns that make a new dashboard's view
OPEN_FALLBACK_MS = 200  # a view shown reads its file after its first paint, or after this at the latest


def as_of_text(payload: dict) -> str:
    """'2026-10' (a month) or '31 Oct 2026 23:41' (a moment)."""
    from datetime import datetime

    raw = str((payload.get("meta") or {}).get("as_of") or payload.get("asOf") or "")
    if len(raw) > 10 and "T" in raw:
        try:
            when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return raw
        return f"{when.day} {when:%b %Y %H:%M}"
    return raw


def as_of_label(payload: dict) -> str:
    """As the status bar says it: 'Oct 2026' (one month style everywhere) or '31 Oct 2026 23:41'."""
    text = as_of_text(payload)
    if len(text) == 7:
        return month_name(text)
    return short_date(text) if len(text) == 10 else text  # a day: '28 Oct 2026', as everywhere


class DashboardsMixin:
    """Needs: self.service, .settings, .recorder, .menus, .sidebar, .stack, .views, ._current,
    ._holdings_lane, ._placing, ._place_pending, ._made_views, ._switch_actions, .presentation,
    .diagnostics, .status_as_of, ._wire_view."""

    # -- the dashboards ------------------------------------------------------------------------
    @property
    def current(self) -> DashboardView:
        return self._current

    @property
    def page(self):
        return self._current.page

    @property
    def session(self) -> QtDataSession:
        return self._current.session

    @property
    def tabs(self):
        return self._current.tabs

    @property
    def drilldowns(self):
        return self._current.drilldowns

    def view(self, name: str) -> DashboardView | None:
        return self.views.get(name)

    def _add_view(self, dashboard, session: QtDataSession | None = None,
                  made: DashboardView | None = None) -> DashboardView:
        v = made or DashboardView(dashboard, self.service, self.settings, self.recorder, session, self)
        v.session.set_shown(getattr(self, "_current", None) is None)  # the first one is the one in view
        self.views[dashboard.name] = v
        order = registry.names()
        self.views = dict(sorted(self.views.items(), key=lambda kv: order.index(kv[0])))
        if self.stack.indexOf(v.tabs) < 0:
            self.stack.addWidget(v.tabs)
        if hasattr(self, "menus"):
            self._wire_view(v)
        return v

    def _remove_view(self, name: str) -> None:
        v = self.views.pop(name, None)
        if v is None:
            return
        v.session.stop()
        self.stack.removeWidget(v.tabs)
        v.tabs.deleteLater()
        v.deleteLater()

    def _refresh_dashboard_list(self) -> None:
        self.sidebar.blockSignals(True)
        self.sidebar.clear()
        for i, v in enumerate(self.views.values()):
            item = QListWidgetItem(v.title)
            item.setToolTip(f"{v.title} dashboard (Ctrl+{i + 1})" if i < 3 else f"{v.title} dashboard")
            self.sidebar.addItem(item)
        names = list(self.views)
        self.sidebar.setCurrentRow(names.index(self._current.name) if self._current.name in names else 0)
        self.sidebar.blockSignals(False)
        self.sidebar.setVisible(len(self.views) > 1)
        for i, a in enumerate(self._switch_actions):
            a.setEnabled(i < len(names))
            a.setText(f"{self.views[names[i]].title} dashboard" if i < len(names) else f"Dashboard {i + 1}")
        for (dash, _key), a in self.menus.drilldowns.items():
            a.setEnabled(dash in self.views)

    def _on_sidebar_current_row_changed(self, row: int) -> None:
        self.show_dashboard_at(row)

    def show_dashboard_at(self, index: int) -> None:
        names = list(self.views)
        if 0 <= index < len(names):
            self.show_dashboard(names[index])

    def show_dashboard(self, name: str) -> DashboardView | None:
        """Bring dashboard `name` into view (loading it first if it never was)."""
        v = self.views.get(name)
        if v is None:
            return None
        if v is self._current:
            return v
        t0 = time.perf_counter()
        old = self._current
        for a in old.page.controls.shortcut_actions():
            a.setEnabled(False)
        self._current = v
        for a in v.page.controls.shortcut_actions():
            a.setEnabled(True)
        self.menus.controls.clear()
        self.menus.controls.addActions(v.page.controls.shortcut_actions())
        self.diagnostics.tabs = v.tabs
        self.stack.setCurrentWidget(v.tabs)
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(list(self.views).index(name))
        self.sidebar.blockSignals(False)
        path = old.session.path or old.session.opening
        if path:
            self.settings.set_current_dashboard(path, name)
            if v.session.path != path and v.session.opening != path:
                self._open_after_first_paint(v, path)
        old.session.set_shown(False)
        v.session.set_shown(True)  # a refresh asked for while it was hidden runs now
        if v.session.payload is not None:
            v.page.ensure_chart()
        else:  # nothing to draw yet: the chart on a turn of its own
            v.page.ensure_chart_soon()
        self._show_status(v)
        if v.session.payload is not None:
            self.recorder.data_shown("dashboard", t0, t0, v.page.paint_targets(), {"dashboard": name})
        self.dashboardShown.emit(name)
        return v

    def _open_after_first_paint(self, v: DashboardView, path: str) -> None:
        """A view shown for the first time reads its file once its page has painted: the load's
        worker, started at once, held the interpreter through the page's first layout and paint
        (~20 ms of GUI CPU that took 60-80 ms). A page that never paints (hidden) opens anyway."""
        if v.page.painted_once or not self.isVisible():
            v.session.open(path)
            return

        def go() -> None:
            if v.session.path != path and v.session.opening != path and v.name in self.views:
                v.session.open(path)

        v.page.after_first_paint(go, OPEN_FALLBACK_MS)

    def _show_status(self, v: DashboardView) -> None:
        p = v.session.payload
        notes = ((p or {}).get("meta") or {}).get("notes") or ()  # read uncached, or without the -wal
        text = f"Data as of {as_of_label(p)}" + (" \u2014 see note" if notes else "") if p else "Loading\u2026"
        self.status_as_of.setText(text)
        self.status_as_of.setToolTip("\n".join(str(n) for n in notes))

    def _ask_holdings(self, path: str) -> None:
        """Which dashboards the file holds: read on a worker (cheap: its table names)."""
        p = str(Path(path).expanduser().resolve())
        self._holdings_lane.submit(Job("holdings", p), self._on_holdings_read, context=p)

    def _on_holdings_read(self, req, names: tuple) -> None:
        if not names:
            self._holdings = ()
            return  # the session's load says what is wrong with the file
        self._placing = (req.context, tuple(names))
        if not self._place_pending:  # else the turn already asked for takes the newest holdings
            self._place_pending = True  # on a turn of its own: the file's own load may land in this one
            QTimer.singleShot(PLACE_GAP_MS, self, self._place_views)

    def _place_views(self) -> None:
        """Each new view of the holdings is made over turns of the event loop: the view with an empty
        page, put in the window's stack (hidden) at once, then its page's first screen one piece a
        turn, each polished as it is put in; all are registered and shown (the others removed) on the
        turn after. Made, put in and shown at once, a Commerce view held the window ~130 ms
        (GUI-thread CPU) as a big file began to load; a whole page put in the stack, ~25 ms."""
        placing, self._placing, self._place_pending = self._placing, None, False
        if placing is None:
            return
        path, names = placing
        made = self._made_views
        new = [n for n in names if n not in self.views and n not in made]
        unbuilt = [v for n, v in made.items() if n in names and not v.page.first_screen_built]
        if new or unbuilt:
            if new:
                dashboard = registry.get(new[0])
                v = made[new[0]] = DashboardView(dashboard, self.service, self.settings, self.recorder, None,
                                                 self, page=QtDashboardPage(dashboard=dashboard, staged=True))
                self.stack.addWidget(v.tabs)
            else:
                unbuilt[0].page.build_piece()
            self._placing, self._place_pending = placing, True
            # a frame apart: turns 1 ms apart fell several in one frame, with the paints between them
            QTimer.singleShot(PLACE_GAP_MS, self, self._place_views)
            return
        for name in names:
            if name not in self.views:
                self._add_view(registry.get(name), made=made.pop(name))
        for v in made.values():  # made for holdings that changed since
            self.stack.removeWidget(v.tabs)
            v.tabs.deleteLater()
            v.deleteLater()
        made.clear()
        self._holdings = tuple(names)
        wanted = self.settings.current_dashboard(path)
        if wanted not in names:
            wanted = self._current.name if self._current.name in names else names[0]
        if wanted != self._current.name:
            self.show_dashboard(wanted)
        for name in [n for n in self.views if n not in names]:
            self._remove_view(name)
        self._refresh_dashboard_list()
        self._open_others_when_idle(path)

    def _open_others_when_idle(self, path: str, tries: int = 20) -> None:
        """The other dashboards load after the one in view has painted (the first screen first)."""
        if not self._current.first_shown and tries > 0:
            QTimer.singleShot(PREFETCH_AFTER_MS, self, lambda: self._open_others_when_idle(path, tries - 1))
            return
        for v in self.views.values():
            if v.session.path != path and v.session.opening != path:
                v.session.open(path)

