"""Presentation mode: full screen, projector theme, controls hidden, a playlist.

`QtPresentation` owns the mode for one main window: entering hides the menu,
tab, status and control bars, switches the theme to the projector palette
(large type, thick lines, good/bad said in words), goes full screen and starts
the playlist; a thin bar slides in while the mouse moves and the cursor hides
after `IDLE_CURSOR_MS` still. Keys while presenting: Esc leaves, Right/Left
(and a clicker's PageDown/PageUp) step, Space plays/pauses, any other key
pauses. Auto-refresh is the session's and keeps running.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from .. import theme
from .playlist import QtPlaylist

IDLE_CURSOR_MS = 3_000
BAR_VISIBLE_MS = 2_500
CURSOR_POLL_MS = 200  # child widgets get no move events without tracking: poll the cursor

NEXT_KEYS = {Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Down}
PREVIOUS_KEYS = {Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Up}
IGNORED_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_F11}


class QtPresenterBar(QFrame):
    """The thin bar over the top edge: where we are, previous / play-pause / next, leave."""

    previousRequested = Signal()
    toggleRequested = Signal()
    nextRequested = Signal()
    leaveRequested = Signal()

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("PresenterBar")
        self.where = QLabel("")
        self.where.setObjectName("PresenterWhere")
        self.previous = QPushButton("\u25c0 Previous")
        self.play = QPushButton("Pause")
        self.next = QPushButton("Next \u25b6")
        self.leave = QPushButton("Leave (Esc)")
        for b, sig in ((self.previous, self.previousRequested), (self.play, self.toggleRequested),
                       (self.next, self.nextRequested), (self.leave, self.leaveRequested)):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the presentation
            b.clicked.connect(sig)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(theme.SPACE["lg"], 4, theme.SPACE["lg"], 4)
        lay.setSpacing(theme.SPACE["sm"])
        lay.addWidget(self.where, 1)
        for b in (self.previous, self.play, self.next, self.leave):
            lay.addWidget(b)
        self.hide()

    def set_state(self, where: str, playing: bool, can_play: bool, interval_s: int) -> None:
        self.where.setText(where)
        self.play.setText("Pause" if playing else f"Play ({interval_s} s)")
        for b in (self.previous, self.play, self.next):
            b.setEnabled(can_play)

    def place(self) -> None:
        parent = self.parentWidget()
        self.setGeometry(0, 0, parent.width(), self.sizeHint().height())
        self.raise_()


class QtPresentation(QObject):
    activeChanged = Signal(bool)

    def __init__(self, window, parent: QObject | None = None):
        super().__init__(parent or window)
        self.window = window
        self.playlist = QtPlaylist(parent=self)
        self.bar = QtPresenterBar(window)
        self.idle_cursor_ms = IDLE_CURSOR_MS
        self._active = False
        self._saved: dict = {}
        self._cursor_hidden = False
        self._last_pos: QPoint | None = None
        self._idle = QTimer(self, singleShot=True, timeout=self._on_idle_timeout)
        self._bar_timer = QTimer(self, singleShot=True, timeout=self.bar.hide)
        self._poll = QTimer(self, interval=CURSOR_POLL_MS, timeout=self._on_poll_timeout)
        self.bar.previousRequested.connect(self.playlist.previous)
        self.bar.nextRequested.connect(self.playlist.next)
        self.bar.toggleRequested.connect(self.playlist.toggle)
        self.bar.leaveRequested.connect(self.leave)
        self.playlist.playingChanged.connect(self._update_bar)
        self.playlist.advanced.connect(self._update_bar)

    @property
    def active(self) -> bool:
        return self._active

    @property
    def cursor_hidden(self) -> bool:
        return self._cursor_hidden

    def toggle(self) -> None:
        self.leave() if self._active else self.enter()

    # -- entering and leaving ------------------------------------------------------------------
    def enter(self, pages: list[str] | None = None, interval_s: int = 30) -> None:
        """Go full screen in the projector theme and play `pages` (drill-down keys) in turn."""
        if self._active:
            return
        w = self.window
        chrome = [w.menuBar(), w.statusBar(), w.tabs.tabBar(), w.page.controls]
        self._saved = {"maximized": w.isMaximized(), "geometry": w.saveGeometry(),
                       "visible": [(c, c.isVisible()) for c in chrome]}
        for c in chrome:
            c.hide()
        self._active = True
        mgr = theme.manager()
        if mgr is not None:  # what the projector shows: the dashboard, the playlist's tabs, the bar
            tabs = [t for t in (w.drilldowns.tab(k) for k in pages or []) if t is not None]
            mgr.set_presenting(True, [w.page, self.bar, *tabs])
        self._set_slides(True)
        w.showFullScreen()
        QTimer.singleShot(150, self._cover_screen)
        self.playlist.set_items(list(pages or []))
        self.playlist.set_interval_ms(interval_s * 1000)
        QApplication.instance().installEventFilter(self)
        self._last_pos = QCursor.pos()
        self._idle.start(self.idle_cursor_ms)
        self._poll.start()
        self.playlist.play()
        self._update_bar()
        self.activeChanged.emit(True)

    def leave(self) -> None:
        if not self._active:
            return
        self._active = False
        QApplication.instance().removeEventFilter(self)
        self.playlist.stop()
        self._idle.stop()
        self._poll.stop()
        self._bar_timer.stop()
        self.bar.hide()
        self._show_cursor()
        mgr = theme.manager()
        if mgr is not None:
            mgr.set_presenting(False)
        self._set_slides(False)
        w = self.window
        for c, visible in self._saved.get("visible", []):
            c.setVisible(visible)
        w.showNormal()
        if self._saved.get("maximized"):
            w.showMaximized()
        elif self._saved.get("geometry") is not None:
            w.restoreGeometry(self._saved["geometry"])
        self.activeChanged.emit(False)

    def _set_slides(self, on: bool) -> None:
        """The dashboard and the drill-down tabs as slides (fit the screen) or as pages."""
        w = self.window
        w.page.set_presenting(on)
        for key in w.drilldowns.keys():
            tab = w.drilldowns.tab(key)
            if tab is not None:
                tab.set_presenting(on)

    def _cover_screen(self) -> None:
        """Without a window manager (a kiosk, Xvfb) nobody grants full screen: take it."""
        screen = self.window.screen().geometry()
        if self._active and self.window.frameGeometry() != screen:
            self.window.setGeometry(screen)

    # -- the bar and the cursor ---------------------------------------------------------------------
    def mouse_moved(self) -> None:
        """Show the bar for a while and the cursor again; restart the idle clock."""
        self._show_cursor()
        self._idle.start(self.idle_cursor_ms)
        self.bar.place()
        self.bar.show()
        self._bar_timer.start(BAR_VISIBLE_MS)

    def _on_poll_timeout(self) -> None:
        pos = QCursor.pos()
        if self._last_pos is not None and pos != self._last_pos:
            self.mouse_moved()
        self._last_pos = pos

    def _on_idle_timeout(self) -> None:
        if self._active and not self._cursor_hidden and not self.bar.underMouse():
            QGuiApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
            self._cursor_hidden = True

    def _show_cursor(self) -> None:
        if self._cursor_hidden:
            QGuiApplication.restoreOverrideCursor()
            self._cursor_hidden = False

    def _update_bar(self, *_args) -> None:
        items = self.playlist.items
        name = self.window.page_title(self.playlist.current)
        where = f"{name}  \u00b7  {self.playlist.index + 1} of {len(items)}" if len(items) > 1 else name
        self.bar.set_state(where, self.playlist.playing, len(items) > 1, self.playlist.interval_ms() // 1000)
        if self.bar.isVisible():
            self.bar.place()

    # -- keys ------------------------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseMove:
            self.mouse_moved()
        elif kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and self._is_ours(obj):
            return self._on_key(event, kind == QEvent.Type.KeyPress)
        return False

    def _is_ours(self, obj) -> bool:
        return isinstance(obj, QWidget) and obj.window() is self.window and QApplication.activePopupWidget() is None

    def _on_key(self, event, press: bool) -> bool:
        key = event.key()
        if key in IGNORED_KEYS or event.isAutoRepeat() and key not in NEXT_KEYS | PREVIOUS_KEYS:
            return False
        if key == Qt.Key.Key_Escape:
            event.accept()
            if press:
                self.leave()
            return True
        if key in NEXT_KEYS or key in PREVIOUS_KEYS or key == Qt.Key.Key_Space:
            event.accept()  # ShortcutOverride accepted: the key comes to us as a KeyPress
            if press:
                if key == Qt.Key.Key_Space:
                    self.playlist.toggle()
                elif key in NEXT_KEYS:
                    self.playlist.next()
                else:
                    self.playlist.previous()
            return True
        self.playlist.pause()  # any other key: the presenter is doing something
        return False
