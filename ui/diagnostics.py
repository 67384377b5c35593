"""Quality gates: P95 of each timing over the last 7 and 30 days, against the seed's targets.

The numbers come from `metrics.quality_gates` (computed in SQLite with window
functions) through the query service; this view only shows them.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTabWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from . import theme
from .services.query_service import Job
from .widgets.banner import QtBanner

LABELS = {"ttfb_ms": "First data (TTFB)", "render_total_ms": "Render complete",
          "switch_latency_ms": "Switch latency", "alerts_poll_interval_ms": "Alerts poll interval",
          "drilldown_duration_ms": "Drill-down open", "drilldown_clicks": "Clicks to a drill-down"}
COLUMNS = ("Metric", "Target", "P95 7 days", "Samples", "7 days", "P95 30 days", "Samples", "30 days")


def _p95_text(v, unit: str) -> str:
    if v is None:
        return "\u2014"
    return f"{v:,.0f} ms" if unit == "ms" else f"{v:g} {unit}"


def _verdict(ok) -> tuple[str, str]:
    if ok is None:
        return "no data", "neutral"
    return ("PASS", "good") if ok else ("FAIL", "bad")


class QtDiagnosticsView(QWidget):
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("DiagnosticsPage")
        self.gates: list[dict] = []
        over = QLabel("DIAGNOSTICS")
        over.setObjectName("Overline")
        title = QLabel("Quality gates")
        title.setObjectName("PageTitle")
        self.note = QLabel("P95 of the app's own timings over the last 7 and 30 days, computed in "
                           "SQLite from user_events + user_event_meta, against the PRD's targets.")
        self.note.setObjectName("PageSubtitle")
        self.note.setWordWrap(True)
        self.where = QLabel("")
        self.where.setObjectName("Faint")
        self.refresh = QPushButton("Refresh")
        self.refresh.clicked.connect(self.refreshRequested)
        self.banner = QtBanner()
        self.banner.retryRequested.connect(self.refreshRequested)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for c in range(len(COLUMNS)):
            align = Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight
            self.table.horizontalHeaderItem(c).setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 18)

        card = QFrame()
        card.setObjectName("Card")
        cl = QVBoxLayout(card)
        pad = theme.SPACE["lg"]
        cl.setContentsMargins(pad, pad, pad, pad)
        cl.addWidget(self.table)

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(over)
        titles.addWidget(title)
        titles.addWidget(self.note)
        head.addLayout(titles, 1)
        head.addWidget(self.refresh, 0, Qt.AlignmentFlag.AlignBottom)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(theme.SPACE["xl"], theme.SPACE["lg"], theme.SPACE["xl"], theme.SPACE["xl"])
        lay.setSpacing(theme.SPACE["md"])
        lay.addLayout(head)
        lay.addWidget(self.banner)
        lay.addWidget(card)
        lay.addWidget(self.where)
        lay.addStretch(1)

    def _fit_height(self) -> None:
        t = self.table
        h = t.horizontalHeader().height() + sum(t.rowHeight(r) for r in range(t.rowCount())) + 4
        t.setFixedHeight(h)

    def set_gates(self, gates: list[dict], source: str = "") -> None:
        self.gates = list(gates)
        self.banner.clear()
        self.where.setText(source)
        pal = theme.palette()
        self.table.setRowCount(len(gates))
        for r, g in enumerate(gates):
            unit = g.get("unit", "ms")
            cells = [LABELS.get(g["metric"], g["metric"]), g.get("target", ""),
                     _p95_text(g.get("p95_7d"), unit), f"{g.get('samples_7d', 0):,}",
                     _verdict(g.get("pass_7d")), _p95_text(g.get("p95_30d"), unit),
                     f"{g.get('samples_30d', 0):,}", _verdict(g.get("pass_30d"))]
            for c, cell in enumerate(cells):
                if isinstance(cell, tuple):
                    text, tone = cell
                    item = QTableWidgetItem(text)
                    item.setForeground(QColor(pal.tone(tone)))
                    f = QFont(self.table.font())
                    f.setBold(True)
                    item.setFont(f)
                else:
                    item = QTableWidgetItem(str(cell))
                if c == 0:
                    item.setToolTip(g["metric"])
                    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                else:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self._fit_height()

    def verdicts(self) -> dict[str, tuple]:
        return {g["metric"]: (g.get("pass_7d"), g.get("pass_30d")) for g in self.gates}

    def show_error(self, message: str) -> None:
        self.banner.show_error(message, "Could not compute the quality gates")


class DiagnosticsTab(QObject):
    """Help > Diagnostics: the quality-gates tab of the main window, opened on demand.

    The gates are read on the writer thread behind the pending metric writes (job
    "gates"), on this object's lane; the newest request wins.
    """

    def __init__(self, tabs: QTabWidget, service, path_of, flush, parent: QObject | None = None):
        super().__init__(parent)
        self.tabs = tabs
        self._path_of = path_of  # -> the open file's path
        self._flush = flush  # hands the recorder's pending events to the writer
        self._lane = service.lane("gates", self)
        self.view: QtDiagnosticsView | None = None

    def show(self) -> None:
        if self.view is None:
            self.view = QtDiagnosticsView()
            self.view.refreshRequested.connect(self.load)
            self.tabs.addTab(self.view, "Diagnostics")
        self.tabs.setCurrentWidget(self.view)
        self.load()

    def close_widget(self, widget) -> bool:
        if widget is None or widget is not self.view:
            return False
        self.tabs.removeTab(self.tabs.indexOf(widget))
        self.view.deleteLater()
        self.view = None
        return True

    def load(self) -> None:
        path = self._path_of()
        if path:
            self._flush()  # the latest events count too (the gates job queues behind them)
            self._lane.submit(Job("gates", path, (time.time(),)), self._on_gates_read, self._on_gates_failed)

    def _on_gates_read(self, req, gates) -> None:
        if self.view is not None:
            self.view.set_gates(gates, f"Events of {req.job.path}")

    def _on_gates_failed(self, _req, message: str) -> None:
        if self.view is not None:
            self.view.show_error(message)


def _preview() -> QWidget:
    w = QtDiagnosticsView()
    w.set_gates([
        {"metric": "ttfb_ms", "target": "< 300 ms", "unit": "ms", "samples_7d": 40, "p95_7d": 42.0,
         "pass_7d": True, "samples_30d": 120, "p95_30d": 51.0, "pass_30d": True},
        {"metric": "render_total_ms", "target": "< 1000 ms", "unit": "ms", "samples_7d": 40,
         "p95_7d": 1210.0, "pass_7d": False, "samples_30d": 120, "p95_30d": 640.0, "pass_30d": True},
        {"metric": "switch_latency_ms", "target": "< 200 ms", "unit": "ms", "samples_7d": 0,
         "p95_7d": None, "pass_7d": None, "samples_30d": 0, "p95_30d": None, "pass_30d": None},
    ], "metrics in: demo.sqlite")
    return w


if __name__ == "__main__":
    import sys

    from ._preview import run

    sys.exit(run(_preview, "Diagnostics", (1000, 480)))
