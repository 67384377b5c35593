"""The board pack as a PDF: QPdfWriter + QPainter, with print layouts.

The dashboard page is drawn from the payload (board_pack_dashboard.py: cards,
the trend, the dashboard's printed panels); its trend chart and each
drill-down's chart are the window's chart widgets, rendered offscreen in the
light print theme whatever the screen's (a widget style sheet beats the
application's, and `theme.override` steers the custom-painted parts). Tables are painted row by row (a QTableView
paints only the rows it shows), cut into pages by the Qt-free plan
(execdash_desktop/boardpack.py). Text stays text: the PDF is searchable and
a text extractor reads it. Everything here runs on the GUI thread.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen
from PySide6.QtWidgets import QWidget

from execdash_desktop import APP_NAME
from execdash_desktop.boardpack import Geometry, Page, PackData, contents, default_paper, plan, write_atomic
from execdash_desktop.format import month_name, short_date
from execdash_desktop.packs.executive.anomalies import describe
from execdash_desktop.words import months_in_words

from .. import theme
from .board_pack_actions import QtPackActions
from .board_pack_dashboard import QtPackDashboard
from .board_pack_paint import QtPackTables, draw_text, font, no_ligatures
from ..dashboard.page import window_text

DPI = 96  # one device unit = one screen pixel: widgets render at the size they were laid out
PAPER = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
MARGIN = 36.0
FOOTER = 24.0
CHART_H = 270.0
HEADING_H = 72.0
GAP = 12.0
DEMO = "Demo data"


def page_rect(paper: str) -> QRectF:
    """The landscape page in device units (A4: 1123 x 794; Letter: 1056 x 816)."""
    layout = QPageLayout(QPageSize(PAPER[paper]), QPageLayout.Orientation.Landscape, QMarginsF())
    return QRectF(layout.fullRectPixels(DPI))


class BoardPackRenderer:
    """Draws the pages of one pack (`PackData`) on any QPainter: the PDF, or an image."""

    def __init__(self, data: PackData, paper: str = "a4", exported_at: datetime | None = None):
        if paper not in PAPER:
            raise ValueError(f"invalid paper {paper!r}: expected one of {', '.join(PAPER)}")
        self.data, self.paper = data, paper
        self.exported_at = exported_at or datetime.now().astimezone()
        self.pal = theme.LIGHT
        self.page = page_rect(paper)
        self.content = self.page.adjusted(MARGIN, MARGIN, -MARGIN, -(MARGIN + FOOTER))
        self.tables = QtPackTables(self.pal, data.currency)
        self.geometry = Geometry(body=self.content.height() - HEADING_H, chart=CHART_H,
                                 table_head=self.tables.head_h, row=self.tables.row_h, gap=GAP)
        self.actions = QtPackActions(self.pal, data.payload, self.content.width(), self.geometry.body)
        from execdash_desktop.dashboards import registry

        # the pages of every alert and open risk, for a dashboard that has them
        listed = {"alerts", "risks"} & {p.name for p in registry.get(data.dashboard).panels}
        self.pages: list[Page] = plan(data.drilldowns, self.geometry, data.has_summary,
                                      self.actions.pages if listed else 0, data.title)
        self._drilldowns = {dd.key: dd for dd in data.drilldowns}
        self._widgets: list[QWidget] = []
        self.dashboard_shown: dict[str, int] = {}  # panel name -> items the dashboard page shows (tests)

    # -- output ---------------------------------------------------------------------------
    def pdf_bytes(self) -> bytes:
        buf = QByteArray()
        dev = QBuffer(buf)
        dev.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(dev)
        writer.setResolution(DPI)
        writer.setPageLayout(QPageLayout(QPageSize(PAPER[self.paper]), QPageLayout.Orientation.Landscape,
                                         QMarginsF()))
        writer.setTitle(f"Board pack \u2014 {Path(self.data.path).name} \u2014 as of {self.data.as_of}")
        writer.setCreator(APP_NAME)
        p = QPainter(writer)
        try:
            for i in range(len(self.pages)):
                if i:
                    writer.newPage()
                self.paint_page(p, i)
        finally:
            p.end()
            self.close()
        dev.close()
        return bytes(buf.data())

    def page_image(self, index: int, scale: float = 1.0) -> QImage:
        """Page `index` drawn into an image by the same code as the PDF (tests, previews)."""
        img = QImage(int(self.page.width() * scale), int(self.page.height() * scale),
                     QImage.Format.Format_RGB32)
        img.fill(QColor("white"))  # the colour of paper
        p = QPainter(img)
        p.scale(scale, scale)
        try:
            self.paint_page(p, index)
        finally:
            p.end()
        return img

    def close(self) -> None:
        """Delete the offscreen widgets."""
        for w in self._widgets:
            w.hide()
            w.deleteLater()
        self._widgets.clear()

    # -- one page ---------------------------------------------------------------------------
    def paint_page(self, p: QPainter, index: int) -> None:
        page = self.pages[index]
        p.save()
        with theme.override(theme.LIGHT):
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            {"cover": self._paint_cover, "dashboard": self._paint_dashboard,
             "summary": self._paint_summary, "actions": self._paint_actions,
             "drilldown": self._paint_drilldown}[page.kind](p, page)
            self._paint_running_head(p, page)
            self._paint_footer(p, index)
        p.restore()

    def _paint_running_head(self, p: QPainter, page: Page) -> None:
        """Above every page: which dashboard, which months, as of when; "Demo data" when it is."""
        r = QRectF(self.content.left(), MARGIN - 26, self.content.width(), 18)
        x = r.right()
        if self.data.demo:
            f = font("caption", bold=True)
            p.setFont(f)
            w = p.fontMetrics().horizontalAdvance(DEMO) + 14
            pill = QRectF(r.right() - w, r.top(), w, r.height())
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(self.pal.medium_soft))
            p.drawRoundedRect(pill, r.height() / 2, r.height() / 2)
            p.setPen(QColor(self.pal.text))
            p.drawText(pill, Qt.AlignmentFlag.AlignCenter, DEMO)
            x = pill.left() - 10
        if page.kind == "cover":
            return
        span, what = window_text(self.data.payload)
        p.setFont(font("caption"))
        p.setPen(QColor(self.pal.muted))
        p.drawText(QRectF(r.left(), r.top(), x - r.left(), r.height()),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   f"{self.data.title} overview \u00b7 {span} ({what}) \u00b7 as of {month_name(self.data.as_of)}")

    def _paint_actions(self, p: QPainter, page: Page) -> None:
        over = "ACTION" + (f" \u00b7 PAGE {page.part} OF {page.parts}" if page.parts > 1 else "")
        y = self._heading(p, over, "Alerts and open risks", "Every alert and every open risk, in full")
        c = self.content
        self.actions.paint(p, page.part, QRectF(c.left(), y, c.width(), c.bottom() - y))

    def _paint_footer(self, p: QPainter, index: int) -> None:
        r = QRectF(self.content.left(), self.page.bottom() - MARGIN - FOOTER + 8, self.content.width(), FOOTER - 8)
        p.setPen(QPen(QColor(self.pal.border), 1))
        p.drawLine(r.topLeft(), r.topRight())
        p.setFont(font("caption"))
        p.setPen(QColor(self.pal.muted))
        text_r = r.adjusted(0, 4, 0, 0)
        p.drawText(text_r, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, Path(self.data.path).name)
        p.drawText(text_r, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
                   f"As of {month_name(self.data.as_of)}")
        p.drawText(text_r, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   f"Page {index + 1} of {len(self.pages)}")

    def _text(self, p: QPainter, rect: QRectF, text: str, size: str = "body", bold: bool = False,
              color: str | None = None, flags=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) -> QRectF:
        return draw_text(p, rect, text, size, bold, color or self.pal.text, flags)

    # -- cover ------------------------------------------------------------------------------
    def _paint_cover(self, p: QPainter, _page: Page) -> None:
        d, c, pal = self.data, self.content, self.pal
        tf = d.payload["timeframe"]
        span, what = window_text(d.payload)
        p.fillRect(QRectF(c.left(), c.top(), 6, 150), QColor(pal.accent))
        x = c.left() + 24
        y = c.top()
        y = self._text(p, QRectF(x, y, c.width(), 20), f"{APP_NAME.upper()} \u00b7 BOARD PACK", "caption",
                       True, pal.muted).bottom() + 6
        f = font("value", bold=True)
        f.setPixelSize(34)
        p.setFont(f)
        p.setPen(QColor(pal.text))
        p.drawText(QRectF(x, y, c.width(), 44), Qt.AlignmentFlag.AlignLeft, f"{d.title} board pack")
        y += 52
        y = self._text(p, QRectF(x, y, c.width(), 30), f"{span} \u00b7 {what}", "heading", False,
                       pal.muted).bottom() + 36
        facts = [("Data file", d.path), ("As of", month_name(d.as_of)),
                 ("Range", f"{span} ({what.lower()}), by {tf['granularity']}"),
                 ("Exported", f"{short_date(self.exported_at.date().isoformat())}, {self.exported_at:%H:%M} "
                              f"{self.exported_at.tzname() or ''}".strip()),
                 ("Paper", f"{self.paper.upper() if self.paper == 'a4' else 'Letter'}, landscape")]
        label_w = 120
        for label, value in facts:
            self._text(p, QRectF(x, y, label_w, 22), label, "small", True, pal.muted)
            r = self._text(p, QRectF(x + label_w, y, c.width() * 0.55 - label_w, 60), value, "body")
            y = max(y + 24, r.bottom() + 6)
        # contents on the right
        cx = c.left() + c.width() * 0.62
        cw = c.right() - cx
        cy = c.top() + 110
        self._text(p, QRectF(cx, cy, cw, 20), "CONTENTS", "caption", True, pal.muted)
        cy += 24
        for title, pages in contents(self.pages):
            self._text(p, QRectF(cx, cy, cw - 70, 20), title, "body")
            self._text(p, QRectF(cx, cy, cw, 20), pages, "body", False, pal.muted, Qt.AlignmentFlag.AlignRight)
            p.setPen(QPen(QColor(pal.border), 1))
            p.drawLine(QPointF(cx, cy + 22), QPointF(cx + cw, cy + 22))
            cy += 27

    # -- the dashboard, drawn from the payload -------------------------------------------------
    def _paint_dashboard(self, p: QPainter, _page: Page) -> None:
        from execdash_desktop.dashboards import registry

        d, c = self.data, self.content
        dash = registry.get(d.dashboard)
        span, what = window_text(d.payload)
        gran = d.payload["timeframe"].get("granularity", "month")
        y = self._heading(p, "DASHBOARD", f"{dash.title} overview", f"{span} \u00b7 {what} \u00b7 by {gran}")
        board = QtPackDashboard(self.pal, d, dash, c.width())
        y = board.paint_cards(p, c.left(), y, board.cards, True)
        y = board.paint_cards(p, c.left(), y, board.highlights, False)
        lower = QRectF(c.left(), y, c.width(), c.bottom() - y)
        chart_w = c.width() * board.chart_share() - (GAP if board.panels else 0)
        self._paint_trend(p, dash, QRectF(lower.left(), lower.top(), chart_w, lower.height()))
        actions = next((i + 1 for i, pg in enumerate(self.pages) if pg.kind == "actions"), None)
        self.dashboard_shown = board.paint_panels(
            p, QRectF(lower.left() + chart_w + GAP, lower.top(), lower.right() - chart_w - GAP - lower.left(),
                      lower.height()), {"alerts": actions, "risks": actions} if actions else {})

    def _paint_trend(self, p: QPainter, dash, rect: QRectF) -> None:
        """The window's trend chart for this payload, offscreen, in the print theme."""
        from ..dashboard.page import _chart_for  # imports pyqtgraph

        d = self.data
        tf = d.payload["timeframe"]
        gran = tf.get("granularity", "month")
        money = dash.trend.series[0].format == "currency"
        chart = self._offscreen(_chart_for(dash.trend))
        chart.set_trend(d.payload.get(dash.trend.payload_key, []), gran, d.currency,
                        f"by {gran} \u00b7 {d.currency}" if money else f"by {gran}")
        if d.summary is not None:
            chart.set_anomalies(d.summary.anomalies)
        chart.set_presenting(False)
        chart.plot.setMaximumHeight(16_777_215)
        chart.resize(int(rect.width()), int(rect.height()))
        p.save()
        p.translate(rect.topLeft())
        chart.render(p, QPoint(0, 0), renderFlags=QWidget.RenderFlag.DrawChildren
                     | QWidget.RenderFlag.DrawWindowBackground)
        p.restore()

    def _offscreen(self, w: QWidget) -> QWidget:
        """A widget laid out and styled like the screen's, never shown on it, in the print theme."""
        w.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        w.setFont(no_ligatures(theme.app_font()))
        w.setPalette(theme.qpalette(self.pal))
        w.setStyleSheet(theme.stylesheet(self.pal))
        self._widgets.append(w)
        return w

    # -- summary --------------------------------------------------------------------------------
    def _paint_summary(self, p: QPainter, _page: Page) -> None:
        c, pal = self.content, self.pal
        y = self._heading(p, "SUMMARY", "Now \u00b7 Reason \u00b7 Action",
                          "What the numbers say, why, and what to do about it")
        blocks = self._summary_blocks()
        for size in ("title", "body", "small"):  # the largest type that fits the page
            if self._blocks_height(p, blocks, size) <= c.bottom() - y:
                break
        for heading, texts in blocks:
            y = self._text(p, QRectF(c.left(), y, c.width(), 30), heading, "heading", True,
                           pal.accent).bottom() + 6
            for t in texts or ["\u2014"]:
                p.fillRect(QRectF(c.left() + 2, y + 7, 5, 5), QColor(pal.muted))
                y = self._text(p, QRectF(c.left() + 18, y, c.width() * 0.8, c.bottom() - y), t, size).bottom() + 6
            y += 14

    def _summary_blocks(self) -> list[tuple[str, list[str]]]:
        summary = self.data.summary
        blocks = [(name.capitalize(), [s.text for s in summary.section(name)])
                  for name in ("now", "reason", "action")]
        unusual = [describe(a, self.data.currency) for a in summary.anomalies]
        if unusual:
            blocks.append(("Unusual months", unusual))
        return blocks

    def _blocks_height(self, p: QPainter, blocks, size: str) -> float:
        p.setFont(font(size))
        total = 0.0
        for _heading, texts in blocks:
            total += 30 + 14
            for t in texts or ["\u2014"]:
                r = p.boundingRect(QRectF(0, 0, self.content.width() * 0.8, 10_000),
                                   int(Qt.TextFlag.TextWordWrap), t)
                total += r.height() + 6
        return total

    # -- drill-downs ------------------------------------------------------------------------------
    def _heading(self, p: QPainter, over: str, title: str, note: str) -> float:
        c, pal = self.content, self.pal
        self._text(p, QRectF(c.left(), c.top(), c.width(), 16), over, "caption", True, pal.muted)
        self._text(p, QRectF(c.left(), c.top() + 16, c.width(), 28), title, "heading", True)
        p.setFont(font("small"))
        p.setPen(QColor(pal.muted))
        p.drawText(QRectF(c.left(), c.top() + 44, c.width(), 18), Qt.AlignmentFlag.AlignLeft,
                   p.fontMetrics().elidedText(note, Qt.TextElideMode.ElideRight, int(c.width())))
        return c.top() + HEADING_H

    def _paint_drilldown(self, p: QPainter, page: Page) -> None:
        dd = self._drilldowns[page.key]
        over = "DRILL-DOWN" + (f" \u00b7 PAGE {page.part} OF {page.parts}" if page.parts > 1 else "")
        title = dd.title + (" (continued)" if page.part > 1 else "")
        unusual = [describe(a, self.data.currency) for a in dd.anomalies]
        notes = list(dd.notes) + ([f"Unusual: {'; '.join(unusual)}"] if unusual and page.part == 1 else [])
        y = self._heading(p, over, title, months_in_words(" \u00b7 ".join(notes)))
        c = self.content
        if page.chart:
            self._paint_chart(p, dd, QRectF(c.left(), y, c.width(), CHART_H))
            y += CHART_H + GAP
        for sl in page.slices:
            y += self.tables.paint(p, dd, sl, QRectF(c.left(), y, c.width(), c.bottom() - y)) + GAP
        if not dd.tables and not page.chart:
            self._text(p, QRectF(c.left(), y, c.width(), 24), "No data for this drill-down in the file.",
                       "body", False, self.pal.muted)

    def _paint_chart(self, p: QPainter, dd, rect: QRectF) -> None:
        from ..drilldown.drilldown_chart import QtSeriesChart  # imports pyqtgraph

        # unusual months ringed, as in the tab
        chart = self._offscreen(QtSeriesChart(dd.chart, self.data.currency, anomalies=dd.anomalies))
        chart.plot.setMaximumHeight(16_777_215)
        chart.resize(int(rect.width()), int(rect.height()))
        p.save()
        p.translate(rect.topLeft())
        chart.render(p, QPoint(0, 0), renderFlags=QWidget.RenderFlag.DrawChildren
                     | QWidget.RenderFlag.DrawWindowBackground)
        p.restore()

