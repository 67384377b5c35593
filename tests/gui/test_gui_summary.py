"""The Now / Reason / Action panel and the unusual-month marks, in the window."""

from __future__ import annotations

import shutil
import sqlite3

import pytest


def _core_summary(path):
    from execdash_desktop.engine import Engine
    from execdash_desktop.packs.executive.narrative import build_summary
    from execdash_desktop.store import open_reader

    engine = Engine()
    conn = open_reader(path)
    try:
        return build_summary(conn, engine.source(path), engine.payload(path, "12m", "month"))
    finally:
        conn.close()


@pytest.fixture
def spiked_file(demo_master, tmp_path):
    """The demo file with Recognized revenue of 2026-06 planted at 4x."""
    p = tmp_path / "spike.sqlite"
    shutil.copyfile(demo_master, p)
    conn = sqlite3.connect(p)
    with conn:
        conn.execute("UPDATE revenue_trend SET recognized = recognized * 4 WHERE period = '2026-06'")
    conn.close()
    return p


def test_summary_panel_shows_the_cores_sentences(window, qtbot, data_file):
    panel = window.page.summary
    qtbot.waitUntil(lambda: bool(panel.sentences()), timeout=10_000)
    want = _core_summary(data_file)
    assert panel.sentences() == [s.text for s in want.sentences]
    assert 3 <= len(panel.sentences()) <= 6
    assert panel.isVisible()
    panel.set_expanded(False, by_user=True)
    assert panel.headline.isVisible() and not panel.body.isVisible()
    assert panel.toggle.text() == f"All {len(want.sentences)}"
    panel.toggle.click()
    assert panel.expanded and panel.body.isVisible()


def test_summary_follows_the_range(window, qtbot, data_file):
    panel = window.page.summary
    qtbot.waitUntil(lambda: bool(panel.sentences()), timeout=10_000)
    before = panel.sentences()
    window.page.controls.range_buttons["3m"].click()
    qtbot.waitUntil(lambda: panel.sentences() != before, timeout=10_000)
    assert all("None" not in s and "nan" not in s for s in panel.sentences())


def test_planted_spike_is_marked_on_the_trend_and_the_drilldown(make_window, spiked_file, qtbot):
    window = make_window(spiked_file)
    chart = window.page.chart
    qtbot.waitUntil(lambda: ("2026-06", "recognized") in chart.marked(), timeout=10_000)
    assert any("Jun 2026" in s for s in window.page.summary.sentences())
    # by quarter the ring sits on the quarter holding the month
    window.page.controls.choose_granularity("quarter")
    assert ("2026-Q2", "recognized") in chart.marked()
    window.page.controls.choose_granularity("month")
    tab = window.drilldowns.open("finance/revenue")
    qtbot.waitUntil(lambda: tab.chart is not None, timeout=10_000)
    assert "2026-06" in tab.chart.marked_periods()


def test_a_file_without_alerts_risks_or_retention_gets_no_sentence_about_them(make_window, demo_master, tmp_path, qtbot):
    p = tmp_path / "bare.sqlite"
    shutil.copyfile(demo_master, p)
    conn = sqlite3.connect(p)
    with conn:
        for t in ("alerts", "risks", "retention_nrr"):
            conn.execute(f"DROP TABLE {t}")
    conn.close()
    window = make_window(p)
    panel = window.page.summary
    want = _core_summary(p)
    qtbot.waitUntil(lambda: panel.sentences() == [s.text for s in want.sentences], timeout=10_000)
    assert not any(s.section == "action" for s in want.sentences)
    assert all("NRR" not in s for s in panel.sentences())
