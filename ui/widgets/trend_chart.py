"""The revenue trend (pyqtgraph): Recognized bars, Booked and Backlog lines.

x labels are the periods ("Aug 2026", "Sep"... by month, "Q3 2026" by quarter); a
quarter only partly inside the window is hatched and its label starred.
Hovering shows every value of the period; the legend sits in the header.
pyqtgraph is imported here only, after PySide6, so the first paint of the
window does not wait for it (see app.py).
"""

from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from PySide6.QtCore import QPointF, Qt, Signal  # noqa: E402  (PySide6 before pyqtgraph)
from PySide6.QtGui import QBrush, QColor, QPen  # noqa: E402
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget  # noqa: E402

import pyqtgraph as pg  # noqa: E402

from execdash_desktop.format import compact_currency, period_name  # noqa: E402
from execdash_desktop.packs.executive.anomalies import describe  # noqa: E402

from ..drilldown.drilldown_chart import mark_anchor, mark_font, unclip  # noqa: E402

from .. import theme
from .axis_cache import QtCachedAxis
from .period_axis import period_ticks

SERIES = (("recognized", "Recognized"), ("booked", "Booked"), ("backlog", "Backlog"))


def quarter_of(period: str) -> str:
    """'2026-08' -> '2026-Q3' (the trend's quarter labels)."""
    return f"{period[:4]}-Q{(int(period[5:7]) - 1) // 3 + 1}"


_AXIS_LIMIT = 1e300  # the highest axis top: far beyond any money, far below float overflow

class _MoneyAxis(QtCachedAxis):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = "£"

    def tickStrings(self, values, scale, spacing):
        return [compact_currency(v * scale, self.unit) if v else "0" for v in values]


def adopt_menus(plot: pg.PlotWidget) -> None:
    """pyqtgraph makes its plot-options menu without a parent: tie it to the widget."""
    menu = getattr(plot.getPlotItem(), "ctrlMenu", None)
    if menu is not None and menu.parent() is None:
        menu.setParent(plot, menu.windowFlags())


class _PlotWidget(pg.PlotWidget):
    painted = Signal()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit()


def _swatch(color: str, kind: str) -> QLabel:
    lab = QLabel()
    lab.setFixedSize(14, 10)
    if kind == "bar":
        css = f"background:{color}; border-radius:2px;"
    elif kind == "dash":
        css = f"border-top: 2px dashed {color}; margin-top:4px;"
    else:
        css = f"border-top: 2px solid {color}; margin-top:4px;"
    lab.setStyleSheet(css)
    return lab


PLOT_MIN = {False: 200, True: 110}


