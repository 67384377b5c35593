"""The window's import (issue 16): File > Import data and drops open the dialog; its
report shows each problem and its row; Import writes and the dashboard refreshes;
Cancel leaves the file as it was; File > Import history lists the runs; a drill-down
table exports as .xlsx. A real window, a real query service, real files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

pytestmark = pytest.mark.gui


def q(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _orders(path: Path, rows: int, bad_at: int | None = None, first_id: int = 5_000_000) -> Path:
    with open(path, "w") as f:
        f.write("Order ID,Amount,Profit,Order Date,Type\n")
        for i in range(rows):
            amount = "lots" if i == bad_at else "1000"
            f.write(f"{first_id + i},{amount},100,2026-10-15,one-off\n")
    return path


def _dialog_with_report(window, qtbot, sources):
    window.imports.start([str(s) for s in sources])
    d = window.imports.dialog
    qtbot.waitUntil(lambda: d.report is not None, timeout=30_000)
    return d


def test_dialog_reports_a_problem_shows_its_row_then_imports_the_good_rows(window, qtbot, tmp_path):
    src = _orders(tmp_path / "orders.csv", 3, bad_at=1)
    before = q(window.session.path, "SELECT count(*) FROM orders")[0][0]
    d = _dialog_with_report(window, qtbot, [src])
    assert d.sheet_combo.currentText() == "orders.csv  \u2192  Orders"
    assert d.preview_model.rowCount() == 3 and d.preview_model.headerData(0, Qt.Orientation.Horizontal) == \
        "Order ID\n\u2192 Id"
    assert d.problem_model.rowCount() == 1
    assert [d.problem_model.item(0, c).text() for c in range(6)] == [
        "orders.csv", "3", "Amount", "lots", "wrong type", "a number"]
    assert not d.import_button.isEnabled() and "1 problems in 1 of 3 rows" in d.summary.text()

    d._on_problems_clicked(d.problem_proxy.index(0, 0))
    qtbot.waitUntil(lambda: d.row_view.text().startswith("Row 3 \u2014"), timeout=10_000)
    assert "<b>Amount: lots</b>" in d.row_view.text() and "Order ID: 5000001" in d.row_view.text()

    d.skip_box.setChecked(True)
    assert d.import_button.isEnabled()
    with qtbot.waitSignal(window.imports.importFinished, timeout=30_000), \
            qtbot.waitSignal(window.session.payloadChanged, timeout=30_000):  # the dashboard reloads
        d.import_button.click()
    assert q(window.session.path, "SELECT count(*) FROM orders")[0][0] == before + 2
    assert "Imported 2 rows; 1 rows with problems were left out." == d.summary.text()
    d.close()


def test_a_column_matched_by_hand(window, qtbot, tmp_path):
    src = tmp_path / "orders.csv"
    src.write_text("id,Revenue,profit,order_date\n6000001,50,5,2026-10-01\n")
    d = _dialog_with_report(window, qtbot, [src])
    assert d.report.counts == {"missing_column": 1, "warning:unknown_column": 1}
    combo = d.mapping.indexWidget(d.mapping_model.index(1, 1))
    assert combo.currentText() == "(leave out)"
    combo.setCurrentIndex(combo.findData("amount"))
    assert d.report is None and not d.import_button.isEnabled()
    d.check_button.click()
    qtbot.waitUntil(lambda: d.report is not None, timeout=30_000)
    assert d.report.errors == 0 and d.import_button.isEnabled()
    with qtbot.waitSignal(window.imports.importFinished, timeout=30_000):
        d.import_button.click()
    assert q(window.session.path, "SELECT amount FROM orders WHERE id = 6000001") == [(50.0,)]
    d.close()


def test_cancel_while_importing_leaves_the_file_as_it_was(window, qtbot, tmp_path):
    src = _orders(tmp_path / "orders.csv", 400_000)
    before = q(window.session.path, "SELECT count(*), sum(amount) FROM orders")
    d = _dialog_with_report(window, qtbot, [src])
    assert d.report.errors == 0
    with qtbot.waitSignal(window.service.requestProgressed, timeout=30_000,
                          check_params_cb=lambda req, f, m: req.job.kind == "import_run" and f > 0):
        d.import_button.click()
    assert d.cancel_button.text() == "Cancel"
    d.cancel_button.click()
    qtbot.waitUntil(lambda: d.report is not None, timeout=30_000)
    assert d.report.cancelled and not d.report.written
    assert d.summary.text() == "Cancelled: nothing was changed."
    assert q(window.session.path, "SELECT count(*), sum(amount) FROM orders") == before
    d.close()


def test_dropping_files_opens_the_dialog_and_history_lists_the_import(window, qtbot, tmp_path):
    src = _orders(tmp_path / "orders.csv", 2)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(src)), QUrl.fromLocalFile(str(tmp_path / "notes.pdf"))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                      Qt.KeyboardModifier.NoModifier)
    window.imports.eventFilter(window, drop)
    d = window.imports.dialog
    assert d is not None and d.sources == [str(src)]  # the .pdf is not offered
    qtbot.waitUntil(lambda: d.report is not None, timeout=30_000)
    with qtbot.waitSignal(window.imports.importFinished, timeout=30_000):
        d.import_button.click()
    d.close()

    window.imports.import_history.trigger()
    h = window.imports.history
    qtbot.waitUntil(lambda: h.model.rowCount() == 1, timeout=10_000)
    assert [h.model.item(0, c).text() for c in range(1, 6)] == ["orders.csv", "Orders", "2", "0", "Added"]
    h.close()


def test_a_drilldown_table_exports_as_a_workbook(window, qtbot, tmp_path):
    from python_calamine import CalamineWorkbook

    window.page.card("gm").activated.emit("gm")
    qtbot.waitUntil(lambda: (t := window.drilldowns.tab("finance/gm")) is not None and t.drilldown is not None,
                    timeout=5000)
    tab = window.drilldowns.tab("finance/gm")
    out = tab.export_csv(0, str(tmp_path / "gm.xlsx"))
    table = tab.drilldown.tables[0]
    rows = CalamineWorkbook.from_path(out).get_sheet_by_index(0).to_python()
    assert rows[0] == list(table.columns) and len(rows) == len(table.rows) + 1
    assert tab.export_csv(0, window.session.path) is None  # never over the data file
    assert "is the data file itself" in tab.banner.message()


@pytest.mark.xvfb
@pytest.mark.skipif(__import__("shutil").which("Xvfb") is None, reason="Xvfb is not installed")
def test_screenshots_of_the_import_dialog_and_history():
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    root = Path(__file__).resolve().parents[2]
    out = root / "artifacts" / "screenshots"
    r = subprocess.run([sys.executable, str(root / "tools" / "screenshot_import.py"), "--out", str(out)],
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stdout + r.stderr
    for name in ("import-dialog-report", "import-dialog-columns", "import-history"):
        img = QImage(str(out / f"{name}.png"))
        assert not img.isNull() and img.width() >= 900, name
        colours = {img.pixel(x, y) for x in range(0, img.width(), 13) for y in range(0, img.height(), 11)}
        assert len(colours) > 8, name  # a painted dialog, not a blank frame
