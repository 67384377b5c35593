"""The dashboard trend's plot without pyqtgraph's PlotItem draws what a PlotItem-based plot draws."""

from __future__ import annotations

import pytest


def _drawn(qapp, plot, size) -> object:
    plot.resize(*size)
    plot.show()
    for _ in range(5):
        qapp.processEvents()
    return plot.grab().toImage()


@pytest.mark.parametrize("size", [(700, 300), (420, 180)])
def test_the_light_plot_draws_what_a_plot_item_draws(qapp, qtbot, theme_light, size):
    import pyqtgraph as pg
    from PySide6.QtGui import QColor

    from execdash_desktop.ui.widgets.light_plot import QtLightPlot

    def fill(plot) -> None:
        item = plot.getPlotItem()
        item.showGrid(x=False, y=True, alpha=1.0)
        item.getAxis("left").setGrid(40)
        item.addItem(pg.BarGraphItem(x=[0, 1, 2, 3], height=[3, 7, 2, 9], width=0.55, brush=pg.mkBrush("#3366cc")))
        item.addItem(pg.PlotDataItem([0, 1, 2, 3], [4, 6, 1, 8], pen=pg.mkPen("#118844", width=2), symbol="o",
                                     symbolSize=6))
        plot.getAxis("bottom").setTicks([[(i, f"P{i}") for i in range(4)], []])
        plot.setXRange(-0.6, 3.6, padding=0)
        plot.setBackground(QColor("#ffffff"))

    reference = pg.PlotWidget(axisItems={"left": pg.AxisItem("left")}, enableMenu=False)
    reference.hideButtons()
    light = QtLightPlot(axisItems={"left": pg.AxisItem("left")})
    for plot in (reference, light):
        qtbot.addWidget(plot)
        fill(plot)
    a, b = _drawn(qapp, reference, size), _drawn(qapp, light, size)
    ref_vb, vb = reference.getPlotItem().getViewBox(), light.getPlotItem().getViewBox()
    assert vb.geometry() == ref_vb.geometry() and vb.viewRange() == ref_vb.viewRange()
    assert a == b  # the same pixels


def test_the_light_plot_paints_and_keeps_the_mouse_off(qapp, qtbot, theme_light):
    from execdash_desktop.ui.widgets.light_plot import QtLightPlot

    plot = QtLightPlot()
    qtbot.addWidget(plot)
    plot.setMouseEnabled(x=False, y=False)
    with qtbot.waitSignal(plot.painted, timeout=5000):
        plot.show()
    assert plot.getPlotItem().getViewBox().state["mouseEnabled"] == [False, False]
    assert plot.getAxis("left").orientation == "left" and plot.getAxis("bottom").orientation == "bottom"


def test_the_trend_charts_kept_axes_redraw_for_new_data(qapp, qtbot, theme_light):
    """The declared trend keeps each axis as a pixmap between changes: new rows drawn on a chart
    that showed others look exactly like a chart drawn afresh with them."""
    from PySide6.QtWidgets import QGraphicsItem

    from execdash_desktop.dashboards import registry
    from execdash_desktop.ui._preview import sample_engineering
    from execdash_desktop.ui.widgets.series_chart import QtTrendSpecChart

    _p, _s, payload = sample_engineering()
    spec = registry.get("engineering").trend
    rows = payload[spec.payload_key]
    fewer = [dict(r, **{s.key: (r.get(s.key) or 0) * 7 for s in spec.series}) for r in rows[-5:]]
    shown = QtTrendSpecChart(spec)
    qtbot.addWidget(shown)
    shown.set_trend(rows, "month", "", "by month")
    _drawn(qapp, shown, (800, 340))
    shown.set_trend(fewer, "month", "", "by month")
    fresh = QtTrendSpecChart(spec)
    qtbot.addWidget(fresh)
    fresh.set_trend(fewer, "month", "", "by month")
    plain = QtTrendSpecChart(spec)  # and the same without the kept pixmaps
    qtbot.addWidget(plain)
    for side in ("left", "bottom"):
        plain.plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.NoCache)
    plain.set_trend(fewer, "month", "", "by month")
    assert shown.plot.getAxis("left").cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    a, b, c = (_drawn(qapp, w, (800, 340)) for w in (shown, fresh, plain))
    assert a == b == c
