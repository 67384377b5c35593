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
