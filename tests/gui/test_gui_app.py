"""Start-up, the self-test, first-start demo file, the panels' previews, the API toggle."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

def _previews() -> list[str]:
    """Every ui module with a `__main__` preview (ui/_preview.py), as its dotted name under ui/."""
    root = Path(__file__).resolve().parents[2] / "ui"
    return sorted(".".join(p.relative_to(root).with_suffix("").parts) for p in root.rglob("*.py")
                  if "_preview import run" in p.read_text("utf-8"))


PREVIEWS = _previews()


@pytest.mark.filterwarnings("ignore:.*found in sys.modules after import:RuntimeWarning")  # runpy, re-run
@pytest.mark.parametrize("module", PREVIEWS)
def test_every_panel_preview_runs(module, demo_master, tmp_path, monkeypatch, qapp):
    import shutil

    copy = tmp_path / "preview.sqlite"
    shutil.copyfile(demo_master, copy)
    monkeypatch.setenv("EXECDASH_PREVIEW_FILE", str(copy))
    monkeypatch.setenv("EXECDASH_PREVIEW_MS", "60")
    monkeypatch.setenv("EXECDASH_THEME", "light")
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module(f"execdash_desktop.ui.{module}", run_name="__main__")
    assert exit_.value.code == 0


def test_start_prefers_the_last_file_else_creates_the_demo(tmp_path, data_file, qapp):
    from execdash_desktop.errors import DataFileError
    from execdash_desktop.paths import demo_file
    from execdash_desktop.ui.app import resolve_start
    from execdash_desktop.ui.services.settings import Settings

    s = Settings(tmp_path / "s.ini")
    assert resolve_start(None, s) == (demo_file(), True)
    s.add_recent(str(data_file))
    assert resolve_start(None, s) == (data_file, False)
    assert resolve_start(str(data_file), s) == (data_file.resolve(), False)
    with pytest.raises(DataFileError, match="not found"):
        resolve_start(str(tmp_path / "missing.sqlite"), s)


def test_first_start_creates_the_demo_file_off_the_gui_thread(make_window, tmp_path, qtbot):
    w = make_window(None)
    target = tmp_path / "first-start-demo.sqlite"
    with qtbot.waitSignal(w.session.payloadChanged, timeout=30_000):
        w.create_demo(target, orders=3_000)
    assert target.is_file() and w.session.path == str(target.resolve())
    assert not w.page.banner.isVisible()


def test_the_app_starts_paints_and_exits_on_a_file(data_file, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", EXECDASH_STARTUP_PROBE="1",
               EXECDASH_DATA_DIR=str(tmp_path / "d"), EXECDASH_CACHE_DIR=str(tmp_path / "c"))
    out = subprocess.run([sys.executable, "-m", "execdash_desktop", "open", str(data_file)], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("EXECDASH_STARTUP "))
    timings = json.loads(line.split(" ", 1)[1])
    assert 0 < timings["since_main_ms"] < 10_000
    assert "pandas" not in out.stderr


def test_start_path_does_not_import_pandas(tmp_path):
    code = ("import sys; import execdash_desktop.ui.app, execdash_desktop.ui.main_window, "
            "execdash_desktop.ui.widgets.trend_chart; print('pandas' in sys.modules)")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_self_test_passes(tmp_path):
    env = dict(os.environ, EXECDASH_DATA_DIR=str(tmp_path / "d"), EXECDASH_CACHE_DIR=str(tmp_path / "c"))
    env.pop("DISPLAY", None)
    out = subprocess.run([sys.executable, "-m", "execdash_desktop", "--self-test"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 failed" in out.stdout and "cards show the payload" in out.stdout
    assert "[ok  ] a big file is read in a separate process" in out.stdout


def test_open_an_unreadable_file_keeps_the_current_one(window, qtbot, tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database")
    current = window.session.path
    with qtbot.waitSignal(window.session.loadFailed, timeout=5000):
        window.open_file(bad)
    assert window.session.path == current
    banner = window.page.banner
    assert banner.isVisible() and "not a SQLite database" in banner.details.text()  # behind Details
    assert banner.title.text() == "This is not a dashboard data file"
    assert window.page.subtitle.text().startswith("12 months")  # the current file's figures stay


def test_theme_follows_the_setting_and_repaints(window, qapp):
    from execdash_desktop.ui import theme

    mgr = theme.manager()
    window.menus.theme["dark"].trigger()
    assert mgr.palette.name == "dark" and window.settings.theme == "dark"
    assert theme.DARK.surface in qapp.styleSheet()
    window.menus.theme["light"].trigger()
    assert mgr.palette.name == "light"


def test_serve_api_toggle_serves_then_frees_port_and_thread(window, qtbot):
    import json
    import urllib.request

    window.menus.serve_api.setChecked(True)
    qtbot.waitUntil(lambda: window.status_api.text().startswith("API http://127.0.0.1:"), timeout=20_000)
    server = window.api.server
    assert server is not None and server.port
    with urllib.request.urlopen(f"{server.url}/api/health", timeout=5) as r:  # a real request
        assert r.status == 200 and json.loads(r.read())["status"] == "ok"
    port = server.port
    window.menus.serve_api.setChecked(False)
    assert window.status_api.text() == "" and window.api.server is None
    qtbot.waitUntil(lambda: _api_freed(server, port), timeout=10_000)


def _api_freed(server, port: int) -> bool:
    """No listener on the port, no server thread left, and stop() has returned."""
    import socket
    import threading

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    if any(t.name == "execdash-api" and t.is_alive() for t in threading.enumerate()):
        return False
    return not server.running  # the thread can leave enumerate() before stop() clears it


def test_serve_api_toggled_off_while_starting_stops_the_server(window, qtbot):
    started = []
    window.api.startLanded.connect(started.append)
    window.menus.serve_api.setChecked(True)
    assert window.status_api.text() == "Starting the API\u2026"
    window.menus.serve_api.setChecked(False)  # before the start's result can land (same thread)
    assert window.status_api.text() == "" and window.api.server is None
    qtbot.waitUntil(lambda: bool(started), timeout=20_000)
    server, port = started[0], started[0].port
    assert port and window.api.server is None and not window.menus.serve_api.isChecked()
    qtbot.waitUntil(lambda: _api_freed(server, port), timeout=10_000)
    assert window.api.server is None and window.status_api.text() == ""
