"""GUI test fixtures: offscreen Qt, one small demo file per session, a loaded window.

Every test here is marked `gui`, fails on Qt warnings (pytest-qt's
qt_log_level_fail) and on any top-level widget it leaves behind.
"""

from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path

# Before Qt loads: the GUI tests need no display (the xvfb test runs its own X server).
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402

GUI_DIR = Path(__file__).resolve().parent
DEMO_ARGS = {"months": 24, "orders": 20_000, "end": "2026-10", "seed": 7}
# Harmless platform notes of the offscreen plugin, not our code's warnings.
QT_LOG_IGNORE = (r"This plugin does not support", r"QBackingStore::flush\(\) called for",
                 r"propagateSizeHints")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if GUI_DIR not in Path(str(item.fspath)).resolve().parents:
            continue
        if "xvfb" not in item.keywords:
            item.add_marker(pytest.mark.gui)
        item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
        item.add_marker(pytest.mark.qt_log_ignore(*QT_LOG_IGNORE))


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory) -> Path:
    """A small deterministic demo data file, made once per session (never written to)."""
    from execdash_desktop.packs.executive.demo import generate

    p = tmp_path_factory.mktemp("demo") / "master.sqlite"
    generate(p, **DEMO_ARGS)
    return p


@pytest.fixture(scope="session")
def three_master(demo_master, tmp_path_factory) -> Path:
    """The demo file plus small Engineering and Commerce demos: three dashboards (never written to)."""
    import sqlite3

    from execdash_desktop.dashboards import registry

    p = tmp_path_factory.mktemp("three") / "three.sqlite"
    shutil.copyfile(demo_master, p)
    conn = sqlite3.connect(p)
    try:
        registry.get("engineering").demo(conn, seed=7, end="2026-10", bugs=1500)
        registry.get("commerce").demo(conn, seed=7, end="2026-10", orders=4000, conversations=2000, days=90)
        conn.commit()
    finally:
        conn.close()
    return p


@pytest.fixture
def three_file(three_master, tmp_path) -> Path:
    p = tmp_path / "three.sqlite"
    shutil.copyfile(three_master, p)
    return p


@pytest.fixture
def data_file(demo_master, tmp_path) -> Path:
    """This test's own copy of the demo file (the app writes its metrics into it)."""
    p = tmp_path / "exec.sqlite"
    shutil.copyfile(demo_master, p)
    return p


@pytest.fixture(autouse=True)
def _no_leaked_top_level_widgets(request, qapp):
    """Fails a test that leaves a top-level widget alive (set up before qtbot, so checked after it)."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    before = {id(w) for w in QApplication.topLevelWidgets()}
    yield
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        qapp.processEvents()
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    leaked = [f"{type(w).__name__}({w.objectName() or w.windowTitle() or getattr(w, 'title', str)()!r})"
              for w in QApplication.topLevelWidgets() if id(w) not in before]
    for w in QApplication.topLevelWidgets():  # do not let one leak fail every later test
        if id(w) not in before:
            w.close()
            w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not leaked, f"top-level widgets left alive: {', '.join(leaked)}"


@pytest.fixture
def theme_light(qapp):
    from execdash_desktop.ui import theme

    return theme.install(qapp, "light")


@pytest.fixture
def make_window(qtbot, theme_light):
    """make_window(path) -> a shown main window with the file's first payload on screen."""
    from execdash_desktop.ui.main_window import QtMainWindow
    from execdash_desktop.ui.services.query_service import QueryService
    from execdash_desktop.ui.services.settings import Settings

    def make(path: Path | None = None, chart: bool = True, size=(1440, 900)):
        service = QueryService()
        window = QtMainWindow(service, Settings())
        service.setParent(window)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        if chart:
            window.page.ensure_chart()
        if path is not None:
            with qtbot.waitSignal(window.session.payloadChanged, timeout=15_000):
                window.open_file(path)
        return window

    return make


@pytest.fixture
def window(make_window, data_file):
    return make_window(data_file)


@pytest.fixture
def expected(data_file):
    """The payload the core computes for the test file (12m, month, latest)."""
    from execdash_desktop.engine import Engine

    return Engine().payload(data_file, "12m", "month")


def wait_painted(qtbot, widget, timeout: int = 5000) -> None:
    """Wait until `widget` emits painted (after an update)."""
    with qtbot.waitSignal(widget.painted, timeout=timeout):
        widget.update()
