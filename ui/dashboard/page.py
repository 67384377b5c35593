"""A dashboard's first tab, "Now / Reason / Action", rendered from its declaration:
controls, the KPI cards and highlights, the summary, the trend, and the panels
the dashboard names (looked up in dashboard/panels by name).

The Executive dashboard: six cards, four highlights, the revenue trend beside
alerts and risks. The Engineering one: eight cards, the created-vs-resolved
trend beside SLA breaches and the severity mix, then the bug table, the
portfolio and top risks, and the audit log.

`QtDashboardPage` only shows a payload it is given; it never queries (panels
that page through the file themselves are bound to the query service by the
window). The trend chart (pyqtgraph) is created by `ensure_chart()` after the
first paint, so the window appears before pyqtgraph is imported. A page the
window makes for a dashboard found in a file is staged: made one piece a turn,
its steps (the chart, the panels below, a payload's trend) a frame apart and
after its first paint, so no turn holds the window long while a big file loads.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from execdash_desktop.cards import full_entry, usual_compare
from execdash_desktop.dashboards import Dashboard, registry
from execdash_desktop.format import compare_text, month_name

from .. import theme
from ..widgets.banner import QtBanner
from ..widgets.controls import QtControlsBar
from ..widgets.kpi_card import QtKpiCard, QtKpiGrid
from ..widgets.summary_panel import QtSummaryPanel
from .panels import make_panel, panel_placement

QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum" (not exported by PySide6)
STEP_GAP_MS = 12  # between two steps of a page's deferred work (a frame, and its paint)
SIDE_STRETCH = (3, 2, 2)  # the side column's panels (alerts over risks), top first


# least heights of the trend and of the row it shares with alerts and risks: a
# projector (or a 1366x768 laptop at 125%) has less height than the window needs
CHART_MIN = {False: 280, True: 170}
LOWER_MIN = {False: 300, True: 170}
COMPACT_H = 720  # page heights below this get the compact layout (see _fit_height)
SPARK_MIN_H = 560


def _is_revenue_trend(spec) -> bool:
    """The Executive revenue chart (recognized / booked / backlog) has its own widget; any other trend
    is drawn from its declared series."""
    return {s.key for s in spec.series} >= {"recognized", "booked"}


def _chart_class(spec):
    """The trend chart's class for a TrendSpec (importing it imports pyqtgraph)."""
    if _is_revenue_trend(spec):
        from ..widgets.trend_chart import QtTrendChart

        return QtTrendChart
    from ..widgets.series_chart import QtTrendSpecChart

    return QtTrendSpecChart


def _chart_for(spec):
    cls = _chart_class(spec)
    return cls() if _is_revenue_trend(spec) else cls(spec)


def import_page_modules(dashboard: Dashboard) -> None:
    """Import what a dashboard's page will make (its panels' and its trend chart's modules). Called on
    a worker thread when a file's dashboards are found, so the GUI thread, which makes the page a
    few turns later, only builds widgets (the imports took it 5-20 ms)."""
    for panel in dashboard.panels:
        panel_placement(panel.name, panel)
    if dashboard.trend is not None:
        _chart_class(dashboard.trend)


class _Pair(QWidget):
    """A row of two half-width panels."""

    def __init__(self):
        super().__init__()
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(theme.SPACE["md"])

    def add(self, w: QWidget) -> None:
        self.row.addWidget(w, 1)
        self.setMinimumHeight(max(self.minimumHeight(), w.min_height))


def window_text(payload: dict) -> tuple[str, str]:
    """('Nov 2025 – Oct 2026', '12 months, compared with the previous 12')."""
    tf = payload["timeframe"]
    start, end = tf["start_date"][:7], tf["end_date"][:7]
    n = payload.get("meta", {}).get("months")
    if n is None and str(tf.get("range", "")).endswith("m"):
        n = int(str(tf["range"])[:-1])
    span = f"{month_name(start)} \u2013 {month_name(end)}"
    what = {"ytd": "Year to date"}.get(tf.get("range"), f"{n} months")
    return span, (f"{what} vs the previous {n}" if n else what)


