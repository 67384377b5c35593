"""KPI cards: label, value, delta (coloured by whether up is good), sparkline.

`QtKpiCard` shows one KPI entry of the payload (given by key); a click (or
Enter / Space when focused) emits `activated(key)`: one click to its drill-down.
`QtKpiGrid` lays cards out in as many balanced columns as the width allows, so
six cards share a row at 1024 px and wrap to 3 x 2 below that.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QLinearGradient, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout,
                               QWidget)

from execdash_desktop.format import EM_DASH, change_tone, format_change, format_value, skipped_text
from execdash_desktop.words import plain_reason

from .. import theme


TONE_MARKS = {"good": "\u2713", "bad": "\u2717"}  # check / cross: a shape as well as a colour


def _presenting() -> bool:
    mgr = theme.manager()
    return bool(mgr is not None and mgr.presenting and not theme.printing())


def delta_label(entry: dict, tone: str, marks: bool = False) -> str:
    """The delta pill's text; with `marks` good/bad is shown by a mark too, not only by
    colour (projector theme: colour-blind viewers, washed-out colours)."""
    text = format_change(entry)
    if marks and tone in TONE_MARKS:
        text += f"\u2009{TONE_MARKS[tone]}"  # a thin space: the pill stays short
    return text


class QtSparkline(QWidget):
    """A small line of a KPI's monthly history (None values leave gaps)."""

    painted = Signal()

    def __init__(self, parent: QWidget | None = None, height: int = 34):
        super().__init__(parent)
        self._values: list[float | None] = []
        self._tone = "neutral"
        self._cache: tuple[tuple, QPixmap] | None = None  # (what it shows, the line drawn)
        self.setFixedHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def set_values(self, values: list[float | None], tone: str = "neutral") -> None:
        self._values = list(values)
        self._tone = tone
        self.update()

    def values(self) -> list[float | None]:
        return list(self._values)

    def paintEvent(self, _event) -> None:
        pts = [(i, v) for i, v in enumerate(self._values) if v is not None and math.isfinite(v)]
        if len(pts) >= 2:
            if theme.printing():  # paper: drawn at the printer's resolution, never from the cache
                p = QPainter(self)
                self._paint_line(p, pts)
                p.end()
            else:
                p = QPainter(self)
                p.drawPixmap(0, 0, self._pixmap(pts))
                p.end()
        self.painted.emit()

    def _pixmap(self, pts: list[tuple[int, float]]) -> QPixmap:
        """The line drawn once per size, values and colours: a dashboard switch repaints every card,
        and drawing the path in Python cost a few ms a card each time."""
        pal = theme.palette()
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, tuple(self._values), self._tone, pal.name, pal.accent,
               pal.surface, theme.LINE["spark"])
        if self._cache is None or self._cache[0] != key:
            pm = QPixmap(round(self.width() * ratio), round(self.height() * ratio))
            pm.setDevicePixelRatio(ratio)
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            self._paint_line(p, pts)
            p.end()
            self._cache = (key, pm)
        return self._cache[1]

    def _paint_line(self, p: QPainter, pts: list[tuple[int, float]]) -> None:
        pal = theme.palette()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(2, 4, -4, -3)
        lo = min(v for _, v in pts)
        hi = max(v for _, v in pts)
        span = hi - lo or abs(hi) or 1.0
        n = max(len(self._values) - 1, 1)

        def at(i: int, v: float) -> QPointF:
            return QPointF(r.left() + r.width() * i / n, r.bottom() - r.height() * (v - lo) / span)

        line = QPainterPath()
        segments: list[list[QPointF]] = [[]]
        prev = None
        for i, v in pts:
            if prev is not None and i != prev + 1:
                segments.append([])
            segments[-1].append(at(i, v))
            prev = i
        color = QColor(pal.accent)
        for seg in segments:
            if not seg:
                continue
            line.moveTo(seg[0])
            for q in seg[1:]:
                line.lineTo(q)
            if len(seg) >= 2:
                area = QPainterPath()
                area.moveTo(seg[0].x(), r.bottom())
                for q in seg:
                    area.lineTo(q)
                area.lineTo(seg[-1].x(), r.bottom())
                area.closeSubpath()
                grad = QLinearGradient(0, r.top(), 0, r.bottom())
                top = QColor(color)
                top.setAlpha(46)
                bottom = QColor(color)
                bottom.setAlpha(0)
                grad.setColorAt(0, top)
                grad.setColorAt(1, bottom)
                p.fillPath(area, grad)
        p.setPen(QPen(color, theme.LINE["spark"], Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        p.drawPath(line)
        last = at(*pts[-1])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(pal.surface))
        p.drawEllipse(last, 4, 4)
        p.setBrush(QColor(pal.tone(self._tone) if self._tone != "neutral" else pal.accent))
        p.drawEllipse(last, 2.6, 2.6)


class _CardLabel(QLabel):
    """A card's label: one line, or two wrapped lines of a fixed height (set_label_lines), so its
    height never depends on its width. A wrapping QLabel says it does, and then the grid of cards
    laid rows out from a height-for-width it had cached for the previous type size: entering the
    projector's larger type, the first cards kept their old height and the delta covered the value."""

    def hasHeightForWidth(self) -> bool:
        return False


class QtKpiCard(QFrame):
    """One KPI: label, big value, delta pill, sparkline. Clickable."""

    activated = Signal(str)  # kpi key
    painted = Signal()

    @staticmethod
    def value_sizes(variant: str) -> tuple[int, int]:
        """(largest, smallest) px of the value: read at each fit, the projector theme scales them."""
        if variant == "primary":
            return theme.TYPE["value"], round(theme.TYPE["value"] * 0.65)
        return theme.TYPE["value_sm"], round(theme.TYPE["value_sm"] * 0.72)

    def __init__(self, key: str, label: str, variant: str = "primary",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.variant = variant
        self._entry: dict | None = None
        self._value_text = EM_DASH
        self._drill_title = ""
        self.setObjectName("KpiCard")
        self.setProperty("variant", variant)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(label)

        self.label = _CardLabel(label, self)
        self.label.setObjectName("KpiLabel")
        self.value = QLabel(EM_DASH, self)
        self.value.setObjectName("KpiValue")
        self.value.setProperty("variant", variant)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.delta = QLabel(EM_DASH, self)
        self.delta.setObjectName("KpiDelta")
        self.delta.setProperty("tone", "neutral")
        self.delta.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.compare = QLabel("", self)
        self.compare.setObjectName("KpiCompare")
        self.compare.setMinimumWidth(0)
        self.compare.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.spark = QtSparkline(self, height=34 if variant == "primary" else 30)
        self.spark.painted.connect(self.painted)

        if variant == "primary":
            self._layout_primary()
        else:
            self._layout_highlight()
        self._fit_value()
        mgr = theme.manager()
        if mgr is not None:
            mgr.themeChanged.connect(self._on_theme_changed)

    def _on_theme_changed(self, _pal) -> None:
        if self._entry is not None:  # sizes and the delta's words follow the theme
            self.set_entry(self._entry, self._compare, self._drill_title)
        else:
            self._fit_value()

    def _layout_primary(self) -> None:
        """Label, big value, delta + "vs prior", sparkline: a tall card."""
        pad = theme.SPACE["lg"]
        lay = QVBoxLayout(self)
        lay.setContentsMargins(pad, pad - 2, pad, pad - 4)
        lay.setSpacing(theme.SPACE["xs"])
        lay.addWidget(self.label)
        lay.addWidget(self.value)
        row = QHBoxLayout()
        row.setSpacing(theme.SPACE["sm"])
        row.addWidget(self.delta, 0, Qt.AlignmentFlag.AlignLeft)
        row.addWidget(self.compare, 1)
        lay.addLayout(row)
        lay.addSpacing(2)
        lay.addWidget(self.spark)

    def _layout_highlight(self) -> None:
        """Label and delta on one line, value beside the sparkline: a short card."""
        pad = theme.SPACE["md"]
        self.compare.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(pad, pad - 2, pad, pad - 2)
        lay.setSpacing(2)
        top = QHBoxLayout()
        top.setSpacing(theme.SPACE["xs"])
        # when the row is short the label gives way, never the delta (it carries good/bad)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(0)
        top.addWidget(self.label, 1)
        top.addWidget(self.delta)
        lay.addLayout(top)
        row = QHBoxLayout()
        row.setSpacing(theme.SPACE["md"])
        row.addWidget(self.value, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.spark, 1, Qt.AlignmentFlag.AlignBottom)
        lay.addLayout(row)
        self._top, self._row = top, row
        self._delta_below = False

    def label_fits(self, width: int) -> bool:
        """Whether the label reads whole on one line in a card `width` px wide."""
        m = self.layout().contentsMargins()
        return self.label.fontMetrics().horizontalAdvance(self.label.text()) <= width - m.left() - m.right()

    def set_label_lines(self, lines: int) -> None:
        """A big card's label on one line, or wrapped over two ("First response / (median, 7 d)"):
        the grid gives every card of a page the same, so a row of cards stays level."""
        if self.variant != "primary":
            return
        two = lines > 1
        if two != self.label.wordWrap():
            self.label.setWordWrap(two)
        if two:  # measured again each time: the projector's larger type needs taller lines
            self.label.setFixedHeight(2 * self.label.fontMetrics().lineSpacing() + 2)
        else:
            self.label.setMinimumHeight(0)
            self.label.setMaximumHeight(16_777_215)

    def _fit_label(self) -> None:
        """A short card whose label and delta do not share a line: the delta moves down beside
        the value, so the label is never cut ("Book-to-bil")."""
        if self.variant == "primary":
            return
        m = self.layout().contentsMargins()
        room = self.width() - m.left() - m.right() - self.delta.sizeHint().width() - self._top.spacing() - 6
        below = self.label.fontMetrics().horizontalAdvance(self.label.text()) > room
        if below == self._delta_below:
            return
        self._delta_below = below
        (self._top if below else self._row).removeWidget(self.delta)
        if below:
            self._row.insertWidget(1, self.delta, 0, Qt.AlignmentFlag.AlignBottom)
        else:
            self._top.addWidget(self.delta)

    # -- data -------------------------------------------------------------------------
    def set_entry(self, entry: dict, compare: str = "", drill_title: str = "") -> None:
        """Show a KPI entry of the payload (key, label, value, unit, delta, better...)."""
        self._entry = entry
        self._compare = compare
        self._drill_title = drill_title
        value = entry.get("value")
        self._value_text = format_value(value, entry.get("format", ""), entry.get("unit"))
        self.value.setText(self._value_text)
        self._set_prop(self.value, "empty", "true" if value is None else "false")
        tone = change_tone(entry)
        self.delta.setText(delta_label(entry, tone, _presenting()))
        self._set_prop(self.delta, "tone", tone)
        # a target says more than the comparison on a narrow card; the comparison stays in the tooltip
        self.compare.setText(entry["target"] if entry.get("target") else compare)
        # an entered value (CAC payback) has no monthly history: no line pretending it moves
        hist = ([] if entry.get("comparison") == "entered"
                else [h.get("value") for h in entry.get("history") or []])
        self.spark.set_values(hist, tone)
        self.setToolTip(self._tooltip(entry, tone))
        self._fit_value()
        self.delta.adjustSize()
        self._fit_compare()
        self._fit_label()

    def entry(self) -> dict | None:
        return self._entry

    def value_text(self) -> str:
        return self.value.text()

    def delta_text(self) -> str:
        return self.delta.text()

    def tone(self) -> str:
        return str(self.delta.property("tone"))

    def _tooltip(self, entry: dict, tone: str) -> str:
        label = entry.get("label", self.key)
        if entry.get("value") is None:
            # the payload's reason is the data team's ("no executive_kpis row"): the card says it plainly
            tip = f"<b>{label}</b>: not available<br>{plain_reason(entry.get('reason'), label)}"
        else:
            good = {"good": "good", "bad": "worse", "neutral": "flat"}[tone]
            better = "higher is better" if entry.get("better", "up") == "up" else "lower is better"
            tip = f"<b>{label}</b>: {self._value_text}<br>"
            if entry.get("comparison") == "entered":
                tip += (f"Entered in the data file, with its own change of {format_change(entry)} "
                        f"({good}; {better}); it does not follow the range")
            elif entry.get("comparison") == "no_full_prior":
                tip += "No change shown: the file does not hold a full prior period to compare with"
            else:
                tip += f"Change {format_change(entry)} {self._compare or 'vs the previous window'} ({good}; {better})"
        if entry.get("skipped"):
            tip += f"<br>{skipped_text(entry)}"
        if entry.get("target"):
            tip += f"<br>{str(entry['target']).capitalize()}"
        if self._drill_title:
            tip += f"<br><i>Click to open {self._drill_title}</i>"
        return tip

    @staticmethod
    def _set_prop(w: QWidget, name: str, value: str) -> None:
        if w.property(name) != value:
            w.setProperty(name, value)
            w.style().unpolish(w)
            w.style().polish(w)

    # -- size: shrink the value's font rather than clip it ---------------------------------
    def _fit_value(self) -> None:
        big, small = self.value_sizes(self.variant)
        m = self.layout().contentsMargins() if self.layout() else None
        avail = max(self.width() - (m.left() + m.right() if m else 32) - 2, 60)
        if self.variant != "primary":
            avail = int(avail * 0.6)
        f = theme.app_font()
        f.setWeight(QFont.Weight.DemiBold)
        size = big
        while size > small:
            f.setPixelSize(size)
            if QFontMetrics(f).horizontalAdvance(self._value_text) <= avail:
                break
            size -= 2
        f.setPixelSize(size)
        if self.value.font() != f:
            self.value.setFont(f)
        fb = QFont(f)
        fb.setPixelSize(big)
        self.value.setMinimumHeight(QFontMetrics(fb).height())  # cards in a row stay aligned

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_value()
        self._fit_compare()
        self._fit_label()

    def _fit_compare(self) -> None:
        """Show "vs prior 12 mo" where it fits beside a typical delta: the same rule for
        every card of a width, so a row of cards looks alike."""
        if self.variant != "primary":
            return
        m = self.layout().contentsMargins()
        typical = self.delta.fontMetrics().horizontalAdvance("\u25b2 +00.0%") + 14
        # a wider delta (a check mark, "+9,200%") leaves less: hidden rather than cut ("target $25")
        delta = max(typical, self.delta.sizeHint().width()) if self.delta.isVisibleTo(self) else typical
        room = self.width() - m.left() - m.right() - delta - theme.SPACE["sm"]
        self.compare.setVisible(self.compare.fontMetrics().horizontalAdvance(self.compare.text()) <= room)

    def minimumSizeHint(self) -> QSize:
        return QSize(140, super().minimumSizeHint().height())

    # -- interaction ----------------------------------------------------------------------
    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.activated.emit(self.key)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.key)
            event.accept()
            return
        super().keyPressEvent(event)


class QtKpiGrid(QWidget):
    """Cards in balanced rows: as many columns as fit at `min_card` px each."""

    def __init__(self, cards: list[QtKpiCard], min_card: int = 150, parent: QWidget | None = None):
        super().__init__(parent)
        self.cards = cards
        self._min = min_card
        self._cols = 0
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(theme.SPACE["md"])
        self._grid.setVerticalSpacing(theme.SPACE["md"])
        for c in cards:
            c.setParent(self)
        self._reflow(len(cards))
        mgr = theme.manager()
        if mgr is not None:
            mgr.themeChanged.connect(self._on_theme_changed)

    def columns_for(self, width: int) -> int:
        n = len(self.cards)
        if n == 0:  # a dashboard without cards of this tier
            return 1
        gap = self._grid.horizontalSpacing()
        fit = max(1, min(n, (width + gap) // (self._min + gap)))
        rows = math.ceil(n / fit)
        return math.ceil(n / rows)

    def _reflow(self, cols: int) -> None:
        if cols == self._cols:
            return
        self._cols = cols
        for c in self.cards:
            self._grid.removeWidget(c)
        for i in range(self._grid.columnCount()):
            self._grid.setColumnStretch(i, 0)
        for i, c in enumerate(self.cards):
            self._grid.addWidget(c, i // cols, i % cols)
        for i in range(cols):
            self._grid.setColumnStretch(i, 1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        width = event.size().width()
        cols = self.columns_for(width)
        self._reflow(cols)
        self._fit_labels(width, cols)

    def _on_theme_changed(self, _pal) -> None:
        # the projector's type makes every card taller: once its style has reached the cards, measure
        # the labels again and lay the rows out anew (without this, cards that had been laid out
        # before kept their old height, and the delta covered the value)
        QTimer.singleShot(0, self, self._refit)  # dropped if the grid is gone by then

    def _refit(self) -> None:
        """The labels measured in the new type, the rows laid out again; the columns stay as the
        last resize set them (the width read here may be one the layout has not settled yet)."""
        if self._cols:
            self._fit_labels(self.width(), self._cols)
        self._grid.invalidate()

    def _fit_labels(self, width: int, cols: int) -> None:
        # a label too long for one line wraps, and then every card's does (rows stay level)
        gap = self._grid.horizontalSpacing()
        card_w = (width - gap * (cols - 1)) // max(cols, 1)
        lines = 1 if all(c.label_fits(card_w) for c in self.cards) else 2
        for c in self.cards:
            c.set_label_lines(lines)

    def card(self, key: str) -> QtKpiCard:
        return next(c for c in self.cards if c.key == key)


def _preview() -> QWidget:
    from execdash_desktop.packs.executive.kpis import KPIS

    from .._preview import sample_payload

    payload = sample_payload()
    w = QWidget()
    w.setObjectName("PageBody")
    lay = QVBoxLayout(w)
    lay.setContentsMargins(24, 24, 24, 24)
    lay.setSpacing(12)
    entries = {k["key"]: k for k in payload["executiveKpis"]}
    primary = [QtKpiCard(s.key, s.label) for s in KPIS[:6]]
    high = [QtKpiCard(s.key, s.label, "highlight") for s in KPIS[6:]]
    for c in primary + high:
        c.set_entry(entries[c.key], "vs prev 12m")
    missing = QtKpiCard("nrr", "NRR (no data)")
    missing.set_entry({"key": "nrr", "label": "NRR", "value": None, "format": "ratio", "delta": None,
                       "better": "up", "reason": "no retention_nrr row on or before 2026-10",
                       "history": []})
    lay.addWidget(QtKpiGrid(primary))
    lay.addWidget(QtKpiGrid(high, min_card=180))
    lay.addWidget(QtKpiGrid([missing]))
    lay.addStretch(1)
    return w


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "KPI cards", (1200, 520)))
