"""The shell over several dashboards: the sidebar, Ctrl+1..3, each dashboard's own state,
the Engineering page rendered from its declaration, and the lazy bug table."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

BUGS = 3000


def _add_engineering(path: Path, bugs: int = BUGS) -> None:
    from execdash_desktop.dashboards import registry

    conn = sqlite3.connect(path)
    try:
        registry.get("engineering").demo(conn, seed=7, end="2026-10", bugs=bugs)
        conn.commit()
    finally:
        conn.close()


@pytest.fixture(scope="session")
def two_master(demo_master, tmp_path_factory) -> Path:
    """The Executive demo file plus the Engineering tables (made once, never written to)."""
    p = tmp_path_factory.mktemp("two") / "two.sqlite"
    shutil.copyfile(demo_master, p)
    _add_engineering(p)
    return p


@pytest.fixture
def two_file(two_master, tmp_path) -> Path:
    p = tmp_path / "two.sqlite"
    shutil.copyfile(two_master, p)
    return p


@pytest.fixture
def two_window(make_window, two_file, qtbot):
    w = make_window(two_file)
    qtbot.waitUntil(lambda: len(w.views) == 2, timeout=10_000)
    return w


def _engineering(window, qtbot):
    window.show_dashboard("engineering")
    v = window.views["engineering"]
    qtbot.waitUntil(lambda: v.session.payload is not None, timeout=20_000)
    return v


def test_one_dashboard_file_has_no_sidebar(window, qtbot):
    qtbot.waitUntil(lambda: window._holdings == ("executive",), timeout=5000)
    assert list(window.views) == ["executive"] and not window.sidebar.isVisible()
    assert window.centralWidget().layout().contentsMargins().left() == 0


def test_sidebar_lists_both_and_ctrl_number_switches(two_window, qtbot):
    w = two_window
    assert w.sidebar.isVisible() and [w.sidebar.item(i).text() for i in range(w.sidebar.count())] == [
        "Executive", "Engineering"]
    assert w.current.name == "executive"
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)  # window shortcuts need it
    qtbot.keyClick(w, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # a key press, through Qt's shortcut map
    assert w.current.name == "engineering" and w.stack.currentWidget() is w.views["engineering"].tabs
    assert w.sidebar.currentRow() == 1
    qtbot.keyClick(w, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert w.current.name == "executive" and w.page is w.views["executive"].page
    qtbot.keyClick(w, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # no third dashboard: stays
    assert w.current.name == "executive"


def test_f5_reloads_every_dashboard_not_only_the_one_in_view(two_window, qtbot):
    w = two_window
    eng, ex = w.views["engineering"], w.views["executive"]
    qtbot.waitUntil(lambda: eng.session.payload is not None, timeout=20_000)  # both loaded once
    assert w.current is ex
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    refreshed = lambda _p, cause, *_a: cause == "refresh"  # noqa: E731
    with qtbot.waitSignal(ex.session.payloadChanged, timeout=20_000, check_params_cb=refreshed):
        qtbot.keyClick(w, Qt.Key.Key_F5)
    with qtbot.waitSignal(eng.session.payloadChanged, timeout=20_000, check_params_cb=refreshed):
        qtbot.keyClick(w, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # hidden at F5: reloads when shown
    assert w.current is eng


def test_full_refresh_timer_runs_for_every_dashboard(two_window, qtbot):
    w = two_window
    w.menus.full_refresh.setChecked(not w.menus.full_refresh.isChecked())
    on = w.menus.full_refresh.isChecked()
    assert [v.session.full_timer.isActive() for v in w.views.values()] == [on, on]
    w.menus.full_refresh.setChecked(not on)
    assert [v.session.full_timer.isActive() for v in w.views.values()] == [not on, not on]


def test_engineering_page_shows_the_core_payload(two_window, two_file, qtbot):
    from execdash_desktop.engine import Engine
    from execdash_desktop.format import format_value

    v = _engineering(two_window, qtbot)
    want = Engine().payload(two_file, "12m", "month", dashboard="engineering")
    assert len(v.page.cards) == 6 and len(v.page.highlights) == 2
    for entry in want["engineeringKpis"]:
        spec = v.dashboard.kpi(entry["key"])
        assert v.page.card(entry["key"]).value_text() == format_value(entry["value"], spec.format, entry["unit"])
    breaches = v.page.panels["sla_breaches"]
    assert breaches.rows() == want["slaBreaches"]  # most overdue first, as the core ordered them
    qtbot.waitUntil(lambda: v.page.panels["severity_mix"].bars.rows != [], timeout=5000)
    mix = {r["severity"]: r["open"] for r in v.page.panels["severity_mix"].bars.rows}
    assert mix["critical"] == next(e["value"] for e in want["engineeringKpis"] if e["key"] == "open_critical")
    qtbot.waitUntil(lambda: v.page.panels["portfolio_bubbles"].rows != [], timeout=5000)
    qtbot.waitUntil(lambda: v.page.panels["audit_log"].rows() != [], timeout=5000)
    v.page.ensure_chart()
    assert [r["period"] for r in v.page.chart.rows()] == [r["period"] for r in want["bugTrend"]]


def test_each_dashboard_keeps_its_own_range_and_drilldowns(two_window, qtbot, tmp_path):
    w = two_window
    ex = w.views["executive"]
    with qtbot.waitSignal(ex.session.payloadChanged, timeout=5000):
        ex.page.controls.choose_range("6m")
    eng = _engineering(w, qtbot)
    assert eng.session.state.range == "12m" and ex.session.state.range == "6m"
    with qtbot.waitSignal(eng.session.payloadChanged, timeout=5000):
        eng.page.controls.choose_range("3m")
    eng.page.card("open_critical").activated.emit("open_critical")  # one click to its drill-down
    qtbot.waitUntil(lambda: (t := eng.drilldowns.tab("bugs/critical")) is not None and t.drilldown is not None,
                    timeout=10_000)
    assert eng.tabs.currentWidget() is eng.drilldowns.tab("bugs/critical")
    assert ex.drilldowns.keys() == [] and eng.drilldowns.keys() == ["bugs/critical"]
    w.show_dashboard("executive")
    assert w.page.controls.state()[0] == "6m" and w.tabs.count() == 1
    w.show_dashboard("engineering")
    assert w.page.controls.state()[0] == "3m"
    eng.session._on_save_timer_timeout()
    ex.session._on_save_timer_timeout()
    s = w.settings
    assert s.view_state(eng.session.path, "engineering").range == "3m"
    assert s.view_state(ex.session.path).range == "6m"


def test_the_dashboard_in_view_is_remembered_per_file(make_window, two_file, qtbot):
    w = make_window(two_file)
    qtbot.waitUntil(lambda: len(w.views) == 2, timeout=10_000)
    w.show_dashboard("engineering")
    settings = w.settings
    assert settings.current_dashboard(w.views["executive"].session.path) == "engineering"
    w2 = make_window(two_file)
    qtbot.waitUntil(lambda: w2.current.name == "engineering", timeout=10_000)


def test_engineering_only_file_shows_only_engineering(make_window, tmp_path, qtbot):
    from execdash_desktop.demo import write_demo

    p = tmp_path / "eng.sqlite"
    write_demo(p, ["engineering"], options={"engineering": {"bugs": 500}})
    from execdash_desktop.ui.main_window import QtMainWindow  # noqa: F401

    w = make_window(None)
    w.open_file(p)
    qtbot.waitUntil(lambda: list(w.views) == ["engineering"] and w.session.payload is not None, timeout=20_000)
    assert not w.sidebar.isVisible() and w.page.dashboard.name == "engineering"
    assert not w.page.banner.isVisible()


# -- the lazy bug table -------------------------------------------------------------------------
def _bug_table(window, qtbot):
    v = _engineering(window, qtbot)
    table = v.page.panels["bug_table"]
    qtbot.waitUntil(lambda: table.model.total > 0, timeout=10_000)
    return v, table


def test_bug_table_fetches_pages_not_rows(two_window, qtbot):
    from execdash_desktop.ui.dashboard.panels.bug_table import PAGE

    v, table = _bug_table(two_window, qtbot)
    model = table.model
    assert model.total == BUGS and model.rowCount() == BUGS
    pages = BUGS // PAGE + 1
    assert len(model.fetched) < pages / 2  # only what was shown
    v.page.ensureWidgetVisible(table.table)  # on screen: the view paints, and asks for what it paints
    qtbot.waitUntil(lambda: model.row(0) is not None, timeout=5000)
    last = model.index(BUGS - 1, 0)
    table.table.scrollTo(last)
    qtbot.waitUntil(lambda: model.row(BUGS - 1) is not None, timeout=5000)
    assert (BUGS - 1) // PAGE in model.fetched and len(set(model.fetched)) < pages
    priorities = [model.row(r)[6] for r in range(min(PAGE, BUGS)) if model.row(r) is not None]
    assert priorities  # the first page is by priority, highest first, among the open bugs


def test_bug_table_answers_the_delegates_roles_as_data_does_in_one_call(two_window, qtbot):
    """The item delegate asks seven roles of every cell it paints; the model answers them in one call
    (multiData) with what data() says, so a paint asks data() of no cell (it was seven calls a cell:
    ~1,700 a scroll frame). A placeholder cell after a shown one gets its own text, not the last one's."""
    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan
    from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTableView

    from execdash_desktop.ui.dashboard.panels.bug_table import QtPagedTableModel

    v, table = _bug_table(two_window, qtbot)
    model = table.model
    qtbot.waitUntil(lambda: model.row(0) is not None, timeout=5000)

    class Counting(QtPagedTableModel):
        asked = 0

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            Counting.asked += 1
            return super().data(index, role)

    counting = Counting(two_window.service)
    counting.set_source(*model._base)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(counting)
    view.resize(900, 400)
    view.show()
    qtbot.waitUntil(lambda: counting.row(0) is not None, timeout=5000)
    Counting.asked = 0
    view.viewport().repaint()
    assert Counting.asked == 0

    delegate = QStyledItemDelegate()  # its own role array, reused from cell to cell as the view's is
    assert model.row(BUGS - 1) is None  # not fetched: a placeholder
    for r in (0, 1, 2, BUGS - 1, 3):
        for c in range(model.columnCount()):
            index = model.index(r, c)
            opt = QStyleOptionViewItem()
            delegate.initStyleOption(opt, index)
            assert opt.text == model.data(index), (r, c)
            assert opt.displayAlignment == Qt.AlignmentFlag(model.data(index, Qt.ItemDataRole.TextAlignmentRole))
            feats = QStyleOptionViewItem.ViewItemFeature
            assert not opt.features & (feats.HasDecoration | feats.HasCheckIndicator)
            assert opt.backgroundBrush.style() == Qt.BrushStyle.NoBrush
    assert model.data(model.index(BUGS - 1, 0)) == "\u2026"
    for c in range(model.columnCount()):  # any other caller: each role it asks, as data() answers it
        for role in range(14):  # display, icon, edit, tool tip, ..., alignment, colours, check, size
            slot = QModelRoleData(role)
            model.multiData(model.index(1, c), QModelRoleDataSpan(slot))
            assert slot.data() == model.data(model.index(1, c), role), (c, role)


