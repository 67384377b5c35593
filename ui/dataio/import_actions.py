"""File > Import data..., File > Import history..., and files dropped on the window.

Installed by one line in the main window (`import_actions.install(self)`); the
window itself is not subclassed or edited further: drops are caught by an
event filter. After an import the dashboard reloads the file (or opens the new
one). Nothing of the import (execdash_desktop.dataio, pandas) loads at start-up.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from . import import_jobs

FILTER = "Spreadsheets (*.csv *.tsv *.txt *.xlsx *.xlsm *.ods *.zip);;All files (*)"


def importable(path: str) -> bool:
    from execdash_desktop.dataio.readers import SUFFIXES  # on a drag, not at the window's start-up

    p = Path(path)
    return p.is_dir() or p.suffix.lower() in SUFFIXES or p.suffix.lower() == ".zip"


class QtImportActions(QObject):
    importFinished = Signal(str)  # the data file written

    def __init__(self, window):
        super().__init__(window)
        import_jobs.register()
        self.window = window
        self.dialog = None
        self.history = None
        self.import_data = QAction("&Import data\u2026", window)
        self.import_data.setShortcut(QKeySequence("Ctrl+I"))
        self.import_data.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.import_data.setStatusTip("Add numbers from CSV or Excel files to the dashboard")
        self.import_data.triggered.connect(self._on_import_action_triggered)
        self.import_history = QAction("Import &history\u2026", window)
        self.import_history.setStatusTip("What was imported into this data file, and when")
        self.import_history.triggered.connect(self._on_history_action_triggered)
        for a in (self.import_data, self.import_history):
            window.addAction(a)
        file_menu = window.menuBar().actions()[0].menu()
        anchor = window.menus.close_tab
        for a in (self.import_data, self.import_history):  # above Export CSV's group
            file_menu.insertAction(anchor, a)
        file_menu.insertSeparator(anchor)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    # -- drops --------------------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self._dropped_paths(event):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            paths = self._dropped_paths(event)
            if paths:
                event.acceptProposedAction()
                self.start(paths)
                return True
        return False

    @staticmethod
    def _dropped_paths(event) -> list[str]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        return [p for p in paths if importable(p)]

    # -- the dialog ---------------------------------------------------------------------------------
    def _on_import_action_triggered(self) -> None:
        start = str(Path(self.window.session.path).parent) if self.window.session.path else str(Path.home())
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Import data", start, FILTER)
        if paths:
            self.start(paths)

    def _target(self) -> str | None:
        """The open data file, or (none open) a new file the user names."""
        if self.window.session.path:
            return str(self.window.session.path)
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the new data file as",
                                              str(Path.home() / "dashboard.db"), "Data files (*.db *.sqlite)")
        return path or None

    def start(self, sources: list[str], target: str | None = None) -> None:
        """Open the import dialog on `sources` (files, folders, .zip)."""
        from .import_dialog import QtImportDialog

        target = target or self._target()
        if not target:
            return
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = QtImportDialog(self.window.service, target, sources, self.window)
        self.dialog.importFinished.connect(self._on_dialog_import_finished)
        self.dialog.finished.connect(self._on_dialog_finished)
        self.dialog.show()

    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None

    def _on_dialog_import_finished(self, target: str, report) -> None:
        w = self.window
        if w.session.path and Path(w.session.path).resolve() == Path(target).resolve():
            w.session.refresh()
        else:
            w.open_file(target)
        w.statusBar().showMessage(f"Imported {report.imported:,} rows", 8000)
        self.importFinished.emit(target)

    # -- history ------------------------------------------------------------------------------------
    def _on_history_action_triggered(self) -> None:
        from .history_dialog import QtImportHistoryDialog

        path = self.window.session.path
        if not path:
            QMessageBox.information(self.window, "Import history", "Open a data file first.")
            return
        self.history = QtImportHistoryDialog(self.window.service, str(path), self.window)
        self.history.show()


def install(window) -> QtImportActions:
    """Add File > Import data / Import history and file drops to `window` (a QtMainWindow)."""
    return QtImportActions(window)
