"""A drill-down's chart: the `chart` table's numeric columns as lines over its periods."""

from __future__ import annotations

import math
import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from PySide6.QtCore import Qt, Signal  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget  # noqa: E402

import pyqtgraph as pg  # noqa: E402

from execdash_desktop.format import compact_currency, format_value  # noqa: E402

from . import theme  # noqa: E402


class _ValueAxis(pg.AxisItem):
    def __init__(self, fmt: str, unit: str, **kwargs):
        super().__init__("left", **kwargs)
        self.fmt, self.unit = fmt, unit

    def tickStrings(self, values, scale, spacing):
        out = []
        for v in values:
            if self.fmt == "currency":
                out.append(compact_currency(v, self.unit))
            elif self.fmt == "ratio":
                out.append(f"{v * 100:.{0 if spacing >= 0.01 else 1}f}%")
            elif self.fmt in ("months", "multiple"):
                out.append(format_value(v, self.fmt))
            elif abs(v) >= 10_000:
                out.append(compact_currency(v, ""))
            else:
                out.append(f"{v:,.0f}" if abs(v) >= 100 or spacing >= 1 else f"{v:,.2f}")
        return out


class _Plot(pg.PlotWidget):
    painted = Signal()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit()


class QtSeriesChart(QFrame):
    painted = Signal()

    def __init__(self, table, unit: str = "£", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        self.table = table
        pal = theme.palette()
        colors = [pal.series_recognized, pal.series_booked, pal.series_backlog, pal.high, pal.low]
        title = QLabel(table.title)
        title.setObjectName("PanelTitle")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        fmt = table.formats[1] if len(table.formats) > 1 else "number"
        self.plot = _Plot(axisItems={"left": _ValueAxis(fmt, unit)})
        self.plot.painted.connect(self.painted)
        menu = getattr(self.plot.getPlotItem(), "ctrlMenu", None)
        if menu is not None and menu.parent() is None:  # pyqtgraph leaves it parentless
            menu.setParent(self.plot, menu.windowFlags())
        self.plot.setBackground(QColor(pal.surface))
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMinimumHeight(220)
        self.plot.setMaximumHeight(280)
        self.plot.showGrid(x=False, y=True, alpha=1.0)
        for name in ("left", "bottom"):
            ax = self.plot.getAxis(name)
            ax.setPen(pg.mkPen(QColor(pal.border_strong)))
            ax.setTextPen(pg.mkPen(QColor(pal.muted)))
            ax.setTickFont(theme.font("caption"))
        self.plot.getAxis("left").setWidth(58)
        rows = table.rows
        xs = list(range(len(rows)))
        for i, name in enumerate(table.columns[1:], start=1):
            ys = [float(r[i]) if isinstance(r[i], (int, float)) else math.nan for r in rows]
            color = colors[(i - 1) % len(colors)]
            self.plot.plot(xs, ys, pen=pg.mkPen(QColor(color), width=2), connect="finite",
                           symbol="o" if len(rows) <= 36 else None, symbolSize=5,
                           symbolBrush=QColor(color), symbolPen=pg.mkPen(QColor(pal.surface)))
            sw = QLabel()
            sw.setFixedSize(14, 10)
            sw.setStyleSheet(f"border-top: 2px solid {color}; margin-top: 4px;")
            lab = QLabel(name)
            lab.setObjectName("LegendItem")
            head.addWidget(sw)
            head.addWidget(lab)
        labels = [str(r[0])[:10] for r in rows]
        step = max(1, math.ceil(len(labels) / 12))
        self.plot.getAxis("bottom").setTicks([[(i, labels[i]) for i in xs if (len(xs) - 1 - i) % step == 0], []])
        self.plot.setXRange(-0.5, max(len(xs) - 1, 0) + 0.5, padding=0)
        lay = QVBoxLayout(self)
        pad = theme.SPACE["lg"]
        lay.setContentsMargins(pad, pad - 4, pad, pad - 4)
        lay.setSpacing(theme.SPACE["sm"])
        lay.addLayout(head)
        lay.addWidget(self.plot)
        self.setToolTip("")
        self.plot.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)


def _preview() -> QWidget:
    from execdash_desktop.packs.executive.drilldowns import Table

    rows = tuple((f"2026-{m:02d}", 0.990 + 0.001 * (m % 4), 0.985 + 0.002 * (m % 3)) for m in range(1, 11))
    return QtSeriesChart(Table("Uptime", ("Period", "Fleet", "Target"), rows, ("period", "ratio", "ratio")))


if __name__ == "__main__":
    import sys

    from ._preview import run

    sys.exit(run(_preview, "Drill-down chart", (900, 340)))
