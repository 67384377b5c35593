"""A pyqtgraph plot without pyqtgraph's PlotItem: a view box with a left and a bottom axis, laid out
in a grid as PlotItem lays them out, so a chart draws the same pixels.

PlotItem builds its whole plot-options form (dozens of widgets behind a context menu) and four axes
every time one is made (~12 ms of the ~15 ms a PlotWidget takes); a dashboard's trend has no menus
and two axes, and making it held the window 20-40 ms while a big file loaded.
Imports pyqtgraph (PySide6 first).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGraphicsGridLayout, QGraphicsItem, QSizePolicy

import pyqtgraph as pg

# where PlotItem puts its view and axes (row, column); its title row 0 and the top and right axes
# stay empty here, as they are hidden there
_PLACES = (("bottom", (3, 1)), ("left", (2, 0)))


class _LightPlotItem(pg.GraphicsWidget):
    """The part of PlotItem a trend uses: the view box, the axes, items, the y grid."""

    def __init__(self, axisItems: dict | None = None):
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.layout = QGraphicsGridLayout()
        self.layout.setContentsMargins(1, 1, 1, 1)
        self.layout.setHorizontalSpacing(0)
        self.layout.setVerticalSpacing(0)
        self.setLayout(self.layout)
        self.vb = pg.ViewBox(parent=self, enableMenu=False)
        self.layout.addItem(self.vb, 2, 1)
        self.axes: dict[str, dict] = {}
        given = axisItems or {}
        for name, pos in _PLACES:
            axis = given.get(name) or pg.AxisItem(orientation=name, parent=self)
            axis.linkToView(self.vb)
            self.axes[name] = {"item": axis, "pos": pos}
            self.layout.addItem(axis, *pos)
            axis.setZValue(0.5)  # the grid over the view's items, as in PlotItem
            axis.setFlag(QGraphicsItem.GraphicsItemFlag.ItemNegativeZStacksBehindParent)
        for i in range(4):
            self.layout.setRowPreferredHeight(i, 0)
            self.layout.setRowMinimumHeight(i, 0)
            self.layout.setRowSpacing(i, 0)
            self.layout.setRowStretchFactor(i, 1)
        for i in range(3):
            self.layout.setColumnPreferredWidth(i, 0)
            self.layout.setColumnMinimumWidth(i, 0)
            self.layout.setColumnSpacing(i, 0)
            self.layout.setColumnStretchFactor(i, 1)
        self.layout.setRowStretchFactor(2, 100)
        self.layout.setColumnStretchFactor(1, 100)
        # PlotItem's empty title row and its hidden top and right axes take no room (a hidden axis
        # holds its row or column at 0); empty here, they would take a share of the stretch
        self.layout.setRowFixedHeight(0, 0)
        self.layout.setRowFixedHeight(1, 0)
        self.layout.setColumnFixedWidth(2, 0)

    def getViewBox(self) -> pg.ViewBox:
        return self.vb

    def getAxis(self, name: str) -> pg.AxisItem:
        return self.axes[name]["item"]

    def addItem(self, item) -> None:
        self.vb.addItem(item)

    def showGrid(self, x: bool | None = None, y: bool | None = None, alpha: float = 1.0) -> None:
        """Grid lines across the view from the bottom (x) and left (y) axes, `alpha` 0-1."""
        level = int(max(0.0, min(1.0, alpha)) * 255)
        if x is not None:
            self.getAxis("bottom").setGrid(level if x else False)
        if y is not None:
            self.getAxis("left").setGrid(level if y else False)


class QtLightPlot(pg.GraphicsView):
    """A plot widget for charts without menus or mouse interaction; `painted` after each paint."""

    painted = Signal()

    def __init__(self, axisItems: dict | None = None, parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.enableMouse(False)
        self.plotItem = _LightPlotItem(axisItems)
        self.setCentralItem(self.plotItem)

    def getPlotItem(self) -> _LightPlotItem:
        return self.plotItem

    def getAxis(self, name: str) -> pg.AxisItem:
        return self.plotItem.getAxis(name)

    def setXRange(self, *args, **kwargs) -> None:
        self.plotItem.vb.setXRange(*args, **kwargs)

    def setMouseEnabled(self, x: bool = False, y: bool = False) -> None:
        self.plotItem.vb.setMouseEnabled(x=x, y=y)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit()
