"""The board pack PDF: `execdash pack`, the renderer, and File > Export in the window."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")

from execdash_desktop import boardpack as bp  # noqa: E402
from execdash_desktop.packs.executive.drilldowns import DRILLDOWNS  # noqa: E402


def flat(text: str) -> str:
    """Extracted text with every run of white space one space (words are placed one by one)."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def pdf_text(reader) -> list[str]:
    return [flat(p.extract_text()) for p in reader.pages]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo50k(tmp_path_factory) -> Path:
    """The demo file the issue names: 50,000 orders to 2026-10."""
    p = tmp_path_factory.mktemp("pack") / "board.sqlite"
    r = subprocess.run([sys.executable, "-m", "execdash_desktop", "demo", "--db", str(p), "--orders", "50000",
                        "--end", "2026-10", "--shipments", "3000", "--conversations", "2000", "--days", "90"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return p


def pack_data(path: Path, keys=bp.DEFAULT_DRILLDOWNS, range_="12m", granularity="month", as_of=None):
    from execdash_desktop.engine import Engine
    from execdash_desktop.packs.executive.payload import build_payload, resolve_window
    from execdash_desktop.store import open_reader

    src = Engine().source(path)
    conn = open_reader(path)
    try:
        return bp.gather(conn, src, build_payload(src, range_, granularity, as_of),
                         resolve_window(src, range_, as_of), keys, str(path))
    finally:
        conn.close()


def card_texts(qtbot, payload) -> list[str]:
    """The KPI values as the dashboard's cards show them."""
    from execdash_desktop.ui.dashboard.page import QtDashboardPage

    page = QtDashboardPage()
    qtbot.addWidget(page)
    page.set_payload(payload)
    return [c.value_text() for c in page.all_cards()]


def test_cli_pack_pages_and_text(demo50k, tmp_path, qtbot, theme_light):
    from execdash_desktop.ui.export.board_pack import BoardPackRenderer

    out = tmp_path / "board pack.pdf"
    before = digest(demo50k)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, "-m", "execdash_desktop", "pack", "--db", str(demo50k), "--range", "12m",
                        "--as-of", "2026-10", "--paper", "a4", "--out", str(out)],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert digest(demo50k) == before  # the data file is only read
    assert out.read_bytes()[:5] == b"%PDF-" and sorted(os.listdir(tmp_path)) == ["board pack.pdf"]

    data = pack_data(demo50k, as_of="2026-10")
    plan = BoardPackRenderer(data, "a4")
    plan.close()
    reader = pypdf.PdfReader(out)
    n = len(reader.pages)
    assert n == len(plan.pages) and f"{n} pages" in r.stdout and str(out) in r.stdout
    kinds = [p.kind for p in plan.pages]
    assert kinds[:4] == ["cover", "dashboard", "summary", "actions"]
    assert n <= 12  # a document a board reads, not a print-out of every day
    assert {p.key for p in plan.pages if p.kind == "drilldown"} == set(bp.DEFAULT_DRILLDOWNS)
    pipeline = [i for i, p in enumerate(plan.pages) if p.key == "sales/pipeline"]

    text = pdf_text(reader)
    cover = text[0]
    for fact in (str(demo50k), "Oct 2026", "Nov 2025 \u2013 Oct 2026", "by month", "Exported", "A4, landscape",
                 "Demo data"):
        assert fact in cover, fact
    for title in (DRILLDOWNS[k] for k in bp.DEFAULT_DRILLDOWNS):
        assert title in cover  # the contents
    for i, page in enumerate(text, start=1):
        assert f"Page {i} of {n}" in page and "board.sqlite" in page and "As of Oct 2026" in page
        assert "Demo data" in page  # the demo's made-up figures say so on every page
        if i > 1:  # the running head: which dashboard, which months, as of when
            assert "Executive overview \u00b7 Nov 2025 \u2013 Oct 2026" in page and "as of Oct 2026" in page
    for value in card_texts(qtbot, data.payload):
        assert value in text[1], value
    for control in ("3M", "YTD", "Quarter", "Latest", "All 6", "Refresh"):  # paper has no buttons
        assert control not in text[1].split(), control
    summary = data.summary.sentences
    assert summary and flat(summary[0].text) in text[2]
    assert "Now" in text[2] and "Reason" in text[2] and "Action" in text[2]
    actions = " ".join(text[i] for i, p in enumerate(plan.pages) if p.kind == "actions")
    from execdash_desktop.words import months_in_words

    for a in data.payload["alerts"]:  # every alert and every open risk, in full (months as 'Aug 2026')
        title, description = months_in_words(a["title"]), months_in_words(a["description"])
        assert flat(title) in actions and flat(description) in actions, a["title"]
    for r in data.payload["risks"]:
        assert flat(r["title"]) in actions and flat(r["mitigation"]) in actions, r["title"]
    assert "Operations" in actions and " ops " not in f" {actions} "
    for p, page_text in zip(plan.pages, text):
        if p.kind == "drilldown":
            assert DRILLDOWNS[p.key] in page_text
    # the 365-row day-by-day funnel is summed up by month on paper (the CSV keeps every day)
    pipeline_text = " ".join(text[i] for i in pipeline)
    assert "Funnel by month (month end)" in pipeline_text and "Day Leads MQL SQL Won" not in pipeline_text
    assert "Month Leads MQL SQL Won" in pipeline_text and "Oct 2026 " in pipeline_text
    for p, page_text in zip(plan.pages, text):  # months and days as the app says them ("Oct 2026")
        if p.kind in ("dashboard", "drilldown"):
            assert not re.search(r"\b20\d\d-[01]\d\b", page_text), (p.title, re.findall(r"\S*20\d\d-[01]\d\S*", page_text))


@pytest.mark.skipif(__import__("shutil").which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_every_page_of_the_default_pack_as_an_image(demo50k, tmp_path):
    """The default pack drawn by `execdash pack`, each page turned into a PNG by poppler's
    pdftoppm (another PDF reader than Qt's writer) for the screenshot folder."""
    shots = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "pack.pdf"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, "-m", "execdash_desktop", "pack", "--db", str(demo50k), "--range", "12m",
                        "--as-of", "2026-10", "--paper", "a4", "--out", str(out)],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    for old in shots.glob("pack-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(out), str(shots / "pack-page")], check=True, timeout=120)
    pages = sorted(shots.glob("pack-page-*.png"))
    n = len(pypdf.PdfReader(out).pages)
    assert len(pages) == n <= 12
    from PySide6.QtGui import QImage

    for page in pages:
        img = QImage(str(page))
        assert img.width() > img.height() > 0, page.name  # landscape
        colours = {img.pixel(x, y) for x in range(0, img.width(), 23) for y in range(0, img.height(), 17)}
        assert len(colours) > 8, page.name  # drawn, not blank


def test_a4_and_letter_are_landscape_in_points(demo50k, qtbot, theme_light):
    from execdash_desktop.ui.export.board_pack import render_pdf

    data = pack_data(demo50k, keys=("finance/nrr",))
    for paper, size in (("a4", (842, 595)), ("letter", (792, 612))):
        pdf, pages = render_pdf(data, paper)
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == pages
        for page in reader.pages:
            box = page.mediabox
            assert (round(float(box.width)), round(float(box.height))) == size, paper


def _luma(c) -> float:
    return 0.2126 * c.red() + 0.7152 * c.green() + 0.0722 * c.blue()


def test_a_dark_screen_theme_still_prints_light(demo50k, qapp, qtbot, theme_light):
    from execdash_desktop.ui import theme
    from execdash_desktop.ui.export.board_pack import BoardPackRenderer

    data = pack_data(demo50k, keys=("operations/uptime",))
    theme.install(qapp, "dark")
    try:
        r = BoardPackRenderer(data, "a4")
        try:
            first_drilldown = next(i for i, p in enumerate(r.pages) if p.kind == "drilldown")
            for index in (1, first_drilldown):  # the dashboard (widgets), a drill-down (chart widget, table)
                img = r.page_image(index)
                w, h = img.width(), img.height()
                grid = [img.pixelColor(int(w * (i + 0.5) / 48), int(h * (j + 0.5) / 32))
                        for i in range(48) for j in range(32)]
                light = sum(_luma(c) > 200 for c in grid) / len(grid)
                dark_theme = {theme.DARK.window.lower(), theme.DARK.surface.lower(), theme.DARK.surface_alt.lower()}
                assert light > 0.9, f"page {index + 1}: only {light:.0%} of it is light"
                assert not any(c.name() in dark_theme for c in grid)
                corner = img.pixelColor(int(r.content.left()) + 4, int(r.content.top()) + 4)
                assert _luma(corner) > 230  # the page's own background
        finally:
            r.close()
        assert theme.palette() is theme.DARK  # the screen keeps its theme
    finally:
        theme.install(qapp, "light")


def _file_menu_action(window, text: str):
    menu = window.menuBar().actions()[0].menu()
    return next(a for a in menu.actions() if a.text().replace("&", "").startswith(text))


def test_export_board_pack_from_the_window(window, qtbot, tmp_path):
    window.drilldowns.open("finance/nrr")
    qtbot.waitUntil(lambda: window.drilldowns.tab("finance/nrr").drilldown is not None, timeout=10_000)
    action = _file_menu_action(window, "Export board pack")
    assert action.shortcut().toString() == "Ctrl+Shift+E"
    action.trigger()
    dialog = window.exports.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.chosen_keys() == ["finance/nrr"]  # the open tabs
    assert dialog.chosen_paper() in ("a4", "letter")
    out = tmp_path / "from-window"  # .pdf is added
    dialog.path.setText(str(out))
    with qtbot.waitSignal(window.exports.packWritten, timeout=30_000) as got:
        dialog.accept()
        assert not Path(f"{out}.pdf").exists() and window.exports.busy  # the data is read in the worker
    path, pages = got.args
    assert path == f"{out}.pdf"
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == pages >= 4
    text = pdf_text(reader)
    assert DRILLDOWNS["finance/nrr"] in text[-1] and f"Page {pages} of {pages}" in text[-1]
    assert "Board pack saved" in window.statusBar().currentMessage()
    assert window.exports.dialog is None
    # a message that says where, with Open and Show in folder
    box = window.exports.saved_box
    assert box is not None and box.isVisible() and box.windowTitle() == "Board pack saved"
    assert "from-window.pdf" in box.text() and f"{pages} pages" in box.text() and str(tmp_path) in box.informativeText()
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    class Catcher(QObject):  # the system's file handler, for this test: note what it was asked
        def __init__(self):
            super().__init__()
            self.urls = []

        @Slot(QUrl)
        def handle(self, url):
            self.urls.append(url.toLocalFile())

    catcher = Catcher()
    QDesktopServices.setUrlHandler("file", catcher, "handle")
    try:
        box.folder_button.click()
        box.open_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert catcher.urls == [str(Path(path).parent), path]
    qtbot.waitUntil(lambda: window.exports.saved_box is None)  # a button closes it


def test_export_errors_show_in_the_banner(window, qtbot, tmp_path):
    bad = tmp_path / "no such folder" / "pack.pdf"
    with qtbot.waitSignal(window.exports.exportFailed, timeout=5000) as got:
        window.exports.export_board_pack(str(bad), "a4", ["supply"])
    assert "no such folder" in got.args[0]
    assert window.page.banner.isVisible() and not bad.parent.exists()
    with qtbot.waitSignal(window.exports.exportFailed, timeout=5000) as got:
        window.exports.export_board_pack(window.session.path, "a4", ["supply"])
    assert "is the data file itself" in got.args[0]
    # still the SQLite file (the app's own metric writes may change other bytes meanwhile)
    assert Path(window.session.path).read_bytes()[:16] == b"SQLite format 3\x00"


def test_png_of_the_view_is_twice_its_size(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtGui import QImage

    from execdash_desktop.ui.export import export_actions

    target = tmp_path / "view.png"
    asked = []

    class FakeDialog:  # the user picks `target`
        @staticmethod
        def getSaveFileName(parent, caption, start, filters):
            asked.append(Path(start).name)
            return str(target), filters

    monkeypatch.setattr(export_actions, "QFileDialog", FakeDialog)
    with qtbot.waitSignal(window.exports.pngWritten, timeout=5000):
        _file_menu_action(window, "Export PNG of this view").trigger()
    assert asked == ["exec-dashboard-2026-10.png"]
    img = QImage(str(target))
    size = window.tabs.currentWidget().size()
    assert (img.width(), img.height()) == (2 * size.width(), 2 * size.height())
