"""A table repaint with the roles answered per role (data()) or per cell (multiData), idle and while
another thread runs Python (as a page job does while it formats its rows).

    python benchmarks/bench_table_roles.py [--repaints 50]

Qt's item delegate asks each cell it paints for seven roles. A model with only data() answers them
in seven calls into Python; QtPagedTableModel (the bug table) answers them in one (multiData). Idle,
the difference is a fraction of a millisecond; while another thread runs Python, every call back into
Python can wait for the interpreter lock, and the repaint stretches by orders of magnitude. The models
here are synthetic (1,000 rows x 8 text columns, 1800x400 view), so the figures isolate that one
effect; bench_window.py measures the real table. Prints wall and GUI-thread CPU per repaint.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table  # noqa: E402

ROWS, COLUMNS = 1000, 8


def models():
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

    cells = [[f"row {r} column {c}" for c in range(COLUMNS)] for r in range(ROWS)]
    align = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    display, alignment = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole

    class PerRole(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else ROWS

        def columnCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else COLUMNS

        def data(self, index, role=display):
            if role == display:
                return cells[index.row()][index.column()]
            return align if role == alignment else None

    class PerCell(PerRole):  # as QtPagedTableModel.multiData: the delegate's array filled in place
        def multiData(self, index, span):
            for slot in span:
                role = slot.role()
                if role == 0:
                    slot.setData(cells[index.row()][index.column()])
                elif role == 7:
                    slot.setData(align)
                else:
                    slot.clearData()

    return {"data() per role": PerRole, "multiData per cell": PerCell}


def run(repaints: int) -> list[list]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication.instance() or QApplication([sys.argv[0]])
    sys.setswitchinterval(0.001)  # as the app's query service sets it
    views = {}
    for name, cls in models().items():
        view = QTableView()
        view.setModel(cls(view))
        view.resize(1800, 400)
        view.show()
        views[name] = view
    app.processEvents()
    rows = []
    for load in ("idle", "another thread running Python"):
        stop = threading.Event()

        def spin() -> None:
            x = 0
            while not stop.is_set():
                for i in range(1000):
                    x += i

        worker = threading.Thread(target=spin, daemon=True) if load != "idle" else None
        if worker:
            worker.start()
        for name, view in views.items():
            wall, cpu = [], []
            for i in range(repaints):
                t, c = time.perf_counter(), time.thread_time()
                view.verticalScrollBar().setValue((i * 37) % 900)
                view.viewport().repaint()
                wall.append((time.perf_counter() - t) * 1000)
                cpu.append((time.thread_time() - c) * 1000)
            rows.append([load, name, f"{statistics.median(wall):.1f}", f"{max(wall):.1f}",
                         f"{statistics.median(cpu):.1f}"])
        stop.set()
        if worker:
            worker.join()
    for view in views.values():
        view.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repaints", type=int, default=50)
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print_table(["GUI thread's neighbour", "model", "wall median ms", "wall max ms", "CPU median ms"], run(args.repaints))
    return 0


if __name__ == "__main__":
    sys.exit(main())
