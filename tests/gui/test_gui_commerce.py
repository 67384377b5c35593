"""The Commerce page rendered by the shell from its declaration alone: eight cards with targets, the
generic panels (tables, progress bar, pass/warn/fail checks), a missing table greying only its panel,
and a click on the checks opening the failing rows."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def commerce_master(demo_master, tmp_path_factory) -> Path:
    """The Executive demo plus a small Commerce demo (made once, never written to)."""
    p = tmp_path_factory.mktemp("commerce") / "three.sqlite"
    shutil.copyfile(demo_master, p)
    _write_commerce_demo(p, seed=7, orders=6000, conversations=3000, days=120)
    return p


def _write_commerce_demo(path: Path, **sizes) -> None:
    """The Commerce demo's tables (seeded, ending October 2026) written into `path`."""
    from execdash_desktop.dashboards import registry

    conn = sqlite3.connect(path)
    try:
        registry.get("commerce").demo(conn, end="2026-10", **sizes)
        conn.commit()
    finally:
        conn.close()


def _commerce(make_window, path, qtbot, **kw):
    w = make_window(path, **kw)
    qtbot.waitUntil(lambda: "commerce" in w.views, timeout=15_000)
    w.show_dashboard("commerce")
    v = w.views["commerce"]
    qtbot.waitUntil(lambda: v.session.payload is not None, timeout=30_000)
    return w, v


def test_commerce_page_from_its_declaration(make_window, commerce_master, tmp_path, qtbot):
    from execdash_desktop.engine import Engine

    path = tmp_path / "c.sqlite"
    shutil.copyfile(commerce_master, path)
    w, v = _commerce(make_window, path, qtbot)
    page = v.page
    want = Engine().payload(path, "12m", "month", dashboard="commerce")
    assert set(page.cards) == {e["key"] for e in want["commerceKpis"]} and len(page.cards) == 8
    aov = page.card("aov_30d")
    qtbot.waitUntil(lambda: aov.entry() is not None, timeout=10_000)
    assert aov.compare.text() == "target $250" and "vs 30 days before" in aov.toolTip()
    assert "target < 30 min" in page.card("first_response_p50_7d").compare.text()
    panels = page.panels
    for name in ("stock_alerts", "fulfillment_health", "cx_health", "milestones", "operator_sla", "time_saved",
                 "data_quality"):
        assert name in panels, name
    checks = panels["data_quality"]
    qtbot.waitUntil(lambda: checks.table.rowCount() == 10, timeout=20_000)
    results = [checks.table.item(i, 0).text() for i in range(10)]
    assert set(results) <= {"PASS", "WARN", "FAIL"} and "FAIL" in results
    alerts = panels["stock_alerts"]
    qtbot.waitUntil(lambda: alerts.table.rowCount() > 0, timeout=10_000)
    assert alerts.table.item(0, 0).text() == "Critical" and alerts.table.item(0, 1).text() == "HR-0007"
    bar = panels["milestones"]
    qtbot.waitUntil(lambda: bar.bar.value() > 0, timeout=10_000)
    # failing rows one click away
    with qtbot.waitSignal(checks.drilldownRequested, timeout=5000) as sig:
        checks.table.cellClicked.emit(1, 0)
    assert sig.args == ["quality/checks"]


