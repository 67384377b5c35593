"""Painting helpers of the board pack: fonts without ligatures, wrapped text, tables.

`QtPackTables` paints a slice of a drill-down table as a card, row by row (a
QTableView paints only the rows it shows), with the cells formatted by
`format_cell` as the tabs show them and the same column widths on every page.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from execdash_desktop.format import NUMERIC, format_cell, period_name
from execdash_desktop.words import months_in_words

from .. import theme

CELL_PAD = 10.0


def no_ligatures(f: QFont) -> QFont:
    # "fi" drawn as one glyph reads back as U+FB01: searching the PDF for "file" would miss it
    f.setFeature(QFont.Tag("liga"), 0)
    return f


def font(size: str, bold: bool = False) -> QFont:
    return no_ligatures(theme.font(size, QFont.Weight.DemiBold if bold else QFont.Weight.Normal))


def draw_text(p: QPainter, rect: QRectF, text: str, size: str = "body", bold: bool = False,
              color: str = "#000000", flags=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) -> QRectF:
    """Draw wrapped text in `rect`; returns the rectangle it took."""
    p.setFont(font(size, bold))
    p.setPen(QColor(color))
    used = p.boundingRect(rect, int(flags | Qt.TextFlag.TextWordWrap), text)
    p.drawText(rect, int(flags | Qt.TextFlag.TextWordWrap), text)
    return used


class QtPackTables:
    """Paints drill-down tables for the pack; caches cells and column widths per table."""

    def __init__(self, pal: theme.Palette, unit: str):
        self.pal, self.unit = pal, unit
        self.f_cell = font("small")
        self.f_head = font("small", bold=True)
        self.row_h = round(QFontMetricsF(self.f_cell).height() + 5)  # two 12-row tables share a page
        self.head_h = 28 + self.row_h + 10  # title line, header row, bottom padding
        self._widths: dict[tuple[str, int], list[float]] = {}
        self._cells: dict[tuple[str, int], list[list[str]]] = {}

    def cells(self, dd, index: int) -> list[list[str]]:
        key = (dd.key, index)
        if key not in self._cells:
            t = dd.tables[index]
            fmts = [t.formats[i] if i < len(t.formats) else "text" for i in range(len(t.columns))]
            self._cells[key] = [[self.cell(v, f) for v, f in zip(row, fmts)] for row in t.rows]
        return self._cells[key]

    def cell(self, value, fmt: str) -> str:
        """As the tabs show it, but periods and days in the app's words ("Oct 2026", "9 Oct 2026"):
        paper is read, not sorted or re-imported (the CSV export keeps 2026-10)."""
        if fmt in ("period", "date") and value not in (None, ""):
            return period_name(str(value)[:10])
        text = format_cell(value, fmt, self.unit)
        return text if fmt in NUMERIC else months_in_words(text)  # '2026-10-22T01:59:25Z' -> '22 Oct 2026 01:59'

    def widths(self, dd, index: int, width: float) -> list[float]:
        """The same widths on every page of a table: by content, the rest shared out."""
        key = (dd.key, index)
        if key not in self._widths:
            t = dd.tables[index]
            cells = self.cells(dd, index)
            fm, fh = QFontMetricsF(self.f_cell), QFontMetricsF(self.f_head)
            want = [max([fh.horizontalAdvance(h)] + [fm.horizontalAdvance(r[i]) for r in cells]) + 2 * CELL_PAD
                    for i, h in enumerate(t.columns)]
            total = sum(want) or 1.0
            if total <= width:
                extra = (width - total) / len(want)
                out = [w + extra for w in want]
            else:  # too wide: the widest text columns give way (a title elides; a figure never does)
                fmts = [t.formats[i] if i < len(t.formats) else "text" for i in range(len(want))]
                cap = width / len(want)
                keep = [fmts[i] in NUMERIC or w <= cap for i, w in enumerate(want)]
                fixed = sum(w for w, k in zip(want, keep) if k)
                if fixed >= width or all(keep):  # figures alone overflow: everything shares
                    keep, fixed = [w <= cap for w in want], sum(w for w in want if w <= cap)
                share = (width - fixed) / (sum(w for w, k in zip(want, keep) if not k) or 1.0)
                out = [w if k else w * share for w, k in zip(want, keep)]
            self._widths[key] = out
        return self._widths[key]

    def paint(self, p: QPainter, dd, sl, rect: QRectF) -> float:
        """One slice of a table as a card (title, header row, rows); returns its height."""
        t, pal, rh = dd.tables[sl.table], self.pal, self.row_h
        cells = self.cells(dd, sl.table)
        n_rows = max(sl.stop - sl.start, 1)
        height = self.head_h + n_rows * rh
        card = QRectF(rect.left(), rect.top(), rect.width(), height)
        p.setPen(QPen(QColor(pal.border), 1))
        p.setBrush(QColor(pal.surface))
        p.drawRoundedRect(card.adjusted(0.5, 0.5, -0.5, -0.5), theme.RADIUS["md"], theme.RADIUS["md"])
        inner = card.adjusted(12, 8, -12, -10)
        title = t.title + (" (continued)" if sl.continued else "")
        draw_text(p, QRectF(inner.left(), inner.top(), inner.width() * 0.7, 22), title, "title", True, pal.text)
        n = len(t.rows)
        count = (f"rows {sl.start + 1}\u2013{sl.stop} of {n}" if n > sl.stop - sl.start
                 else f"{n} row{'s' if n != 1 else ''}")
        draw_text(p, QRectF(inner.left(), inner.top() + 3, inner.width(), 20), count, "small", False, pal.muted,
                  Qt.AlignmentFlag.AlignRight)
        widths = self.widths(dd, sl.table, inner.width())
        fmts = [t.formats[i] if i < len(t.formats) else "text" for i in range(len(t.columns))]
        y = inner.top() + 28
        p.fillRect(QRectF(inner.left(), y, inner.width(), rh), QColor(pal.surface_alt))
        self._row(p, list(t.columns), fmts, widths, inner.left(), y, self.f_head, pal.muted)
        p.setPen(QPen(QColor(pal.border_strong), 1))
        p.drawLine(QPointF(inner.left(), y + rh), QPointF(inner.right(), y + rh))
        y += rh
        if n == 0:
            draw_text(p, QRectF(inner.left() + CELL_PAD, y + 3, inner.width(), rh), "No rows", "small",
                      False, pal.muted)
        for i in range(sl.start, sl.stop):
            if (i - sl.start) % 2:
                p.fillRect(QRectF(inner.left(), y, inner.width(), rh), QColor(pal.surface_alt))
            self._row(p, cells[i], fmts, widths, inner.left(), y, self.f_cell, pal.text)
            y += rh
        return height

    def _row(self, p: QPainter, texts, fmts, widths, x: float, y: float, f: QFont, color: str) -> None:
        p.setFont(f)
        p.setPen(QColor(color))
        fm = QFontMetricsF(f)
        for text, fmt, w in zip(texts, fmts, widths):
            r = QRectF(x + CELL_PAD, y, w - 2 * CELL_PAD, self.row_h)
            align = Qt.AlignmentFlag.AlignRight if fmt in NUMERIC else Qt.AlignmentFlag.AlignLeft
            if fm.horizontalAdvance(text) > r.width():
                text = fm.elidedText(text, Qt.TextElideMode.ElideRight, r.width())
            p.drawText(r, int(align | Qt.AlignmentFlag.AlignVCenter), text)
            x += w
