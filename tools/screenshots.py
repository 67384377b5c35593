"""Screenshots of the window under a real X server (Xvfb), written as PNGs.

    python tools/screenshots.py [--out artifacts/screenshots] [--sizes 1920x1080,1024x768,1093x614]
                                [--themes light,dark] [--presentation 1024x768,1280x720,1366x768,1920x1080]

Starts Xvfb on a free display when none is given (DISPLAY unset), makes a
small demo file in a temporary folder (the user's settings are not touched),
opens the window at each size and theme, waits until the cards and the chart
have painted, and grabs the screen: the dashboard, one drill-down tab and the
Diagnostics view; then, on a file with two dashboards, the window with its
sidebar and the Engineering page (top and bottom). Then presentation mode on an
X server of each projector size: every slide (the dashboard and every
drill-down) as a PNG, and fit-WxH.json listing what does not fit on each slide
(ui/present/fit.py; empty lists when all fits). Exit code 0 when every PNG was
written; 3 when Xvfb is missing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREEN = "1920x1080x24"


def start_xvfb(screen: str = SCREEN) -> tuple[subprocess.Popen, str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise FileNotFoundError("Xvfb is not installed (apt-get install xvfb)")
    for n in range(90, 140):
        if Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
            continue
        proc = subprocess.Popen([xvfb, f":{n}", "-screen", "0", screen, "-nolisten", "tcp", "-dpi", "96"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                return proc, f":{n}"
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.kill()
    raise RuntimeError("could not start Xvfb on a free display")


def _settle(app, ms: int = 250) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _demo_file() -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="execdash-shots-"))
    os.environ["EXECDASH_DATA_DIR"] = str(tmp / "data")
    os.environ["EXECDASH_CACHE_DIR"] = str(tmp / "cache")
    from execdash_desktop.packs.executive.demo import generate

    data = tmp / "demo-executive.sqlite"
    generate(data, months=24, orders=20_000, end="2026-10")
    return data


def _three_dashboard_file() -> Path:
    """A demo file with the Executive, Engineering and Commerce dashboards' tables."""
    data = _demo_file()
    import sqlite3

    from execdash_desktop.dashboards import registry

    both = data.with_name("demo-two-dashboards.sqlite")
    shutil.copyfile(data, both)
    conn = sqlite3.connect(both)
    try:
        registry.get("engineering").demo(conn, seed=7, end="2026-10", bugs=5000)
        registry.get("commerce").demo(conn, seed=7, end="2026-10", orders=20_000, conversations=8000, days=200)
        conn.commit()
    finally:
        conn.close()
    return both


def _open_window(data: Path, ready, what: str, theme_name: str = "light", settings=None,
                 size: tuple[int, int] | None = None, timeout_ms: int | None = None):
    """The window on `data`, shown and waited for until `ready(window)`: (app, theme manager, window)."""
    from PySide6.QtWidgets import QApplication

    from execdash_desktop.ui import theme
    from execdash_desktop.ui.main_window import QtMainWindow
    from execdash_desktop.ui.selftest import TIMEOUT_MS, wait_until
    from execdash_desktop.ui.services.query_service import QueryService
    from execdash_desktop.ui.services.settings import Settings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    mgr = theme.install(app, theme_name)
    service = QueryService()
    window = QtMainWindow(service, settings if settings is not None else Settings())
    service.setParent(window)
    window.page.ensure_chart()
    if size is None:
        window.move(0, 0)
    else:
        window.resize(*size)
    window.show()
    window.open_file(data)
    if not wait_until(app, lambda: ready(window), timeout_ms or TIMEOUT_MS):
        raise RuntimeError(f"{what} did not arrive")
    return app, mgr, window


