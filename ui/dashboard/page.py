"""The first tab, "Now / Reason / Action": controls, six KPI cards, four
highlights, the revenue trend, alerts and risks.

`QtDashboardPage` only shows a payload it is given; it never queries. The
trend chart (pyqtgraph) is created by `ensure_chart()` after the first paint,
so the window appears before pyqtgraph is imported.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from execdash_desktop.format import compare_text, month_name
from execdash_desktop.packs.executive.kpis import KPIS

from .. import theme
from ..widgets.alerts_panel import QtAlertsPanel
from ..widgets.banner import QtBanner
from ..widgets.controls import QtControlsBar
from ..widgets.kpi_card import QtKpiCard, QtKpiGrid
from ..widgets.risks_panel import QtRisksPanel
from ..widgets.summary_panel import QtSummaryPanel


# least heights of the trend and of the row it shares with alerts and risks: a
# projector (or a 1366x768 laptop at 125%) has less height than the window needs
CHART_MIN = {False: 280, True: 170}
LOWER_MIN = {False: 300, True: 170}
COMPACT_H = 720  # page heights below this get the compact layout (see _fit_height)
SPARK_MIN_H = 560

PRIMARY = tuple(s for s in KPIS[:6])  # revenue, backlog, uptime, nrr, gm, payback
HIGHLIGHTS = tuple(s for s in KPIS[6:])  # book_to_bill, coverage_months, arr, forecast


def window_text(payload: dict) -> tuple[str, str]:
    """('Nov 2025 – Oct 2026', '12 months, compared with the previous 12')."""
    tf = payload["timeframe"]
    start, end = tf["start_date"][:7], tf["end_date"][:7]
    n = payload.get("meta", {}).get("months")
    span = f"{month_name(start)} \u2013 {month_name(end)}"
    what = {"ytd": "Year to date"}.get(tf.get("range"), f"{n} months")
    return span, (f"{what} vs the previous {n}" if n else what)


class QtDashboardPage(QScrollArea):
    cardActivated = Signal(str, float)  # kpi key, time of the click
    alertActivated = Signal(dict, float)
    chartReady = Signal()  # the trend chart exists (pyqtgraph imported)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("PageScroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("PageBody")
        self.setWidget(body)
        self.chart = None
        self._pending_trend: tuple | None = None
        self._pending_anomalies: tuple = ()
        self.payload: dict | None = None
        self._drill_titles: dict[str, str] = {}

        self.title = QLabel("Executive overview")
        self.title.setObjectName("PageTitle")
        self.subtitle = QLabel("Loading the data file\u2026")
        self.subtitle.setObjectName("PageSubtitle")
        self.controls = QtControlsBar()
        self.banner = QtBanner()
        now = QLabel("NOW \u00b7 CORE METRICS")
        now.setObjectName("Overline")

        self.cards = {s.key: QtKpiCard(s.key, s.label, "primary") for s in PRIMARY}
        self.highlights = {s.key: QtKpiCard(s.key, s.label, "highlight") for s in HIGHLIGHTS}
        self.primary_grid = QtKpiGrid(list(self.cards.values()), min_card=148)
        self.highlight_grid = QtKpiGrid(list(self.highlights.values()), min_card=210)
        for card in self.all_cards():
            card.activated.connect(self._on_card_activated)

        self.chart_holder = QWidget()
        self.chart_holder.setMinimumHeight(CHART_MIN[False])
        hl = QVBoxLayout(self.chart_holder)
        hl.setContentsMargins(0, 0, 0, 0)
        self._chart_wait = QFrame()
        self._chart_wait.setObjectName("Card")
        wait_label = QLabel("Loading chart\u2026", self._chart_wait)
        wait_label.setObjectName("Empty")
        wait_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        QVBoxLayout(self._chart_wait).addWidget(wait_label)
        hl.addWidget(self._chart_wait)
        self.summary = QtSummaryPanel()
        self.alerts = QtAlertsPanel()
        self.risks = QtRisksPanel()
        self.alerts.alertActivated.connect(self._on_alerts_alert_activated)

        self._side = QVBoxLayout()
        self._side.setSpacing(theme.SPACE["md"])
        lower = QHBoxLayout()
        lower.setSpacing(theme.SPACE["md"])
        lower.addWidget(self.chart_holder, 11)
        lower.addLayout(self._side, 8)
        self._lower_layout = lower
        self._three: bool | None = None
        self._compact: bool | None = None
        lower_box = QWidget()
        lower_box.setLayout(lower)
        lower.setContentsMargins(0, 0, 0, 0)
        lower_box.setMinimumHeight(LOWER_MIN[False])
        self._lower = lower_box
        self._now = now
        self.presenting = False
        self.printing = False
        lower_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

        self.demo_badge = QLabel("Demo data")
        self.demo_badge.setToolTip("Made-up figures from the demo generator, not your company's")
        self.read_only_badge = QLabel("Read-only")
        self.read_only_badge.setToolTip("ExecDash does not write to this file: it keeps its own timings "
                                        "in a separate file in your data folder")
        title_row = QHBoxLayout()
        title_row.setSpacing(theme.SPACE["sm"])
        title_row.addWidget(self.title)
        for badge, tone in ((self.demo_badge, "medium"), (self.read_only_badge, "neutral")):
            badge.setObjectName("Chip")
            badge.setProperty("tone", tone)
            badge.hide()
            title_row.addWidget(badge, 0, Qt.AlignmentFlag.AlignVCenter)
        title_row.addStretch(1)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addLayout(title_row)
        titles.addWidget(self.subtitle)
        self._titles = QWidget()
        self._titles.setLayout(titles)
        titles.setContentsMargins(0, 0, 0, 0)
        self._header = QGridLayout()
        self._header.setHorizontalSpacing(theme.SPACE["lg"])
        self._header.setVerticalSpacing(theme.SPACE["sm"])
        self._narrow: bool | None = None
        self._place_header(False)

        lay = QVBoxLayout(body)
        lay.setContentsMargins(theme.SPACE["xl"], theme.SPACE["lg"], theme.SPACE["xl"], theme.SPACE["xl"])
        lay.setSpacing(theme.SPACE["md"])
        lay.addLayout(self._header)
        lay.addWidget(self.banner)
        lay.addWidget(now)
        lay.addWidget(self.primary_grid)
        lay.addWidget(self.highlight_grid)
        lay.addWidget(self.summary)
        lay.addWidget(lower_box, 1)
        self._body_layout = lay
        self._place_lower(False)

    # -- layout ---------------------------------------------------------------------------
    def set_presenting(self, on: bool) -> None:
        """A slide: from the top, never scrolled, alerts and risks as many as fit + "+N more"."""
        self.presenting = on
        self.verticalScrollBar().setValue(0)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if on
                                        else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        for panel in (self.alerts, self.risks):
            panel.set_fit(on)
        self.summary.set_presenting(on)
        self._compact = None
        self._fit_height()

    def set_printing(self) -> None:
        """Paper (the board pack): no buttons, no scroll bars; the alerts and risks have a
        page of their own, in full, so the trend spans the width."""
        self.printing = True
        for w in (self.controls, self.alerts, self.risks, self.summary.toggle, self.banner):
            w.hide()
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._place_lower(True)

    def _fit_height(self) -> None:
        """Short screens (a 1366x768 laptop at 125%, 1024x768, a projector): no overlines,
        the summary below the trend, alerts and risks beside it in columns, and below
        SPARK_MIN_H no sparklines in the big cards, so the cards, the trend and the first
        alerts and risks show without scrolling."""
        h = self.viewport().height()
        compact = self.presenting or h < COMPACT_H
        if compact != self._compact:
            self._compact = compact
            short = compact and not self.presenting
            self.chart_holder.setMinimumHeight(CHART_MIN[compact])
            self._lower.setMinimumHeight(LOWER_MIN[compact])
            self._now.setVisible(not compact)
            for panel in (self.alerts, self.risks):
                panel.over.setVisible(not compact)
            if self.chart is not None:
                self.chart.set_presenting(compact)
            self._place_lower(compact or self.printing)
            lay = self._body_layout
            lay.removeWidget(self.summary)
            lay.insertWidget(lay.indexOf(self._lower) + 1 if short else lay.indexOf(self._lower), self.summary)
        for card in self.cards.values():
            card.spark.setVisible(not (self._compact and not self.presenting and h < SPARK_MIN_H))

    def _place_lower(self, three: bool) -> None:
        """Alerts over risks beside the trend, or the three side by side."""
        if three == self._three:
            return
        self._three = three
        for panel in (self.alerts, self.risks):
            self._side.removeWidget(panel)
            self._lower_layout.removeWidget(panel)
        if three:
            self._lower_layout.setStretch(0, 9)
            self._lower_layout.setStretch(1, 0)
            self._lower_layout.addWidget(self.alerts, 7)
            self._lower_layout.addWidget(self.risks, 7)
        else:
            self._lower_layout.setStretch(0, 11)
            self._lower_layout.setStretch(1, 8)
            self._side.addWidget(self.alerts, 3)
            self._side.addWidget(self.risks, 2)

    def _place_header(self, narrow: bool) -> None:
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self._header.removeWidget(self._titles)
        self._header.removeWidget(self.controls)
        self._header.addWidget(self._titles, 0, 0)
        if narrow:
            self._header.addWidget(self.controls, 1, 0, Qt.AlignmentFlag.AlignLeft)
            self._header.setColumnStretch(1, 0)
        else:
            self._header.addWidget(self.controls, 0, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._header.setColumnStretch(0, 1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_header(event.size().width())
        self._fit_height()
        self._fit_summary()

    def _titles_width(self) -> int:
        """The title block's width for the widest title and subtitle any range gives, so
        choosing YTD ("Year to date vs the previous 10") never moves the controls."""
        badges = sum(b.sizeHint().width() + theme.SPACE["sm"] for b in (self.demo_badge, self.read_only_badge)
                     if not b.isHidden())
        subtitles = [f"{n} months vs the previous {n}" for n in (12, 24)] + ["Year to date vs the previous 12"]
        widest = max([self.title.fontMetrics().horizontalAdvance("Sep 2025 \u2013 Sep 2026") + badges]
                     + [self.subtitle.fontMetrics().horizontalAdvance(t) for t in subtitles])
        return max(self._titles.sizeHint().width(), widest)

    def _fit_header(self, width: int) -> None:
        """Controls beside the title if they fit (labels hidden if that helps), else below it."""
        for w in (self._titles, self.controls):  # sizes with the style sheet's fonts and padding
            w.ensurePolished()
        avail = width - 2 * theme.SPACE["xl"] - 12  # margins, scroll bar
        room = avail - self._titles_width() - self._header.horizontalSpacing()
        self.controls.set_compact(False)
        if self.controls.sizeHint().width() <= room:
            self._place_header(False)
            return
        self.controls.set_compact(True)
        self._place_header(self.controls.sizeHint().width() > room)

    def _fit_summary(self) -> None:
        """Open the summary by itself only where it fits without scrolling the page
        (1080p and up); else one line. The user's own choice stands."""
        s = self.summary
        if self.presenting or self._compact:
            s.set_expanded(False)
            return
        if not s.isVisible() or s.user_chose or not s.sentences():
            return
        need = self.widget().minimumSizeHint().height()
        if not s.expanded:
            need += s.extra_height_expanded(s.width())
        s.set_expanded(need <= self.viewport().height())

    # -- the chart, created after the first paint ------------------------------------------------
    def ensure_chart(self):
        if self.chart is None:
            from ..widgets.trend_chart import QtTrendChart  # imports pyqtgraph

            self.chart = QtTrendChart()
            lay = self.chart_holder.layout()
            lay.removeWidget(self._chart_wait)
            self._chart_wait.hide()
            self._chart_wait.deleteLater()
            lay.addWidget(self.chart)
            if self._pending_trend is not None:
                self.chart.set_trend(*self._pending_trend)
                self._pending_trend = None
            self.chart.set_anomalies(self._pending_anomalies)
            self.chart.set_presenting(bool(self._compact))
            self.chartReady.emit()
        return self.chart

    # -- data --------------------------------------------------------------------------------------
    def all_cards(self) -> list[QtKpiCard]:
        return list(self.cards.values()) + list(self.highlights.values())

    def card(self, key: str) -> QtKpiCard:
        return self.cards.get(key) or self.highlights[key]

    def set_badges(self, demo: bool, read_only: bool) -> None:
        """"Demo data" for the generator's made-up file; "Read-only" when metrics go elsewhere."""
        self.demo_badge.setVisible(demo)
        self.read_only_badge.setVisible(read_only)
        self._fit_header(self.width())

    def set_drill_titles(self, titles: dict[str, str]) -> None:
        """kpi key -> title of the drill-down its card opens (for tooltips)."""
        self._drill_titles = dict(titles)

    def set_payload(self, payload: dict) -> None:
        self.payload = payload
        span, what = window_text(payload)
        self.title.setText(span)
        self.subtitle.setText(what)
        self._fit_header(self.width())
        n = payload.get("meta", {}).get("months")
        for entry in payload["executiveKpis"]:
            if entry["key"] in self.cards or entry["key"] in self.highlights:
                self.card(entry["key"]).set_entry(entry, compare_text(entry, n),
                                                  self._drill_titles.get(entry["key"], ""))
        self.set_trend(payload)
        self.set_alerts(payload["alerts"])
        self.risks.set_risks(payload["risks"])

    def set_trend(self, payload: dict) -> None:
        tf = payload["timeframe"]
        gran = tf["granularity"]
        sub = f"by {gran} \u00b7 {payload.get('meta', {}).get('currency', '£')}"
        args = (payload["revenueTrend"], gran, payload.get("meta", {}).get("currency", "£"), sub)
        if self.chart is None:
            self._pending_trend = args
        else:
            self.chart.set_trend(*args)

    def set_summary(self, summary) -> None:
        """The Now / Reason / Action sentences and the trend's unusual months (core Summary)."""
        self.summary.set_summary(summary)
        self._fit_summary()
        anomalies = summary.anomalies if summary is not None else ()
        self._pending_anomalies = anomalies
        if self.chart is not None:
            self.chart.set_anomalies(anomalies)

    def set_alerts(self, alerts: list[dict]) -> None:
        self.alerts.set_alerts(alerts)

    def paint_targets(self) -> list:
        """Widgets whose `painted` signal marks the screen as drawn (cards, chart)."""
        out = list(self.all_cards())
        if self.chart is not None:
            out.append(self.chart)
        return out

    def _on_card_activated(self, key: str) -> None:
        self.cardActivated.emit(key, time.perf_counter())

    def _on_alerts_alert_activated(self, alert: dict) -> None:
        self.alertActivated.emit(alert, time.perf_counter())


def _preview() -> QWidget:
    from execdash_desktop.packs.executive.drilldowns import CARD_DRILLDOWN, DRILLDOWNS

    from .._preview import sample_payload, sample_source

    page = QtDashboardPage()
    src = sample_source()
    page.controls.set_months([f"{m // 12:04d}-{m % 12 + 1:02d}" for m in sorted(src.revenue)])
    page.set_drill_titles({k: DRILLDOWNS[v] for k, v in CARD_DRILLDOWN.items()})
    page.set_payload(sample_payload())
    page.ensure_chart()
    return page


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "Dashboard", (1440, 900)))
