"""Issue 11 in the window: cards that say what they compare, points, payback, unusual months."""

from __future__ import annotations

import shutil
import sqlite3

from execdash_desktop.format import format_change


def _cards_ready(window, qtbot):
    qtbot.waitUntil(lambda: window.page.payload is not None, timeout=10_000)
    return {e["key"]: e for e in window.page.payload["executiveKpis"]}


def test_cards_say_no_full_prior_period_and_show_points(window, qtbot):
    _cards_ready(window, qtbot)
    window.page.controls.choose_as_of("2026-06")
    qtbot.waitUntil(lambda: window.page.payload["meta"]["as_of"] == "2026-06", timeout=10_000)
    entries = {e["key"]: e for e in window.page.payload["executiveKpis"]}
    revenue = window.page.card("revenue")
    assert entries["revenue"]["delta"] is None
    assert revenue.compare.text() == "no full prior period"
    assert "full prior period" in revenue.toolTip()
    gm = window.page.card("gm")
    assert gm.delta_text() == format_change(entries["gm"]) or entries["gm"]["delta"] is None
    nrr = window.page.card("nrr")
    assert nrr.delta_text().endswith(" pp") or nrr.delta_text().endswith("unchanged")
    assert "%" not in nrr.delta_text()
    for key in ("revenue", "uptime", "gm", "book_to_bill", "backlog", "arr"):
        assert "-0.0" not in window.page.card(key).delta_text()


def test_payback_reads_as_entered_without_a_sparkline(window, qtbot):
    entries = _cards_ready(window, qtbot)
    card = window.page.card("payback")
    assert entries["payback"]["comparison"] == "entered"
    assert card.compare.text() == ""
    assert "vs prior" not in card.compare.text()
    assert card.spark.values() == []
    assert "Entered in the data file" in card.toolTip()


def test_the_unusual_months_setting_rings_more_less_or_nothing(window, qtbot):
    chart = window.page.chart
    qtbot.waitUntil(lambda: ("2026-08", "backlog") in chart.marked(), timeout=10_000)
    window.menus.unusual_months["off"].trigger()
    qtbot.waitUntil(lambda: not chart.marked(), timeout=10_000)
    assert window.settings.unusual_months == "off"
    window.menus.unusual_months["normal"].trigger()
    qtbot.waitUntil(lambda: ("2026-08", "backlog") in chart.marked(), timeout=10_000)
    assert window.settings.unusual_months == "normal"


def test_the_skipped_rows_are_in_the_tooltip_and_the_drilldown(make_window, demo_master, tmp_path, qtbot):
    path = tmp_path / "messy.sqlite"
    shutil.copyfile(demo_master, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE orders SET profit = 'n/a' WHERE id IN (SELECT id FROM orders "
                     "WHERE order_date >= '2026-10' LIMIT 2)")
    conn.close()
    window = make_window(path)
    qtbot.waitUntil(lambda: window.page.payload is not None, timeout=10_000)
    assert "2 rows skipped: an order profit that is not a number" in window.page.card("gm").toolTip()
    tab = window.drilldowns.open("finance/gm")
    qtbot.waitUntil(lambda: tab.drilldown is not None, timeout=10_000)
    assert any("2 orders skipped: the profit is not a number" in n for n in tab.drilldown.notes)
