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
    lane = service.lane("c")
    first = lane.submit(Job("source", str(data_file), ("slow",)), lambda req, res: got.append(req.job.args))
    second = lane.submit(Job("source", str(data_file), ()), lambda req, res: got.append(req.job.args))
    qtbot.waitUntil(lambda: got == [()], timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: service.dropped == 1, timeout=5000)
    assert got == [()]  # the first (stale) result never reached anyone
    assert not first.current and second.generation > first.generation


def test_results_go_to_their_requester_only(service, data_file, qtbot):
    a_got, b_got = [], []
    a = service.lane("a").submit(Job("source", str(data_file)), lambda req, res: a_got.append(req))
    b = service.lane("b").submit(Job("drilldown", str(data_file), ("nope", None, 0)),
                                 lambda req, res: b_got.append(("result", req)),
                                 lambda req, message: b_got.append(("error", message)))
    qtbot.waitUntil(lambda: bool(a_got) and bool(b_got), timeout=5000)
    assert a_got == [a] and a.dashboard == "executive"
    assert b_got[0][0] == "error" and b.finished > 0  # b's failure went to b's error callback


def test_identical_requests_in_flight_are_coalesced(service, data_file, qtbot):
    service.set_slow_hook(slow_sqlite(0.3))
    got = []
    a = service.lane("x").submit(Job("source", str(data_file)), lambda req, res: got.append(req.generation))
    b = service.lane("y").submit(Job("source", str(data_file)), lambda req, res: got.append(req.generation))
    assert a.lane.in_flight and b.lane.in_flight
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    assert service.started == 1 and service.coalesced == 1
    assert sorted(got) == [a.generation, b.generation]
    assert not a.lane.in_flight


def test_progress_reaches_the_requester(service, tmp_path, qtbot):
    steps, done = [], []
    service.submit(Job("demo", str(tmp_path / "demo.sqlite"), (("executive", (("orders", 2000), ("months", 6))),
                                                               ("engineering", (("bugs", 300),)))),
                   lambda req, res: done.append(res), on_progress=lambda req, f, m: steps.append(f))
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    assert steps and all(0 <= f <= 1 for f in steps)


def test_a_cancelled_or_orphaned_request_is_never_delivered(service, data_file, qtbot):
    from PySide6.QtCore import QObject

    service.set_slow_hook(slow_sqlite(0.2))
    got = []
    owner = QObject()
    orphan = service.lane("gone", owner).submit(Job("source", str(data_file), (True,)),
                                                lambda req, res: got.append("orphan"))
    cancelled = service.lane("c").submit(Job("source", str(data_file)), lambda req, res: got.append("cancelled"))
    cancelled.cancel()
    import shiboken6

    shiboken6.delete(owner)  # its requester is gone: nothing may call into it
    witness = service.lane("w").submit(Job("source", str(data_file), (True, "w")),
                                       lambda req, res: got.append("witness"))
    qtbot.waitUntil(lambda: got == ["witness"] and not service.busy, timeout=5000)
    assert not orphan.current and not cancelled.current and witness.finished > 0
    assert got == ["witness"]


def test_a_failed_query_reports_the_reason(service, tmp_path, qtbot):
    bad = tmp_path / "not-a-db.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    errors = []
    service.submit(Job("source", str(bad)), on_error=lambda req, message: errors.append(message))
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert "not a SQLite database" in errors[0] and str(bad) in errors[0]


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
