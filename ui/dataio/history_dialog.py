"""File > Import history: the data file's import_logs rows, newest first."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableView,
                               QVBoxLayout)

from ..services.jobs import Job
from .import_dialog import human

HEADERS = ["When", "From", "Into", "Rows added", "Rows with problems", "How"]
HOW = {"append": "Added", "replace": "Replaced", "upsert": "Updated"}


def _item(text, sort=None) -> QStandardItem:
    it = QStandardItem("" if text is None else str(text))
    it.setEditable(False)
    it.setData(text if sort is None else sort, Qt.ItemDataRole.UserRole)
    return it


def _when(stamp: str) -> str:
    """2026-11-30T09:41:36.123Z -> 30 Nov 2026 09:41 (UTC)."""
    from datetime import datetime

    try:
        t = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return t.strftime("%d %b %Y %H:%M") + (" UTC" if t.tzinfo else "")


class QtImportHistoryDialog(QDialog):
    def __init__(self, service, path: str, parent=None):
        super().__init__(parent)
        self.setObjectName("ImportHistoryDialog")
        self.setWindowTitle("Import history")
        self.resize(1000, 420)
        self.service = service
        self.note = QLabel(f"Imports into {Path(path).name}")
        self.model = QStandardItemModel(0, len(HEADERS), self)
        self.model.setHorizontalHeaderLabels(HEADERS)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = QTableView()
        self.table.setModel(proxy)
        self.table.setSortingEnabled(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 2):  # file and table names take the room that is left
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self._channel = f"import-history-{id(self)}"
        service.resultReady.connect(self._on_service_result_ready)
        service.requestFailed.connect(self._on_service_request_failed)
        service.submit(self._channel, Job("import_history", path))

    def show_entries(self, entries) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for e in entries:
            meta = e.metadata or {}
            parts = meta.get("parts") or []
            files = ", ".join(sorted({Path(p.get("file") or "").name for p in parts})) or meta.get("file") or ""
            tables = ", ".join(sorted({human(p.get("table")) for p in parts if p.get("table")}))
            how = HOW.get(meta.get("mode"), meta.get("mode") or "")
            if meta.get("cancelled"):
                how = "Cancelled"
            elif e.records_imported == 0 and e.records_failed:
                how = "Refused (problems)"
            self.model.appendRow([_item(_when(e.timestamp), e.timestamp), _item(files), _item(tables),
                                  _item(f"{e.records_imported:,}", e.records_imported),
                                  _item(f"{e.records_failed:,}", e.records_failed), _item(how)])
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        if not entries:
            self.note.setText("Nothing has been imported into this data file yet.")

    def _on_service_result_ready(self, req, result, _t: float) -> None:
        if req.channel == self._channel:
            self.show_entries(result)

    def _on_service_request_failed(self, req, message: str) -> None:
        if req.channel == self._channel:
            self.note.setText(message)

    def done(self, result: int) -> None:
        self.service.resultReady.disconnect(self._on_service_result_ready)
        self.service.requestFailed.disconnect(self._on_service_request_failed)
        super().done(result)
