"""Words, freshness and states (issue 13, items 5-8): a file that cannot be opened, the
data's own change time, executive words, the Demo data and Read-only badges."""

from __future__ import annotations

import sqlite3

import pytest


@pytest.mark.parametrize("kind", ["csv", "empty", "no_tables"])
def test_a_file_that_is_not_a_data_file_says_so_plainly(make_window, demo_master, tmp_path, qtbot, kind):
    import shutil

    from execdash_desktop.paths import demo_file

    path = tmp_path / ("sales.csv" if kind == "csv" else "file.sqlite")
    if kind == "csv":
        path.write_text("month,revenue\n2026-01,100\n" * 50)
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        with sqlite3.connect(path) as c:
            c.execute("CREATE TABLE contacts (name TEXT)")
    window = make_window()
    banner = window.page.banner
    window.open_file(path)
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert banner.title.text() in {"This is not a dashboard data file", "The file is empty",
                                   "This file has no dashboard data"}
    assert "table" not in banner.text.text().lower()  # no developer words up front
    assert not banner.retry.isVisible()  # trying again cannot help
    assert banner.open_another.isVisible() and banner.open_demo.isVisible()
    assert not banner.details.isVisible()
    banner.details_button.click()
    assert banner.details.isVisible() and path.name in banner.details.text()
    assert "Loading" not in window.page.subtitle.text()
    demo = demo_file()
    demo.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_master, demo)  # Open the demo: the demo file, already made
    with qtbot.waitSignal(window.session.payloadChanged, timeout=15_000):
        banner.open_demo.click()
    assert str(window.session.path) == str(demo.resolve()) and not banner.isVisible()


def _set_mtime(path, when: str) -> None:
    """The file (and its -wal, where the data of a WAL file goes first) modified at `when`."""
    import datetime as dt
    import os

    t = dt.datetime.fromisoformat(when).timestamp()
    for p in (path, f"{path}-wal"):
        if os.path.exists(p):
            os.utime(p, (t, t))


def test_status_bar_says_when_the_data_changed_not_when_the_app_wrote_its_timings(make_window, data_file,
                                                                                 qtbot):
    from execdash_desktop.metrics import MetricsWriter

    _set_mtime(data_file, "2026-01-02T03:04:00")
    window = make_window(data_file)
    qtbot.waitUntil(lambda: "Data changed" in window.status_changed.text())
    assert window.status_changed.text() == "Data changed 2 Jan 2026, 03:04"
    w = MetricsWriter(data_file)  # the app's own kind of write: timings into user_events
    w.record("page_load", {"render_total_ms": 120.0})
    w.close()
    with qtbot.waitSignal(window.session.sourceChanged, timeout=10_000):
        window.session.refresh()
    assert window.status_changed.text() == "Data changed 2 Jan 2026, 03:04"
    with sqlite3.connect(data_file) as c:  # someone else changes the data
        c.execute("UPDATE alerts SET title = title || ' (checked)' WHERE rowid = 1")
    _set_mtime(data_file, "2026-02-03T04:05:00")
    with qtbot.waitSignal(window.session.sourceChanged, timeout=10_000):
        window.session.refresh()
    assert window.status_changed.text() == "Data changed 3 Feb 2026, 04:05"


def test_demo_and_read_only_badges(make_window, data_file, tmp_path, qtbot):
    import shutil

    window = make_window(data_file)
    page = window.page
    qtbot.waitUntil(page.demo_badge.isVisible)  # the test file is the demo generator's
    assert not page.read_only_badge.isVisible()
    window.close()
    # a file the app keeps its timings out of (no metrics tables; read-only media is the
    # other case, not testable as root): its metrics go to the side file
    other = tmp_path / "company.sqlite"
    shutil.copyfile(data_file, other)
    with sqlite3.connect(other) as c:
        c.execute("DROP TABLE user_event_meta")
        c.execute("DROP TABLE user_events")
    window2 = make_window(other)
    qtbot.waitUntil(window2.page.read_only_badge.isVisible)
    assert window2.page.read_only_badge.text() == "Read-only"


def test_a_company_file_has_no_demo_badge(make_window, data_file, qtbot):
    with sqlite3.connect(data_file) as c:
        c.execute("PRAGMA application_id = 0")
    window = make_window(data_file)
    qtbot.waitUntil(lambda: "Data changed" in window.status_changed.text())
    assert not window.page.demo_badge.isVisible()
