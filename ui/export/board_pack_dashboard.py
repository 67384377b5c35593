"""The pack's dashboard page, drawn from the payload with a print layout.

Any dashboard, from its declaration: the cards (value, change, what it
compares with; why, for a figure the file cannot give) in balanced rows, the
highlights below them, then the trend chart beside the panels the dashboard
prints (`board_pack.panels`: alerts and risks, SLA breaches, stock alerts...),
each with as many of its items as fit, whole, and "+N more". No widget of the
window is drawn: no buttons, no scroll bars, no text cut short. The chart is
the window's chart widget, drawn offscreen by the renderer (board_pack.py).
"""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen

from execdash_desktop.cards import CardText, card_texts
from execdash_desktop.pack_panels import PrintItem, PrintPanel, panel_items

from .. import theme
from .board_pack_paint import font

GAP = 12.0
PAD = 10.0
MAX_COLS = 6  # cards in a row; more wrap into balanced rows
PANEL_HEAD = 26.0
ITEM_GAP = 6.0
ITEM_PAD = 6.0
STRIPE = 4.0
SPARK_H = 22.0


def _columns(n: int) -> int:
    if n <= MAX_COLS:
        return max(n, 1)
    return math.ceil(n / math.ceil(n / MAX_COLS))


def _wrapped_h(f, text: str, width: float) -> float:
    if not text:
        return 0.0
    return QFontMetricsF(f).boundingRect(QRectF(0, 0, max(width, 1.0), 1e6),
                                         int(Qt.TextFlag.TextWordWrap), text).height()


