"""A drill-down's chart: the `chart` table's numeric columns as lines over its periods."""

from __future__ import annotations

import math
import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from PySide6.QtCore import Qt, Signal  # noqa: E402
from PySide6.QtGui import QColor, QFont, QFontMetrics  # noqa: E402
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget  # noqa: E402

import pyqtgraph as pg  # noqa: E402

from execdash_desktop.format import compact_currency, format_value  # noqa: E402
from execdash_desktop.packs.executive.anomalies import K, TRAILING, describe  # noqa: E402

from .. import theme
from ..widgets.period_axis import period_ticks


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


def mark_font() -> QFont:
    """The "!" beside an unusual month's ring."""
    return theme.font("body", QFont.Weight.Black)


def mark_anchor(direction: str = "high") -> tuple[float, float]:
    """TextItem anchor that puts a "!" just clear of its ring: above a high month, below a low one."""
    ring = theme.LINE["symbol"] * 1.5 + 1  # the ring's radius and a gap, px
    h = QFontMetrics(mark_font()).height() or 1
    return (0.5, 1.0 + ring / h) if direction == "high" else (0.5, -ring / h)


def unclip(plot) -> None:
    """Let a "!" at the edge of the range show past it (the view never pans or zooms here)."""
    plot.getViewBox().setFlag(plot.getViewBox().GraphicsItemFlag.ItemClipsChildrenToShape, False)


def anomaly_points(periods: list[str], anomalies) -> list[tuple[int, object]]:
    """(x index, anomaly) of each anomaly whose period is on the chart."""
    at = {p[:7]: i for i, p in enumerate(periods)}
    return [(at[a.period], a) for a in anomalies if a.period in at]


