"""The main window's menus and window-wide actions, and the Help > Shortcuts list.

`build_menus(window)` creates every action (with shortcuts) and wires each to
a `_on_<action>_triggered` slot of the window; it holds no logic itself.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QDialog, QHeaderView, QLabel, QMenu, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout)

from execdash_desktop.dashboards import all_dashboards

from .services.settings import UNUSUAL_MONTHS


@dataclass
class Menus:
    open_file: QAction
    open_demo: QAction
    recent: QMenu
    close_tab: QAction
    export_csv: QAction
    quit: QAction
    refresh: QAction
    theme: dict[str, QAction]
    unusual_months: dict[str, QAction]
    drilldowns: dict[str, QAction]
    full_refresh: QAction
    serve_api: QAction
    presentation: QAction
    playlist: QAction
    shortcuts: QAction
    diagnostics: QAction
    about: QAction
    controls: QMenu | None = None  # View > Range and granularity: the dashboard in view's
    dashboards: QMenu | None = None  # View > Dashboards (Ctrl+1..3), filled by the window


def _action(window, text: str, slot, shortcut=None, tip: str = "", checkable: bool = False) -> QAction:
    a = QAction(text, window)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        a.setToolTip(tip)
        a.setStatusTip(tip)
    a.setCheckable(checkable)
    if slot is not None:  # None: its owner connects it (Serve the API: the QtApiToggle)
        (a.toggled if checkable else a.triggered).connect(slot)
    window.addAction(a)
    return a


def build_menus(w) -> Menus:
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    open_file = _action(w, "&Open\u2026", w._on_open_action_triggered, QKeySequence.StandardKey.Open,
                        "Open another data file")
    open_demo = _action(w, "Open &demo file", w._on_open_demo_action_triggered, None,
                        "Open (or create) the demo data file in the user data folder")
    file_menu.addAction(open_file)
    recent = file_menu.addMenu("Open &recent")
    file_menu.addAction(open_demo)
    file_menu.addSeparator()
    export_csv = _action(w, "&Export CSV\u2026", w._on_export_action_triggered, "Ctrl+E",
                         "Export the first table of the current drill-down tab")
    close_tab = _action(w, "&Close tab", w._on_close_tab_action_triggered, QKeySequence.StandardKey.Close)
    file_menu.addAction(export_csv)
    file_menu.addAction(close_tab)
    file_menu.addSeparator()
    quit_ = _action(w, "&Quit", w.close, QKeySequence.StandardKey.Quit)
    file_menu.addAction(quit_)

    view_menu = bar.addMenu("&View")
    refresh = _action(w, "&Refresh", w._on_refresh_action_triggered, QKeySequence.StandardKey.Refresh,
                      "Re-read everything from the data file")
    view_menu.addAction(refresh)
    view_menu.addSeparator()
    controls = view_menu.addMenu("&Range and granularity")
    for a in w.page.controls.shortcut_actions():
        controls.addAction(a)
        w.addAction(a)
    presentation = _action(w, "&Presentation mode", w._on_presentation_action_triggered, None,
                           "Full screen in the projector theme, playing the playlist (Esc leaves)")
    presentation.setShortcuts(presentation_keys())
    view_menu.addAction(presentation)
    view_menu.addSeparator()
    theme_menu = view_menu.addMenu("&Theme")
    group = QActionGroup(w)
    theme_actions = {}
    for mode, text in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
        a = QAction(text, w)
        a.setCheckable(True)
        a.triggered.connect(lambda _=False, m=mode: w._on_theme_action_triggered(m))
        group.addAction(a)
        theme_menu.addAction(a)
        theme_actions[mode] = a

    drill_menu = bar.addMenu("&Drill-down")
    drill_actions = {}
    for dash in all_dashboards():  # by dashboard; the ones the file lacks are disabled
        if drill_actions:
            drill_menu.addSeparator()
        head = drill_menu.addAction(dash.title)
        head.setEnabled(False)
        for entry in dash.drilldowns:
            a = QAction(entry.title, w)
            a.triggered.connect(lambda _=False, n=dash.name, k=entry.key: w._on_drilldown_action_triggered(k, n))
            drill_menu.addAction(a)
            drill_actions[(dash.name, entry.key)] = a
    dashboards_menu = view_menu.addMenu("&Dashboards")

    settings_menu = bar.addMenu("&Settings")
    full_refresh = _action(w, "Full refresh every 60 s", w._on_full_refresh_action_toggled,
                           tip="Re-read everything from the file every minute", checkable=True)
    serve_api = _action(w, "Serve the &API on this computer", None,
                        tip="Serve GET /api/executive-dashboard for this file on 127.0.0.1", checkable=True)
    playlist = _action(w, "Presentation &playlist\u2026", w._on_playlist_action_triggered, None,
                       "Which drill-downs presentation mode shows after the dashboard, and for how long")
    settings_menu.addAction(full_refresh)
    settings_menu.addAction(serve_api)
    settings_menu.addAction(playlist)
    unusual_menu = settings_menu.addMenu("&Unusual months")
    unusual_menu.setToolTip("How readily a month far from what its recent months predict is ringed")
    group = QActionGroup(w)
    unusual_actions = {}
    for level, text in UNUSUAL_MONTHS.items():
        a = QAction(text, w)
        a.setCheckable(True)
        a.triggered.connect(lambda _=False, lv=level: w._on_unusual_months_action_triggered(lv))
        group.addAction(a)
        unusual_menu.addAction(a)
        unusual_actions[level] = a

    help_menu = bar.addMenu("&Help")
    shortcuts = _action(w, "&Keyboard shortcuts", w._on_shortcuts_action_triggered,
                        QKeySequence.StandardKey.HelpContents)
    diagnostics = _action(w, "&Diagnostics (quality gates)", w._on_diagnostics_action_triggered, "Ctrl+Shift+D")
    about = _action(w, "&About ExecDash", w._on_about_action_triggered)
    help_menu.addAction(shortcuts)
    help_menu.addAction(diagnostics)
    help_menu.addSeparator()
    help_menu.addAction(about)
    return Menus(open_file, open_demo, recent, close_tab, export_csv, quit_, refresh, theme_actions,
                 unusual_actions, drill_actions, full_refresh, serve_api, presentation, playlist, shortcuts,
                 diagnostics, about, controls, dashboards_menu)


def presentation_keys() -> list[QKeySequence]:
    """F11 on Windows and Linux; Ctrl+Cmd+F on macOS (Qt: Meta is Control, Ctrl is Command there)."""
    if sys.platform == "darwin":
        return [QKeySequence("Ctrl+Meta+F")]
    return [QKeySequence("F11")]


def shortcut_rows(window) -> list[tuple[str, str]]:
    """(what, keys) of every action of the window that has a shortcut."""
    rows = []
    seen = set()
    for a in window.actions():
        keys = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        text = a.text().replace("&", "").replace("\u2026", "")
        if keys and (text, keys) not in seen:
            seen.add((text, keys))
            rows.append((text, keys))
    rows.append(("Open the drill-down of a focused card", "Enter"))
    rows.append(("Presenting: next / previous page", "Right, Page Down / Left, Page Up"))
    rows.append(("Presenting: play or pause the playlist (any other key pauses)", "Space"))
    rows.append(("Presenting: leave", "Esc"))
    rows.append(("Next / previous tab", "Ctrl+Tab / Ctrl+Shift+Tab"))
    return rows


class QtShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        title = QLabel("Keyboard shortcuts")
        title.setObjectName("DialogTitle")
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["Action", "Keys"])
        table.verticalHeader().hide()
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, (what, keys) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(what))
            table.setItem(r, 1, QTableWidgetItem(keys))
        hh = table.horizontalHeader()
        # the keys column as wide as its longest keys ("Ctrl+Shift+E", never "Ctrl-"), the
        # dialog as wide as both columns: no scrolling across
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setWordWrap(False)
        table.resizeColumnsToContents()
        need = table.sizeHintForColumn(0) + table.sizeHintForColumn(1) + 24
        need += table.verticalScrollBar().sizeHint().width() + 2 * table.frameWidth()
        self.table = table
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(table, 1)
        lay.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        m = lay.contentsMargins()
        self.setMinimumWidth(need + m.left() + m.right())
        self.resize(max(520, self.minimumWidth()), 560)
