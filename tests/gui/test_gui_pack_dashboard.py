"""The board pack's dashboard page is drawn from the payload with a print layout, for any
dashboard a file holds (Executive, Engineering, Commerce), from the declarations: cards with
value, change and what it compares with, the trend, and the printed panels' items that fit
with "+N more"; no widget of the window, no controls, words an executive uses."""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")

from execdash_desktop import boardpack as bp  # noqa: E402


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def gather(path: Path, dashboard: str, keys=()) -> bp.PackData:
    from execdash_desktop.dashboards import registry
    from execdash_desktop.engine import Engine
    from execdash_desktop.store import open_reader

    dash = registry.get(dashboard)
    src = Engine().source(path, dashboard=dashboard)
    payload = dash.payload(src, "12m", "month", None)
    conn = open_reader(path)
    try:
        return bp.gather(conn, src, payload, None, keys, str(path), dashboard=dashboard)
    finally:
        conn.close()


def dashboard_page(data: bp.PackData) -> tuple[str, object]:
    """The pack's dashboard page as PDF text, and the renderer (its pages, what each panel showed)."""
    from PySide6.QtGui import QPainter, QPdfWriter
    from PySide6.QtWidgets import QApplication

    from execdash_desktop.ui import theme
    from execdash_desktop.ui.export.board_pack import BoardPackRenderer

    before = {id(w) for w in QApplication.allWidgets()}
    with theme.override(theme.LIGHT):
        r = BoardPackRenderer(data, "a4")
        buf = io.BytesIO()
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice

        raw = QByteArray()
        dev = QBuffer(raw)
        dev.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(dev)
        writer.setResolution(96)
        p = QPainter(writer)
        try:
            index = next(i for i, pg in enumerate(r.pages) if pg.kind == "dashboard")
            r.paint_page(p, index)
            # drawn from the data: no page of the window is made for it
            made = [type(w).__name__ for w in QApplication.allWidgets() if id(w) not in before]
            assert "QtDashboardPage" not in made and "QtControlsBar" not in made
        finally:
            p.end()
            r.close()
        dev.close()
        buf.write(bytes(raw.data()))
    text = flat(pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text())
    return text, r


@pytest.mark.parametrize("dashboard", ["executive", "engineering", "commerce"])
def test_dashboard_page_is_printed_from_the_declaration(three_file, dashboard, qtbot, theme_light):
    from execdash_desktop.cards import card_texts
    from execdash_desktop.dashboards import registry
    from execdash_desktop.pack_panels import panel_items

    dash = registry.get(dashboard)
    data = gather(three_file, dashboard)
    text, r = dashboard_page(data)
    assert f"{dash.title} overview" in text
    assert "Demo data" in text  # every dashboard of the demo file says so on paper
    cards = card_texts(dash, data.payload)
    assert {c.key for c in cards} == {k.key for k in dash.kpis}  # every declared card
    for c in cards:  # whole: label, value, change, what it compares with (or why there is none)
        for words in (c.label, c.value, c.compare, c.target, c.why):
            if words:
                assert flat(words) in text, (c.key, words)
        if c.change != "\u2014":
            assert flat(c.change).split()[-1] in text, (c.key, c.change)
    labels = " ".join(c.label for c in cards)
    for control in ("3M", "6M", "YTD", "Quarter", "Latest", "Refresh", "Details"):  # paper has no buttons
        if control not in labels.split():  # "Revenue YTD" is a card's name, not a button
            assert control not in text.split(), control
    assert dash.trend.title in text
    assert not re.search(r"\b20\d\d-[01]\d\b", text), re.findall(r"\S*20\d\d-[01]\d\S*", text)  # 'Aug 2026'
    printed = {name for name in dash.board_pack.panels}
    assert set(r.dashboard_shown) == printed
    for name in printed:
        spec = dash.panel(name)
        raw = data.payload.get(spec.payload_key) if spec.payload_key else data.panels[name]
        panel = panel_items(name, spec.kind, spec.title, raw)
        assert flat(panel.title) in text, panel.title
        shown = r.dashboard_shown[name]
        if panel.items:
            assert shown >= 1, name  # at least the first item fits
        if shown < len(panel.items):
            assert f"+{len(panel.items) - shown} more" in text, name
    if dashboard == "executive":  # the top alerts and open risks, every one on its own page
        actions = next(i + 1 for i, pg in enumerate(r.pages) if pg.kind == "actions")
        assert f"every one on page {actions}" in text
    else:
        assert "actions" not in [pg.kind for pg in r.pages]  # no empty "Alerts and open risks" page


def test_a_figure_the_file_lacks_says_why_in_plain_words(demo_master, tmp_path, make_window, qtbot):
    """The payload's reason stays the data team's (the API's bytes); the card and the pack say it plainly."""
    from execdash_desktop.engine import Engine

    path = tmp_path / "no-payback.sqlite"
    shutil.copyfile(demo_master, path)
    with sqlite3.connect(path) as c:
        c.execute("DELETE FROM executive_kpis WHERE key = 'payback'")
    payload = Engine().payload(path, "12m", "month")
    entry = next(e for e in payload["executiveKpis"] if e["key"] == "payback")
    assert entry["value"] is None and entry["reason"] == "no executive_kpis row for payback"

    window = make_window(path)
    card = window.page.card("payback")
    qtbot.waitUntil(lambda: card.entry() is not None and card.entry()["value"] is None, timeout=10_000)
    tip = card.toolTip()
    assert "No figure entered by hand for CAC payback" in tip
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", re.sub(r"<[^>]+>", " ", tip)), tip  # no table name

    text, _r = dashboard_page(gather(path, "executive"))
    assert "No figure entered by hand for CAC payback" in text and "executive_kpis" not in text


@pytest.mark.parametrize("dashboard", ["engineering", "commerce"])
def test_every_page_of_a_pack_says_dates_as_the_app_does(three_file, dashboard, qtbot, theme_light):
    """Headings' as-of moments, table periods, days and timestamps: 'Oct 2026', '22 Oct 2026 01:59'."""
    from execdash_desktop.dashboards import registry
    from execdash_desktop.ui.export.board_pack import render_pdf

    data = gather(three_file, dashboard, registry.get(dashboard).board_pack.drilldowns)
    pdf, pages = render_pdf(data, "a4")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == pages
    for n, page in enumerate(reader.pages, start=1):
        text = flat(page.extract_text())
        assert not re.search(r"\b20\d\d-[01]\d\b", text), (n, re.findall(r"\S*20\d\d-[01]\d\S*", text)[:3])