class QtDashboardPage(QScrollArea):
    cardActivated = Signal(str, float)  # kpi key, time of the click
    alertActivated = Signal(dict, float)
    chartReady = Signal()  # the trend chart exists (pyqtgraph imported)
    drilldownRequested = Signal(str, float)  # a panel asked for a drill-down (key), time of the click
    panelAdded = Signal(str)  # a panel below the first screen was built (its name)
    panelsBuilt = Signal()  # ... and the last of them

    def __init__(self, parent: QWidget | None = None, dashboard: Dashboard | None = None, staged: bool = False):
        """`staged`: only the empty page now; its first screen is made by `build_piece()`, one piece a
        call (the window calls it once a turn of the event loop, with the page already in the window,
        so each piece is polished by itself: made, put in and polished at once, the Commerce page held
        the window 50-80 ms of GUI-thread CPU). Unstaged, the whole first screen is made now."""
        super().__init__(parent)
        self.dashboard = d = dashboard or registry.get(registry.DEFAULT)
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
        self._waiting: dict[str, object] = {}  # a panel's query result that came before the panel
        self._renders: dict[str, object] = {}  # query results to render, one per turn
        self._chart_held = False
        self._chart_wanted = False
        self._trend_wanted = False  # the newest payload's trend, drawn on the next step
        self._stepping = False
        self._last_step = 0.0
        self.presenting = False
        self.printing = False
        self._three: bool | None = None
        self._compact: bool | None = None
        self._narrow: bool | None = None
        self.panels: dict[str, QWidget] = {}
        self.alerts = self.risks = None
        self._side_panels: list[QWidget] = []
        self._side_need = 0
        lay = QVBoxLayout(body)
        lay.setContentsMargins(theme.SPACE["xl"], theme.SPACE["lg"], theme.SPACE["xl"], theme.SPACE["xl"])
        lay.setSpacing(theme.SPACE["md"])
        self._body_layout = lay
        self._painted = False
        self._staged = staged
        self._after_paint: list = []
        body.installEventFilter(self)  # its first paint (painted_once, after_first_paint)
        # the panels beside the trend are part of the first screen; those below it are made one per
        # turn of the event loop after it (`_build_next`), so a page of many panels never holds the
        # window still while it is made (the Commerce page took 50-170 ms at once)
        side: list[str] = []
        later: list[tuple[str, str]] = []
        for name in (p.name for p in d.panels):
            where = panel_placement(name, d.panel(name))
            if where == "side":
                side.append(name)
            elif where is not None:
                later.append((name, where))
        self._pieces = [self._make_header, self._make_cards, self._make_summary, self._make_lower]
        self._pieces += [lambda n=n: self._make_side_panel(n) for n in side]
        self._pieces.append(self._first_screen_made)
        # the rows below: full-width panels, half-width ones in pairs; row i is placed when its
        # first panel is built, above the rows after it that already are
        self._later: list[tuple[str, int, bool]] = []  # (panel, its row, half a row), in build order
        self._rows: list[QWidget | None] = []
        half: list[str] = []
        for name, where in later:
            if where == "wide":
                self._later.append((name, len(self._rows), False))
                self._rows.append(None)
            else:
                half.append(name)
                if len(half) == 2:
                    self._later += [(n, len(self._rows), True) for n in half]
                    self._rows.append(None)
                    half = []
        if half:
            self._later += [(n, len(self._rows), True) for n in half]
            self._rows.append(None)
        if not staged:
            while self.build_piece():
                pass

    # -- the first paint -------------------------------------------------------------------------
    @property
    def painted_once(self) -> bool:
        return self._painted

    def after_first_paint(self, then, fallback_ms: int) -> None:
        """Call `then()` on the turn after the page's first paint (or after `fallback_ms`), once."""
        self._after_paint.append(then)
        # painted already: the next turn (the paint's own call has run; no other would come)
        QTimer.singleShot(0 if self._painted else fallback_ms, self, self._run_after_paint)

    def _run_after_paint(self) -> None:
        self._last_step = time.perf_counter()  # the page's next step a frame after this turn
        waiting, self._after_paint = self._after_paint, []
        for then in waiting:
            then()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            self.widget().removeEventFilter(self)
            if self._after_paint:
                QTimer.singleShot(0, self, self._run_after_paint)
        return super().eventFilter(watched, event)

    # -- the first screen, piece by piece ---------------------------------------------------------
    @property
    def first_screen_built(self) -> bool:
        return not self._pieces

    def build_piece(self) -> bool:
        """Make the next piece of the first screen (False: there was none left). A page in a shown
        window polishes the piece now (the style sheet's rules resolved for its widgets), not all
        of them when the page is first shown."""
        if not self._pieces:
            return False
        made = self._pieces.pop(0)()
        if self.window().isVisible():
            for w in made or ():
                w.ensurePolished()
        self._last_step = time.perf_counter()  # the page's own next step waits a frame after this one
        return True

    def _make_header(self) -> tuple:
        self.title = QLabel(f"{self.dashboard.title} overview")
        self.title.setObjectName("PageTitle")
        self.subtitle = QLabel("Loading the data file\u2026")
        self.subtitle.setObjectName("PageSubtitle")
        self.controls = QtControlsBar()
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
        self._place_header(False)
        self.banner = QtBanner()
        self._body_layout.addLayout(self._header)
        self._body_layout.addWidget(self.banner)
        return self._titles, self.controls, self.banner

    def _make_cards(self) -> tuple:
        d = self.dashboard
        self._now = QLabel("NOW \u00b7 CORE METRICS")
        self._now.setObjectName("Overline")
        self.cards = {s.key: QtKpiCard(s.key, s.label, "primary") for s in d.tier("card")}
        self.highlights = {s.key: QtKpiCard(s.key, s.label, "highlight") for s in d.tier("highlight")}
        self.primary_grid = QtKpiGrid(list(self.cards.values()), min_card=148)
        self.highlight_grid = QtKpiGrid(list(self.highlights.values()), min_card=210)
        for card in self.all_cards():
            card.activated.connect(self._on_card_activated)
        for w in (self._now, self.primary_grid, self.highlight_grid):
            self._body_layout.addWidget(w)
        return self._now, self.primary_grid, self.highlight_grid

    def _make_summary(self) -> tuple:
        self.summary = QtSummaryPanel()
        self.summary.setVisible("summary" in [p.name for p in self.dashboard.panels])
        self._body_layout.addWidget(self.summary)
        return (self.summary,)

    def _make_lower(self) -> tuple:
        """The trend's place ("Loading chart…" until it is made) and the column beside it."""
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
        self._side = QVBoxLayout()
        self._side.setSpacing(theme.SPACE["md"])
        lower = QHBoxLayout()
        lower.setSpacing(theme.SPACE["md"])
        lower.addWidget(self.chart_holder, 11)
        lower.addLayout(self._side, 8)
        self._lower_layout = lower
        lower_box = QWidget()
        lower_box.setLayout(lower)
        lower.setContentsMargins(0, 0, 0, 0)
        lower_box.setMinimumHeight(LOWER_MIN[False])
        lower_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self._lower = lower_box
        self._body_layout.addWidget(lower_box, 1)
        self._place_lower(False)
        return (lower_box,)

    def _make_side_panel(self, name: str) -> tuple:
        """A panel beside the trend (alerts over risks; a short screen puts them in columns)."""
        w = self._make_panel(name)
        if w is None:
            return ()
        if w.min_height:
            w.setMinimumHeight(w.min_height)
        i = len(self._side_panels)
        self._side_panels.append(w)
        if self._three:
            self._lower_layout.addWidget(w, 7)
        else:
            self._side.addWidget(w, SIDE_STRETCH[min(i, len(SIDE_STRETCH) - 1)])
        if getattr(w, "over", None) is not None and self._compact is not None:
            w.over.setVisible(not self._compact)
        if hasattr(w, "set_fit") and self.presenting:
            w.set_fit(True)
        placed = self._side_panels
        self._side_need = sum(p.min_height for p in placed) + theme.SPACE["md"] * max(0, len(placed) - 1)
        if not self._compact:
            self._lower.setMinimumHeight(max(LOWER_MIN[False], self._side_need))
        if name == "alerts":
            self.alerts = w
            w.alertActivated.connect(self._on_alerts_alert_activated)
        elif name == "risks":
            self.risks = w
        self.panelAdded.emit(name)
        return (w,)

    def _first_screen_made(self) -> None:
        """The first screen is whole: fit it to the page's size, then the panels below it."""
        if self.isVisible():
            self._fit_page(self.width())
        self._schedule()

    def _place_row(self, i: int, widget: QWidget) -> None:
        lay = self._body_layout
        below = next((w for w in self._rows[i + 1:] if w is not None), None)
        if below is None:
            lay.addWidget(widget)
        else:
            lay.insertWidget(lay.indexOf(below), widget)
        self._rows[i] = widget
        if self.presenting:  # made while presenting: shown when the slide ends (set_presenting)
            widget.hide()

    # -- the panels -------------------------------------------------------------------------
    def _make_panel(self, name: str) -> QWidget | None:
        widget = make_panel(name, self.dashboard.panel(name))
        if widget is not None:
            self.panels[name] = widget
            widget.setObjectName(widget.objectName() or "Card")
            if hasattr(widget, "drilldownRequested"):
                widget.drilldownRequested.connect(self._on_panel_drilldown_requested)
        return widget

    @property
    def built(self) -> bool:
        """Every panel the dashboard names exists (those below the first screen come a turn apart)."""
        return not self._later

    def _hold_chart(self, on: bool) -> None:
        """While panels are built and drawn turn by turn, the trend keeps its height: each of those
        turns lays the page out again, and the chart (pyqtgraph, Python) took 10-20 ms per resize,
        twice a turn (squeezed, then grown back when the scroll area caught up)."""
        h = self.chart_holder
        if on and not self._chart_held and h.isVisible() and h.height() > 0:
            self._chart_held = True
            h.setFixedHeight(h.height())
        elif not on and self._chart_held:
            self._chart_held = False
            h.setMinimumHeight(CHART_MIN[bool(self._compact)])
            h.setMaximumHeight(QWIDGETSIZE_MAX)

    def _schedule(self) -> None:
        """The page's deferred work (the chart, panels' results, panels below the first screen) runs
        one step at a time, STEP_GAP_MS apart: timers posted together would otherwise all run in the
        same turn of the event loop."""
        if not self._stepping and (self._chart_wanted or self._trend_wanted or self._renders or self._later
                                   or self._pieces):
            self._stepping = True
            if self._waits_for_paint():
                self.after_first_paint(self._step_soon, STEP_GAP_MS * 20)
            else:
                self._step_soon()

    def _waits_for_paint(self) -> bool:
        """A page the window made in pieces, just shown: its first layout and paint are the longest
        turn of its making, and a step run before them (posted while it was hidden) made one frame
        with them; its steps wait for that paint."""
        return self._staged and not self._painted and self.isVisible()

    def _step_soon(self) -> None:
        # a step right after another waits a little: several turns of the loop can fall in one
        # frame, and the paint of the last step should come before the next one
        wait = STEP_GAP_MS - (time.perf_counter() - self._last_step) * 1000
        QTimer.singleShot(max(1, round(wait)), self, self._step)

    def _step(self) -> None:
        if self._waits_for_paint():
            self.after_first_paint(self._step_soon, STEP_GAP_MS * 20)  # still stepping
            return
        self._stepping = False
        self._last_step = time.perf_counter()
        if self._pieces:  # the first screen first (the window usually makes it: shell._place_views)
            self.build_piece()
        elif self._chart_wanted:
            self._chart_wanted = False
            self.ensure_chart()
        elif self._trend_wanted:
            self._draw_wanted_trend()
        elif self._later:  # the page whole first (a few ms each), then the results drawn in it
            self._build_next()
        elif self._renders:
            self._render_next()
        if self._renders or self._later or self._chart_wanted or self._trend_wanted or self._pieces:
            self._schedule()
        else:
            self._hold_chart(False)

    def ensure_chart_soon(self) -> None:
        """The trend chart (7-25 ms to make) on a turn of its own."""
        if self.chart is None:
            self._chart_wanted = True
            # a full gap from now: asked as the page is shown, whose layout and paint come first
            self._last_step = time.perf_counter()
            self._schedule()

    def _build_next(self) -> None:
        """One panel below the first screen: made, placed, given the data that came before it."""
        if not self._later:
            return
        self._hold_chart(True)
        name, i, half = self._later.pop(0)
        w = self._make_panel(name)
        if w is not None:
            if half:
                if self._rows[i] is None:
                    self._place_row(i, _Pair())
                self._rows[i].add(w)
            else:
                w.setMinimumHeight(w.min_height)
                self._place_row(i, w)
            spec = self.dashboard.panel(name)
            if self.payload is not None and spec.payload_key is not None:
                w.set_data(self.payload.get(spec.payload_key) or [], self.payload)
            elif name in self._waiting:
                self._render(name, self._waiting.pop(name))
            self.panelAdded.emit(name)
        if not self._later:
            self.panelsBuilt.emit()

    def finish_build(self) -> None:
        """Build the rest now (paper, a screenshot, a payload that came first: every panel at once)."""
        while self.build_piece():
            pass
        if self._trend_wanted:
            self._draw_wanted_trend()
        while self._later:
            self._build_next()
        if not self._renders and not self._chart_wanted and not self._trend_wanted:
            self._hold_chart(False)
    # -- layout ---------------------------------------------------------------------------
    def set_presenting(self, on: bool) -> None:
        """A slide: from the top, never scrolled, alerts and risks as many as fit + "+N more"."""
        self.presenting = on
        self.verticalScrollBar().setValue(0)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if on
                                        else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        for panel in self._side_panels:
            if hasattr(panel, "set_fit"):
                panel.set_fit(on)
        self.summary.set_presenting(on)
        # a slide is the first screen: the rows below it would squeeze the trend and the panels
        # beside it to fit, and show cut at the bottom edge (the Engineering page at 1024x768)
        for row in self._rows:
            if row is not None:
                row.setVisible(not on)
        self._compact = None
        self._fit_height()

    def set_printing(self) -> None:
        """Paper (the board pack): no buttons, no scroll bars; the alerts and risks have a
        page of their own, in full, so the trend spans the width."""
        self.printing = True
        self.finish_build()
        for w in (self.controls, self.alerts, self.risks, self.summary.toggle, self.banner):
            if w is not None:
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
            self._lower.setMinimumHeight(LOWER_MIN[True] if compact else max(LOWER_MIN[False], self._side_need))
            self._now.setVisible(not compact)
            for panel in self._side_panels:
                if getattr(panel, "over", None) is not None:
                    panel.over.setVisible(not compact)
            if self.chart is not None:
                self.chart.set_presenting(compact)
            self._place_lower(compact or self.printing)
            lay = self._body_layout
            lay.removeWidget(self.summary)
            lay.insertWidget(lay.indexOf(self._lower) + 1 if short else lay.indexOf(self._lower), self.summary)
        self._show_sparks()

    def _show_sparks(self) -> None:
        """The big cards' sparklines, unless the screen is too short or no card has a history
        to draw (Commerce): an empty line would only make every card taller."""
        h = self.viewport().height()
        room = not (self._compact and not self.presenting and h < SPARK_MIN_H)
        history = any(len(c.spark.values()) >= 2 for c in self.cards.values())
        for card in self.cards.values():
            card.spark.setVisible(room and history)

    def _place_lower(self, three: bool) -> None:
        """The side panels (alerts over risks) beside the trend, or all side by side with it."""
        if three == self._three:
            return
        self._three = three
        for panel in self._side_panels:
            self._side.removeWidget(panel)
            self._lower_layout.removeWidget(panel)
        if three:
            self._lower_layout.setStretch(0, 9)
            self._lower_layout.setStretch(1, 0)
            for panel in self._side_panels:
                self._lower_layout.addWidget(panel, 7)
        else:
            self._lower_layout.setStretch(0, 11)
            self._lower_layout.setStretch(1, 8)
            for i, panel in enumerate(self._side_panels):
                self._side.addWidget(panel, SIDE_STRETCH[min(i, len(SIDE_STRETCH) - 1)])

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
        if not self._pieces:  # a page still being made fits itself once its first screen is whole
            self._fit_page(event.size().width())

    def _fit_page(self, width: int) -> None:
        self._fit_header(width)
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
            while self.build_piece():  # its place is part of the first screen
                pass
            self.chart = _chart_for(self.dashboard.trend)
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
        # a payload that comes before the page is whole (a small or cached file: tens of ms) finds
        # every panel there, as its readers expect; a big file's comes long after the last one
        self._trend_wanted = False  # an older payload's trend still waiting is never drawn
        self.finish_build()
        self.payload = payload
        span, what = window_text(payload)
        self.title.setText(span)
        self.subtitle.setText(what)
        self._fit_header(self.width())
        d = self.dashboard
        n, usual = usual_compare(d, payload)
        history = payload.get("meta", {}).get("history") or {}
        for entry in payload.get(d.kpis_key, []):
            key = entry["key"]
            if key in self.cards or key in self.highlights:
                spec = d.kpi(key)
                # the declaration says how it reads and which way is good; the payload may say too
                full = full_entry(spec, entry, history)
                # no comparison, no full prior period, an entered value: the card says so
                said = spec.compare or compare_text(full, n, usual)
                self.card(key).set_entry(full, said, self._drill_titles.get(key, ""))
        self._show_sparks()
        if self._staged and self.chart is not None and self.isVisible():
            # the trend a frame after the cards (its axes are drawn again for new data, ~10 ms of
            # Python, with the cards' layout and paint it made one long frame); a newer payload
            # before that step replaces this one, never drawn
            self._trend_wanted = True
            self._schedule()
        else:
            self.set_trend(payload)
        for panel in d.panels:
            widget = self.panels.get(panel.name)
            if widget is not None and panel.payload_key is not None:
                widget.set_data(payload.get(panel.payload_key) or [], payload)

    def _draw_wanted_trend(self) -> None:
        self._trend_wanted = False
        if self.payload is not None:
            self.set_trend(self.payload)

    def set_trend(self, payload: dict) -> None:
        self._trend_wanted = False  # what this draws is newer than the payload whose trend was waiting
        tf = payload["timeframe"]
        gran = tf["granularity"]
        d = self.dashboard
        # the money symbol: the payload's meta, else the unit of its first money KPI
        currency = payload.get("meta", {}).get("currency") or next(
            (e.get("unit") for e in payload.get(d.kpis_key, []) if e.get("key") in self.cards
             and d.kpi(e["key"]).format == "currency" and e.get("unit")), "£")
        sub = f"by {gran} \u00b7 {currency}"
        if d.trend.series[0].format != "currency":
            sub = f"by {gran}"
        args = (payload.get(d.trend.payload_key, []), gran, currency, sub)
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
        if self.alerts is not None:
            self.alerts.set_alerts(alerts)

    def set_panel_data(self, name: str, data) -> None:
        """What a panel's own query returned (run on a worker thread by the window). Rendered on a
        later turn of the event loop, one panel a turn: results that land together (the Commerce
        page asks for seven at once) would otherwise be drawn in one long frame."""
        if name not in self.panels:
            self._waiting[name] = data  # drawn when the panel is built
            return
        self._render(name, data)

    def _render(self, name: str, data) -> None:
        self._renders.pop(name, None)
        self._renders[name] = data  # the newest result of a panel replaces one not yet drawn
        self._schedule()

    def _render_next(self) -> None:
        self._hold_chart(True)
        name = next(iter(self._renders))
        data = self._renders.pop(name)
        self.panels[name].set_data(data, self.payload)

    def paint_targets(self) -> list:
        """Widgets whose `painted` signal marks the screen as drawn (cards, chart)."""
        out = list(self.all_cards())
        if self.chart is not None:
            out.append(self.chart)
        return out

    def _on_panel_drilldown_requested(self, key: str) -> None:
        self.drilldownRequested.emit(key, time.perf_counter())

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
