"""The revenue trend keeps a set of items per granularity and its axes keep their last drawings
(ui/widgets/trend_chart.py, ui/widgets/axis_cache.py): what a switch back shows must be what a
chart drawn afresh shows, in the theme of the moment."""

from __future__ import annotations

import pytest

from execdash_desktop.ui import theme

MONTHS = [{"period": f"2026-{m:02d}", "recognized": 900_000.0 + 40_000 * m, "booked": 1_000_000.0 + 30_000 * m,
           "backlog": 5_000_000.0 - 90_000 * m} for m in range(1, 13)]
QUARTERS = [{"period": f"2026-Q{q}", "recognized": 2_900_000.0 + 90_000 * q, "booked": 3_100_000.0,
             "backlog": 4_800_000.0 - 250_000 * q, "partial": q == 4} for q in range(1, 5)]


def _chart(qtbot):
    from execdash_desktop.ui.widgets.trend_chart import QtTrendChart

    chart = QtTrendChart()
    qtbot.addWidget(chart)
    chart.resize(900, 420)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def _drawn(chart):
    return chart.plot.grab().toImage()


@pytest.fixture
def light(qapp):
    mgr = theme.install(qapp, "light")
    yield mgr
    mgr.set_mode("light")


def test_switching_back_draws_what_the_first_drawing_showed(light, qtbot):
    chart = _chart(qtbot)
    chart.set_trend(MONTHS, "month")
    month = _drawn(chart)
    chart.set_trend(QUARTERS, "quarter")
    quarter = _drawn(chart)
    assert quarter != month
    assert chart.tick_labels()[-1] == "Q4 2026*" and chart.partial_note.isVisibleTo(chart)
    chart.set_trend(MONTHS, "month")
    assert _drawn(chart) == month and not chart.partial_note.isVisibleTo(chart)
    chart.set_trend(QUARTERS, "quarter")
    assert _drawn(chart) == quarter


def test_new_rows_for_a_granularity_are_drawn_not_the_kept_ones(light, qtbot):
    chart = _chart(qtbot)
    chart.set_trend(MONTHS, "month")
    chart.set_trend(QUARTERS, "quarter")
    lower = [dict(r, recognized=r["recognized"] / 2) for r in MONTHS]
    chart.set_trend(lower, "month")
    fresh = _chart(qtbot)
    fresh.set_trend(lower, "month")
    assert _drawn(chart) == _drawn(fresh)


def test_a_theme_change_reaches_the_granularity_not_on_screen(light, qtbot):
    chart = _chart(qtbot)
    chart.set_trend(MONTHS, "month")
    chart.set_trend(QUARTERS, "quarter")
    light.set_mode("dark")
    chart.set_trend(MONTHS, "month")
    fresh = _chart(qtbot)
    fresh.set_trend(MONTHS, "month")
    assert _drawn(chart) == _drawn(fresh)
