"""The portfolio bubble chart: ROI against complexity, size = DCF valuation, colour = risk.

pyqtgraph (imported with PySide6 first). Hovering a bubble shows the
project's details; a click opens the Portfolio drill-down.
"""

from __future__ import annotations

import math
from html import escape

from PySide6.QtCore import QPointF, Signal  # noqa: E402  (PySide6 before pyqtgraph)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QLabel, QToolTip, QVBoxLayout, QWidget

import pyqtgraph as pg  # noqa: E402

from execdash_desktop.format import compact_currency

from ... import theme
from ...widgets.trend_chart import adopt_menus

DASH = "\u2014"
RISK_TONE = {"HIGH": "high", "MEDIUM": "medium", "LOW": "low"}


class _Plot(pg.PlotWidget):
    painted = Signal()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit()


def bubble_sizes(values: list[float], smallest: float = 14.0, largest: float = 64.0) -> list[float]:
    """Diameters (px) with the AREA proportional to the value (a bubble reads by area)."""
    top = max((v for v in values if v and v > 0), default=0.0)
    if top <= 0:
        return [smallest for _ in values]
    return [max(smallest, largest * math.sqrt(max(0.0, v or 0.0) / top)) for v in values]


def details(row: dict) -> str:
    dcf = row.get("size")
    worth = compact_currency(dcf) if dcf else DASH
    return (f"<b>{escape(str(row.get('name') or ''))}</b> \u00b7 {escape(str(row.get('risk_level') or ''))} risk<br>"
            f"ROI score {row.get('y')} \u00b7 complexity {row.get('x')}/5<br>"
            f"DCF valuation {worth}<br>"
            f"{row.get('blocker_count') or 0} open blockers \u00b7 status {escape(str(row.get('status') or ''))}<br>"
            f"About {row.get('estimated_days_to_completion') or 0} days to completion")


class QtPortfolioPanel(QFrame):
    placement, min_height = "half", 340
    drilldownRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        self.rows: list[dict] = []
        over = QLabel("REASON")
        over.setObjectName("Overline")
        self.title = QLabel("Portfolio: return against complexity")
        self.title.setObjectName("PanelTitle")
        self.legend = QLabel("Bubble size: DCF valuation \u00b7 colour: risk")
        self.legend.setObjectName("PageSubtitle")
        self.plot = _Plot(enableMenu=False)  # no context menus made
        adopt_menus(self.plot)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "Complexity (1 simple \u2013 5 hard)")
        self.plot.setLabel("left", "ROI score")
        self.plot.setXRange(0.4, 5.6, padding=0)
        self.scatter = pg.ScatterPlotItem(pxMode=True, hoverable=True)
        self.scatter.sigClicked.connect(self._on_scatter_clicked)
        self.plot.addItem(self.scatter)
        self._labels: list[pg.TextItem] = []
        self.plot.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        lay = QVBoxLayout(self)
        pad = theme.SPACE["lg"]
        lay.setContentsMargins(pad, pad - 2, pad, pad - 4)
        lay.setSpacing(theme.SPACE["xs"])
        lay.addWidget(over)
        lay.addWidget(self.title)
        lay.addWidget(self.legend)
        lay.addWidget(self.plot, 1)
        mgr = theme.manager()
        if mgr is not None:
            mgr.themeChanged.connect(self._on_theme_changed)
        self._restyle(theme.palette())

    def set_data(self, rows: list[dict], _payload: dict | None = None) -> None:
        self.rows = list(rows or [])
        self._draw()

    def _draw(self) -> None:
        pal = theme.palette()
        rows = self.rows
        sizes = bubble_sizes([r.get("size") or 0.0 for r in rows])
        spots = []
        for r, size in zip(rows, sizes):
            strong, _soft = pal.severity(RISK_TONE.get(str(r.get("risk_level")), "low"))
            fill = QColor(strong)
            fill.setAlpha(150)
            spots.append({"pos": (float(r["x"]), float(r["y"])), "size": size, "brush": pg.mkBrush(fill),
                          "pen": pg.mkPen(QColor(strong), width=1.5), "data": r})
        self.scatter.setData(spots)
        for item in self._labels:
            self.plot.removeItem(item)
        self._labels = []
        for r in rows:
            if r.get("risk_level") == "HIGH":  # name the ones that need a decision
                t = pg.TextItem(str(r.get("name")), color=QColor(pal.text), anchor=(0.5, 1.6))
                t.setFont(theme.font("small"))
                t.setPos(float(r["x"]), float(r["y"]))
                self.plot.addItem(t)
                self._labels.append(t)
        ys = [float(r["y"]) for r in rows]
        if ys:
            lo, hi = min(ys), max(ys)
            pad = max(0.5, (hi - lo) * 0.18)
            self.plot.setYRange(lo - pad, hi + pad, padding=0)

    def point_rows_at(self, scene_pos: QPointF) -> list[dict]:
        vb = self.plot.getPlotItem().vb
        pos = vb.mapSceneToView(scene_pos)
        return [p.data() for p in self.scatter.pointsAt(pos)]

    def _on_scene_mouse_moved(self, scene_pos: QPointF) -> None:
        hits = self.point_rows_at(scene_pos)
        if hits:
            view_pos = self.plot.mapFromScene(scene_pos)
            QToolTip.showText(self.plot.mapToGlobal(view_pos), details(hits[0]), self.plot)
        else:
            QToolTip.hideText()

    def _on_scatter_clicked(self, _item, _points, _event=None) -> None:
        self.drilldownRequested.emit("portfolio/projects")

    def _on_theme_changed(self, pal) -> None:
        self._restyle(pal)
        self._draw()

    def _restyle(self, pal) -> None:
        self.plot.setBackground(QColor(pal.surface))
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(pg.mkPen(QColor(pal.border_strong)))
            axis.setTextPen(pg.mkPen(QColor(pal.muted)))
            axis.setTickFont(theme.font("caption"))
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.getAxis("bottom").setTicks([[(i, str(i)) for i in range(1, 6)]])


def _preview() -> QWidget:
    from ..._preview import engineering_panel_data

    w = QtPortfolioPanel()
    w.set_data(*engineering_panel_data("portfolio_bubbles"))
    return w


if __name__ == "__main__":
    import sys

    from ..._preview import run

    sys.exit(run(_preview, "Portfolio", (760, 480)))
