"""Presentation mode across dashboards: the playlist's pages and how the window shows each.

A mixin of `QtMainWindow`. A page is "dashboard" (the one presentation
started on), an Executive drill-down key (bare, as older settings hold them),
or "NAME::KEY" for another dashboard's drill-down ("NAME::dashboard" for its
page).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from .. import theme
from .playlist import DASHBOARD

PREPARE_AFTER_MS = 50  # the page just shown paints first; a playlist shows each page for seconds


class PresentationPagesMixin:
    """Needs: self.views, ._current, .settings, .presentation, .show_dashboard, .tabs, .page,
    .drilldowns, .sidebar, .menuBar(), .statusBar()."""

    # -- presentation (it plays across dashboards) ------------------------------------------------------------
    @staticmethod
    def page_key(dashboard: str, key: str) -> str:
        """A playlist entry: the Executive drill-downs keep their bare keys (older settings)."""
        return key if dashboard == "executive" else f"{dashboard}::{key}"

    def _split_page(self, page: str) -> tuple[str, str]:
        if "::" in page:
            name, key = page.split("::", 1)
            return name, key
        return "executive" if "executive" in self.views else self._current.name, page

    def page_title(self, page: str) -> str:
        name, key = self._split_page(page)
        v = self.views.get(name)
        title = "Dashboard" if key == DASHBOARD else (v.dashboard.drilldown_titles.get(key, key) if v else key)
        return f"{v.title} \u00b7 {title}" if v is not None and len(self.views) > 1 else title

    def playlist_catalogue(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(dashboard title, [(playlist key, drill-down title)]) of the file's dashboards."""
        return [(v.title, [(self.page_key(v.name, e.key), e.title) for e in v.dashboard.drilldowns])
                for v in self.views.values()]

    def playlist_pages(self) -> list[str]:
        """What presentation mode plays after the dashboard in view: the chosen drill-downs,
        else the open tabs; with several dashboards, each other dashboard's page too."""
        known = {k for _t, entries in self.playlist_catalogue() for k, _n in entries}
        chosen = self.settings.playlist
        if chosen is None:
            pages = [self.page_key(v.name, k) for v in self.views.values() for k in v.drilldowns.keys()]
        else:
            pages = [k for k in chosen if k in known]
        others = [self.page_key(v.name, DASHBOARD) for v in self.views.values() if v is not self._current]
        return pages + others

    def presentation_chrome(self) -> list:
        """What presentation mode hides: menus, status bar, the sidebar, every tab bar and control bar."""
        out = [self.menuBar(), self.statusBar(), self.sidebar]
        for v in self.views.values():
            out += [v.tabs.tabBar(), v.page.controls]
        return out

    def _on_presentation_action_triggered(self) -> None:
        if self.presentation.active:
            self.presentation.leave()
            return
        pages = self.playlist_pages()
        for page in pages:  # open (and fetch) them now, so each is ready when its turn comes
            name, key = self._split_page(page)
            v = self.views.get(name)
            if v is not None and key != DASHBOARD and v.drilldowns.tab(key) is None:
                v.drilldowns.open(key, clicks=1, t0=time.perf_counter(), origin="playlist")
        self.tabs.setCurrentWidget(self.page)
        self.presentation.enter(pages, self.settings.playlist_interval_s)
        QTimer.singleShot(PREPARE_AFTER_MS, self._prepare_next_slide)

    def _prepare_next_slide(self) -> None:
        """Make the playlist's next drill-down a slide now, while this page is on screen: a hidden tab
        is rebuilt as a slide when shown, ~100 ms on the step otherwise."""
        pl = self.presentation.playlist
        if not self.presentation.active or len(pl.items) < 2:
            return
        name, key = self._split_page(pl.items[(pl.index + 1) % len(pl.items)])
        v = self.views.get(name)
        tab = v.drilldowns.tab(key) if v is not None and key != DASHBOARD else None
        if tab is not None:
            tab.prepare_slide()

    def _on_playlist_advanced(self, _index: int, page: str) -> None:
        QTimer.singleShot(PREPARE_AFTER_MS, self._prepare_next_slide)
        if page == DASHBOARD:  # the dashboard presentation started on
            v = self.presentation.home or self._current
        else:
            name, key = self._split_page(page)
            v = self.views.get(name)
            if v is None:
                return
            if key != DASHBOARD:
                tab = v.drilldowns.tab(key) or v.drilldowns.open(key, clicks=1, t0=time.perf_counter(),
                                                                   origin="playlist")
                self.show_dashboard(v.name)
                v.tabs.setCurrentWidget(tab)
                return
        self.show_dashboard(v.name)
        mgr = theme.manager()
        if mgr is not None:
            mgr.dress(v.page)
        v.tabs.setCurrentWidget(v.page)

    def _on_playlist_action_triggered(self) -> None:
        from .present.playlist_dialog import QtPlaylistDialog

        chosen = self.settings.playlist
        if chosen is None:
            chosen = [self.page_key(v.name, k) for v in self.views.values() for k in v.drilldowns.keys()]
        dlg = QtPlaylistDialog(chosen, self.settings.playlist_interval_s, self, self.playlist_catalogue())
        if dlg.exec():
            self.settings.playlist = dlg.chosen()
            self.settings.playlist_interval_s = dlg.interval_s()

