"""The board pack's dashboard page alone (issue 13, item 3): how long drawing it takes.

    python benchmarks/bench_pack_dashboard_page.py [--file PATH] [--runs 7]

Per dashboard of the file, the pack data is gathered once; then each run makes a
fresh renderer (page plan included, as an export does) and paints the dashboard
page into a PDF in memory. Wall and CPU (process) time, medians of the runs after
a first, cold one. Run it with PYTHONPATH at another checkout to compare (the old
page was an offscreen QtDashboardPage; the new one is drawn from the payload).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table  # noqa: E402


def gather(path: Path, dashboard: str):
    from execdash_desktop import boardpack as bp
    from execdash_desktop.dashboards import registry
    from execdash_desktop.engine import Engine
    from execdash_desktop.store import open_reader

    dash = registry.get(dashboard)
    src = Engine().source(path, dashboard=dashboard)
    payload = dash.payload(src, "12m", "month", None)
    conn = open_reader(path)
    try:
        return bp.gather(conn, src, payload, None, (), str(path), dashboard=dashboard)
    finally:
        conn.close()


def one_page(data) -> tuple[float, float]:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QPainter, QPdfWriter

    from execdash_desktop.ui import theme
    from execdash_desktop.ui.export.board_pack import BoardPackRenderer

    t0, c0 = time.perf_counter(), time.process_time()
    with theme.override(theme.LIGHT):
        r = BoardPackRenderer(data, "a4")
        raw = QByteArray()
        dev = QBuffer(raw)
        dev.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(dev)
        writer.setResolution(96)
        p = QPainter(writer)
        try:
            r.paint_page(p, next(i for i, pg in enumerate(r.pages) if pg.kind == "dashboard"))
        finally:
            p.end()
            r.close()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", required=True, help="a data file (e.g. execdash demo --db X)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--dashboards", default="executive,engineering,commerce")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from execdash_desktop.ui import theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    theme.install(app, "light")
    rows = []
    for name in args.dashboards.split(","):
        data = gather(Path(args.file), name)
        cold = one_page(data)
        app.processEvents()
        warm = []
        for _ in range(args.runs):
            warm.append(one_page(data))
            app.processEvents()  # the offscreen widgets' deleteLater
        rows.append([name, f"{cold[0]:.0f}", f"{statistics.median(w for w, _ in warm):.0f}",
                     f"{statistics.median(c for _, c in warm):.0f}"])
    print(f"checkout: {Path(sys.modules['execdash_desktop'].__file__).resolve().parents[1]}")
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print_table(["dashboard", "cold ms", "median wall ms", "median CPU ms"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