class QtSeriesChart(QFrame):
    """A card: title, legend, the lines; anomalous months ringed and labelled "!"."""

    painted = Signal()

    def __init__(self, table, unit: str = "£", parent: QWidget | None = None, anomalies=()):
        super().__init__(parent)
        self.setObjectName("Card")
        self.table = table
        self.unit = unit
        self.anomalies = tuple(anomalies)
        title = QLabel(table.title)
        title.setObjectName("PanelTitle")
        self._head = QHBoxLayout()
        self._head.addWidget(title)
        self._head.addStretch(1)
        self._legend: list[QWidget] = []
        fmt = table.formats[1] if len(table.formats) > 1 else "number"
        self.plot = _Plot(axisItems={"left": _ValueAxis(fmt, unit)}, enableMenu=False)  # no context menus made
        self.plot.painted.connect(self.painted)
        menu = getattr(self.plot.getPlotItem(), "ctrlMenu", None)
        if menu is not None and menu.parent() is None:  # pyqtgraph leaves it parentless
            menu.setParent(self.plot, menu.windowFlags())
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMinimumHeight(220)
        self.plot.setMaximumHeight(280)
        self.plot.showGrid(x=False, y=True, alpha=1.0)
        self.plot.getAxis("left").setWidth(58)
        # a ring and its "!" at the edge of the range fit inside the plot
        self.plot.getViewBox().setDefaultPadding(0.2 if self.anomalies else 0.02)
        unclip(self.plot)
        self.plot.getAxis("bottom").setStyle(hideOverlappingLabels=False)  # the latest month is always labelled
        rows = table.rows
        xs = list(range(len(rows)))
        self.plot.setXRange(-0.5, max(len(xs) - 1, 0) + 0.5, padding=0)
        lay = QVBoxLayout(self)
        pad = theme.SPACE["lg"]
        lay.setContentsMargins(pad, pad - 4, pad, pad - 4)
        lay.setSpacing(theme.SPACE["sm"])
        lay.addLayout(self._head)
        lay.addWidget(self.plot)
        self.setToolTip(self._anomaly_tip())
        self.plot.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._draw(theme.palette())
        self._stale = False
        mgr = theme.manager()
        if mgr is not None:
            mgr.themeChanged.connect(self._on_theme_changed)

    def _on_theme_changed(self, pal) -> None:
        if self.isVisible():
            self._draw(pal)
        else:  # a tab in the background: redraw when it is shown
            self._stale = True

    def showEvent(self, event) -> None:
        if self._stale:
            self._stale = False
            self._draw(theme.palette())
        super().showEvent(event)

    def _update_ticks(self) -> None:
        """Label every period that fits at this width and type size (the latest always), in the
        app's date style ("Aug 2026", "Sep"...; days "15 Aug 2026", "22 Aug")."""
        periods = [str(r[0])[:10] for r in self.table.rows]
        if not periods:
            return
        major, minor = period_ticks(periods, [False] * len(periods), self.plot.width() - 80)
        self.plot.getAxis("bottom").setTicks([major, minor])


    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_ticks()

    def marked_periods(self) -> list[str]:
        """Periods ringed as anomalies (tests, the board pack)."""
        periods = [str(r[0]) for r in self.table.rows]
        return [periods[i][:7] for i, _ in anomaly_points(periods, self.anomalies)]

    def _anomaly_tip(self) -> str:
        if not self.anomalies:
            return ""
        lines = [describe(a, self.unit) for a in self.anomalies]
        return (f"<b>Unusual months</b> (outside the median \u00b1 {K:g} scaled MADs of the trailing {TRAILING})<br>"
                + "<br>".join(lines))

    def _draw(self, pal) -> None:
        """(Re)draw lines, legend and anomaly marks in a palette (theme change, projector)."""
        colors = [pal.series_recognized, pal.series_booked, pal.series_backlog, pal.high, pal.low]
        pi = self.plot.getPlotItem()
        pi.clear()
        self.plot.setBackground(QColor(pal.surface))
        for name in ("left", "bottom"):
            ax = self.plot.getAxis(name)
            ax.setPen(pg.mkPen(QColor(pal.border_strong)))
            ax.setTextPen(pg.mkPen(QColor(pal.muted)))
            ax.setTickFont(theme.font("caption"))
        for w in self._legend:
            self._head.removeWidget(w)
            w.deleteLater()
        self._legend = []
        rows = self.table.rows
        xs = list(range(len(rows)))
        series: dict[str, list[float]] = {}
        for i, name in enumerate(self.table.columns[1:], start=1):
            ys = [float(r[i]) if isinstance(r[i], (int, float)) else math.nan for r in rows]
            series[name] = ys
            color = colors[(i - 1) % len(colors)]
            self.plot.plot(xs, ys, pen=pg.mkPen(QColor(color), width=theme.LINE["chart"]), connect="finite",
                           symbol="o" if len(rows) <= 36 else None, symbolSize=theme.LINE["symbol"] - 1,
                           symbolBrush=QColor(color), symbolPen=pg.mkPen(QColor(pal.surface)))
            sw = QLabel()
            sw.setFixedSize(14, 10)
            sw.setStyleSheet(f"border-top: 2px solid {color}; margin-top: 4px;")
            lab = QLabel(name)
            lab.setObjectName("LegendItem")
            self._legend += [sw, lab]
            self._head.addWidget(sw)
            self._head.addWidget(lab)
        self._mark_anomalies(pal, [str(r[0]) for r in rows])
        self._update_ticks()
        # room for the latest period's label, centred on the last point
        self.plot.getPlotItem().layout.setContentsMargins(0, 0, theme.TYPE["caption"] * 2, 0)

    def _mark_anomalies(self, pal, periods: list[str]) -> None:
        if not self.anomalies:
            return
        pts = [(i, a) for i, a in anomaly_points(periods, self.anomalies) if math.isfinite(a.value)]
        if not pts:
            return
        ring = pg.ScatterPlotItem([i for i, _ in pts], [a.value for _, a in pts], symbol="o",
                                  size=theme.LINE["symbol"] * 3, brush=pg.mkBrush(None),
                                  pen=pg.mkPen(QColor(pal.high), width=max(2.0, theme.LINE["chart"] * 0.9)))
        self.plot.addItem(ring)
        for i, a in pts:  # a label too, not only a colour
            text = pg.TextItem("!", color=QColor(pal.high), anchor=mark_anchor(a.direction))
            text.setFont(mark_font())
            text.setPos(i, a.value)
            self.plot.addItem(text)
        self._legend_note(pal)

    def _legend_note(self, pal) -> None:
        note = QLabel("\u25ef ! unusual month")
        note.setObjectName("LegendItem")
        note.setStyleSheet(f"color: {pal.high};")
        note.setToolTip(self._anomaly_tip())
        self._legend.append(note)
        self._head.addWidget(note)


def _preview() -> QWidget:
    from execdash_desktop.packs.executive.drilldowns import Table

    rows = tuple((f"2026-{m:02d}", 0.990 + 0.001 * (m % 4), 0.985 + 0.002 * (m % 3)) for m in range(1, 11))
    return QtSeriesChart(Table("Uptime", ("Period", "Fleet", "Target"), rows, ("period", "ratio", "ratio")))


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "Drill-down chart", (900, 340)))
