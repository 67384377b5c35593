"""Quality gates: P95 of each timing over the last 7 and 30 days, against the seed's targets.

The numbers come from `metrics.quality_gates` (computed in SQLite with window
functions) through the query service; this view only shows them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from . import theme
from .widgets.banner import QtBanner

LABELS = {"ttfb_ms": "Data ready", "render_total_ms": "Dashboard shown",
          "switch_latency_ms": "Range changed", "alerts_poll_interval_ms": "Alerts checked",
          "drilldown_duration_ms": "Drill-down shown", "drilldown_clicks": "Clicks to detail"}
# plain words; the slowest 5% (P95) explained once in the note, not in every header
COLUMNS = ("Waiting for", "Target", "Last 7 days", "Timed", "Not timed", "Result",
           "Last 30 days", "Timed", "Not timed", "Result")


def _p95_text(v, unit: str) -> str:
    if v is None:
        return "\u2014"
    return f"{v:,.0f} ms" if unit == "ms" else f"{v:g} {unit}"


def _target_text(g: dict) -> str:
    """'< 300 ms' as it is; a band ('~30000 ms (25000..35000)') as 'every 25-35 s'."""
    low, high = g.get("low"), g.get("high")
    if low is not None and high is not None and g.get("unit") == "ms":
        return f"every {low / 1000:g}\u2013{high / 1000:g} s"
    return str(g.get("target", ""))


def _verdict(ok) -> tuple[str, str]:
    if ok is None:
        return "\u2014", "neutral"  # no wait timed yet (the tooltip says so)
    return ("Met", "good") if ok else ("Missed", "bad")


class QtDiagnosticsView(QWidget):
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("DiagnosticsPage")
        self.gates: list[dict] = []
        over = QLabel("DIAGNOSTICS")
        over.setObjectName("Overline")
        title = QLabel("How quickly the dashboard responds")
        title.setObjectName("PageTitle")
        self.note = QLabel("How long people waited, as the app timed it on this computer: the wait that "
                           "95 in 100 were faster than, over the last 7 and 30 days, against the targets "
                           "set for the product. A wait the app could not time (the window was hidden) "
                           "is counted as not timed and left out.")
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
        # every column as wide as its header and cells (never "95 30 days"), not stretched
        # across a wide screen: the eye need not travel
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setStretchLastSection(False)
        hh.setMinimumSectionSize(60)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 18)

        card = QFrame()
        card.setObjectName("Card")
        self.card = card
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
        lay.addWidget(card, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.where)
        lay.addStretch(1)

    def _fit_height(self) -> None:
        t = self.table
        h = t.horizontalHeader().height() + sum(t.rowHeight(r) for r in range(t.rowCount())) + 4
        t.setFixedHeight(h)
        # as wide as its columns: the eye does not cross an empty screen to the next row
        m = self.card.layout().contentsMargins()
        t.setMinimumWidth(t.horizontalHeader().length() + 2 * t.frameWidth() + 2)
        self.card.setMaximumWidth(t.minimumWidth() + m.left() + m.right())

    def set_gates(self, gates: list[dict], source: str = "") -> None:
        self.gates = list(gates)
        self.banner.clear()
        self.where.setText(source)
        pal = theme.palette()
        self.table.setRowCount(len(gates))
        for r, g in enumerate(gates):
            unit = g.get("unit", "ms")
            cells = [LABELS.get(g["metric"], g["metric"]), _target_text(g),
                     _p95_text(g.get("p95_7d"), unit), f"{g.get('samples_7d', 0):,}",
                     f"{g.get('unmeasured_7d', 0):,}", _verdict(g.get("pass_7d")),
                     _p95_text(g.get("p95_30d"), unit), f"{g.get('samples_30d', 0):,}",
                     f"{g.get('unmeasured_30d', 0):,}", _verdict(g.get("pass_30d"))]
            for c, cell in enumerate(cells):
                if isinstance(cell, tuple):
                    text, tone = cell
                    item = QTableWidgetItem(text)
                    if tone == "neutral":
                        item.setToolTip("No wait timed yet in this period")
                    item.setForeground(QColor(pal.tone(tone)))
                    f = QFont(self.table.font())
                    f.setBold(True)
                    item.setFont(f)
                else:
                    item = QTableWidgetItem(str(cell))
                if c == 0:
                    item.setToolTip(f"Technical name: {g['metric']}")
                    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                else:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self._fit_height()

    def verdicts(self) -> dict[str, tuple]:
        return {g["metric"]: (g.get("pass_7d"), g.get("pass_30d")) for g in self.gates}

    def show_error(self, message: str) -> None:
        self.banner.show_error(message, "Could not compute the quality gates")


def _preview() -> QWidget:
    w = QtDiagnosticsView()
    w.set_gates([
        {"metric": "ttfb_ms", "target": "< 300 ms", "unit": "ms", "samples_7d": 40, "p95_7d": 42.0,
         "pass_7d": True, "samples_30d": 120, "p95_30d": 51.0, "pass_30d": True},
        {"metric": "render_total_ms", "target": "< 1000 ms", "unit": "ms", "samples_7d": 40,
         "p95_7d": 1210.0, "pass_7d": False, "samples_30d": 120, "p95_30d": 640.0, "pass_30d": True},
        {"metric": "switch_latency_ms", "target": "< 200 ms", "unit": "ms", "samples_7d": 0,
         "p95_7d": None, "pass_7d": None, "samples_30d": 0, "p95_30d": None, "pass_30d": None},
    ], "Timings kept in demo.sqlite")
    return w


if __name__ == "__main__":
    import sys

    from ._preview import run

    sys.exit(run(_preview, "Diagnostics", (1000, 480)))
