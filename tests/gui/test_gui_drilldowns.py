"""Drill-down tabs: one click from each card, from alerts and from the menu."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from execdash_desktop.format import period_name
from execdash_desktop.ui.drilldown.drilldown_tab import SORT_ROLE
from execdash_desktop.packs.executive.drilldowns import (CARD_DRILLDOWN, DRILLDOWNS, build_drilldown,
                                                        drilldown_for_alert)
from execdash_desktop.packs.executive.kpis import KPI_KEYS


def _loaded(window, key):
    tab = window.drilldowns.tab(key)
    return tab is not None and tab.drilldown is not None


def test_a_click_on_each_card_opens_its_tab(window, qtbot):
    from PySide6.QtCore import Qt

    for kpi in KPI_KEYS:
        key = CARD_DRILLDOWN[kpi]
        qtbot.mouseClick(window.page.card(kpi), Qt.MouseButton.LeftButton)  # one click
        qtbot.waitUntil(lambda: _loaded(window, key), timeout=5000)
        tab = window.drilldowns.tab(key)
        assert window.tabs.currentWidget() is tab
        assert window.tabs.tabText(window.tabs.indexOf(tab)) == DRILLDOWNS[key]
        assert tab.views and tab.views[0].model().rowCount() > 0
        window.tabs.setCurrentIndex(0)
    assert len(window.drilldowns.keys()) == len(set(CARD_DRILLDOWN.values())) == 10


def test_an_open_tab_is_focused_not_reopened_and_tabs_close(window, qtbot):
    window.page.card("nrr").activated.emit("nrr")
    qtbot.waitUntil(lambda: _loaded(window, "finance/nrr"), timeout=5000)
    count = window.tabs.count()
    started = window.service.started
    window.tabs.setCurrentIndex(0)
    window.page.card("nrr").activated.emit("nrr")
    assert window.tabs.count() == count and window.service.started == started
    assert window.tabs.currentWidget() is window.drilldowns.tab("finance/nrr")
    bar = window.tabs.tabBar()
    from PySide6.QtWidgets import QTabBar

    assert bar.tabButton(0, QTabBar.ButtonPosition.RightSide) is None  # the dashboard stays
    window.tabs.tabCloseRequested.emit(0)
    assert window.tabs.widget(0) is window.page
    window.tabs.tabCloseRequested.emit(window.tabs.indexOf(window.drilldowns.tab("finance/nrr")))
    assert window.drilldowns.tab("finance/nrr") is None and window.tabs.count() == count - 1


def test_the_tab_shows_the_core_drilldown_for_the_window(window, qtbot):
    from execdash_desktop.store import open_reader

    window.page.card("revenue").activated.emit("revenue")
    qtbot.waitUntil(lambda: _loaded(window, "finance/revenue"), timeout=5000)
    tab = window.drilldowns.tab("finance/revenue")
    conn = open_reader(window.session.path)
    try:
        want = build_drilldown("finance/revenue", conn, window.session.src, window.session.window())
    finally:
        conn.close()
    assert tab.table_titles() == [t.title for t in want.tables]
    model = tab.views[0].model()
    assert model.rowCount() == len(want.tables[0].rows)
    # the period as the app says it everywhere ("Nov 2025"), sorted by the period itself
    assert model.index(0, 0).data() == period_name(want.tables[0].rows[0][0]) != want.tables[0].rows[0][0]
    assert model.index(0, 0).data(SORT_ROLE) == want.tables[0].rows[0][0]
    assert tab.chart is not None


def test_menu_reaches_customers_and_telemetry_in_two_clicks(window, qtbot):
    assert {k for n, k in window.menus.drilldowns if n == "executive"} == set(DRILLDOWNS)
    for key in ("customers", "telemetry"):
        window.menus.drilldowns[("executive", key)].trigger()
        qtbot.waitUntil(lambda: _loaded(window, key), timeout=5000)
    qtbot.waitUntil(lambda: "drilldown_timing" in window.recorder.last, timeout=5000)
    assert window.recorder.last["drilldown_timing"]["drilldown_clicks"] == 2


def test_clicking_an_alert_opens_the_drilldown_it_concerns(window, qtbot):
    alerts = window.page.alerts.rows()
    first = alerts[0]
    with qtbot.waitSignal(window.drilldowns.tabShown, timeout=5000) as sig:
        window.page.alerts.activate_row(0)
    assert sig.args[0] == drilldown_for_alert(first)
    assert window.tabs.currentWidget() is window.drilldowns.tab(sig.args[0])
    assert window.recorder.last.get("alert_click") == {}


def test_export_csv_writes_the_table_and_records_the_event(window, qtbot, tmp_path):
    window.page.card("gm").activated.emit("gm")
    qtbot.waitUntil(lambda: _loaded(window, "finance/gm"), timeout=5000)
    tab = window.drilldowns.tab("finance/gm")
    out = tab.export_csv(0, str(tmp_path / "gm.csv"))
    rows = list(csv.reader(open(out, encoding="utf-8")))
    table = tab.drilldown.tables[0]
    assert rows[0] == list(table.columns) and len(rows) == len(table.rows) + 1
    assert "export_csv" in window.recorder.last
    assert tab.export_button.isEnabled() and tab.export_button.menu() is not None  # two tables


def test_export_csv_failure_shows_the_reason_and_the_default_name_is_safe(window, qtbot, tmp_path,
                                                                          monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window.page.card("gm").activated.emit("gm")
    qtbot.waitUntil(lambda: _loaded(window, "finance/gm"), timeout=5000)
    tab = window.drilldowns.tab("finance/gm")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    assert tab.export_csv(0, str(blocker / "gm.csv")) is None  # a file where a folder should be
    assert tab.banner.isVisible() and tab.banner.tone() == "error"
    assert tab.banner.title.text() == "Could not export the CSV"
    assert tab.banner.message().startswith("gm.csv: ") and len(tab.banner.message()) > 10  # name: reason
    assert "export_csv" not in window.recorder.last
    head = Path(window.session.path).read_bytes()[:16]
    assert tab.export_csv(0, window.session.path) is None  # never over the data file
    assert "is the data file itself" in tab.banner.message()
    assert Path(window.session.path).read_bytes()[:16] == head == b"SQLite format 3\x00"

    offered = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda _p, _c, start, _f: (offered.append(start), ("", ""))[1]))
    dd = tab.drilldown
    odd = replace(dd.tables[0], title='Margin: a/b \\ c*?"<>|')
    tab.drilldown = replace(dd, tables=(odd,) + dd.tables[1:])
    assert tab.export_csv(0) is None
    name = Path(offered[0]).name
    assert name == "finance-gm-margin-a-b-c.csv", name


def test_open_tabs_follow_the_range(window, qtbot):
    window.page.card("arr").activated.emit("arr")
    qtbot.waitUntil(lambda: _loaded(window, "finance/arr"), timeout=5000)
    tab = window.drilldowns.tab("finance/arr")
    assert tab.views[0].model().rowCount() == 12
    with qtbot.waitSignal(window.drilldowns.tabShown, timeout=5000):
        window.session.set_range("3m")
    assert tab.views[0].model().rowCount() == 3


def test_prefetched_drilldowns_open_without_a_query(window, qtbot):
    tabs = window.drilldowns
    tabs.prefetch()
    qtbot.waitUntil(lambda: len(tabs._cache) == len(DRILLDOWNS), timeout=10_000)
    started = window.service.started
    with qtbot.waitSignal(tabs.tabShown, timeout=3000):
        window.page.card("uptime").activated.emit("uptime")
    assert window.service.started == started
    assert tabs.tab("operations/uptime").views[0].model().rowCount() == 12
    with qtbot.waitSignal(window.session.payloadChanged, timeout=5000):
        window.session.set_range("6m")  # a new window: the cache no longer applies
    qtbot.waitUntil(lambda: tabs.tab("operations/uptime").views[0].model().rowCount() == 6, timeout=5000)