def test_a_missing_table_greys_only_its_panel(make_window, commerce_master, tmp_path, qtbot):
    path = tmp_path / "c.sqlite"
    shutil.copyfile(commerce_master, path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE cx_conversations")
    conn.commit()
    conn.close()
    w, v = _commerce(make_window, path, qtbot)
    cx = v.page.panels["cx_health"]
    qtbot.waitUntil(lambda: not cx.isEnabled(), timeout=20_000)
    assert "cx_conversations" in cx.note.text()
    ful = v.page.panels["fulfillment_health"]
    qtbot.waitUntil(lambda: ful.table.rowCount() > 0, timeout=20_000)
    assert ful.isEnabled()


def test_commerce_trend_marks_the_partial_month(make_window, commerce_master, tmp_path, qtbot):
    path = tmp_path / "c.sqlite"
    shutil.copyfile(commerce_master, path)
    w, v = _commerce(make_window, path, qtbot)
    chart = v.page.ensure_chart()
    qtbot.waitUntil(lambda: chart.rows() != [], timeout=20_000)
    assert chart.rows()[-1]["partial"] is True and chart.rows()[-1]["period"] == "2026-10"
    assert "partial" in chart.subtitle.text() and "(partial)" in chart.hover_text(len(chart.rows()) - 1)


def test_a_stock_alert_row_opens_that_products_history(make_window, commerce_master, tmp_path, qtbot):
    path = tmp_path / "c.sqlite"
    shutil.copyfile(commerce_master, path)
    w, v = _commerce(make_window, path, qtbot)
    alerts = v.page.panels["stock_alerts"]
    qtbot.waitUntil(lambda: alerts.table.rowCount() > 1, timeout=10_000)
    sku = alerts.table.item(1, 1).text()  # not the most urgent one
    assert sku != alerts.table.item(0, 1).text()
    alerts.table.cellClicked.emit(1, 0)
    key = f"inventory/history?{sku}"
    qtbot.waitUntil(lambda: v.drilldowns.tab(key) is not None and v.drilldowns.tab(key).drilldown is not None,
                    timeout=20_000)
    tab = v.drilldowns.tab(key)
    assert tab.drilldown.tables[0].title.startswith(f"Stock of {sku}") and tab.drilldown.tables[0].rows
    assert w.tabs.tabText(w.tabs.indexOf(tab)).endswith(f": {sku}")


def test_a_table_panel_shows_its_first_rows_and_says_how_many_more(qtbot):
    """A dashboard panel is a glance: 50 rows at most (thousands froze the window), the count
    of the rest, and the row clicked still opens its own drill-down."""
    from execdash_desktop.ui.dashboard.panels.generic import PANEL_ROWS, QtGenericPanel

    panel = QtGenericPanel("Stock alerts", "table")
    qtbot.addWidget(panel)
    rows = [(f"HR-{i:04d}", i) for i in range(1234)]
    panel.set_data({"columns": ("Product", "Available"), "formats": ("text", "int"), "rows": rows,
                    "row_drilldowns": [f"inventory/history?HR-{i:04d}" for i in range(1234)]})
    assert panel.table.rowCount() == PANEL_ROWS == 50
    assert panel.table.item(49, 0).text() == "HR-0049"
    assert "The first 50 of 1,234" in panel.note.text()
    with qtbot.waitSignal(panel.drilldownRequested) as opened:
        panel._on_table_cell_clicked(3, 0)
    assert opened.args == ["inventory/history?HR-0003"]
    panel.set_data({"columns": ("Product", "Available"), "formats": ("text",), "rows": rows[:5]})  # a format short
    assert panel.table.rowCount() == 5 and "first" not in panel.note.text()
    # dates written as text by a panel read as everywhere else ("26 Oct 2026", not 2026-10-26)
    panel.set_data({"columns": ("Escalation", "Opened"), "formats": ("text", "text"),
                    "rows": [("50007896", "2026-10-26")]})
    assert panel.table.item(0, 1).text() == "26 Oct 2026" and panel.table.item(0, 0).text() == "50007896"


def test_the_page_builds_the_panels_below_the_first_screen_a_turn_at_a_time(qtbot, theme_light):
    """The panels beside the trend exist at once; those below come one per event-loop turn, in the
    declared order and rows, and a result that landed before its panel is drawn when it comes."""
    from execdash_desktop.dashboards import registry
    from execdash_desktop.ui.dashboard.page import QWIDGETSIZE_MAX, QtDashboardPage

    page = QtDashboardPage(dashboard=registry.get("commerce"))
    qtbot.addWidget(page)
    page.resize(1440, 900)
    page.show()
    assert set(page.panels) == {"stock_alerts", "milestones"} and not page.built
    added: list[str] = []
    page.panelAdded.connect(added.append)
    checks = {"rows": [{"check": "fresh", "title": "Data is up to date", "status": "fail", "failing": 3,
                        "examples": ["26 Oct 2026"]}], "drilldown": "quality/checks"}
    page.set_panel_data("data_quality", checks)  # before its panel exists
    qtbot.waitUntil(lambda: page.built, timeout=5000)
    assert added == ["fulfillment_health", "cx_health", "data_quality", "operator_sla", "time_saved"]
    lay = page._body_layout

    def row_of(name: str) -> int:
        w = page.panels[name]
        while w.parentWidget() is not page.widget():
            w = w.parentWidget()
        return lay.indexOf(w)

    assert row_of("fulfillment_health") == row_of("cx_health") < row_of("data_quality") \
        < row_of("operator_sla") == row_of("time_saved")  # half-width ones in pairs, as declared
    dq = page.panels["data_quality"]
    qtbot.waitUntil(lambda: dq.table.rowCount() == 1, timeout=5000)
    assert dq.table.item(0, 0).text() == "FAIL" and dq.table.item(0, 1).text() == "Data is up to date"
    qtbot.waitUntil(lambda: page.chart_holder.maximumHeight() == QWIDGETSIZE_MAX, timeout=5000)  # let go


def test_paper_builds_every_panel_at_once(qtbot, theme_light):
    from execdash_desktop.dashboards import registry
    from execdash_desktop.ui.dashboard.page import QtDashboardPage

    page = QtDashboardPage(dashboard=registry.get("commerce"))
    qtbot.addWidget(page)
    page.set_printing()
    assert page.built and len(page.panels) == 7


def _page_picture(page) -> dict:
    """What a reader sees on a page: the body's rows in order (by kind), every card's value and
    comparison, every payload panel's table."""
    from PySide6.QtWidgets import QWidget

    lay = page._body_layout
    rows = []
    for i in range(lay.count()):
        item = lay.itemAt(i)
        w = item.widget()
        rows.append(type(w).__name__ if isinstance(w, QWidget) else "layout")
    tables = {}
    for name, w in page.panels.items():
        t = getattr(w, "table", None)
        if t is not None:
            tables[name] = [[t.item(r, c).text() if t.item(r, c) else "" for c in range(t.columnCount())]
                            for r in range(t.rowCount())]
    cards = {k: (c.value.text(), c.compare.text()) for k, c in zip(page.cards, page.all_cards())}
    return {"rows": rows, "panels": sorted(page.panels), "tables": tables, "cards": cards,
            "title": page.title.text(), "subtitle": page.subtitle.text()}


def test_a_page_made_piece_by_piece_is_the_page_made_at_once(commerce_master, tmp_path, qtbot, theme_light):
    """Staged (the window makes a new dashboard's page one piece a turn), the page ends with every
    panel, in the same rows, showing the same data as a page made at once."""
    from PySide6.QtWidgets import QWidget

    from execdash_desktop.dashboards import registry
    from execdash_desktop.engine import Engine
    from execdash_desktop.ui.dashboard.page import QtDashboardPage, window_text

    path = tmp_path / "c.sqlite"
    shutil.copyfile(commerce_master, path)
    payload = Engine().payload(path, "12m", "month", dashboard="commerce")
    d = registry.get("commerce")
    host = QWidget()  # a shown window: each piece is polished as it is put in
    qtbot.addWidget(host)
    host.resize(1440, 900)
    host.show()
    staged = QtDashboardPage(host, dashboard=d, staged=True)
    staged.resize(1440, 900)
    staged.show()
    assert not staged.first_screen_built and staged.panels == {}
    added: list[str] = []
    staged.panelAdded.connect(added.append)
    pieces = 0
    while staged.build_piece():
        pieces += 1
        assert staged.isVisible()
    assert pieces >= 6 and staged.first_screen_built and added == ["stock_alerts", "milestones"]
    checks = {"rows": [{"check": "fresh", "title": "Data is up to date", "status": "fail", "failing": 3,
                        "examples": ["26 Oct 2026"]}], "drilldown": "quality/checks"}
    staged.set_panel_data("data_quality", checks)  # a panel's own result, before that panel is made
    qtbot.waitUntil(lambda: staged.built, timeout=5000)  # the panels below, one a turn, as before
    at_once = QtDashboardPage(dashboard=d)
    qtbot.addWidget(at_once)
    at_once.resize(1440, 900)
    at_once.show()
    at_once.finish_build()
    at_once.set_panel_data("data_quality", checks)
    for page in (staged, at_once):
        page.set_payload(payload)
        qtbot.waitUntil(lambda page=page: page.panels["data_quality"].table.rowCount() == 1, timeout=5000)
    a, b = _page_picture(staged), _page_picture(at_once)
    assert a == b
    assert a["panels"] == sorted(["stock_alerts", "milestones", "fulfillment_health", "cx_health", "data_quality",
                                  "operator_sla", "time_saved"])
    assert a["tables"]["data_quality"][0][:2] == ["FAIL", "Data is up to date"]
    assert a["title"] == window_text(payload)[0] and all(v != "\u2014" for v, _ in a["cards"].values())


def test_a_payload_before_the_first_screen_is_made_makes_it_all(commerce_master, tmp_path, qtbot, theme_light):
    """A small file's payload can land before the window made the page's pieces: the page is then
    made whole at once, and shows the payload."""
    from execdash_desktop.dashboards import registry
    from execdash_desktop.engine import Engine
    from execdash_desktop.ui.dashboard.page import QtDashboardPage, window_text

    path = tmp_path / "c.sqlite"
    shutil.copyfile(commerce_master, path)
    payload = Engine().payload(path, "12m", "month", dashboard="commerce")
    page = QtDashboardPage(dashboard=registry.get("commerce"), staged=True)
    qtbot.addWidget(page)
    page.show()
    page.set_payload(payload)
    assert page.first_screen_built and page.built and len(page.panels) == 7
    aov = next(e for e in payload["commerceKpis"] if e["key"] == "aov_30d")
    assert page.card("aov_30d").entry()["value"] == aov["value"]
    assert page.title.text() == window_text(payload)[0]


def test_the_window_puts_a_new_dashboard_in_before_its_page_is_whole(make_window, commerce_master, tmp_path,
                                                                      qtbot):
    """The view of a dashboard the file holds goes into the window's stack with an empty page, which is
    then made over turns of the event loop; it is registered once its first screen is whole."""
    path = tmp_path / "c.sqlite"
    shutil.copyfile(commerce_master, path)
    w = make_window(path)
    seen = []

    def partial() -> bool:
        v = w._made_views.get("commerce")
        if v is not None and not v.page.first_screen_built:
            seen.append((w.stack.indexOf(v.tabs) >= 0, "commerce" in w.views, len(v.page._pieces)))
        return "commerce" in w.views

    qtbot.waitUntil(partial, timeout=15_000)
    assert seen and all(stacked and not registered for stacked, registered, _n in seen)
    assert len({n for _s, _r, n in seen}) > 1  # seen part-made more than once: made over several turns
    v = w.views["commerce"]
    assert v.page.first_screen_built and w.stack.indexOf(v.tabs) >= 0 and w._made_views == {}
    w.show_dashboard("commerce")
    qtbot.waitUntil(lambda: v.session.payload is not None and v.page.built, timeout=30_000)
    assert len(v.page.panels) == 7


def test_a_new_dashboard_reads_its_file_once_its_page_has_painted(make_window, tmp_path, qtbot):
    """A file with only Commerce: its view is made, shown, and its page paints before the file is read
    (the read's worker would hold the interpreter through that paint); then it loads as usual."""
    path = tmp_path / "only-commerce.sqlite"
    _write_commerce_demo(path, seed=3, orders=2000, conversations=1000, days=60)
    w = make_window()
    w.open_file(path)
    qtbot.waitUntil(lambda: "commerce" in w._made_views or "commerce" in w.views, timeout=15_000)
    v = w._made_views.get("commerce")
    assert v is not None  # seen while being made (over several turns)
    painted_at_open: list[bool] = []
    read = v.session.open

    def open_noting(p) -> None:  # the real open, noting whether the page had painted by then
        painted_at_open.append(v.page.painted_once)
        read(p)

    v.session.open = open_noting
    qtbot.waitUntil(lambda: v.session.payload is not None, timeout=30_000)
    assert w.current is v and painted_at_open == [True]



def _staged_page_noting_its_first_paint(qtbot, order: list[str]):
    """A Commerce page made in pieces (hidden) that appends "paint" to `order` at its first paint."""
    from PySide6.QtCore import QEvent, QObject

    from execdash_desktop.dashboards import registry
    from execdash_desktop.ui.dashboard.page import QtDashboardPage

    class Watch(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and "paint" not in order:
                order.append("paint")
            return False

    page = QtDashboardPage(dashboard=registry.get("commerce"), staged=True)
    qtbot.addWidget(page)
    page._paint_watch = Watch()  # kept alive with the page
    page.widget().installEventFilter(page._paint_watch)
    return page


def test_after_first_paint_waits_for_the_paint_or_the_fallback(qtbot, theme_light):
    from execdash_desktop.dashboards import registry
    from execdash_desktop.ui.dashboard.page import QtDashboardPage

    order: list[str] = []
    page = _staged_page_noting_its_first_paint(qtbot, order)
    while page.build_piece():
        pass
    page.after_first_paint(lambda: order.append("then"), 60_000)
    page.show()
    qtbot.waitUntil(lambda: "then" in order, timeout=5000)
    assert order == ["paint", "then"] and page.painted_once
    page.after_first_paint(lambda: order.append("again"), 60_000)  # painted already: the next turn
    qtbot.waitUntil(lambda: "again" in order, timeout=5000)
    hidden = QtDashboardPage(dashboard=registry.get("commerce"), staged=True)  # never shown: the fallback
    qtbot.addWidget(hidden)
    hidden.after_first_paint(lambda: order.append("fallback"), 50)
    qtbot.waitUntil(lambda: "fallback" in order, timeout=5000)
    assert not hidden.painted_once


def test_a_shown_page_draws_the_newest_payloads_trend_a_step_after_its_cards(commerce_master, tmp_path, qtbot,
                                                                               theme_light):
    """On a page the window made in pieces, a payload's cards are drawn at once and its trend on the
    page's next step; a payload replaced before that step never has its trend drawn."""
    from execdash_desktop.dashboards import registry
    from execdash_desktop.engine import Engine
    from execdash_desktop.ui.dashboard.page import QtDashboardPage, window_text

    path = tmp_path / "c.sqlite"
    shutil.copyfile(commerce_master, path)
    engine = Engine()
    older = engine.payload(path, "12m", "month", dashboard="commerce")
    newer = engine.payload(path, "3m", "month", dashboard="commerce")
    d = registry.get("commerce")
    page = QtDashboardPage(dashboard=d, staged=True)
    qtbot.addWidget(page)
    page.resize(1440, 900)
    page.show()
    page.ensure_chart()
    qtbot.waitUntil(lambda: page.painted_once, timeout=5000)
    chart = page.chart
    drawn = chart.renders
    page.set_payload(older)
    page.set_payload(newer)  # before the page's next step
    assert page.title.text() == window_text(newer)[0] and chart.renders == drawn  # cards now, trend later
    qtbot.waitUntil(lambda: chart.renders > drawn, timeout=5000)
    assert chart.renders == drawn + 1  # the older payload's trend was never drawn
    assert chart.rows() == [dict(r) for r in newer[d.trend.payload_key]] != \
        [dict(r) for r in older[d.trend.payload_key]]
    page.set_payload(older)
    page.set_trend(newer)  # a trend drawn directly (a granularity switch) is newer than the waiting one
    page.finish_build()
    assert chart.rows() == [dict(r) for r in newer[d.trend.payload_key]]


def test_a_step_due_before_the_first_paint_waits_for_it(qtbot, theme_light):
    """A page made in pieces while hidden has its next step (a panel below) already due when it is
    shown: that step runs after the page's first paint, not in the same frame."""
    order: list[str] = []
    page = _staged_page_noting_its_first_paint(qtbot, order)
    page.panelAdded.connect(lambda name: order.append(name))
    while page.build_piece():  # hidden: the side panels, then the panels below are due
        pass
    assert order == ["stock_alerts", "milestones"] and not page.built
    page.show()
    page._step()  # the step's timer firing before the paint: it waits
    assert order == ["stock_alerts", "milestones"]
    qtbot.waitUntil(lambda: page.built, timeout=5000)
    assert order[2] == "paint" and order[3:] == ["fulfillment_health", "cx_health", "data_quality", "operator_sla",
                                                 "time_saved"]


def _cards(page) -> dict:
    return {key: (c.value.text(), c.compare.text()) for key, c in page.cards.items()}


def test_the_window_reads_commerce_in_the_loader_process_and_without_it(make_window, commerce_master, tmp_path,
                                                                       qtbot, monkeypatch):
    """The Commerce file is read in a child process (load_apart.py: its scans would hold the window's
    interpreter lock); the page shows what a read in the window's own process shows when the child
    cannot start, and closing the window stops the child."""
    import multiprocessing

    from execdash_desktop.load_apart import ApartLoader, LoaderUnavailable

    path = tmp_path / "c.sqlite"
    shutil.copyfile(commerce_master, path)
    w, v = _commerce(make_window, path, qtbot)
    loaders = [p for p in multiprocessing.active_children() if p.name == "execdash-loader"]
    assert len(loaders) == 1 and loaders[0].is_alive()
    qtbot.waitUntil(lambda: all(c.entry() is not None for c in v.page.cards.values()), timeout=10_000)
    apart = _cards(v.page)
    w.close()
    qtbot.waitUntil(lambda: not loaders[0].is_alive(), timeout=10_000)

    def cannot_start(self):
        raise LoaderUnavailable("no processes here")

    monkeypatch.setattr(ApartLoader, "_started", cannot_start)
    w2, v2 = _commerce(make_window, path, qtbot)
    qtbot.waitUntil(lambda: all(c.entry() is not None for c in v2.page.cards.values()), timeout=10_000)
    assert _cards(v2.page) == apart
    assert not [p for p in multiprocessing.active_children() if p.name == "execdash-loader" and p.is_alive()]


def _cut_cards(cards) -> list[str]:
    """The cards drawn cut: shorter than they ask, the delta over the value, or a label short of its lines."""
    out = []
    for c in cards:
        lines = 2 if c.label.wordWrap() else 1
        if (c.height() < c.sizeHint().height() or c.value.geometry().bottom() >= c.delta.geometry().top()
                or c.label.height() < lines * c.label.fontMetrics().lineSpacing()):
            out.append(f"{c.key}: {c.height()} of {c.sizeHint().height()} px, value {c.value.geometry().getRect()},"
                       f" delta {c.delta.geometry().getRect()}, label {c.label.height()} px")
    return out


def test_presenting_keeps_every_card_whole(make_window, commerce_master, tmp_path, qtbot):
    """The projector's larger type makes every card taller; each card is laid out anew, so no delta
    covers its value and no label is cut (at 1024x768 five of the eight cards kept their old height,
    the value hidden behind the delta); a comparison that does not fit beside the delta is hidden,
    never cut ("target $25"); the slide is the first screen, the rows below come back after."""
    path = tmp_path / "c.sqlite"
    shutil.copyfile(commerce_master, path)
    w, v = _commerce(make_window, path, qtbot, size=(1024, 768))
    cards = list(v.page.cards.values())
    qtbot.waitUntil(lambda: all(c.entry() is not None for c in cards), timeout=10_000)
    w.settings.playlist = []
    before = {c.key: c.sizeHint().height() for c in cards}
    w._on_presentation_action_triggered()  # what F11 does
    assert w.presentation.active
    # once the projector's type has reached every card (each asks for more height), none is cut
    qtbot.waitUntil(lambda: all(c.sizeHint().height() > before[c.key] for c in cards) and not _cut_cards(cards),
                    timeout=5000)
    below = v.page.panels["data_quality"]  # a row below the first screen: not on the slide, where it
    assert not below.isVisibleTo(v.page)    # would squeeze the trend and show cut at the bottom edge
    for c in cards:
        if c.compare.isVisible():
            shown = c.compare.fontMetrics().horizontalAdvance(c.compare.text())
            assert shown <= c.compare.width(), (c.key, c.compare.text(), c.compare.width())
    w.presentation.leave()
    qtbot.waitUntil(lambda: not _cut_cards(cards), timeout=5000)
    assert below.isVisibleTo(v.page)