def shoot_dashboards(out: Path, sizes: list[tuple[int, int]]) -> list[Path]:
    """A file with three dashboards: the window with its sidebar, the Engineering and Commerce pages."""
    from execdash_desktop.ui.selftest import wait_until

    app, _mgr, window = _open_window(_three_dashboard_file(),
                                     lambda w: w.page.payload is not None and len(w.views) == 3,
                                     "the three dashboards", timeout_ms=20_000)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    grab = _grabber(app, window, out, written)
    eng = window.views["engineering"]
    for w, h in sizes:
        window.resize(w, h)
        window.show_dashboard("executive")
        wait_until(app, lambda: window.page.summary.sentences() != [], 5000)
        grab(f"two-dashboards-{w}x{h}-executive")
        window.show_dashboard("engineering")
        eng.page.finish_build()  # the panels below the first screen, if they are still to come
        table = eng.page.panels["bug_table"]
        wait_until(app, lambda: eng.session.payload is not None and table.model is not None
                   and table.model.total > 0 and eng.page.summary.sentences() != [], 20_000)
        bar = eng.page.verticalScrollBar()
        bar.setValue(0)
        grab(f"engineering-{w}x{h}-light")
        bar.setValue(bar.maximum())
        grab(f"engineering-{w}x{h}-light-lower")
        bar.setValue(0)
        window.show_dashboard("commerce")
        com = window.views["commerce"]
        com.page.finish_build()
        checks = com.page.panels["data_quality"]
        wait_until(app, lambda: com.session.payload is not None and checks.table.rowCount() == 10
                   and com.page.summary.sentences() != [], 30_000)
        bar = com.page.verticalScrollBar()
        bar.setValue(0)
        grab(f"commerce-{w}x{h}-light")
        bar.setValue(bar.maximum())
        grab(f"commerce-{w}x{h}-light-lower")
        bar.setValue(0)
    window.close()
    app.processEvents()
    return written


def _grabber(app, window, out: Path, written: list[Path]):
    def grab(name: str) -> None:
        _settle(app)
        screen = window.screen()
        pix = screen.grabWindow(window.winId())
        path = out / f"{name}.png"
        pix.save(str(path))
        written.append(path)
        print(f"wrote {path} ({pix.width()}x{pix.height()})", flush=True)

    return grab


