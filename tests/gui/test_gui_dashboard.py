"""The first screen: cards show the payload, the trend, alerts and risks, granularity."""

from __future__ import annotations

import pytest

from execdash_desktop.format import EM_DASH, change_tone, format_change, format_value, month_name
from execdash_desktop.packs.executive.kpis import KPI_KEYS
from execdash_desktop.packs.executive.payload import rebucket


def test_cards_show_the_payload_values_for_a_known_file(window, expected):
    page = window.page
    assert [c.key for c in page.all_cards()] == list(KPI_KEYS)  # 6 cards + 4 highlights, in order
    for entry in expected["executiveKpis"]:
        card = page.card(entry["key"])
        assert card.value_text() == format_value(entry["value"], entry["format"], entry["unit"])
        assert card.delta_text() == format_change(entry)  # points for uptime, NRR, margin (issue 11)
        assert card.tone() == change_tone(entry)
        entered = entry["comparison"] == "entered"  # CAC payback: no line pretending it moves
        assert card.spark.values() == ([] if entered else [h["value"] for h in entry["history"]])
    texts = {e["key"]: page.card(e["key"]).value_text() for e in expected["executiveKpis"]}
    assert texts["revenue"].startswith("£") and texts["revenue"][-1] in "kMB"  # compact currency
    assert texts["uptime"].endswith("%") and texts["nrr"].endswith("%")
    assert texts["book_to_bill"].endswith("x") and texts["payback"].endswith(" mo")
    assert window.status_as_of.text() == f"Data as of {month_name(expected['meta']['as_of'])}"
    assert window.windowTitle().startswith("exec.sqlite")


def test_a_null_value_shows_an_em_dash_with_the_reason(make_window, db_factory):
    rows = {"revenue_trend": [{"period": f"2026-{m:02d}", "recognized": 100.0, "booked": 110.0,
                               "backlog": 50.0} for m in range(1, 7)]}
    w = make_window(db_factory(rows))
    card = w.page.card("nrr")
    assert card.value_text() == EM_DASH
    # why, in an executive's words: what the file lacks, not its table name (the API keeps that)
    assert "retention figures" in card.toolTip() and "retention_nrr" not in card.toolTip()
    assert w.page.card("revenue").value_text() == "£600"


def test_trend_alerts_and_risks_show_the_payload(window, expected):
    page = window.page
    assert page.chart.rows() == expected["revenueTrend"]
    assert page.chart.tick_labels() == [month_name(r["period"]) for r in expected["revenueTrend"]]
    assert page.chart.legend_names() == ["Recognized", "Booked", "Backlog"]
    assert "Recognized" in page.chart.hover_text(0) and month_name(expected["revenueTrend"][0]["period"]) in page.chart.hover_text(0)
    assert page.alerts.rows() == expected["alerts"]
    sev = [a["severity"] for a in page.alerts.rows()]
    assert sev == sorted(sev, key=["high", "medium", "low"].index)
    assert [r["id"] for r in page.risks.rows()] == [r["id"] for r in expected["risks"]]
    assert any(r["overdue"] for r in page.risks.rows())


def test_granularity_switch_changes_the_chart_not_the_cards_and_never_queries(window, expected, qtbot):
    page, service = window.page, window.service
    cards_before = {c.key: (c.value_text(), c.delta_text()) for c in page.all_cards()}
    started = service.started
    with qtbot.waitSignal(page.chart.painted, timeout=3000):
        page.controls.gran_buttons["quarter"].click()
    quarters = rebucket(expected, "quarter")["revenueTrend"]
    assert page.chart.rows() == quarters
    assert all("-Q" in r["period"] for r in page.chart.rows())
    assert any(t.endswith("*") for t in page.chart.tick_labels())  # 12 months -> partial quarters starred
    assert page.chart.partial_note.isVisibleTo(page.chart)
    assert {c.key: (c.value_text(), c.delta_text()) for c in page.all_cards()} == cards_before
    assert service.started == started  # no query for a granularity switch
    qtbot.waitUntil(lambda: "switch" in window.recorder.last, timeout=3000)
    assert window.recorder.last["switch"]["switch_latency_ms"] < 200


