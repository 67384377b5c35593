"""The pack's "Alerts and open risks" pages: every one in full, drawn from the payload.

On screen the alerts and risks are lists cut to the room they have; on paper
each gets its whole title, description or mitigation (wrapped, never elided),
its area in words ("Operations", not "ops"), owner and dates: alerts in the
left column, open risks in the right, over as many pages as they need.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen

from execdash_desktop.pack_panels import panel_items

from .board_pack_paint import font

GAP = 6.0  # between two items
PAD = 7.0  # inside an item
STRIPE = 4.0
COL_GAP = 24.0
HEAD_H = 30.0  # a column's heading


def _count(alerts: list[dict]) -> str:
    counts: dict[str, int] = {}
    for a in alerts:
        s = str(a.get("severity") or "low").lower()
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(f"{counts[s]} {s}" for s in ("high", "medium", "low") if counts.get(s))


class QtPackActions:
    """Lays out and paints the alerts and open risks of one payload at a page size."""

    def __init__(self, pal, payload: dict, width: float, height: float):
        self.pal = pal
        self.alerts = [dict(a) for a in payload.get("alerts") or []]
        self.risks = [dict(r) for r in payload.get("risks") or []]
        self.col_w = (width - COL_GAP) / 2
        self.height = height
        self.f_title, self.f_body, self.f_meta = font("small", True), font("small"), font("caption")
        self._alert_pages = self._paginate([self._alert_lines(a) for a in self.alerts])
        self._risk_pages = self._paginate([self._risk_lines(r) for r in self.risks])

    @property
    def pages(self) -> int:
        return max(len(self._alert_pages), len(self._risk_pages), 1)

    # -- words (execdash_desktop.pack_panels: the dashboard page says them the same way) -------------
    @staticmethod
    def _alert_lines(a: dict) -> tuple[str, str, str, str, bool]:
        item = panel_items("alerts", None, "Alerts", [a]).items[0]
        return item.title, item.pill, item.body, item.meta, item.tone == "high"

    @staticmethod
    def _risk_lines(r: dict) -> tuple[str, str, str, str, bool]:
        item = panel_items("risks", None, "Risks", [r]).items[0]  # who and when, then the mitigation
        return item.title, item.pill, f"{item.meta}. {item.body}", "", bool(item.pill)

    # -- sizes -------------------------------------------------------------------------------------
    def _wrapped_h(self, f, text: str, width: float) -> float:
        if not text:
            return 0.0
        r = QFontMetricsF(f).boundingRect(QRectF(0, 0, width, 1e6), int(Qt.TextFlag.TextWordWrap), text)
        return r.height()

    def _pill_w(self, text: str) -> float:
        return QFontMetricsF(font("caption", True)).horizontalAdvance(text) + 14 if text else 0.0

    def _item_h(self, lines) -> float:
        title, pill, body, meta, _ = lines
        inner = self.col_w - 2 * PAD - STRIPE
        h = self._wrapped_h(self.f_title, title, inner - self._pill_w(pill) - 8)
        h += 2 + self._wrapped_h(self.f_body, body, inner)
        if meta:
            h += 2 + QFontMetricsF(self.f_meta).height()
        return h + 2 * PAD

    def _paginate(self, items: list) -> list[list]:
        pages: list[list] = [[]]
        used = HEAD_H
        for lines in items:
            h = self._item_h(lines)
            if pages[-1] and used + h > self.height:
                pages.append([])
                used = HEAD_H
            pages[-1].append((lines, h))
            used += h + GAP
        return pages

    # -- painting ------------------------------------------------------------------------------------
    def paint(self, p: QPainter, part: int, rect: QRectF) -> None:
        """Page `part` (1-based) of the alerts and risks, in `rect`."""
        pal = self.pal
        cols = ((f"Alerts \u00b7 {len(self.alerts)}" + (f" ({_count(self.alerts)})" if self.alerts else ""),
                 self._alert_pages, "No alerts", "alert"),
                (f"Open risks \u00b7 {len(self.risks)}"
                 + (f" ({sum(1 for r in self.risks if r.get('overdue'))} overdue)" if self.risks else ""),
                 self._risk_pages, "No open risks", "risk"))
        for i, (heading, pages, empty, kind) in enumerate(cols):
            x = rect.left() + i * (self.col_w + COL_GAP)
            p.setFont(font("title", True))
            p.setPen(QColor(pal.text))
            more = " (continued)" if part > 1 else ""
            p.drawText(QRectF(x, rect.top(), self.col_w, HEAD_H), int(Qt.AlignmentFlag.AlignLeft), heading + more)
            y = rect.top() + HEAD_H
            items = pages[part - 1] if part - 1 < len(pages) else []
            if not items and part == 1:
                p.setFont(self.f_body)
                p.setPen(QColor(pal.muted))
                p.drawText(QRectF(x, y, self.col_w, 24), int(Qt.AlignmentFlag.AlignLeft), empty)
            for lines, h in items:
                self._paint_item(p, QRectF(x, y, self.col_w, h), lines, kind)
                y += h + GAP

    def _paint_item(self, p: QPainter, r: QRectF, lines, kind: str) -> None:
        pal = self.pal
        title, pill, body, meta, strong = lines
        box = QPainterPath()
        box.addRoundedRect(r, 6, 6)
        p.setPen(QPen(QColor(pal.border), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(box)
        if kind == "alert":
            stripe, (pill_fg, pill_bg) = QColor(pal.severity(pill.lower())[0]), pal.severity(pill.lower())
        else:
            stripe = QColor(pal.bad if strong else pal.border_strong)
            pill_fg, pill_bg = pal.bad, pal.bad_soft
        p.save()
        p.setClipPath(box)
        p.fillRect(QRectF(r.left(), r.top(), STRIPE, r.height()), stripe)
        p.restore()
        x = r.left() + STRIPE + PAD
        inner = r.width() - STRIPE - 2 * PAD
        y = r.top() + PAD
        pw = self._pill_w(pill)
        if pill:
            pf = font("caption", True)
            ph = QFontMetricsF(pf).height() + 2
            pr = QRectF(r.right() - PAD - pw, y, pw, ph)
            path = QPainterPath()
            path.addRoundedRect(pr, ph / 2, ph / 2)
            p.fillPath(path, QColor(pill_bg))
            p.setFont(pf)
            p.setPen(QColor(pill_fg))
            p.drawText(pr, int(Qt.AlignmentFlag.AlignCenter), pill)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        tw = inner - pw - (8 if pill else 0)
        p.setFont(self.f_title)
        p.setPen(QColor(pal.text))
        th = self._wrapped_h(self.f_title, title, tw)
        p.drawText(QRectF(x, y, tw, th + 2), flags, title)
        y += th + 2
        if body:
            bh = self._wrapped_h(self.f_body, body, inner)
            p.setFont(self.f_body)
            p.setPen(QColor(pal.text))
            p.drawText(QRectF(x, y, inner, bh + 2), flags, body)
            y += bh + 2
        if meta:
            p.setFont(self.f_meta)
            p.setPen(QColor(pal.muted))
            p.drawText(QRectF(x, y, inner, QFontMetricsF(self.f_meta).height() + 2), flags, meta)
