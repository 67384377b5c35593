"""`execdash --self-test`: open the window on a fresh demo file, check it, exit 0 or 1.

Runs offscreen when there is no display, in a temporary folder (the user's
settings and files are not touched). Prints each check as it goes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

TIMEOUT_MS = 30_000


def wait_until(app, until, timeout_ms: int = TIMEOUT_MS) -> bool:
    """Process events until `until()` holds or time is up; returns `until()` (tools/screenshots.py too)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        app.processEvents()
        if until():
            return True
        time.sleep(0.005)
    return until()


class _Checks:
    def __init__(self) -> None:
        self.failed = 0
        self.passed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        mark = "ok  " if ok else "FAIL"
        print(f"  [{mark}] {what}{(': ' + detail) if detail else ''}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def main() -> int:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="execdash-selftest-"))
    os.environ["EXECDASH_DATA_DIR"] = str(tmp / "data")
    os.environ["EXECDASH_CACHE_DIR"] = str(tmp / "cache")
    print(f"ExecDash self-test in {tmp}", flush=True)
    c = _Checks()
    try:
        return _run(tmp, c)
    except Exception as exc:  # noqa: BLE001 - a self-test reports, never tracebacks
        c.check(False, "self-test ran to the end", f"{type(exc).__name__}: {exc}")
        return 1
    finally:
        print(f"{c.passed} passed, {c.failed} failed", flush=True)
        if not c.failed:  # keep the folder only when there is something to look at
            shutil.rmtree(tmp, ignore_errors=True)


def _read_apart(tmp: Path) -> tuple[bool, str, str]:
    """A big dashboard's file is read in the loader process (load_apart.py): in a frozen build that
    child is this program started again, which only works if the entry point lets it be."""
    from execdash_desktop.dashboards import registry
    from execdash_desktop.load_apart import ApartLoader, LoaderUnavailable

    path = tmp / "commerce.sqlite"
    conn = sqlite3.connect(path)
    try:
        registry.get("commerce").demo(conn, end="2026-10", orders=2000, conversations=1000, days=60)
        conn.commit()
    finally:
        conn.close()
    what = "a big file is read in a separate process"
    loader = ApartLoader()
    t = time.perf_counter()
    try:
        src = loader.load("commerce", str(path), ("12m", None))
    except LoaderUnavailable as exc:
        return False, what, str(exc)
    finally:
        loader.close()
    return src.path == str(path) and bool(src.memo), what, f"{(time.perf_counter() - t) * 1000:.0f} ms"


def _run(tmp: Path, c: _Checks) -> int:
    from execdash_desktop.format import format_change, format_value
    from execdash_desktop.packs.executive.demo import generate
    from execdash_desktop.packs.executive.drilldowns import CARD_DRILLDOWN

    data = tmp / "demo.sqlite"
    t = time.perf_counter()
    generate(data, months=24, orders=20_000, end="2026-10")
    c.check(data.is_file(), "demo data file written", f"{data.name} in {time.perf_counter() - t:.1f} s")
    c.check(*_read_apart(tmp))

    from PySide6.QtWidgets import QApplication

    from . import theme
    from .main_window import QtMainWindow
    from .services.query_service import QueryService
    from .services.settings import Settings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    theme.install(app, "light")
    service = QueryService()
    window = QtMainWindow(service, Settings())
    service.setParent(window)
    shown: list = []
    window.session.payloadChanged.connect(lambda p, cause, *_: shown.append((p, cause)))
    window.resize(1440, 900)
    window.show()
    window.page.ensure_chart()
    t = time.perf_counter()
    window.open_file(data)
    if not c.check(wait_until(app, lambda: bool(shown)), "payload loaded off the GUI thread",
                   f"{(time.perf_counter() - t) * 1000:.0f} ms"):
        window.close()
        return 1
    payload = shown[-1][0]
    wrong = []
    for entry in payload["executiveKpis"]:
        card = window.page.card(entry["key"])
        want = format_value(entry["value"], entry["format"], entry["unit"])
        if card.value_text() != want or card.delta_text() != format_change(entry):
            wrong.append(f"{entry['key']}: {card.value_text()} != {want}")
    c.check(not wrong, "ten cards show the payload's values and deltas", "; ".join(wrong) or
            ", ".join(f"{e['label']} {window.page.card(e['key']).value_text()}" for e in payload["executiveKpis"][:3]))
    chart = window.page.chart
    c.check(chart is not None and len(chart.rows()) == len(payload["revenueTrend"]),
            "revenue trend drawn", f"{len(chart.rows()) if chart else 0} periods")
    c.check(len(window.page.alerts.rows()) == len(payload["alerts"]) and
            len(window.page.risks.rows()) == len(payload["risks"]),
            "alerts and risks listed", f"{len(payload['alerts'])} alerts, {len(payload['risks'])} risks")

    before = window.page.card("revenue").value_text()
    window.page.controls.choose_granularity("quarter")
    wait_until(app, lambda: any(r["period"][5] == "Q" for r in chart.rows()), 2000)
    c.check(all("Q" in r["period"] for r in chart.rows()) and window.page.card("revenue").value_text() == before,
            "granularity switch re-buckets the chart only", f"{len(chart.rows())} quarters")

    key = CARD_DRILLDOWN["revenue"]
    window.page.card("revenue").activated.emit("revenue")
    ok = wait_until(app, lambda: (tab := window.drilldowns.tab(key)) is not None and tab.drilldown is not None)
    tab = window.drilldowns.tab(key)
    c.check(ok and window.tabs.currentWidget() is tab and bool(tab.views),
            "a card click opens its drill-down tab", f"{tab.title_text if tab else key}: "
            f"{', '.join(tab.table_titles()) if tab and tab.drilldown else 'no data'}")

    recorded: list = []
    window.recorder.eventRecorded.connect(lambda ev, meta: recorded.append(ev))
    wait_until(app, lambda: "drilldown_timing" in recorded or "drilldown_timing" in window.recorder.last, 3000)
    window.recorder.flush()
    service.wait_for_writes(5000)
    wait_until(app, lambda: service.pending_writes == 0, 3000)
    window.close()
    app.processEvents()

    conn = sqlite3.connect(f"file:{data}?mode=ro", uri=True)
    try:
        rows = dict(conn.execute("SELECT e.event_type, count(*) FROM user_events e GROUP BY e.event_type"))
        metrics = {m for (m,) in conn.execute("SELECT DISTINCT metric FROM user_event_meta")}
    finally:
        conn.close()
    c.check("page_load" in rows and "ttfb_ms" in metrics and "render_total_ms" in metrics,
            "timing metrics recorded in user_events + user_event_meta",
            ", ".join(f"{k} x{v}" for k, v in sorted(rows.items())))
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