# -- writing ------------------------------------------------------------------------------------

def render_pdf(data: PackData, paper: str = "a4", exported_at: datetime | None = None) -> tuple[bytes, int]:
    """(the PDF's bytes, its page count), in the print theme at print sizes whatever the
    screen shows (presentation mode included)."""
    with theme.override(theme.LIGHT):
        r = BoardPackRenderer(data, paper, exported_at)
        return r.pdf_bytes(), len(r.pages)


def export_pdf(data: PackData, out: str | Path, paper: str = "a4") -> dict:
    """Render and write atomically; returns the path, page count, paper and timings (ms)."""
    t0 = time.perf_counter()
    pdf, pages = render_pdf(data, paper)
    t1 = time.perf_counter()
    path = write_atomic(out, pdf, data.path)
    t2 = time.perf_counter()
    return {"path": str(path), "pages": pages, "paper": paper, "bytes": len(pdf),
            "render_ms": (t1 - t0) * 1000, "write_ms": (t2 - t1) * 1000}


def main(data: PackData, out: str, paper: str | None = None) -> dict:
    """`execdash pack`: a QApplication (offscreen without a display), the light theme, the PDF.
    Without `paper`, the system locale's: Letter in the US and Canada, else A4."""
    import sys

    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.install(app, "light")
    return export_pdf(data, out, paper or default_paper(QLocale.system().name()))
