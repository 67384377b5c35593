"""A trend chart drawn from a dashboard's `TrendSpec`: bars and lines, one per series.

The Executive dashboard has its own revenue chart (trend_chart.py); any other
dashboard's trend (the Engineering "created vs resolved") is this one.
Imports pyqtgraph (PySide6 first).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal  # noqa: E402  (PySide6 before pyqtgraph)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QGraphicsItem, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

import pyqtgraph as pg  # noqa: E402

from execdash_desktop.format import format_cell, period_name

from .. import theme
from ..drilldown.drilldown_chart import _ValueAxis
from .light_plot import QtLightPlot
from .period_axis import period_ticks
from .trend_chart import PLOT_MIN, QtWholeOrNothingLabel, _swatch


class QtTrendSpecChart(QFrame):
    painted = Signal()

    def __init__(self, spec, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        self.spec = spec  # dashboards.TrendSpec
        self._rows: list[dict] = []
        self._granularity = "month"
        self.renders = 0
        self.over = over = QLabel("REASON")
        over.setObjectName("Overline")
        title = QLabel(spec.title)  # never narrower than its words ("Bugs crea")
        title.setObjectName("PanelTitle")
        title.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        # "by month · $" shown whole or not at all, in what the title leaves
        self.subtitle = QtWholeOrNothingLabel("")
        self.subtitle.setObjectName("Muted")
        self._legend = QHBoxLayout()
        self._legend.setSpacing(theme.SPACE["md"])
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(over)
        row = QHBoxLayout()
        row.setSpacing(theme.SPACE["sm"])
        row.addWidget(title)
        row.addWidget(self.subtitle, 1)  # all that is left beside the title: whole, or nothing
        titles.addLayout(row)
        head.addLayout(titles, 1)
        head.addLayout(self._legend)
        self._head, self._titles, self._legend_below = head, titles, False
        # money and counts read as the cards say them ("$400k", not a bare "0" and no other label)
        self._axis = _ValueAxis(spec.series[0].format, "\u00a3")
        # no PlotItem (its options form and menus, ~12 ms to make): the view and two axes, laid out alike
        self.plot = QtLightPlot(axisItems={"left": self._axis})
        self.plot.painted.connect(self.painted)
        self.plot.setMinimumHeight(PLOT_MIN[False])
        self.plot.setMinimumWidth(240)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setAntialiasing(True)
        # each axis kept as a pixmap between its changes: the page repaints the chart as panels are put in
        # below it, and replaying the axes' drawings (their grid lines and labels) cost 4.3 -> 1.8 ms a paint
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        pi = self.plot.getPlotItem()
        pi.showGrid(x=False, y=True, alpha=1.0)
        self._items = []
        n_bars = sum(1 for s in spec.series if s.kind == "bar")
        for s in spec.series:
            item = pg.BarGraphItem(x=[], height=[], width=0.5) if s.kind == "bar" else \
                pg.PlotDataItem([], [], symbol="o", symbolSize=6)
            pi.addItem(item)
            self._items.append((s, item))
        self._n_bars = n_bars
        lay = QVBoxLayout(self)
        pad = theme.SPACE["lg"]
        lay.setContentsMargins(pad, pad - 2, pad, pad - 4)
        lay.setSpacing(theme.SPACE["sm"])
        lay.addLayout(head)
        lay.addWidget(self.plot, 1)
        mgr = theme.manager()
        if mgr is not None:
            mgr.themeChanged.connect(self._on_theme_changed)
        self._restyle(theme.palette())

    def _colours(self, pal) -> list[str]:
        return [pal.series_recognized, pal.series_booked, pal.series_backlog, pal.accent]

    def set_trend(self, rows: list[dict], granularity: str, _currency: str = "£", subtitle: str = "") -> None:
        self._rows = [dict(r) for r in rows]
        self._granularity = granularity
        self._axis.unit = _currency or self._axis.unit
        partial = any(r.get("partial") for r in rows)  # a period only partly in the data: marked with *
        self.subtitle.setText(subtitle + (" \u00b7 * partial period" if partial else ""))
        xs = list(range(len(rows)))
        for s, item in self._items:
            ys = [float(r.get(s.key)) if r.get(s.key) is not None else float("nan") for r in rows]
            if s.kind == "bar":
                item.setOpts(x=xs, height=[0.0 if v != v else v for v in ys], width=0.55)
            else:
                item.setData(xs, ys, connect="finite")
        self._update_ticks()
        if rows:
            self.plot.setXRange(-0.6, len(rows) - 0.4, padding=0)
        self.setToolTip(self.hover_text(len(rows) - 1) if rows else "")
        self.renders += 1
        self.plot.update()

    def _update_ticks(self) -> None:
        """Every period that fits, in the app's date style ("Aug 2026", "Sep"..., "Q3 2026")."""
        rows = self._rows
        major, minor = period_ticks([r.get(self.spec.period_key, "") for r in rows],
                                    [bool(r.get("partial")) for r in rows], self.plot.width() - 70)
        if [major, minor] != getattr(self, "_ticks", None):  # new ticks redraw the axis (pyqtgraph, Python)
            self._ticks = [major, minor]
            self.plot.getAxis("bottom").setTicks([major, minor])


    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._rows and event.size().width() != event.oldSize().width():  # the ticks depend on the width only
            self._update_ticks()

    def set_presenting(self, on: bool) -> None:
        """Compact (a slide, a short screen): no overline, a shorter least plot height, the
        legend under the title so a narrow column keeps the title whole ("Bugs created vs resolved")."""
        self.over.setVisible(not on)
        self.plot.setMinimumHeight(PLOT_MIN[on])
        if on != self._legend_below:
            self._legend_below = on
            (self._head if on else self._titles).removeItem(self._legend)
            if on:
                self._titles.addLayout(self._legend)
                self._legend.setAlignment(Qt.AlignmentFlag.AlignLeft)
            else:
                self._head.addLayout(self._legend)
                self._legend.setAlignment(Qt.AlignmentFlag.AlignRight)

    def rows(self) -> list[dict]:
        return list(self._rows)

    def hover_text(self, index: int) -> str:
        r = self._rows[index]
        parts = [f"<b>{period_name(r.get(self.spec.period_key))}</b>" + (" (partial)" if r.get("partial") else "")]
        parts += [f"{s.label}: {format_cell(r.get(s.key), s.format)}" for s, _ in self._items]
        return "<br>".join(parts)

    def set_anomalies(self, _anomalies) -> None:
        """This chart marks no unusual periods (the Executive chart does)."""

    def legend_names(self) -> list[str]:
        return [s.label for s, _ in self._items]

    def _on_theme_changed(self, pal) -> None:
        self._restyle(pal)

    def _restyle(self, pal) -> None:
        self.plot.setBackground(QColor(pal.surface))
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(pg.mkPen(QColor(pal.border_strong)))
            axis.setTextPen(pg.mkPen(QColor(pal.muted)))
            axis.setTickFont(theme.font("caption"))
        pi = self.plot.getPlotItem()
        pi.getAxis("left").setGrid(40)
        pi.getAxis("left").setWidth(58)
        while self._legend.count():
            w = self._legend.takeAt(0).widget()
            if w is not None:
                w.hide()  # out of the layout it would still paint where it was until deleted
                w.deleteLater()
        for (s, item), colour in zip(self._items, self._colours(pal)):
            c = QColor(colour)
            if s.kind == "bar":
                soft = QColor(c)
                soft.setAlpha(170)
                item.setOpts(brush=pg.mkBrush(soft), pen=pg.mkPen(None))
            else:
                item.setPen(pg.mkPen(c, width=theme.LINE["chart"]))
                item.setSymbolBrush(pg.mkBrush(c))
                item.setSymbolPen(pg.mkPen(QColor(pal.surface), width=1))
            self._legend.addWidget(_swatch(colour, "bar" if s.kind == "bar" else "line"))
            lab = QLabel(s.label)
            lab.setObjectName("Muted")
            self._legend.addWidget(lab)
        self._legend.setAlignment(Qt.AlignmentFlag.AlignLeft if self._legend_below else Qt.AlignmentFlag.AlignRight)


def _preview() -> QWidget:
    from execdash_desktop.dashboards import registry

    from .._preview import sample_engineering

    _path, _src, payload = sample_engineering()
    spec = registry.get("engineering").trend
    w = QtTrendSpecChart(spec)
    w.set_trend(payload[spec.payload_key], "month", "", "by month")
    return w


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "Trend", (900, 420)))
