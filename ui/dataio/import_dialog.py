"""File > Import data: see the file, fix the column matching, read the report, import.

The dialog plans (which sheet goes where, a preview of the first rows), then
checks every row without writing (a dry run), then imports on request with a
progress bar and Cancel. All the work is query-service jobs (import_jobs.py):
the GUI thread never reads a file or waits on SQLite.
"""

from __future__ import annotations

import itertools
import threading

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QProgressBar,
                               QPushButton, QTableView, QTabWidget, QVBoxLayout, QWidget)

from ..services.jobs import Job

SHOWN_PROBLEMS = 5_000  # the table shows this many; Save report... writes them all
MODES = (("append", "Add to the rows already there"), ("replace", "Replace the rows already there"),
         ("upsert", "Update matching rows, add the rest"))
IGNORE = "(leave out)"
_runs = itertools.count(1)


def human(name: str | None) -> str:
    """order_date -> Order date: a column or table as an executive reads it."""
    if not name:
        return ""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _item(value, sort=None) -> QStandardItem:
    it = QStandardItem("" if value is None else str(value))
    it.setEditable(False)
    it.setToolTip(it.text())  # a long value or expectation, cut by its column, reads whole here
    if sort is not None:
        it.setData(sort, Qt.ItemDataRole.UserRole)
    return it


