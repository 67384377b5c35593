"""Alerts polling, file-change refresh (without loops on our own writes), timing metrics."""

from __future__ import annotations

import os
import sqlite3

import pytest

from execdash_desktop.ui.services.query_service import slow_sqlite


def _events(path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT event_type, count(*) FROM user_events GROUP BY event_type"))
    finally:
        conn.close()


def _metrics(path) -> dict[str, list[float]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out: dict[str, list[float]] = {}
        for metric, v in conn.execute("SELECT metric, v FROM user_event_meta WHERE v IS NOT NULL"):
            out.setdefault(metric, []).append(v)
        return out
    finally:
        conn.close()


def _flush(window, qtbot):
    window.recorder.flush()
    qtbot.waitUntil(lambda: window.service.pending_writes == 0, timeout=5000)


def test_alerts_poll_on_a_shortened_interval_never_two_in_flight(window, qtbot):
    session = window.session
    polled = []
    session.alertsPolled.connect(lambda alerts, interval: polled.append(interval))
    session.set_poll_interval(150, 30)
    qtbot.waitUntil(lambda: len(polled) >= 3, timeout=5000)
    assert window.page.alerts.polls >= 3
    assert all(90 <= ms <= 400 for ms in polled[1:]), polled  # 150 +/- 30 ms, plus scheduling
    qtbot.waitUntil(lambda: "alerts_poll" in window.recorder.last, timeout=3000)
    # while a poll is in flight, the next one is skipped
    session.set_poll_interval(60_000, 0)
    window.service.set_slow_hook(slow_sqlite(0.4))
    assert session.poll_alerts() is True
    assert session.poll_alerts() is False
    qtbot.waitUntil(lambda: not window.session.alerts_in_flight, timeout=5000)


def test_default_poll_is_30s_with_5s_jitter(window):
    session = window.session
    assert session.poll_ms == 30_000 and session.poll_jitter_ms == 5_000
    assert session.poll_timer.isActive() and 25_000 <= session.poll_timer.interval() <= 35_000


def test_metrics_rows_are_written_for_load_switch_and_drilldown(window, qtbot, data_file):
    switches = []
    window.recorder.eventRecorded.connect(lambda ev, meta: switches.append(meta) if ev == "switch" else None)
    window.page.controls.choose_range("6m")
    qtbot.waitUntil(lambda: len(switches) == 1, timeout=5000)  # painted, then recorded
    window.page.controls.choose_granularity("quarter")
    qtbot.waitUntil(lambda: len(switches) == 2, timeout=5000)
    window.page.card("backlog").activated.emit("backlog")
    qtbot.waitUntil(lambda: "drilldown_timing" in window.recorder.last, timeout=5000)
    _flush(window, qtbot)
    events = _events(data_file)
    for ev in ("page_load", "switch", "switch_range_or_granularity", "drilldown", "drilldown_timing"):
        assert events.get(ev, 0) >= 1, (ev, events)
    assert events["switch"] >= 2  # range and granularity
    metrics = _metrics(data_file)
    for key in ("ttfb_ms", "render_total_ms", "switch_latency_ms", "drilldown_duration_ms", "drilldown_clicks"):
        assert metrics.get(key), (key, metrics)
    assert metrics["drilldown_clicks"] == [1.0]
    assert all(0 <= v < 5000 for v in metrics["render_total_ms"])


def test_own_metric_writes_do_not_trigger_refreshes(window, qtbot):
    causes = []
    window.session.payloadChanged.connect(lambda p, cause, *_: causes.append(cause))
    for _ in range(5):
        window.recorder.record("alert_click", None, {"test": True})
    _flush(window, qtbot)
    qtbot.wait(800)  # the watcher's debounce and the worker's stamp check
    assert causes == []


def test_a_change_on_disk_refreshes_everything(window, qtbot, data_file):
    before = len(window.page.alerts.rows())
    with qtbot.waitSignal(window.session.payloadChanged, timeout=8000) as sig:
        conn = sqlite3.connect(data_file)
        conn.execute("INSERT INTO alerts (type, title, description, severity, created_at) "
                     "VALUES ('ops', 'Test alert from disk', 'x', 'high', '2026-10-30 10:00:00')")
        conn.commit()
        conn.close()
    assert sig.args[1] == "refresh"
    assert len(window.page.alerts.rows()) == before + 1
    assert window.page.alerts.rows()[0]["title"] == "Test alert from disk"  # high, newest first


def test_full_refresh_setting_runs_a_timer(window, qtbot):
    assert not window.session.full_timer.isActive()
    window.menus.full_refresh.setChecked(True)
    assert window.session.full_timer.isActive() and window.session.full_timer.interval() == 60_000
    assert window.settings.full_refresh is True
    window.session.full_timer.setInterval(50)
    with qtbot.waitSignal(window.session.payloadChanged, timeout=5000) as sig:
        pass
    assert sig.args[1] == "refresh"
    window.menus.full_refresh.setChecked(False)
    assert not window.session.full_timer.isActive()


def test_a_read_only_file_sends_metrics_to_the_side_file(make_window, data_file, qtbot, monkeypatch):
    from execdash_desktop import store
    from execdash_desktop.metrics import side_file_for

    os.chmod(data_file, 0o444)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root writes anyway: say it is read-only
        monkeypatch.setattr(store, "is_writable", lambda path: False)
    try:
        w = make_window(data_file)
        w.recorder.record("alert_click", None, {"test": True})
        _flush(w, qtbot)
        assert _events(data_file) == {}
        side = side_file_for(data_file)
        assert side.exists() and _events(side).get("alert_click") == 1
        assert w.recorder.last["page_load"]["render_total_ms"] > 0
    finally:
        os.chmod(data_file, 0o644)


def test_diagnostics_shows_p95_against_targets(window, qtbot):
    window.page.card("gm").activated.emit("gm")
    qtbot.waitUntil(lambda: "drilldown_timing" in window.recorder.last, timeout=5000)
    _flush(window, qtbot)
    window.menus.diagnostics.trigger()
    view = window.diagnostics_view()
    qtbot.waitUntil(lambda: bool(view.gates), timeout=5000)
    assert window.tabs.currentWidget() is view
    verdicts = view.verdicts()
    assert set(verdicts) >= {"ttfb_ms", "render_total_ms", "switch_latency_ms", "alerts_poll_interval_ms"}
    assert verdicts["ttfb_ms"][0] is True and verdicts["drilldown_clicks"][0] is True
    assert view.table.item(0, 1).text() == "< 300 ms"