def shoot_presentation(out: Path) -> list[Path]:
    """Presentation mode on the whole (virtual) screen: the dashboard, every drill-down, the
    bar; and fit-WxH.json: what does not fit on each slide (ui/present/fit.py)."""
    import json
    from PySide6.QtGui import QCursor

    from execdash_desktop.packs.executive.drilldowns import DRILLDOWNS
    from execdash_desktop.ui.present.fit import fit_problems
    from execdash_desktop.ui.selftest import wait_until
    from execdash_desktop.ui.services.settings import Settings

    settings = Settings()
    settings.playlist = list(DRILLDOWNS)
    app, _mgr, window = _open_window(_demo_file(),
                                     lambda w: w.page.payload is not None and w.page.summary.sentences(),
                                     "the payload or the summary", settings=settings, size=(1000, 700))
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    geo = window.screen().geometry()
    size = f"{geo.width()}x{geo.height()}"
    grab = _grabber(app, window, out, written)
    QCursor.setPos(geo.width() // 2, geo.height() // 2)
    window._on_presentation_action_triggered()
    wait_until(app, lambda: window.isFullScreen() and window.width() == geo.width(), 5000)
    window.presentation.playlist.pause()
    fit: dict[str, list[str]] = {}
    grab(f"presentation-{size}-dashboard")
    fit["dashboard"] = fit_problems(window, (window.presentation.bar,))
    for key in settings.playlist:
        window.presentation.playlist.next()
        wait_until(app, lambda k=key: (t := window.drilldowns.tab(k)) is not None and t.drilldown is not None)
        grab(f"presentation-{size}-{key.replace('/', '-')}")
        fit[key] = fit_problems(window, (window.presentation.bar,))
    (out / f"fit-{size}.json").write_text(json.dumps(fit, indent=1))
    window.presentation.playlist.next()
    window.presentation.mouse_moved()  # the thin bar
    grab(f"presentation-{size}-bar")
    window.presentation.leave()
    window.close()
    app.processEvents()
    return written


def shoot(out: Path, sizes: list[tuple[int, int]], themes: list[str]) -> list[Path]:
    """Run inside the X session: open the window and write the PNGs."""
    from execdash_desktop.ui.selftest import wait_until

    app, mgr, window = _open_window(_demo_file(), lambda w: w.page.payload is not None, "the payload",
                                    theme_name=themes[0])
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    grab = _grabber(app, window, out, written)

    for mode in themes:
        mgr.set_mode(mode)
        for w, h in sizes:
            window.resize(w, h)
            window.tabs.setCurrentIndex(0)
            grab(f"dashboard-{w}x{h}-{mode}")
        w, h = sizes[0]
        window.resize(w, h)
        window.page.card("revenue").activated.emit("revenue")
        wait_until(app, lambda: (t := window.drilldowns.tab("finance/revenue")) is not None and t.drilldown is not None)
        grab(f"drilldown-finance-revenue-{w}x{h}-{mode}")
        window.drilldowns.open("sales/pipeline", clicks=2, origin="menu")
        wait_until(app, lambda: (t := window.drilldowns.tab("sales/pipeline")) is not None and t.drilldown is not None)
        grab(f"drilldown-sales-pipeline-{w}x{h}-{mode}")
        window._on_diagnostics_action_triggered()
        wait_until(app, lambda: window.diagnostics_view() is not None and bool(window.diagnostics_view().gates))
        grab(f"diagnostics-{w}x{h}-{mode}")
        for key in list(window.drilldowns.keys()):
            window.drilldowns.close(key)
        window.tabs.setCurrentIndex(0)
        if len(sizes) > 1:  # the quarter view at the small size
            sw, sh = sizes[-1]
            window.resize(sw, sh)
            window.page.controls.choose_granularity("quarter")
            grab(f"dashboard-{sw}x{sh}-quarter-{mode}")
            window.page.controls.choose_granularity("month")
    window.close()
    app.processEvents()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "artifacts" / "screenshots"))
    ap.add_argument("--sizes", default="1920x1080,1024x768,1093x614")
    ap.add_argument("--themes", default="light,dark")
    ap.add_argument("--presentation", default="1024x768,1280x720,1366x768,1920x1080",
                    help="screen sizes for presentation mode (full screen), '' for none")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--inner-presentation", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--inner-dashboards", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--dashboards", default="1920x1080,1024x768",
                    help="sizes for the two-dashboard window and the Engineering page, '' for none")
    args = ap.parse_args(argv)
    if args.inner_presentation:
        shoot_presentation(Path(args.out))
        return 0
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    themes = [t for t in args.themes.split(",") if t]
    if args.inner:
        shoot(Path(args.out), sizes, themes)
        return 0
    if args.inner_dashboards:
        shoot_dashboards(Path(args.out), sizes)
        return 0
    me = [sys.executable, str(Path(__file__).resolve()), "--out", args.out]
    try:
        rc = _in_xvfb(me + ["--inner", "--sizes", args.sizes, "--themes", args.themes], SCREEN)
        if args.dashboards:
            rc = rc or _in_xvfb(me + ["--inner-dashboards", "--sizes", args.dashboards], SCREEN)
        for size in [s for s in args.presentation.split(",") if s]:
            # full screen is the whole screen: one X server of that size each
            rc = rc or _in_xvfb(me + ["--inner-presentation"], f"{size}x24", own=True)
        return rc
    except FileNotFoundError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 3


def _in_xvfb(cmd: list[str], screen: str, own: bool = False) -> int:
    """Run cmd on the display given (DISPLAY), else (or when `own`) on a new Xvfb of `screen`."""
    env = dict(os.environ)
    xvfb = None
    if own or not env.get("DISPLAY") or env.get("QT_QPA_PLATFORM", "xcb") == "offscreen":
        xvfb, display = start_xvfb(screen)
        env["DISPLAY"] = display
    env["QT_QPA_PLATFORM"] = "xcb"
    env.pop("EXECDASH_PREVIEW_MS", None)
    try:
        return subprocess.run(cmd, env=env, timeout=300).returncode
    finally:
        if xvfb is not None:
            xvfb.terminate()
            try:
                xvfb.wait(5)
            except subprocess.TimeoutExpired:
                xvfb.kill()


if __name__ == "__main__":
    sys.exit(main())