def test_a_fling_asks_for_the_pages_it_stops_on_not_every_page_it_passes(two_window, qtbot):
    """Page jobs hold the interpreter lock while they format their rows, time a scrolling window waits
    for: one runs at a time, and the next is the page the view shows when it ends, not the pages
    flown past meanwhile."""
    from PySide6.QtWidgets import QTableView

    from execdash_desktop.ui.dashboard.panels.bug_table import PAGE
    from execdash_desktop.ui.services.query_service import slow_sqlite

    v, table = _bug_table(two_window, qtbot)
    v.page.ensureWidgetVisible(table.table)
    model, view = table.model, table.table
    qtbot.waitUntil(lambda: model.row(0) is not None, timeout=5000)
    before = len(model.fetched)
    two_window.service.set_slow_hook(slow_sqlite(0.3))  # the first page of the fling is slow to come
    last = BUGS // PAGE - 1
    for page in range(1, last + 1):  # a page a step, faster than a page is read
        view.scrollTo(model.index(page * PAGE + PAGE // 2, 0), QTableView.ScrollHint.PositionAtCenter)
        view.viewport().repaint()
        QApplication.processEvents()
    two_window.service.set_slow_hook(None)
    middle = last * PAGE + PAGE // 2
    qtbot.waitUntil(lambda: model.row(middle) is not None, timeout=5000)
    assert model.fetched[before:] == [1, last]
    assert view.rowAt(view.viewport().height() // 2) // PAGE == last


def test_every_page_in_view_lands_though_a_later_paint_asks_for_one_only(two_window, qtbot):
    """Two pages in view, both missing, while a page job runs; then a paint of one row (a hover, a
    page landing) asks for one of them again: both are fetched, not only the last one asked for."""
    from PySide6.QtCore import QRect

    from execdash_desktop.ui.dashboard.panels.bug_table import PAGE
    from execdash_desktop.ui.services.query_service import slow_sqlite

    v, table = _bug_table(two_window, qtbot)
    v.page.ensureWidgetVisible(table.table)
    model, view = table.model, table.table
    qtbot.waitUntil(lambda: model.row(0) is not None, timeout=5000)
    shown = view.viewport().visibleRegion().boundingRect()  # the part of the table on screen
    rh = view.rowHeight(0)
    assert shown.height() >= 4 * rh
    two_window.service.set_slow_hook(slow_sqlite(0.3))
    view.verticalScrollBar().setValue(5 * PAGE * rh)  # page 5: its job is slow
    view.viewport().repaint()
    QApplication.processEvents()
    view.verticalScrollBar().setValue(8 * PAGE * rh - shown.center().y())  # pages 7 and 8 on screen
    view.viewport().repaint()
    y = view.rowViewportPosition(8 * PAGE)
    view.viewport().repaint(QRect(0, y, view.viewport().width(), rh))  # one row of page 8
    assert model.row(5 * PAGE) is None  # page 5 was still being read meanwhile
    two_window.service.set_slow_hook(None)
    qtbot.waitUntil(lambda: model.row(8 * PAGE - 1) is not None and model.row(8 * PAGE) is not None,
                    timeout=5000)


def test_bug_table_filters_and_search_match_the_core(two_window, two_file, qtbot):
    from execdash_desktop.engine import Engine
    from execdash_desktop.store import open_reader

    v, table = _bug_table(two_window, qtbot)
    qtbot.waitUntil(lambda: table.combos["severity"].count() > 1, timeout=5000)
    combo = table.combos["severity"]
    combo.setCurrentIndex(combo.findData("critical"))
    eng = Engine()
    src = eng.source(two_file, dashboard="engineering")
    payload = eng.payload(two_file, dashboard="engineering")
    query = v.dashboard.panel("bug_table").query(open_reader(two_file), src, payload)
    want = query.count(open_reader(two_file), {"severity": "critical"})
    qtbot.waitUntil(lambda: table.model.total == want and table.model.row(0) is not None, timeout=5000)
    assert str(table.model.row(0)[2]).lower() == "critical"


def test_two_fast_filter_changes_render_only_the_second(two_window, qtbot):
    from execdash_desktop.ui.services.query_service import slow_sqlite

    v, table = _bug_table(two_window, qtbot)
    qtbot.waitUntil(lambda: table.combos["severity"].count() > 1, timeout=5000)
    two_window.service.set_slow_hook(slow_sqlite(0.15))
    seen = []
    table.model.totalChanged.connect(seen.append)
    dropped = two_window.service.dropped
    table.model.set_filters({"severity": "low"})
    table.model.set_filters({"severity": "high"})
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    qtbot.waitUntil(lambda: not two_window.service.busy, timeout=5000)
    assert table.model.filters == (("severity", "high"),)
    assert all(str(table.model.row(r)[2]).lower() == "high" for r in range(min(5, table.model.total)))
    assert len(seen) == 1 and two_window.service.dropped + two_window.service.coalesced > dropped


def test_presentation_plays_across_dashboards(two_window, qtbot):
    w = two_window
    eng = w.views["engineering"]
    qtbot.waitUntil(lambda: eng.session.payload is not None, timeout=20_000)  # loads after the first screen
    assert "engineering::dashboard" in w.playlist_pages()
    w._on_presentation_action_triggered()
    try:
        w.presentation.playlist.pause()
        assert w.current.name == "executive" and not w.sidebar.isVisible()
        while w.presentation.playlist.current != "engineering::dashboard":
            w.presentation.playlist.next()
        assert w.current.name == "engineering" and w.tabs.currentWidget() is eng.page
        assert not eng.tabs.tabBar().isVisible() and not eng.page.controls.isVisible()
        w.presentation.playlist.next()  # round to the dashboard it started on
        assert w.presentation.playlist.current == "dashboard" and w.current.name == "executive"
    finally:
        w.presentation.leave()
    assert w.sidebar.isVisible()


def test_playlist_dialog_lists_drilldowns_by_dashboard(two_window, qtbot):
    from PySide6.QtCore import Qt as QtCore_Qt

    from execdash_desktop.ui.present.playlist_dialog import QtPlaylistDialog

    w = two_window
    dlg = QtPlaylistDialog(["engineering::bugs/critical", "supply"], 30, w, w.playlist_catalogue())
    try:
        texts = [dlg.pages.item(i).text() for i in range(dlg.pages.count())]
        assert texts[0] == "Executive" and "Engineering" in texts and "Bugs \u203a Critical" in texts
        head = dlg.pages.item(texts.index("Engineering"))
        assert not head.flags() & QtCore_Qt.ItemFlag.ItemIsUserCheckable
        assert sorted(dlg.chosen()) == ["engineering::bugs/critical", "supply"]
    finally:
        dlg.deleteLater()


def test_board_pack_takes_sections_from_both_dashboards(two_window, qtbot, tmp_path):
    w = two_window
    eng = w.views["engineering"]
    qtbot.waitUntil(lambda: eng.session.payload is not None, timeout=20_000)
    catalogue = dict(w.exports.catalogue())
    assert ("engineering:bugs/critical", "Bugs \u203a Critical") in catalogue["Engineering"]
    target = tmp_path / "pack.pdf"
    with qtbot.waitSignal(w.exports.packWritten, timeout=60_000) as got:
        w.exports.export_board_pack(str(target), "a4", ["finance/revenue", "engineering:bugs/critical"])
    assert got.args[0] == str(target) and got.args[1] >= 4
    assert target.read_bytes()[:5] == b"%PDF-"


def test_open_drilldowns_are_remembered_per_file_and_dashboard(make_window, two_file, qtbot):
    w = make_window(two_file)
    qtbot.waitUntil(lambda: len(w.views) == 2, timeout=10_000)
    eng = _engineering(w, qtbot)
    qtbot.waitUntil(lambda: eng.restored == eng.session.path, timeout=5000)
    eng.drilldowns.open("sla/breaches")
    ex = w.views["executive"]
    qtbot.waitUntil(lambda: ex.restored == ex.session.path, timeout=5000)
    ex.drilldowns.open("customers")
    w.close()
    w2 = make_window(two_file)
    qtbot.waitUntil(lambda: len(w2.views) == 2 and w2.current.name == "engineering", timeout=10_000)
    qtbot.waitUntil(lambda: w2.views["engineering"].drilldowns.keys() == ["sla/breaches"], timeout=10_000)
    qtbot.waitUntil(lambda: w2.views["executive"].drilldowns.keys() == ["customers"], timeout=10_000)
    assert w2.tabs.currentWidget() is w2.page  # reopened behind the dashboard, not in front of it


def test_portfolio_bubbles_size_by_value_and_hover_details(two_window, qtbot):
    from execdash_desktop.ui.dashboard.panels.portfolio import bubble_sizes, details

    v = _engineering(two_window, qtbot)
    panel = v.page.panels["portfolio_bubbles"]
    qtbot.waitUntil(lambda: panel.rows != [], timeout=5000)
    small, big = bubble_sizes([1.0, 4.0], smallest=1, largest=40)
    assert big == 40 and small == 20  # the area, not the diameter, follows the value
    row = max(panel.rows, key=lambda r: r["size"])
    spot = next(p for p in panel.scatter.points() if p.data() is row)
    assert spot.size() == max(p.size() for p in panel.scatter.points())
    v.page.ensureWidgetVisible(panel)
    scene = panel.plot.getPlotItem().vb.mapViewToScene(spot.pos())
    assert row in panel.point_rows_at(scene)  # what the tooltip shows under the mouse
    text = details(row)
    assert row["name"] in text and row["risk_level"] in text and "DCF valuation" in text



def test_bug_table_cells_are_shown_as_formatted_on_the_worker(two_window, qtbot):
    """A page lands with its cells already in words (job "page" formats them with the query), and
    the table shows exactly those: codes as words, dates the app's way, money and hours formatted."""
    from execdash_desktop.ui.dashboard.panels.bug_table import cell_text
    from execdash_desktop.words import code_words

    v, table = _bug_table(two_window, qtbot)
    model = table.model
    qtbot.waitUntil(lambda: model.row(0) is not None, timeout=5000)
    row = model.row(0)
    for c, (name, fmt) in enumerate(zip(model.columns, model.formats)):
        want = code_words(row[c]) if name in ("Severity", "Status") else cell_text(row[c], fmt)
        assert model.data(model.index(0, c)) == want, name


def test_long_bug_numbers_widen_their_column_instead_of_being_cut(make_window, tmp_path, qtbot):
    """A big tracker's bug numbers ('BUG-1000123') are identifiers: the column fits the widest a page
    brings, and the title column gives up the room."""
    from execdash_desktop.demo import write_demo
    from execdash_desktop.ui.dashboard.panels.bug_table import WIDTHS

    p = tmp_path / "eng.sqlite"
    write_demo(p, ["engineering"], options={"engineering": {"bugs": 500}})
    with sqlite3.connect(p) as conn:
        conn.execute("UPDATE bugs SET bug_number = 'BUG-' || (1000000 + rowid)")
    w = make_window(None)
    w.resize(1600, 1000)
    w.open_file(p)
    qtbot.waitUntil(lambda: w.session.payload is not None, timeout=20_000)
    table = w.page.panels["bug_table"]
    qtbot.waitUntil(lambda: table.model.total > 0 and table.model.row(0) is not None, timeout=10_000)
    header, col = table.table.horizontalHeader(), table.model.columns.index("Bug")
    fm = table.table.fontMetrics()
    widest = max(fm.horizontalAdvance(table.model.data(table.model.index(r, col))) for r in range(50))
    qtbot.waitUntil(lambda: header.sectionSize(col) >= widest + 16, timeout=5000)
    assert header.sectionSize(col) > WIDTHS["Bug"]
    assert header.sectionSize(table.model.columns.index("Title")) >= 220  # the title gave up the room


def test_scrolling_the_bug_table_paints_the_table_only_and_looks_the_same(two_window, qtbot):
    """The rows and scroll bars paint their own background, so a scroll step does not repaint the card,
    page and window behind them (it did, with every style-sheet background on the way); the pixels
    are those of the table painted the usual way, in both themes."""
    from PySide6.QtCore import QEvent, QObject

    from execdash_desktop.ui import theme

    v, table = _bug_table(two_window, qtbot)
    v.page.ensureWidgetVisible(table.table)
    qtbot.waitUntil(lambda: table.model.row(0) is not None, timeout=5000)
    parts = (table.table.viewport(), table.table.verticalScrollBar(), table.table.horizontalScrollBar())

    class Paints(QObject):
        count = 0

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                Paints.count += 1
            return False

    bar = table.table.verticalScrollBar()
    bar.setValue(20)  # what was pending (the page scrolled to the table) is painted first
    table.table.viewport().repaint()
    qtbot.wait(200)
    card = Paints()
    table.installEventFilter(card)  # the panel (its card), behind the table
    for step in range(1, 6):
        bar.setValue(20 + step * 40)
        table.table.viewport().repaint()
        bar.repaint()
        QApplication.processEvents()
    assert Paints.count == 0

    def look():
        qtbot.wait(50)
        return table.table.grab().toImage()

    for mode in ("dark", "light"):
        theme.manager().set_mode(mode)
        QApplication.processEvents()
        assert all(p.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent) for p in parts), mode
        opaque = look()
        for p in parts:  # painted the usual way: no own background, the parents' behind
            p.removeEventFilter(table)
            p.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        assert look() == opaque, mode
        table._paint_opaque()


def test_bug_table_columns_grow_with_the_projectors_type_and_come_back(two_window, qtbot):
    """Presenting scales the type: the fixed columns scale with it ("Revenue / day" and the bug numbers
    were cut on the projector), and return to their widths after; the dates' column fits the widest
    date in either type."""
    from execdash_desktop.ui import theme

    from execdash_desktop.format import MONTH_ABBR

    v, table = _bug_table(two_window, qtbot)
    header, cols = table.table.horizontalHeader(), table.model.columns
    fixed = [i for i, name in enumerate(cols) if name not in ("Title", "Created")]
    created = cols.index("Created")

    def dates_fit() -> bool:  # the widest date whole ("18 Mar 20…" at 1920x1080 before): the cell's
        fm = table.table.fontMetrics()  # padding (16 px) and the style's text margins (~6 px) beside it
        return header.sectionSize(created) >= max(fm.horizontalAdvance(f"30 {m} 2026") for m in MONTH_ABBR) + 22

    before = [header.sectionSize(i) for i in fixed]
    assert dates_fit()
    mgr = theme.manager()
    mgr.set_presenting(True, scope=[two_window])
    try:
        k = theme.TYPE["body"] / theme.BASE_TYPE["body"]
        assert k > 1
        assert [header.sectionSize(i) for i in fixed] == [round(w * k) for w in before]
        assert dates_fit()
    finally:
        mgr.set_presenting(False)
    assert [header.sectionSize(i) for i in fixed] == before and dates_fit()
