"""The worker-thread query layer: stale results dropped, single-flight, errors, responsiveness."""

from __future__ import annotations

import statistics
import threading
import time

import pytest

from execdash_desktop.ui.services.query_service import Job, QueryService, slow_sqlite


@pytest.fixture
def service(qapp):
    s = QueryService()
    yield s
    s.shutdown()
    s.deleteLater()


def test_stale_results_are_dropped_only_the_newest_is_delivered(service, data_file, qtbot):
    gate = threading.Event()

    def hook(job, ctx):  # the first request is slow: it finishes after the second
        if job.args == ("slow",):
            gate.wait(5)

    service.set_slow_hook(hook)
    got = []
    service.resultReady.connect(lambda req, res, _t: got.append(req.job.args))
    first = service.submit("c", Job("source", str(data_file), ("slow",)))
    second = service.submit("c", Job("source", str(data_file), ()))
    qtbot.waitUntil(lambda: got == [()], timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: service.dropped == 1, timeout=5000)
    assert got == [()]  # the first (stale) result never reached anyone
    assert not service.is_current(first) and service.is_current(second)


def test_identical_requests_in_flight_are_coalesced(service, data_file, qtbot):
    service.set_slow_hook(slow_sqlite(0.3))
    got = []
    service.resultReady.connect(lambda req, res, _t: got.append(req.generation))
    a = service.submit("x", Job("source", str(data_file)))
    b = service.submit("y", Job("source", str(data_file)))
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    assert service.started == 1 and service.coalesced == 1
    assert sorted(got) == [a.generation, b.generation]


def test_a_failed_query_reports_the_reason(service, tmp_path, qtbot):
    bad = tmp_path / "not-a-db.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with qtbot.waitSignal(service.requestFailed, timeout=5000) as sig:
        service.submit("d", Job("source", str(bad)))
    assert "not a SQLite database" in sig.args[1] and str(bad) in sig.args[1]


def test_window_two_fast_requests_render_only_the_second(window, qtbot):
    shown = []
    window.session.payloadChanged.connect(lambda p, cause, *_: shown.append(p["timeframe"]["range"]))
    window.service.set_slow_hook(slow_sqlite(0.2))
    window.session.set_range("6m")
    window.session.set_range("3m")
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    qtbot.wait(300)
    assert shown == ["3m"]
    assert window.page.payload["timeframe"]["range"] == "3m"
    assert window.service.coalesced + window.service.dropped >= 1


def test_a_slow_query_leaves_the_window_responsive(window, qtbot):
    from PySide6.QtCore import QTimer

    window.service.set_slow_hook(slow_sqlite(1.2))
    gaps, last = [], [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    t0 = time.perf_counter()
    with qtbot.waitSignal(window.session.payloadChanged, timeout=10_000):
        last[0] = time.perf_counter()
        window.session.refresh()
    timer.stop()
    assert time.perf_counter() - t0 >= 1.1  # the slow query really ran
    assert len(gaps) > 50
    # A query on the GUI thread would stall the loop for the whole 1.2 s sleep; the
    # bound sits well below that and well above a shared runner's scheduler hiccups
    # (the P95 figure itself is measured by benchmarks/bench_window.py, not asserted).
    assert max(gaps) < 0.6, f"the event loop stalled {max(gaps) * 1000:.0f} ms"
    assert statistics.median(gaps) < 0.05, f"the event loop answered in {statistics.median(gaps) * 1000:.0f} ms"


def test_a_failed_query_shows_a_banner_keeps_the_data_and_retries(window, qtbot, data_file):
    page = window.page
    before = page.card("revenue").value_text()
    saved = data_file.read_bytes()
    data_file.write_bytes(b"garbage" * 1000)
    with qtbot.waitSignal(window.session.loadFailed, timeout=5000):
        window.session.refresh()
    assert page.banner.isVisible() and page.banner.tone() == "error"
    assert "not a SQLite database" in page.banner.details.text()
    assert page.banner.retry.isVisible()
    assert page.card("revenue").value_text() == before  # the last good data stays
    data_file.write_bytes(saved)
    with qtbot.waitSignal(window.session.payloadChanged, timeout=5000):
        page.banner.retry.click()
    assert not page.banner.isVisible()
