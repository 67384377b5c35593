"""File > Refresh from database...: a snapshot of the company's PostgreSQL into the open file.

`install(window)` adds the action to the File menu and a status-bar note
("Snapshot of company@db.example.com, 29 Nov 17:42"). The snapshot runs on
the query service (job kind "snapshot", channel "snapshot") with progress and
Cancel; the new file replaces the old one only when complete, and the window
then reopens it. The database address is remembered, never the password: a
password typed here lives in memory for one refresh only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget)

from ..services.query_service import Job

DEFAULT_ADDRESS = "postgresql://user@host:5432/database"


@dataclass
class SnapshotRequest:
    """What the worker runs; the password is used once and never stored."""

    address: str
    schema: str = "public"
    since: bool = False
    password: str = field(default="", repr=False)
    stop: threading.Event = field(default_factory=threading.Event, repr=False)

    def run(self, path: str, progress):
        from execdash_desktop.snapshot import snapshot

        secret = self.password
        self.password = ""  # one use
        return snapshot(self.address, path, schema=self.schema, since=self.since,
                        prompt=(lambda _text: secret or None), progress=progress,
                        cancelled=self.stop.is_set)


def status_text(info: dict | None) -> str:
    """ "Snapshot of company@db.example.com, 29 Nov 17:42" (local time), or "" for a file not from a database."""
    if not info:
        return ""
    src = str(info.get("from") or "")
    user_host, _, db = src.partition("/")
    host = user_host.split("@", 1)[-1]
    try:
        when = datetime.fromisoformat(str(info.get("timestamp")).replace("Z", "+00:00")).astimezone()
        stamp = f", {when.day} {when.strftime('%b %H:%M')}"
    except ValueError:
        stamp = ""
    return f"Snapshot of {db}@{host}{stamp}"


def plain_reason(message: str) -> str:
    """The headline an executive reads; the exact line stays behind Details."""
    m = message.lower()
    if "cancelled" in m:
        return "Refresh cancelled. The data file is unchanged."
    if "login refused" in m:
        return "The database refused the login. Check the user name and password."
    if "cannot reach" in m:
        return "The database server could not be reached. Check the address and your connection."
    if "does not exist" in m and m.startswith("database"):
        return "That server has no database of that name."
    return "The refresh did not complete. The data file is unchanged."


def _without_password(address: str) -> str:
    from execdash_desktop.snapshot.source import _redact_url

    return _redact_url(address.strip())


class QtSnapshotDialog(QDialog):
    """Where to refresh from, then progress with Cancel; closes itself when done."""

    snapshotRequested = Signal(object, str)  # SnapshotRequest, file to write
    cancelRequested = Signal()

    def __init__(self, address: str, schema: str, path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Refresh from database")
        self.setObjectName("SnapshotDialog")
        self.address = QLineEdit(address or "")
        self.address.setPlaceholderText(DEFAULT_ADDRESS)
        self.schema = QLineEdit(schema or "public")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("only if the database asks for one (never saved)")
        self.path = QLineEdit(path or "")
        choose = QPushButton("Choose\u2026")
        choose.clicked.connect(self._on_choose_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(choose)
        self.since = QCheckBox("Only what changed since the last refresh")
        form = QFormLayout()
        form.addRow("Database", self.address)
        form.addRow("Schema", self.schema)
        form.addRow("Password", self.password)
        form.addRow("Data file", file_row)
        form.addRow("", self.since)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.hide()
        self.details_button = QPushButton("Details")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self.details.setVisible)
        self.details_button.hide()
        self.buttons = QDialogButtonBox()
        self.start = self.buttons.addButton("Refresh", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.start.clicked.connect(self._on_start_clicked)
        self.cancel.clicked.connect(self._on_cancel_clicked)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.note)
        lay.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.details)
        lay.addWidget(self.buttons)
        self.running = False
        self.resize(560, self.sizeHint().height())

    def _on_choose_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Data file", self.path.text(), "Data files (*.db *.sqlite)")
        if path:
            self.path.setText(path)

    def _on_start_clicked(self) -> None:
        address, path = self.address.text().strip(), self.path.text().strip()
        if not address.startswith(("postgresql://", "postgres://")):
            self.show_failure(f"--from must be a postgresql:// address, not {_without_password(address)!r}",
                              "Enter the database address, like " + DEFAULT_ADDRESS + ".")
            return
        if not path:
            self.show_failure("no data file chosen", "Choose the data file to refresh.")
            return
        req = SnapshotRequest(address, self.schema.text().strip() or "public", self.since.isChecked(),
                              self.password.text())
        self.password.clear()
        self.set_running(True)
        self.snapshotRequested.emit(req, path)

    def _on_cancel_clicked(self) -> None:
        if self.running:
            self.note.setText("Cancelling\u2026")
            self.cancel.setEnabled(False)
            self.cancelRequested.emit()
        else:
            self.reject()

    def set_running(self, on: bool) -> None:
        self.running = on
        for w in (self.address, self.schema, self.password, self.path, self.since, self.start):
            w.setEnabled(not on)
        self.cancel.setEnabled(True)
        self.progress.setVisible(on)
        self.progress.setValue(0)
        if on:
            self.note.setText("Connecting\u2026")
            self.details_button.hide()
            self.details.hide()

    def set_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(100 * max(0.0, min(1.0, fraction)))))
        self.note.setText(message[:1].upper() + message[1:] + "\u2026" if message else "")

    def show_failure(self, message: str, headline: str | None = None) -> None:
        self.set_running(False)
        self.note.setText(headline or plain_reason(message))
        self.details.setText(message)
        self.details_button.show()
        self.details_button.setChecked(False)

    def closeEvent(self, event) -> None:
        if self.running:  # closing the window cancels, as the Cancel button does
            self.cancelRequested.emit()
        super().closeEvent(event)


class QtSnapshotActions(QObject):
    """The menu action, the status-bar note and the job's results for one window."""

    snapshotDone = Signal(object)  # SnapshotResult
    snapshotFailed = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog: QtSnapshotDialog | None = None
        self._request: SnapshotRequest | None = None
        self._settings = QSettings(str(window.settings.path), QSettings.Format.IniFormat)
        self.action = QAction("Refresh from &database\u2026", window)
        self.action.setToolTip("Copy the latest numbers from the company database into this file")
        self.action.setStatusTip(self.action.toolTip())
        self.action.triggered.connect(self._on_action_triggered)
        window.addAction(self.action)
        file_menu = window.menuBar().actions()[0].menu()
        file_menu.insertAction(window.menus.close_tab, self.action)
        self.status = QLabel("")
        self.status.setObjectName("StatusSnapshot")
        window.statusBar().addWidget(self.status)
        window.session.fileOpened.connect(self._on_session_file_opened)
        # results come back to these lanes only (a newer snapshot or file supersedes the older)
        self._lane = window.service.lane("snapshot", self)
        self._info_lane = window.service.lane("snapshot-info", self)

    # the remembered source: the address without a password, and the schema
    @property
    def remembered(self) -> tuple[str, str]:
        return (str(self._settings.value("snapshot/address", "") or ""),
                str(self._settings.value("snapshot/schema", "public") or "public"))

    def _remember(self, address: str, schema: str) -> None:
        self._settings.setValue("snapshot/address", _without_password(address))
        self._settings.setValue("snapshot/schema", schema)
        self._settings.sync()

    def _on_action_triggered(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return
        address, schema = self.remembered
        self.dialog = QtSnapshotDialog(address, schema, self.window.session.path or "", self.window)
        self.dialog.snapshotRequested.connect(self._on_dialog_snapshot_requested)
        self.dialog.cancelRequested.connect(self._on_dialog_cancel_requested)
        self.dialog.show()

    def _on_dialog_snapshot_requested(self, req: SnapshotRequest, path: str) -> None:
        self._remember(req.address, req.schema)
        self._request = req
        self._lane.submit(Job("snapshot", str(Path(path).expanduser()), (id(req),), payload=req),
                          self._on_snapshot_done, self._on_snapshot_failed, self._on_snapshot_progressed)

    def _on_dialog_cancel_requested(self) -> None:
        if self._request is not None:
            self._request.stop.set()

    def _on_session_file_opened(self, path: str) -> None:
        self.status.setText("")
        self._info_lane.submit(Job("snapshot_info", path), self._on_info_read)

    def _on_info_read(self, req, result) -> None:
        if req.job.path == self.window.session.path:
            self.status.setText(status_text(result))
            self.status.setToolTip(f"From {result['from']}, schema {result.get('schema', 'public')}"
                                   if result else "")

    def _on_snapshot_done(self, _req, result) -> None:
        self._request = None
        if self.dialog is not None:
            self.dialog.set_running(False)
            self.dialog.accept()
        self.window.open_file(result.path)  # the new file is in place: show it
        self.snapshotDone.emit(result)

    def _on_snapshot_failed(self, _req, message: str) -> None:
        self._request = None
        if self.dialog is not None:
            self.dialog.show_failure(message)
        self.snapshotFailed.emit(message)

    def _on_snapshot_progressed(self, _req, fraction: float, message: str) -> None:
        if self.dialog is not None:
            self.dialog.set_progress(fraction, message)


def install(window) -> QtSnapshotActions:
    return QtSnapshotActions(window)
