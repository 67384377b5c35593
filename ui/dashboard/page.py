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
        self.chart_holder.setMinimumHeight(280)
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

        side = QVBoxLayout()
        side.setSpacing(theme.SPACE["md"])
        side.addWidget(self.alerts, 3)
        side.addWidget(self.risks, 2)
        lower = QHBoxLayout()
        lower.setSpacing(theme.SPACE["md"])
        lower.addWidget(self.chart_holder, 11)
        lower.addLayout(side, 8)
        lower_box = QWidget()
        lower_box.setLayout(lower)
        lower.setContentsMargins(0, 0, 0, 0)
        lower_box.setMinimumHeight(300)
        lower_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.title)
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

    # -- layout ---------------------------------------------------------------------------
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
        self._fit_summary()

    def _fit_header(self, width: int) -> None:
        """Controls beside the title if they fit (labels hidden if that helps), else below it."""
        avail = width - 2 * theme.SPACE["xl"] - 12  # margins, scroll bar
        room = avail - self._titles.sizeHint().width() - self._header.horizontalSpacing()
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
            self.chartReady.emit()
        return self.chart

    # -- data --------------------------------------------------------------------------------------
    def all_cards(self) -> list[QtKpiCard]:
        return list(self.cards.values()) + list(self.highlights.values())

    def card(self, key: str) -> QtKpiCard:
        return self.cards.get(key) or self.highlights[key]

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