class QtPackDashboard:
    """Lays out and paints one dashboard page of a pack (`data`: boardpack.PackData)."""

    def __init__(self, pal, data, dashboard, width: float):
        self.pal, self.data, self.dash, self.width = pal, data, dashboard, width
        texts = card_texts(dashboard, data.payload)
        self.cards = [t for t in texts if t.tier == "card"]
        self.highlights = [t for t in texts if t.tier == "highlight"]
        self.panels: list[tuple[str, PrintPanel]] = []
        for name in dashboard.board_pack.panels:
            try:
                spec = dashboard.panel(name)
            except KeyError:
                continue
            raw = (data.payload.get(spec.payload_key) if spec.payload_key
                   else (data.panels or {}).get(name))
            if name == "alerts" and raw:  # the most severe first
                rank = {"high": 0, "medium": 1, "low": 2}
                raw = sorted(raw, key=lambda a: rank.get(str(a.get("severity") or "low").lower(), 3))
            elif name == "risks" and raw:  # overdue first
                raw = sorted(raw, key=lambda r: not r.get("overdue"))
            printed = panel_items(name, spec.kind, spec.title, raw)
            if printed is not None:
                self.panels.append((name, printed))
        self.f_label = font("small", True)
        self.f_change = font("caption", True)
        self.f_words = font("caption")
        self.f_item_title, self.f_item_body, self.f_item_meta = font("small", True), font("small"), font("caption")

    # -- layout ---------------------------------------------------------------------------------
    def rows_height(self, p: QPainter, cards: list[CardText], big: bool) -> float:
        if not cards:
            return 0.0
        cols = _columns(len(cards))
        w = (self.width - GAP * (cols - 1)) / cols
        total = 0.0
        for r in range(0, len(cards), cols):
            total += max(self._card_h(c, w, big) for c in cards[r:r + cols]) + GAP
        return total

    def chart_share(self) -> float:
        """The chart's share of the width beside the panels (all of it with no panels)."""
        return 1.0 if not self.panels else 0.58

    # -- cards ----------------------------------------------------------------------------------
    def _value_font(self, big: bool, text: str, width: float):
        size = 28 if big else 22
        smallest = 16 if big else 14
        f = font("value", True)
        while True:
            f.setPixelSize(size)
            if size <= smallest or QFontMetricsF(f).horizontalAdvance(text) <= width:
                return f
            size -= 1

    def _change_w(self, c: CardText) -> float:
        return QFontMetricsF(self.f_change).horizontalAdvance(c.change) + 12

    def _words(self, c: CardText) -> str:
        """What the line under the value says: the comparison, a target, or why there is no value."""
        if c.why:
            return c.why
        return " \u00b7 ".join(x for x in (c.compare, c.target) if x)

    def _card_h(self, c: CardText, w: float, big: bool) -> float:
        inner = w - 2 * PAD
        h = PAD + _wrapped_h(self.f_label, c.label, inner) + 4
        h += QFontMetricsF(self._value_font(big, c.value, inner)).height() + 4
        pill_h = QFontMetricsF(self.f_change).height() + 4
        words = self._words(c)
        beside = inner - (0 if c.why else self._change_w(c) + 6)
        if c.why:
            h += _wrapped_h(self.f_words, words, inner)
        elif words and QFontMetricsF(self.f_words).horizontalAdvance(words) <= beside:
            h += pill_h
        else:
            h += pill_h + (2 + _wrapped_h(self.f_words, words, inner) if words else 0)
        if big and self._spark_points(c):
            h += 6 + SPARK_H
        return h + PAD

    def paint_cards(self, p: QPainter, x: float, y: float, cards: list[CardText], big: bool) -> float:
        """Cards in balanced rows from (x, y); returns the y below them."""
        if not cards:
            return y
        cols = _columns(len(cards))
        w = (self.width - GAP * (cols - 1)) / cols
        for r in range(0, len(cards), cols):
            row = cards[r:r + cols]
            h = max(self._card_h(c, w, big) for c in row)
            for i, c in enumerate(row):
                self._paint_card(p, QRectF(x + i * (w + GAP), y, w, h), c, big)
            y += h + GAP
        return y

    def _paint_card(self, p: QPainter, r: QRectF, c: CardText, big: bool) -> None:
        pal = self.pal
        p.setPen(QPen(QColor(pal.border), 1))
        p.setBrush(QColor(pal.surface))
        p.drawRoundedRect(r.adjusted(0.5, 0.5, -0.5, -0.5), theme.RADIUS["md"], theme.RADIUS["md"])
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        x, inner = r.left() + PAD, r.width() - 2 * PAD
        y = r.top() + PAD
        p.setFont(self.f_label)
        p.setPen(QColor(pal.muted))
        lh = _wrapped_h(self.f_label, c.label, inner)
        p.drawText(QRectF(x, y, inner, lh + 2), flags, c.label)
        y += lh + 4
        vf = self._value_font(big, c.value, inner)
        p.setFont(vf)
        p.setPen(QColor(pal.text if c.why == "" else pal.faint))
        vh = QFontMetricsF(vf).height()
        p.drawText(QRectF(x, y, inner, vh), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), c.value)
        y += vh + 4
        words = self._words(c)
        if c.why:
            p.setFont(self.f_words)
            p.setPen(QColor(pal.muted))
            p.drawText(QRectF(x, y, inner, _wrapped_h(self.f_words, words, inner) + 2), flags, words)
        else:
            pill_h = QFontMetricsF(self.f_change).height() + 4
            pw = self._change_w(c)
            fg = pal.tone(c.tone)
            bg = {"good": pal.good_soft, "bad": pal.bad_soft}.get(c.tone, pal.neutral_soft)
            path = QPainterPath()
            path.addRoundedRect(QRectF(x, y, pw, pill_h), pill_h / 2, pill_h / 2)
            p.fillPath(path, QColor(bg))
            p.setFont(self.f_change)
            p.setPen(QColor(fg))
            p.drawText(QRectF(x, y, pw, pill_h), int(Qt.AlignmentFlag.AlignCenter), c.change)
            if words:
                p.setFont(self.f_words)
                p.setPen(QColor(pal.muted))
                beside = inner - pw - 6
                if QFontMetricsF(self.f_words).horizontalAdvance(words) <= beside:
                    p.drawText(QRectF(x + pw + 6, y, beside, pill_h),
                               int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), words)
                    y += pill_h
                else:
                    y += pill_h + 2
                    wh = _wrapped_h(self.f_words, words, inner)
                    p.drawText(QRectF(x, y, inner, wh + 2), flags, words)
                    y += wh
            else:
                y += pill_h
        pts = self._spark_points(c)
        if big and pts:
            self._paint_spark(p, QRectF(x, r.bottom() - PAD - SPARK_H, inner, SPARK_H), c, pts)

    @staticmethod
    def _spark_points(c: CardText) -> list[tuple[int, float]]:
        pts = [(i, float(v)) for i, v in enumerate(c.history)
               if isinstance(v, (int, float)) and math.isfinite(v)]
        return pts if len(pts) >= 2 else []

    def _paint_spark(self, p: QPainter, r: QRectF, c: CardText, pts) -> None:
        """The card's monthly history as a thin line (no fill: a PDF drops a gradient's alpha)."""
        lo, hi = min(v for _, v in pts), max(v for _, v in pts)
        span = hi - lo or abs(hi) or 1.0
        n = max(len(c.history) - 1, 1)

        def at(i: int, v: float) -> QPointF:
            return QPointF(r.left() + r.width() * i / n, r.bottom() - 2 - (r.height() - 4) * (v - lo) / span)

        path = QPainterPath()
        prev = None
        for i, v in pts:
            if prev is None or i != prev + 1:
                path.moveTo(at(i, v))
            else:
                path.lineTo(at(i, v))
            prev = i
        p.setPen(QPen(QColor(self.pal.accent), 1.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(self.pal.tone(c.tone) if c.tone != "neutral" else self.pal.accent))
        p.drawEllipse(at(*pts[-1]), 2.6, 2.6)

    # -- panels ------------------------------------------------------------------------------------
    def _item_h(self, item: PrintItem, w: float) -> float:
        inner = w - STRIPE - 2 * ITEM_PAD
        h = _wrapped_h(self.f_item_title, item.title, inner - self._pill_w(item.pill) - (8 if item.pill else 0))
        if item.body:
            h += 2 + _wrapped_h(self.f_item_body, item.body, inner)
        if item.meta:
            h += 2 + _wrapped_h(self.f_item_meta, item.meta, inner)
        return h + 2 * ITEM_PAD

    @staticmethod
    def _pill_w(text: str) -> float:
        return QFontMetricsF(font("caption", True)).horizontalAdvance(text) + 14 if text else 0.0

    def paint_panels(self, p: QPainter, rect: QRectF, full_page: dict[str, int]) -> dict[str, int]:
        """The printed panels stacked in `rect`, each with the items that fit whole; returns
        how many items each shows (tests). `full_page`: panel name -> the page listing all of it."""
        shown: dict[str, int] = {}
        if not self.panels:
            return shown
        each = (rect.height() - GAP * (len(self.panels) - 1)) / len(self.panels)
        y = rect.top()
        for name, panel in self.panels:
            if full_page.get(name):  # listed in full on a page of their own: here the headlines
                panel = replace(panel, items=tuple(replace(i, body="") for i in panel.items))
            shown[name] = self._paint_panel(p, QRectF(rect.left(), y, rect.width(), each), panel,
                                            full_page.get(name))
            y += each + GAP
        return shown

    def _paint_panel(self, p: QPainter, r: QRectF, panel: PrintPanel, page: int | None) -> int:
        pal = self.pal
        p.setFont(font("title", True))
        p.setPen(QColor(pal.text))
        p.drawText(QRectF(r.left(), r.top(), r.width(), PANEL_HEAD), int(Qt.AlignmentFlag.AlignLeft), panel.title)
        y = r.top() + PANEL_HEAD
        if not panel.items:
            p.setFont(self.f_item_body)
            p.setPen(QColor(pal.muted))
            p.drawText(QRectF(r.left(), y, r.width(), 40), int(Qt.TextFlag.TextWordWrap), panel.empty)
            return 0
        more_h = QFontMetricsF(self.f_words).height() + 4
        n = len(panel.items)
        shown = 0
        for i, item in enumerate(panel.items):
            h = self._item_h(item, r.width())
            room = r.bottom() - y - (more_h if i < n - 1 else 0)
            if h > room:
                break
            self._paint_item(p, QRectF(r.left(), y, r.width(), h), item)
            y += h + ITEM_GAP
            shown += 1
        if shown < n:
            more = f"+{n - shown} more" + (f", every one on page {page}" if page else "")
            p.setFont(font("caption", True))
            p.setPen(QColor(pal.accent))
            p.drawText(QRectF(r.left(), y, r.width(), more_h), int(Qt.AlignmentFlag.AlignLeft), more)
        return shown

    def _tone(self, tone: str) -> tuple[str, str]:
        pal = self.pal
        if tone in ("high", "medium", "low"):
            return pal.severity(tone)
        return {"bad": (pal.bad, pal.bad_soft), "warn": (pal.medium, pal.medium_soft),
                "good": (pal.good, pal.good_soft)}.get(tone, (pal.border_strong, pal.neutral_soft))

    def _paint_item(self, p: QPainter, r: QRectF, item: PrintItem) -> None:
        pal = self.pal
        strong, soft = self._tone(item.tone)
        box = QPainterPath()
        box.addRoundedRect(r, 6, 6)
        p.setPen(QPen(QColor(pal.border), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(box)
        p.save()
        p.setClipPath(box)
        p.fillRect(QRectF(r.left(), r.top(), STRIPE, r.height()), QColor(strong))
        p.restore()
        x = r.left() + STRIPE + ITEM_PAD
        inner = r.width() - STRIPE - 2 * ITEM_PAD
        y = r.top() + ITEM_PAD
        pw = self._pill_w(item.pill)
        if item.pill:
            pf = font("caption", True)
            ph = QFontMetricsF(pf).height() + 2
            pr = QRectF(r.right() - ITEM_PAD - pw, y, pw, ph)
            path = QPainterPath()
            path.addRoundedRect(pr, ph / 2, ph / 2)
            p.fillPath(path, QColor(soft))
            p.setFont(pf)
            p.setPen(QColor(strong))
            p.drawText(pr, int(Qt.AlignmentFlag.AlignCenter), item.pill)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        tw = inner - pw - (8 if item.pill else 0)
        for text, f, colour, width in ((item.title, self.f_item_title, pal.text, tw),
                                       (item.body, self.f_item_body, pal.text, inner),
                                       (item.meta, self.f_item_meta, pal.muted, inner)):
            if not text:
                continue
            h = _wrapped_h(f, text, width)
            p.setFont(f)
            p.setPen(QColor(colour))
            p.drawText(QRectF(x, y, width, h + 2), flags, text)
            y += h + 2