class QtWholeOrNothingLabel(QLabel):
    """A one-line label shown whole or not at all (never "by mont"): the layout gives it
    what is left beside the title and the legend."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)
        self._full = ""
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self._show()

    def full_text(self) -> str:
        return self._full

    def _show(self) -> None:
        fits = self.fontMetrics().horizontalAdvance(self._full) <= self.contentsRect().width()
        super().setText(self._full if fits else "")
        self.setToolTip("" if fits else self._full)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._show()


class _Layer:
    """The trend's items for one granularity (bars, partial bars, Booked and Backlog, the rings and
    their "!"), holding the rows they were last given: switching month <-> quarter shows the other
    layer, whose items are set again only when its rows changed."""

    def __init__(self):
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.6)
        self.partial = pg.BarGraphItem(x=[], height=[], width=0.6)
        # no dynamic range limit: the y range always holds every point (it only clips values a million
        # view heights away), and with one each change of the y range redrew both lines again
        self.booked = pg.PlotDataItem([], [], symbol="o", symbolSize=6, dynamicRangeLimit=None)
        self.backlog = pg.PlotDataItem([], [], symbol="s", symbolSize=5, dynamicRangeLimit=None)
        self.marks = pg.ScatterPlotItem([], [], symbol="o", brush=pg.mkBrush(None))
        self.labels: list = []  # the rings' "!" (TextItems, reused)
        self.marks_look: tuple | None = None
        self.rows: list[dict] | None = None
        self._had_partial = False
        self._labels_on: list[bool] = []  # which "!" showed when the layer was hidden

    def series(self) -> tuple:
        return self.bars, self.partial, self.booked, self.backlog

    def show(self, on: bool) -> None:
        for item in (*self.series(), self.marks):
            item.setVisible(on)
        if not on:
            self._labels_on = [label.isVisible() for label in self.labels]
        for label, was in zip(self.labels, self._labels_on):
            label.setVisible(on and was)

    def set_rows(self, rows: list[dict], width: float) -> None:
        if rows == self.rows:
            return
        self.rows = [dict(r) for r in rows]
        xs = list(range(len(rows)))

        def col(key):
            return [r.get(key) if r.get(key) is not None else float("nan") for r in rows]

        rec = [v if v == v else 0.0 for v in col("recognized")]
        full = [i for i in xs if not rows[i].get("partial")]
        part = [i for i in xs if rows[i].get("partial")]
        self.bars.setOpts(x=full, height=[rec[i] for i in full], width=width)
        if part or self._had_partial:
            self.partial.setOpts(x=part, height=[rec[i] for i in part], width=width)
        self._had_partial = bool(part)
        self.booked.setData(xs, col("booked"), connect="finite")
        self.backlog.setData(xs, col("backlog"), connect="finite")

    def restyle(self, pal) -> None:
        rec = QColor(pal.series_recognized)
        rec.setAlpha(190)
        self.bars.setOpts(brush=QBrush(rec), pen=pg.mkPen(None))
        hatch = QBrush(QColor(pal.series_recognized), Qt.BrushStyle.BDiagPattern)
        self.partial.setOpts(brush=hatch, pen=pg.mkPen(QColor(pal.series_recognized), width=1))
        self.booked.setPen(pg.mkPen(QColor(pal.series_booked), width=theme.LINE["chart"]))
        self.booked.setSymbolSize(theme.LINE["symbol"])
        self.backlog.setSymbolSize(theme.LINE["symbol"] - 1)
        self.booked.setSymbolBrush(QColor(pal.series_booked))
        self.booked.setSymbolPen(pg.mkPen(QColor(pal.surface), width=1))
        backlog_pen = pg.mkPen(QColor(pal.series_backlog), width=theme.LINE["chart"])
        backlog_pen.setDashPattern([3.0, 2.0])
        self.backlog.setPen(backlog_pen)
        self.backlog.setSymbolBrush(QColor(pal.series_backlog))
        self.backlog.setSymbolPen(pg.mkPen(QColor(pal.surface), width=1))


class QtTrendChart(QFrame):
    """A card with the revenue trend of a payload."""

    painted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        self._rows: list[dict] = []
        self._granularity = "month"
        self._unit = "£"
        self.renders = 0  # how many times data was set (tests)

        over = QLabel("REASON")
        over.setObjectName("Overline")
        title = QLabel("Revenue trend")
        title.setObjectName("PanelTitle")
        self.subtitle = QtWholeOrNothingLabel("")
        self.subtitle.setObjectName("Muted")
        self.partial_note = QLabel("* partial quarter: only part of it is inside the range")
        self.partial_note.setObjectName("Faint")
        keep = self.partial_note.sizePolicy()
        keep.setRetainSizeWhenHidden(True)  # showing it never resizes the plot (a costly relayout)
        self.partial_note.setSizePolicy(keep)
        self.partial_note.hide()
        self._legend = QHBoxLayout()
        self._legend.setSpacing(theme.SPACE["md"])

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(over)
        self.over = over
        row = QHBoxLayout()
        row.setSpacing(theme.SPACE["sm"])
        row.addWidget(title)
        row.addWidget(self.subtitle, 1)
        titles.addLayout(row)
        head.addLayout(titles, 1)
        head.addLayout(self._legend)
        self._head, self._titles, self._legend_below = head, titles, False

        self._axis = _MoneyAxis("left")
        self.plot = _PlotWidget(axisItems={"left": self._axis, "bottom": QtCachedAxis("bottom")},
                                enableMenu=False)  # no context menus made
        self.plot.painted.connect(self.painted)
        adopt_menus(self.plot)
        self.plot.setMinimumHeight(PLOT_MIN[False])
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        unclip(self.plot)
        self.plot.setAntialiasing(True)
        pi = self.plot.getPlotItem()
        pi.showGrid(x=False, y=True, alpha=1.0)
        pi.getViewBox().setDefaultPadding(0.02)
        # the items of each granularity: a switch back to one shows its items as they were drawn
        self._layers = {g: _Layer() for g in ("month", "quarter")}
        self._layer = self._layers["month"]
        for layer in self._layers.values():
            for item in layer.series():
                pi.addItem(item)
            layer.show(layer is self._layer)
        for layer in self._layers.values():
            pi.addItem(layer.marks)
        self._anomalies: tuple = ()
        self._hover_line = pg.InfiniteLine(angle=90, movable=False)
        self._hover_line.hide()
        pi.addItem(self._hover_line, ignoreBounds=True)
        self._tip = QLabel(self.plot)
        self._tip.setObjectName("ChartTip")
        self._tip.setTextFormat(Qt.TextFormat.RichText)
        self._tip.hide()
        self._tip.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.plot.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self.plot.viewport().installEventFilter(self)

        lay = QVBoxLayout(self)
        pad = theme.SPACE["lg"]
        lay.setContentsMargins(pad, pad - 2, pad, pad - 4)
        lay.setSpacing(theme.SPACE["sm"])
        lay.addLayout(head)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.partial_note)

        mgr = theme.manager()
        if mgr is not None:
            mgr.themeChanged.connect(self._on_theme_changed)
        self._restyle(theme.palette())

    # -- data ---------------------------------------------------------------------------
    def set_trend(self, rows: list[dict], granularity: str, currency: str = "£",
                  subtitle: str = "") -> None:
        """Show trend rows (painted at the window's next frame)."""
        self._rows = [dict(r) for r in rows]
        self._granularity = granularity
        self._unit = self._axis.unit = currency or "£"
        self.subtitle.setText(subtitle)
        layer = self._layers.get(granularity)
        if layer is None:  # a granularity the chart was not made with
            layer = self._layers[granularity] = _Layer()
            pi = self.plot.getPlotItem()
            for item in (*layer.series(), layer.marks):
                pi.addItem(item)
            self._restyle(theme.palette())
        if layer is not self._layer:
            self._layer.show(False)
            self._layer = layer
            layer.show(True)
        layer.set_rows(self._rows, 0.55 if granularity == "month" else 0.45)
        self._update_ticks()
        self._set_range()
        self.partial_note.setVisible(any(r.get("partial") for r in self._rows))
        self._draw_marks()
        self._tip.hide()
        self._hover_line.hide()
        self.renders += 1
        self.plot.update()

    def _set_range(self) -> None:
        rows, n = self._rows, len(self._rows)
        finite = [v for r in rows for v in (r.get("recognized"), r.get("booked"), r.get("backlog"))
                  if v is not None]
        top = max(finite) if finite else 1.0
        head = 1.3 if self._anomalies else 1.12  # room for a ring and its "!" over the highest point
        # a stored value near 1e308 would take the axis to infinity, which Qt refuses
        y_top = min(top * head, _AXIS_LIMIT) or 1.0
        self.plot.getPlotItem().getViewBox().setRange(  # one range update, not two
            xRange=(-0.6, max(n - 1, 0) + 0.6), yRange=(0, y_top), padding=0)

    # -- anomalies ------------------------------------------------------------------------------
    def set_anomalies(self, anomalies) -> None:
        """Ring the periods holding an unusual month (core `Anomaly`s of the trend series)."""
        had = bool(self._anomalies)
        self._anomalies = tuple(a for a in anomalies if a.series in dict(SERIES))
        if had != bool(self._anomalies) and self._rows:
            self._set_range()
        self._draw_marks()

    def marked(self) -> list[tuple[str, str]]:
        """(period on the axis, series) of every ring (tests)."""
        return [(self._rows[i]["period"], key) for i, key, _ in self._mark_points()]

    def _mark_points(self) -> list[tuple[int, str, object]]:
        at = {r["period"]: i for i, r in enumerate(self._rows)}
        out = []
        for a in self._anomalies:
            period = a.period if self._granularity == "month" else quarter_of(a.period)
            i = at.get(period)
            if i is not None and (i, a.series) not in {(j, k) for j, k, _ in out}:
                out.append((i, a.series, a))
        return out

    def _draw_marks(self) -> None:
        pal = theme.palette()
        pts = [(i, self._rows[i].get(key)) for i, key, _ in self._mark_points()]
        pts = [(i, v) for i, v in pts if v is not None]
        look = (tuple(pts), pal.name, theme.LINE["symbol"], theme.TYPE["title"])
        layer = self._layer
        if look == layer.marks_look:
            return  # a granularity switch back and forth redraws nothing here
        layer.marks_look = look
        layer.marks.setData([i for i, _ in pts], [v for _, v in pts], size=theme.LINE["symbol"] * 3,
                            pen=pg.mkPen(QColor(pal.high), width=max(2.0, theme.LINE["chart"] * 0.9)),
                            brush=pg.mkBrush(None))
        while len(layer.labels) < len(pts):  # a label as well as a colour; items are reused
            label = pg.TextItem("!")
            self.plot.getPlotItem().addItem(label)
            layer.labels.append(label)
        font = mark_font()
        for n, label in enumerate(layer.labels):
            if n < len(pts):
                label.setColor(QColor(pal.high))
                label.setFont(font)
                label.setAnchor(mark_anchor("high"))
                label.setPos(*pts[n])
            label.setVisible(n < len(pts))
        tip = "".join(f"<br>{describe(a, self._unit)}" for _, _, a in self._mark_points())
        self.plot.setToolTip(f"<b>! unusual month</b>{tip}" if tip else "")

    def _update_ticks(self) -> None:
        """Label every period that fits (the latest always), never overlapping, in the app's
        date style ("Aug 2026", "Sep"..., "Q3 2026")."""
        width = max(self.plot.getPlotItem().getViewBox().width(), self.plot.width() - 70, 50)
        major, minor = period_ticks([r["period"] for r in self._rows],
                                    [bool(r.get("partial")) for r in self._rows], width)
        if [major, minor] != getattr(self, "_ticks", None):  # new ticks redraw the axis (pyqtgraph, Python)
            self._ticks = [major, minor]
            self.plot.getAxis("bottom").setTicks([major, minor])


    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._rows and event.size().width() != event.oldSize().width():  # the ticks depend on the width only
            self._update_ticks()

    def set_presenting(self, on: bool) -> None:
        """Compact (a slide, a short screen): no overline, a shorter least plot height, the
        legend under the title so a narrow column takes the chart."""
        self.over.setVisible(not on)
        self.plot.setMinimumHeight(PLOT_MIN[on])
        if on != self._legend_below:
            self._legend_below = on
            (self._head if on else self._titles).removeItem(self._legend)
            (self._titles if on else self._head).addLayout(self._legend)

    def rows(self) -> list[dict]:
        return [dict(r) for r in self._rows]

    def tick_labels(self) -> list[str]:
        """Every period's name ("Aug 2026", "Q3 2026*")."""
        return [period_name(r["period"]) + ("*" if r.get("partial") else "") for r in self._rows]

    # -- hover ------------------------------------------------------------------------------
    def hover_text(self, index: int) -> str:
        """The hover label of one period (rich text)."""
        pal = theme.palette()
        r = self._rows[index]
        head = period_name(r["period"]) + (" <span style='color:%s'>(partial)</span>" % pal.faint if r.get("partial") else "")
        lines = [f"<b>{head}</b>"]
        colors = {"recognized": pal.series_recognized, "booked": pal.series_booked,
                  "backlog": pal.series_backlog}
        for key, name in SERIES:
            v = r.get(key)
            text = compact_currency(v, self._unit) if v is not None else "\u2014"
            lines.append(f"<span style='color:{colors[key]}'>\u25cf</span> {name}&nbsp;&nbsp;<b>{text}</b>")
        return "<br>".join(lines)

    def _on_scene_mouse_moved(self, pos: QPointF) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        if not self._rows or not vb.sceneBoundingRect().contains(pos):
            self._hide_hover()
            return
        x = vb.mapSceneToView(pos).x()
        i = int(round(x))
        if not 0 <= i < len(self._rows):
            self._hide_hover()
            return
        self._hover_line.setPos(i)
        self._hover_line.show()
        self._tip.setText(self.hover_text(i))
        self._tip.adjustSize()
        view_pt = self.plot.mapFromScene(pos)
        x0 = view_pt.x() + 14
        if x0 + self._tip.width() > self.plot.width() - 4:
            x0 = view_pt.x() - self._tip.width() - 14
        y0 = max(4, min(view_pt.y() - self._tip.height() // 2, self.plot.height() - self._tip.height() - 4))
        self._tip.move(int(x0), int(y0))
        self._tip.show()
        self._tip.raise_()

    def _hide_hover(self) -> None:
        self._tip.hide()
        self._hover_line.hide()

    def eventFilter(self, obj, event) -> bool:
        if event.type() == event.Type.Leave:
            self._hide_hover()
        return False

    # -- theme --------------------------------------------------------------------------------
    def _on_theme_changed(self, pal) -> None:
        self._restyle(pal)

    def _restyle(self, pal) -> None:
        self.plot.setBackground(QColor(pal.surface))
        axis_pen = pg.mkPen(QColor(pal.border_strong), width=1)
        text_pen = pg.mkPen(QColor(pal.muted))
        font = theme.font("caption")
        for name in ("left", "bottom"):
            ax = self.plot.getAxis(name)
            ax.setPen(axis_pen)
            ax.setTextPen(text_pen)
            ax.setTickFont(font)
            ax.setStyle(tickLength=0 if name == "left" else 4, tickTextOffset=6)
        self.plot.getAxis("bottom").setStyle(hideOverlappingLabels=False)
        self.plot.getAxis("left").setGrid(60)
        # denser than pyqtgraph's default (more so for projector type): a short chart at
        # 1024x768 keeps several money labels, not one
        self.plot.getAxis("left").setTickDensity(1.3 * theme.TYPE["caption"] / theme.BASE_TYPE["caption"])
        self.plot.getAxis("left").setWidth(58)
        self.plot.getAxis("left").setPen(pg.mkPen(None))
        # room for the latest period's label, centred on the last bar
        self.plot.getPlotItem().layout.setContentsMargins(0, 0, theme.TYPE["caption"] * 2, 0)
        for layer in self._layers.values():
            layer.restyle(pal)
        self._hover_line.setPen(QPen(QColor(pal.border_strong), 1, Qt.PenStyle.DashLine))
        self._tip.setStyleSheet(
            f"QLabel#ChartTip {{ background:{pal.surface}; color:{pal.text}; border:1px solid {pal.border_strong};"
            f" border-radius:8px; padding:8px 10px; font-size:{theme.TYPE['small']}px; }}")
        while self._legend.count():
            item = self._legend.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        for (key, name), kind in zip(SERIES, ("bar", "line", "dash")):
            color = {"recognized": pal.series_recognized, "booked": pal.series_booked,
                     "backlog": pal.series_backlog}[key]
            box = QWidget()
            h = QHBoxLayout(box)
            h.setContentsMargins(0, 0, 0, 0)
            h.setSpacing(6)
            h.addWidget(_swatch(color, kind))
            lab = QLabel(name)
            lab.setObjectName("LegendItem")
            h.addWidget(lab)
            self._legend.addWidget(box)
        if self._rows:
            self.set_trend(self._rows, self._granularity, self._unit, self.subtitle.full_text())

    def legend_names(self) -> list[str]:
        out = []
        for i in range(self._legend.count()):
            w = self._legend.itemAt(i).widget()
            if w is not None:
                labels = w.findChildren(QLabel)
                out += [lab.text() for lab in labels if lab.text()]
        return out


def _preview() -> QWidget:
    from execdash_desktop.packs.executive.payload import rebucket

    from .._preview import sample_payload

    payload = sample_payload("12m")
    w = QWidget()
    w.setObjectName("PageBody")
    lay = QVBoxLayout(w)
    lay.setContentsMargins(24, 24, 24, 24)
    a = QtTrendChart()
    a.set_trend(payload["revenueTrend"], "month", "£", "12 months to 2026-10")
    b = QtTrendChart()
    b.set_trend(rebucket(payload, "quarter")["revenueTrend"], "quarter", "£", "by quarter")
    lay.addWidget(a)
    lay.addWidget(b)
    return w


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "Revenue trend", (1000, 760)))