class QtImportDialog(QDialog):
    """Import spreadsheets into `target` (the open data file, or a new one)."""

    importFinished = Signal(str, object)  # data file, Report

    def __init__(self, service, target: str, sources: list[str], parent=None):
        super().__init__(parent)
        self.setObjectName("ImportDialog")
        self.setWindowTitle("Import data")
        self.resize(980, 640)
        self.service, self.target, self.sources = service, target, list(sources)
        self.plans: tuple = ()
        self.overrides: dict[tuple, dict] = {}
        self.report = None
        self._cancel = threading.Event()
        self._channel = f"import-{id(self)}"

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.sheet_combo = QComboBox()
        self.sheet_combo.currentIndexChanged.connect(self._on_sheet_combo_changed)
        self.mode_combo = QComboBox()
        for key, text in MODES:
            self.mode_combo.addItem(text, key)
        self.skip_box = QCheckBox("Import the good rows and leave out rows with problems")
        self.skip_box.toggled.connect(self._update_buttons)
        form = QFormLayout()
        form.addRow("File:", self.sheet_combo)
        form.addRow("Existing rows:", self.mode_combo)
        form.addRow("", self.skip_box)

        self.preview = QTableView()
        self.preview.setObjectName("ImportPreview")
        self.preview_model = QStandardItemModel(self)
        self.preview.setModel(self.preview_model)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.mapping = QTableView()
        self.mapping.setObjectName("ImportMapping")
        self.mapping_model = QStandardItemModel(self)
        self.mapping.setModel(self.mapping_model)
        self.mapping.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping.verticalHeader().hide()

        self.problems = QTableView()
        self.problems.setObjectName("ImportProblems")
        self.problem_model = QStandardItemModel(0, 6, self)
        self.problem_model.setHorizontalHeaderLabels(["File", "Row", "Column", "Value", "Problem", "Expected"])
        self.problem_proxy = QSortFilterProxyModel(self)
        self.problem_proxy.setSourceModel(self.problem_model)
        self.problem_proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.problems.setModel(self.problem_proxy)
        self.problems.setSortingEnabled(True)
        self.problems.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.verticalHeader().hide()
        self.problems.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.clicked.connect(self._on_problems_clicked)
        self.row_view = QLabel("Click a problem to see its row.")
        self.row_view.setObjectName("ImportRow")
        self.row_view.setWordWrap(True)
        self.row_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        problems_page = QWidget()
        pl = QVBoxLayout(problems_page)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.problems, 1)
        pl.addWidget(self.row_view)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.preview, "First rows")
        self.tabs.addTab(self.mapping, "Columns")
        self.tabs.addTab(problems_page, "Problems")

        self.summary = QLabel("Reading the files\u2026")
        self.summary.setObjectName("ImportSummary")
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.buttons = QDialogButtonBox()
        self.check_button = QPushButton("Check again")
        self.save_button = QPushButton("Save report\u2026")
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        for b, role in ((self.check_button, QDialogButtonBox.ButtonRole.ActionRole),
                        (self.save_button, QDialogButtonBox.ButtonRole.ActionRole),
                        (self.import_button, QDialogButtonBox.ButtonRole.AcceptRole),
                        (self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)):
            self.buttons.addButton(b, role)
        self.check_button.clicked.connect(self._on_check_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.summary)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

        service.resultReady.connect(self._on_service_result_ready)
        service.requestFailed.connect(self._on_service_request_failed)
        service.requestProgressed.connect(self._on_service_request_progressed)
        self._busy = "plan"
        self._update_buttons()
        self._set_heading()
        service.submit(self._channel, Job("import_plan", target, (tuple(self.sources), None, None)), "plan")

    # -- state ----------------------------------------------------------------------------------------
    def _set_heading(self) -> None:
        from pathlib import Path

        names = ", ".join(Path(s).name for s in self.sources[:3]) + (" \u2026" if len(self.sources) > 3 else "")
        self.heading.setText(f"<b>{names}</b> into <b>{Path(self.target).name}</b>")

    def _update_buttons(self, *_args) -> None:
        busy = self._busy is not None
        self.check_button.setEnabled(not busy and bool(self.plans))
        self.save_button.setEnabled(not busy and self.report is not None)
        ready = self.report is not None and not self.report.written and (self.report.errors == 0 or (
            self.skip_box.isChecked() and sum(p.rows - p.failed for p in self.report.parts) > 0))
        self.import_button.setEnabled(not busy and ready)
        self.cancel_button.setText("Cancel" if busy else "Close")
        self.sheet_combo.setEnabled(not busy)
        self.mapping.setEnabled(not busy)

    def _submit(self, kind: str) -> None:
        self._cancel = threading.Event()
        args = (tuple(self.sources), None, None, self.mode_combo.currentData(), self.skip_box.isChecked(),
                next(_runs))
        overrides = {k: dict(v) for k, v in self.overrides.items()}
        self._busy = kind
        self.report = None  # the next report replaces it
        self.progress.setValue(0)
        self.progress.show()
        self._update_buttons()
        self.service.submit(self._channel, Job(f"import_{kind}", self.target, args, (overrides, self._cancel)), kind)

    # -- the plan: preview and column matching -----------------------------------------------------
    def _show_plans(self, plans) -> None:
        self.plans = plans
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        for p in plans:
            where = p.display.rsplit("/", 1)[-1] + (f" \u2013 {p.sheet}" if p.sheet else "")
            self.sheet_combo.addItem(f"{where}  \u2192  {human(p.table) or 'nowhere (no matching table)'}")
        self.sheet_combo.blockSignals(False)
        self._on_sheet_combo_changed(0)

    def _current_plan(self):
        i = self.sheet_combo.currentIndex()
        return self.plans[i] if 0 <= i < len(self.plans) else None

    def _on_sheet_combo_changed(self, _index: int) -> None:
        plan = self._current_plan()
        self.preview_model.clear()
        self.mapping_model.clear()
        if plan is None:
            return
        mapping = dict(plan.mapping) | self.overrides.get((plan.display, plan.sheet), {})
        self.preview_model.setHorizontalHeaderLabels(
            [f"{h}\n\u2192 {human(mapping.get(h)) or IGNORE}" for h in plan.headers])
        for r in plan.rows:
            self.preview_model.appendRow([_item(v) for v in r])
        self.preview_model.setVerticalHeaderLabels([str(plan.first_row + i) for i in range(len(plan.rows))])
        self.mapping_model.setHorizontalHeaderLabels(["Column in your file", "Goes to"])
        for h in plan.headers:
            self.mapping_model.appendRow([_item(h), _item(human(mapping.get(h)) or IGNORE)])
        for row, h in enumerate(plan.headers):
            combo = QComboBox()
            combo.addItem(IGNORE, None)
            for c in plan.columns:
                combo.addItem(human(c), c)
            combo.setCurrentIndex(max(0, combo.findData(mapping.get(h))))
            if mapping.get(h) is None:
                combo.setToolTip("No column of this name: choose where it goes, or leave it out")
            combo.currentIndexChanged.connect(lambda _i, h=h, c=combo: self._on_mapping_changed(h, c.currentData()))
            self.mapping.setIndexWidget(self.mapping_model.index(row, 1), combo)

    def _on_mapping_changed(self, header: str, column) -> None:
        plan = self._current_plan()
        if plan is None:
            return
        self.overrides.setdefault((plan.display, plan.sheet), {})[header] = column
        self.report = None
        self.summary.setText("Columns changed: check again before importing.")
        self._update_buttons()

    # -- the report -----------------------------------------------------------------------------------
    def show_report(self, report) -> None:
        self.report = report
        self.problem_model.removeRows(0, self.problem_model.rowCount())
        self.problems.setSortingEnabled(False)
        for p in report.problems[:SHOWN_PROBLEMS]:
            from execdash_desktop.dataio.report import KIND_WORDS

            file = p.file.rsplit("/", 1)[-1] + (f" \u2013 {p.sheet}" if p.sheet else "")
            row = [_item(file, file), _item(p.row, p.row if p.row is not None else 0),
                   _item(p.column, p.column or ""), _item(p.value, p.value or ""),
                   _item(KIND_WORDS.get(p.kind, p.kind), p.kind), _item(p.expected, p.expected)]
            row[0].setData(p, Qt.ItemDataRole.UserRole + 1)
            self.problem_model.appendRow(row)
        self.problems.setSortingEnabled(True)
        n = len(report.problems)
        self.tabs.setTabText(2, f"Problems ({report.errors + sum(v for k, v in report.counts.items() if k.startswith('warning:')):,})"
                             if n else "Problems")
        rows = sum(p.rows for p in report.parts)
        bad_rows = sum(p.failed for p in report.parts)
        if report.cancelled:
            text = "Cancelled: nothing was changed."
        elif report.written:
            text = f"Imported {report.imported:,} rows" + (f"; {report.failed:,} rows with problems were left out."
                                                          if report.failed else ".")
        elif report.errors == 0:
            text = f"All {rows:,} rows look right. Press Import to add them."
        else:
            text = (f"{report.errors:,} problems in {bad_rows:,} of {rows:,} rows. Nothing is imported while "
                    f"a row has a problem: fix the file, or tick \u201cImport the good rows\u201d to leave those rows out.")
            if n > SHOWN_PROBLEMS:
                text += f" The table shows the first {SHOWN_PROBLEMS:,}; Save report\u2026 writes them all."
            self.tabs.setCurrentIndex(2)
        self.summary.setText(text)
        self._update_buttons()

    def _on_problems_clicked(self, index) -> None:
        src = self.problem_proxy.mapToSource(index)
        p = self.problem_model.item(src.row(), 0).data(Qt.ItemDataRole.UserRole + 1)
        if p is None or p.row is None:
            self.row_view.setText("This problem is about the whole file, not one row.")
            return
        self.row_view.setText(f"Row {p.row:,}: reading\u2026")
        self.service.submit(f"{self._channel}-row",
                            Job("import_row", self.target, (tuple(self.sources), p.file, p.sheet, p.row)), p)

    def _show_row(self, problem, cells) -> None:
        if not cells:
            self.row_view.setText(f"Row {problem.row:,} is no longer in the file.")
            return
        parts = []
        for k, v in cells.items():
            text = f"{k}: {v}" if v != "" else f"{k}: (empty)"
            parts.append(f"<b>{text}</b>" if k == problem.column or (problem.column and k in problem.column.split(", "))
                         else text)
        self.row_view.setText(f"Row {problem.row:,} \u2014 " + " \u00b7 ".join(parts))

    # -- buttons --------------------------------------------------------------------------------------
    def _on_check_button_clicked(self) -> None:
        self._submit("check")

    def _on_import_button_clicked(self) -> None:
        self._submit("run")

    def _on_cancel_button_clicked(self) -> None:
        if self._busy in ("check", "run"):
            self._cancel.set()  # the import stops at its next chunk and rolls back
            self.summary.setText("Cancelling\u2026")
            return
        if self._busy == "plan":
            self.service.cancel(self._channel)
        self.reject()

    def _on_save_button_clicked(self) -> None:
        from pathlib import Path

        from execdash_desktop.dataio.report import write_json

        path, _ = QFileDialog.getSaveFileName(self, "Save the report", str(Path.home() / "import-report.json"),
                                              "JSON (*.json)")
        if path and self.report is not None:
            try:
                write_json(self.report, path)
            except OSError as exc:
                self.summary.setText(f"Could not save the report: {exc.strerror or exc}")

    # -- the service ----------------------------------------------------------------------------------
    def _on_service_result_ready(self, req, result, _t_done: float) -> None:
        if req.channel == f"{self._channel}-row":
            self._show_row(req.context, result)
            return
        if req.channel != self._channel:
            return
        kind, self._busy = self._busy, None
        self.progress.hide()
        if kind == "plan":
            self._show_plans(result)
            self._submit("check")
            return
        self.show_report(result)
        if kind == "run" and result.written:
            self.importFinished.emit(self.target, result)

    def _on_service_request_failed(self, req, message: str) -> None:
        if req.channel == f"{self._channel}-row":
            self.row_view.setText(message)
            return
        if req.channel != self._channel:
            return
        self._busy = None
        self.progress.hide()
        self.summary.setText(message)
        self._update_buttons()

    def _on_service_request_progressed(self, req, fraction: float, message: str) -> None:
        if req.channel == self._channel:
            self.progress.setValue(int(fraction * 1000))
            if self._busy in ("check", "run"):
                self.summary.setText(message.replace(str(self.target), "the data file"))

    def done(self, result: int) -> None:
        if self._busy in ("check", "run"):
            self._cancel.set()
        self.service.cancel(self._channel)
        for signal, slot in ((self.service.resultReady, self._on_service_result_ready),
                             (self.service.requestFailed, self._on_service_request_failed),
                             (self.service.requestProgressed, self._on_service_request_progressed)):
            signal.disconnect(slot)
        super().done(result)
