"""Screenshots of the import dialog with a report, and of the import history (Xvfb).

    python tools/screenshot_import.py [--out artifacts/screenshots]

Starts Xvfb (tools/screenshots.py's), opens the window on a small demo file,
drops a folder of spreadsheets with mistakes on it, waits for the report,
clicks a problem to show its row and grabs the dialog; then imports the good
rows and grabs File > Import history. Writes import-dialog-report.png,
import-dialog-columns.png and import-history.png. Exit 0 when all were written, 3
when Xvfb is missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import ROOT, SCREEN, _demo_file, _in_xvfb, _settle  # noqa: E402

ORDERS = """Order ID,Customer ID,Amount,Profit,Order Date,Type,Sales rep
9000001,12,"1,250.00",310.5,2026-10-03,subscription,Ana
9000002,41,980,120,2026-10-04,one-off,Ben
9000003,77,n/a,95,2026-10-04,services,Ana
9000004,9999,430,60,2026-10-05,recurring,Chloe
9000005,18,12.5%,2,2026-10-31,one-off,Ben
9000006,23,610,80,31/10/2026,subscription,Ana
9000002,52,700,90,2026-10-06,one-off,Chloe
9000008,64,,40,2026-10-07,services,Ben
"""
WINDOWS = """id,range,start_date,end_date,granularity
90,12m,2025-11-01,2026-10-31,Month
91,3m,2026-08-01,2026-10-31,week
"""


def wait_until(app, cond, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def shoot(out: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    data = _demo_file()
    src = data.parent / "from-finance"
    src.mkdir()
    (src / "orders.csv").write_text(ORDERS)
    (src / "timeframe_window.csv").write_text(WINDOWS)

    app = QApplication.instance() or QApplication(["execdash"])
    from execdash_desktop.ui import theme
    from execdash_desktop.ui.main_window import QtMainWindow
    from execdash_desktop.ui.services.query_service import QueryService
    from execdash_desktop.ui.services.settings import Settings

    theme.install(app, "light")
    service = QueryService()
    window = QtMainWindow(service, Settings())
    window.resize(1440, 900)
    window.show()
    window.open_file(data)
    wait_until(app, lambda: window.session.payload is not None)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def grab(widget, name: str) -> None:
        _settle(app, 400)
        path = out / f"{name}.png"
        widget.screen().grabWindow(widget.winId()).save(str(path))
        written.append(path)
        print(f"wrote {path}", flush=True)

    window.imports.start([str(src)])
    d = window.imports.dialog
    wait_until(app, lambda: d.report is not None)
    row = next(r for r in range(d.problem_proxy.rowCount())
               if d.problem_proxy.index(r, 1).data() == "5")
    d.problems.selectRow(row)
    d._on_problems_clicked(d.problem_proxy.index(row, 0))
    wait_until(app, lambda: d.row_view.text().startswith("Row 5 "))
    grab(d, "import-dialog-report")
    d.tabs.setCurrentIndex(1)
    grab(d, "import-dialog-columns")
    d.skip_box.setChecked(True)
    d.import_button.click()
    wait_until(app, lambda: d.report is not None and d.report.written)
    d.close()
    window.imports.import_history.trigger()
    h = window.imports.history
    wait_until(app, lambda: h.model.rowCount() > 0)
    grab(h, "import-history")
    h.close()
    window.close()
    service.shutdown()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "artifacts" / "screenshots"))
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.inner:
        shoot(Path(args.out))
        return 0
    try:
        return _in_xvfb([sys.executable, str(Path(__file__).resolve()), "--out", args.out, "--inner"], SCREEN)
    except FileNotFoundError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
