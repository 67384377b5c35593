"""File > Export board pack (PDF) and File > Export PNG of this view (2x).

`install(window)` adds both actions to the window's File menu. A board pack's
data (payload, drill-downs, summary) is read by the query service on this
object's own lane (job kind "board_pack_data"; a new export supersedes one in
flight), so the GUI thread never waits on
SQLite; the pages are then rendered here, on the GUI thread (widgets render
only there), and written atomically. Failures go to the dashboard's banner.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLocale, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (QAction, QColor, QDesktopServices, QGuiApplication, QImageWriter, QKeySequence,
                           QPixmap)
from PySide6.QtWidgets import QFileDialog, QMessageBox

from execdash_desktop.boardpack import check_target, default_paper, write_atomic

from .. import theme
from ..services.query_service import Job

STATUS_MS = 10_000


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text.lower(), flags=re.ASCII).strip("-.") or "view"


def _default_folder() -> Path:
    docs = Path.home() / "Documents"
    return docs if docs.is_dir() else Path.home()


class QtExportActions(QObject):
    packWritten = Signal(str, int)  # path, pages
    pngWritten = Signal(str)  # path
    exportFailed = Signal(str)  # message

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog = None
        self._target: tuple[str, str] | None = None  # (path, paper) of the pack being made
        self.saved_box: QMessageBox | None = None  # "Board pack saved", Open / Show in folder
        self.board_pack = self._action("Export &board pack\u2026", self._on_board_pack_action_triggered,
                                       "Ctrl+Shift+E", "A PDF of the dashboard, the summary and drill-downs")
        self.png = self._action("Export PNG of this &view (2x)\u2026", self._on_png_action_triggered, None,
                                "A picture of the tab in view at twice its size")
        self._add_to_file_menu([self.board_pack, self.png])
        self._lane = window.service.lane("board_pack", self)

    def _action(self, text: str, slot, shortcut, tip: str) -> QAction:
        a = QAction(text, self.window)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.setToolTip(tip)
        a.setStatusTip(tip)
        a.triggered.connect(slot)
        self.window.addAction(a)  # the shortcut works, and Help > Shortcuts lists it
        return a

    def _add_to_file_menu(self, actions: list[QAction]) -> None:
        file_menu = self.window.menuBar().actions()[0].menu()
        for a in actions:  # below Export CSV, above Close tab
            file_menu.insertAction(self.window.menus.close_tab, a)

    # -- board pack -----------------------------------------------------------------------------
    def _on_board_pack_action_triggered(self) -> None:
        from .board_pack_dialog import QtBoardPackDialog

        s = self.window.session
        if s.src is None or s.payload is None:
            self._fail("Open a data file first: the board pack shows its numbers.")
            return
        if self.dialog is not None:
            self.dialog.raise_()
            return
        if self.window.presentation.active:
            self.window.presentation.leave()  # a file dialog over a projector; and the pack prints at print sizes
        w = self.window
        keys = list(w.drilldowns.keys()) or list(w.current.dashboard.board_pack.drilldowns)  # the open tabs
        name = f"{Path(s.path).stem}-board-pack-{s.payload['meta']['as_of']}.pdf"
        self.dialog = QtBoardPackDialog(keys, default_paper(QLocale.system().name()),
                                        str(_default_folder() / name), self.window, self.catalogue())
        self.dialog.exportRequested.connect(self.export_board_pack)
        self.dialog.finished.connect(self._on_dialog_finished)
        self.dialog.open()

    def catalogue(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The drill-downs by dashboard: the one in view first (bare keys), then the others'
        whose data is loaded, as 'NAME:KEY' sections (boardpack.gather)."""
        w = self.window
        out = [(w.current.title, [(e.key, e.title) for e in w.current.dashboard.drilldowns if e.board_pack])]
        for v in w.views.values():
            if v is not w.current and v.session.src is not None:
                out.append((v.title, [(f"{v.name}:{e.key}", e.title) for e in v.dashboard.drilldowns
                                      if e.board_pack]))
        return out

    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None

    def export_board_pack(self, path: str, paper: str, keys: list[str]) -> None:
        """Read the pack's data in the background; `_on_service_result_ready` renders it."""
        s = self.window.session
        if s.src is None or s.payload is None or s.window() is None:
            self._fail("Open a data file first: the board pack shows its numbers.")
            return
        try:
            check_target(path, s.path)
        except OSError as exc:
            self._fail(f"{exc.filename or path}: {exc.strerror or exc}")
            return
        tf = s.payload["timeframe"]
        others = {v.name: (v.session.src, v.session.monthly) for v in self.window.views.values()
                  if v.session is not s and v.session.src is not None}
        job = Job("board_pack_data", s.path, (tuple(keys), s.window(), s.data_generation, tf["granularity"],
                                              s.sensitivity),
                  payload=(s.src, s.payload, s.monthly, s.window(), others), dashboard=s.name)
        self._target = (path, paper)
        self.window.statusBar().showMessage("Preparing the board pack\u2026")
        self._lane.submit(job, self._on_pack_data_read, self._on_pack_data_failed,
                          self._on_pack_data_progressed, context=(path, paper))

    def _on_pack_data_progressed(self, _req, fraction: float, message: str) -> None:
        self.window.statusBar().showMessage(f"Board pack: {message} ({fraction:.0%})")

    def _on_pack_data_read(self, req, result) -> None:
        path, paper = req.context
        self.window.statusBar().showMessage("Board pack: drawing the pages\u2026")
        # widgets paint on this thread only (~0.4 s for 25 pages): let the message show first
        QTimer.singleShot(0, self, lambda: self._render(result, path, paper))

    def _render(self, result, path: str, paper: str) -> None:
        from .board_pack import export_pdf  # imports pyqtgraph (already loaded by the chart)

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            done = export_pdf(result, path, paper)
        except OSError as exc:
            self._target = None
            self._fail(f"{exc.filename or path}: {exc.strerror or exc}")
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._target = None
        self.window.statusBar().showMessage(f"Board pack saved: {done['path']} ({done['pages']} pages)", STATUS_MS)
        self._tell_saved(Path(done["path"]), done["pages"])
        self.packWritten.emit(done["path"], done["pages"])

    def _tell_saved(self, path: Path, pages: int) -> None:
        """A message over whatever tab is in view: where the pack is, Open, Show in folder."""
        if self.saved_box is not None:
            self.saved_box.close()
        box = QMessageBox(QMessageBox.Icon.Information, "Board pack saved",
                          f"The board pack is saved: {path.name} ({pages} pages).", parent=self.window)
        box.setInformativeText(f"In {path.parent}")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(False)
        box.open_button = box.addButton("Open", QMessageBox.ButtonRole.AcceptRole)
        box.folder_button = box.addButton("Show in folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(box.open_button)
        box.buttonClicked.connect(lambda b, p=str(path): self._on_saved_box_button_clicked(b, p))
        box.destroyed.connect(self._on_saved_box_destroyed)
        self.saved_box = box
        box.show()

    def _on_saved_box_button_clicked(self, button, path: str) -> None:
        box = self.saved_box
        if box is None:
            return
        if button is box.open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))  # the system's PDF viewer
        elif button is box.folder_button:
            # the folder in the file manager (selecting the file itself has no portable API)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))

    def _on_saved_box_destroyed(self, *_args) -> None:
        self.saved_box = None

    def _on_pack_data_failed(self, _req, message: str) -> None:
        self._target = None
        self._fail(message)

    def _fail(self, message: str, title: str = "Could not export") -> None:
        self.window.statusBar().clearMessage()
        self.window.page.banner.show_error(message, title, retry=False)
        self.exportFailed.emit(message)

    @property
    def busy(self) -> bool:
        return self._target is not None

    # -- PNG ---------------------------------------------------------------------------------------
    def _on_png_action_triggered(self) -> None:
        self.export_png()

    def default_png_name(self) -> str:
        w = self.window
        tabs = w.tabs
        tab = _slug(tabs.tabText(tabs.currentIndex()) or "view")
        s = w.session
        stem = Path(s.path).stem if s.path else "execdash"
        as_of = f"-{s.payload['meta']['as_of']}" if s.payload else ""
        return f"{_slug(stem)}-{tab}{as_of}.png"

    def export_png(self, path: str | None = None) -> str | None:
        """The tab in view at device pixel ratio 2 (a 2x picture); asks for the path when None."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self.window, "Export PNG of this view",
                                                  str(_default_folder() / self.default_png_name()),
                                                  "PNG images (*.png)")
            if not path:
                return None
        widget = self.window.tabs.currentWidget()
        pix = QPixmap(widget.size() * 2)
        pix.setDevicePixelRatio(2)
        pix.fill(QColor(theme.palette().window))
        widget.render(pix)  # at the pixmap's ratio: every line and glyph drawn at 2x, not scaled up
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QImageWriter(buf, b"png")
        if not writer.write(pix.toImage()):
            self._fail(f"{path}: {writer.errorString()}")
            return None
        buf.close()
        try:
            written = str(write_atomic(path, bytes(data.data()), self.window.session.path))
        except OSError as exc:
            self._fail(f"{exc.filename or path}: {exc.strerror or exc}")
            return None
        self.window.statusBar().showMessage(f"Saved {written}", STATUS_MS)
        self.pngWritten.emit(written)
        return written


def install(window) -> QtExportActions:
    """Add File > Export board pack and Export PNG to `window` (a QtMainWindow)."""
    window.exports = QtExportActions(window)
    return window.exports