@pytest.mark.parametrize("range_", ["3m", "24m", "ytd"])
def test_range_switch_requeries_through_the_worker_and_updates_the_cards(window, qtbot, range_):
    from execdash_desktop.engine import Engine

    started = window.service.started_kinds["source"]
    with qtbot.waitSignal(window.session.payloadChanged, timeout=5000) as sig:
        window.page.controls.range_buttons[range_].click()
    payload, cause = sig.args[0], sig.args[1]
    assert cause == "range" and payload["timeframe"]["range"] == range_
    assert window.service.started_kinds["source"] == started + 1
    want = Engine().payload(window.session.path, range_, "month")
    assert window.page.card("revenue").value_text() == format_value(
        want["executiveKpis"][0]["value"], "currency", want["executiveKpis"][0]["unit"])


def test_as_of_picker_lists_the_months_and_requeries(window, qtbot, expected):
    combo = window.page.controls.as_of
    assert combo.itemText(0).startswith("Latest (Oct 2026)")  # one month style: 'Oct 2026'
    assert combo.itemText(combo.findData("2026-06")) == "Jun 2026"
    assert combo.findData("2026-06") > 0
    with qtbot.waitSignal(window.session.payloadChanged, timeout=5000) as sig:
        window.page.controls.choose_as_of("2026-06")
    assert sig.args[1] == "as_of" and sig.args[0]["meta"]["as_of"] == "2026-06"
    assert window.status_as_of.text() == "Data as of Jun 2026"


def test_controls_have_shortcuts_in_tooltips_and_help(window, qtbot):
    from execdash_desktop.ui.menus import QtShortcutsDialog, shortcut_rows

    c = window.page.controls
    assert "(3)" in c.range_buttons["12m"].toolTip() and "(Q)" in c.gran_buttons["quarter"].toolTip()
    rows = dict((keys, what) for what, keys in shortcut_rows(window))
    for key in ("1", "2", "3", "4", "5", "M", "Q", "[", "]", "F5", "Ctrl+E"):
        assert key in rows, key
    dlg = QtShortcutsDialog(shortcut_rows(window), window)
    assert dlg.table.rowCount() >= 11
    dlg.close()
    by_key = {a.shortcut().toString(): a for a in window.actions()}
    with qtbot.waitSignal(window.session.payloadChanged, timeout=5000) as sig:
        by_key["2"].trigger()
    assert sig.args[0]["timeframe"]["range"] == "6m"
    by_key["Q"].trigger()
    assert window.session.state.granularity == "quarter"


def test_throttled_range_changes_collapse_into_the_last(window, qtbot):
    c = window.page.controls
    got = []
    c.rangeChanged.connect(lambda r, _t: got.append(r))
    c.choose_range("3m")
    c.choose_range("6m")
    c.choose_range("24m")
    assert got == ["3m"]  # the first goes at once
    qtbot.waitUntil(lambda: got == ["3m", "24m"], timeout=2000)
    qtbot.waitUntil(lambda: window.page.payload["timeframe"]["range"] == "24m", timeout=3000)


def test_the_choice_is_remembered_per_file(make_window, data_file, qtbot):
    w = make_window(data_file)
    with qtbot.waitSignal(w.session.payloadChanged, timeout=5000):
        w.page.controls.choose_range("6m")
    w.page.controls.choose_granularity("quarter")
    w.close()
    w2 = make_window(data_file)
    assert w2.session.state.range == "6m" and w2.session.state.granularity == "quarter"
    assert w2.page.controls.range_buttons["6m"].isChecked()
    assert w2.page.payload["timeframe"]["granularity"] == "quarter"
    assert w2.settings.recent_files[0] == str(data_file.resolve())


def test_cards_fit_at_1024_and_1920(make_window, data_file, qtbot):
    for size in ((1024, 768), (1920, 1080)):
        w = make_window(data_file, size=size)
        qtbot.waitUntil(lambda: bool(w.page.summary.sentences()), timeout=5000)  # the last to arrive
        body = w.page.widget()
        # no horizontal overflow once the layout has settled (a few event-loop turns)
        qtbot.waitUntil(lambda: body.width() <= w.page.viewport().width(), timeout=2000)
        for card in w.page.all_cards():
            assert card.value.width() >= card.value.fontMetrics().horizontalAdvance(card.value_text())
            assert card.geometry().right() <= body.width()
        assert w.page.primary_grid._cols == 6
        w.close()
