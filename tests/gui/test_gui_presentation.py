"""Presentation mode: F11 / Esc, the projector theme, the playlist, the idle cursor."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication


@pytest.fixture
def presenting(window, qtbot):
    """A window in presentation mode with two drill-downs in the playlist (fast)."""
    window.settings.playlist = ["finance/nrr", "supply"]
    window.settings.playlist_interval_s = 5
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.presentation.active
    yield window
    window.presentation.leave()


def _chrome(window):
    return [window.menuBar(), window.statusBar(), window.tabs.tabBar(), window.page.controls]


def test_f11_enters_and_esc_leaves(window, qtbot):
    from execdash_desktop.ui import theme

    window.settings.playlist = []
    assert all(c.isVisible() for c in _chrome(window))
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.presentation.active and window.isFullScreen()
    assert not any(c.isVisible() for c in _chrome(window))
    assert theme.manager().presenting and theme.palette() is theme.PROJECTOR
    assert theme.TYPE["body"] > theme.BASE_TYPE["body"] and theme.LINE["chart"] > theme.BASE_LINE["chart"]
    qtbot.keyClick(window.tabs.currentWidget(), Qt.Key.Key_Escape)
    assert not window.presentation.active and not window.isFullScreen()
    assert all(c.isVisible() for c in _chrome(window))
    assert theme.palette() is theme.LIGHT and theme.TYPE == theme.BASE_TYPE


def test_the_shortcut_is_f11_here_and_ctrl_cmd_f_on_macos(monkeypatch):
    from PySide6.QtGui import QKeySequence

    from execdash_desktop.ui import menus

    assert menus.presentation_keys() == [QKeySequence("F11")]
    monkeypatch.setattr(menus.sys, "platform", "darwin")
    assert menus.presentation_keys() == [QKeySequence("Ctrl+Meta+F")]


def test_projector_theme_marks_good_and_bad_by_shape(window, qtbot):
    card = window.page.card("revenue")
    qtbot.keyClick(window, Qt.Key.Key_F11)
    try:
        # every card with a good or bad change shows it by a mark, not only by colour
        marks = {c.key: c.delta_text().split()[-1] for c in window.page.all_cards()}
        for c in window.page.all_cards():
            want = {"good": "\u2713", "bad": "\u2717"}.get(c.tone())
            assert want is None or marks[c.key] == want, c.key
        assert "\u2713" in marks.values() and "\u2717" in marks.values()
        # nothing is cut off at a projector's 1024 px: the page needs no more width than that
        qtbot.waitUntil(lambda: window.page.widget().minimumSizeHint().width() <= 1024 - 12)
    finally:
        window.presentation.leave()
    assert not card.delta_text().endswith(("\u2713", "\u2717"))


def test_playlist_cycles_dashboard_and_chosen_drilldowns(presenting, qtbot):
    w = presenting
    playlist = w.presentation.playlist
    assert playlist.items == ["dashboard", "finance/nrr", "supply"] and playlist.playing
    assert w.tabs.currentWidget() is w.page
    playlist.set_interval_ms(120)
    playlist.play()
    qtbot.waitUntil(lambda: w.tabs.currentWidget() is w.drilldowns.tab("finance/nrr"), timeout=3000)
    qtbot.waitUntil(lambda: w.tabs.currentWidget() is w.drilldowns.tab("supply"), timeout=3000)
    qtbot.waitUntil(lambda: w.tabs.currentWidget() is w.page, timeout=3000)


def test_any_key_pauses_and_arrows_step(presenting, qtbot):
    w = presenting
    playlist = w.presentation.playlist
    assert playlist.playing
    qtbot.keyClick(w.tabs.currentWidget(), Qt.Key.Key_A)
    assert not playlist.playing
    qtbot.keyClick(w.tabs.currentWidget(), Qt.Key.Key_Right)
    assert w.tabs.currentWidget() is w.drilldowns.tab("finance/nrr")
    qtbot.keyClick(w.tabs.currentWidget(), Qt.Key.Key_PageDown)  # a presenter's clicker
    assert w.tabs.currentWidget() is w.drilldowns.tab("supply")
    qtbot.keyClick(w.tabs.currentWidget(), Qt.Key.Key_Left)
    assert w.tabs.currentWidget() is w.drilldowns.tab("finance/nrr")
    assert not playlist.playing  # stepping does not resume
    qtbot.keyClick(w.tabs.currentWidget(), Qt.Key.Key_Space)
    assert playlist.playing
    # a window shortcut (M: by month) still works, and pauses too
    qtbot.keyClick(w.tabs.currentWidget(), Qt.Key.Key_M)
    assert not playlist.playing


def test_cursor_hides_when_idle_and_the_bar_shows_on_move(window, qtbot):
    from PySide6.QtGui import QCursor

    window.settings.playlist = []
    window.presentation.idle_cursor_ms = 100
    QCursor.setPos(600, 500)  # not over the bar (the cursor stays while over the bar)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    try:
        p = window.presentation
        qtbot.waitUntil(lambda: p.cursor_hidden, timeout=3000)
        assert QGuiApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
        p.mouse_moved()
        assert not p.cursor_hidden and QGuiApplication.overrideCursor() is None
        assert p.bar.isVisible() and p.bar.y() == 0 and p.bar.width() == window.width()
        assert p.bar.where.text() == "Dashboard"
        qtbot.waitUntil(lambda: p.cursor_hidden, timeout=3000)
    finally:
        window.presentation.leave()
    assert QGuiApplication.overrideCursor() is None


def test_auto_refresh_keeps_polling_while_presenting(presenting, qtbot):
    presenting.session.set_poll_interval(100, 0)
    with qtbot.waitSignal(presenting.session.alertsPolled, timeout=5000):
        pass
    assert presenting.presentation.active


def test_playlist_setting_and_dialog(window, qtbot):
    from execdash_desktop.ui.present.playlist_dialog import QtPlaylistDialog

    window.settings.playlist = None
    window.drilldowns.open("customers")
    assert window.playlist_pages() == ["customers"]  # none chosen: the open tabs
    dlg = QtPlaylistDialog(["supply"], 45, window)
    qtbot.addWidget(dlg)
    assert dlg.chosen() == ["supply"] and dlg.interval_s() == 45
    window.settings.playlist = dlg.chosen()
    window.settings.playlist_interval_s = 2  # clamped to 5 s
    assert window.playlist_pages() == ["supply"] and window.settings.playlist_interval_s == 5


def test_board_pack_export_leaves_presentation_mode(presenting, qtbot):
    from execdash_desktop.ui import theme

    presenting.exports._on_board_pack_action_triggered()
    assert not presenting.presentation.active and theme.TYPE == theme.BASE_TYPE
    dlg = presenting.exports.dialog
    assert dlg is not None
    dlg.reject()


def test_a_pack_drawn_while_presenting_is_print_styled(presenting, qtbot, tmp_path):
    import pypdf

    from execdash_desktop.ui import theme

    w = presenting
    w.presentation.leave()
    out = tmp_path / "pack.pdf"
    with qtbot.waitSignal(w.exports.packWritten, timeout=20_000):
        w.exports.export_board_pack(str(out), "a4", ["supply"])
        w.presentation.enter([])  # F11 after Export, before the pages are drawn
    text = pypdf.PdfReader(str(out)).pages[1].extract_text()
    assert "\u2713" not in text and "\u2717" not in text  # no projector marks in print
    assert w.presentation.active and theme.TYPE["body"] > theme.BASE_TYPE["body"]  # the screen's untouched


def test_an_os_scheme_change_while_presenting_is_applied_on_leaving(window, qtbot, monkeypatch):
    from execdash_desktop.ui import theme

    mgr = theme.manager()
    mgr.set_mode("system")
    monkeypatch.setattr(theme, "system_is_dark", lambda: False)
    mgr.apply()
    window.settings.playlist = []
    qtbot.keyClick(window, Qt.Key.Key_F11)
    monkeypatch.setattr(theme, "system_is_dark", lambda: True)  # dusk: the OS turns dark
    mgr._on_hints_color_scheme_changed(None)
    assert theme.palette() is theme.PROJECTOR
    qtbot.keyClick(window.tabs.currentWidget(), Qt.Key.Key_Escape)
    try:
        assert theme.palette() is theme.DARK
        assert theme.DARK.window in QApplication.instance().styleSheet()
    finally:
        mgr.set_mode("light")


def test_a_drilldown_opened_while_presenting_is_projector_styled(presenting, qtbot):
    w = presenting
    w.page.cardActivated.emit("gm", 0.0)
    tab = w.drilldowns.tab("finance/gm")
    assert w.tabs.currentWidget() is tab and tab.styleSheet() != ""
    w.presentation.leave()
    assert tab.styleSheet() == ""


def test_a_drilldown_tab_behind_the_dashboard_becomes_a_slide_when_shown(window, qtbot):
    """F11 rebuilds what is on screen only (twelve open tabs made it take ~0.8 s); a tab behind the
    dashboard is rebuilt as a slide when it is shown, and as a page again after Esc."""
    window.settings.playlist = []
    tab = window.drilldowns.open("finance/revenue")
    qtbot.waitUntil(lambda: tab.drilldown is not None, timeout=10000)
    window.tabs.setCurrentIndex(0)
    page_views = list(tab.views)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert tab.presenting and tab.views == page_views  # not rebuilt while hidden
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.views != page_views)
    slide_rows = [v.model().rowCount() for v in tab.views]
    tab.set_drilldown(tab.drilldown, tab._unit)  # what a slide built directly shows
    assert [v.model().rowCount() for v in tab.views] == slide_rows
    assert not tab.export_button.isVisible()
    qtbot.keyClick(window.tabs.currentWidget(), Qt.Key.Key_Escape)
    assert not tab.presenting and tab.export_button.isVisible()


def test_the_playlists_next_drilldown_is_made_a_slide_before_its_turn(window, qtbot):
    """While the dashboard is on screen, the playlist's next drill-down is rebuilt as a slide, so its
    step does not wait for the rebuild."""
    window.settings.playlist = ["finance/nrr"]
    tab = window.drilldowns.open("finance/nrr")
    qtbot.waitUntil(lambda: tab.drilldown is not None, timeout=10000)
    window.tabs.setCurrentIndex(0)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert tab.presenting and tab._restyle_when_shown  # F11 itself left it for later
    qtbot.waitUntil(lambda: not tab._restyle_when_shown)
    assert not tab.isVisible()  # made a slide behind the dashboard
    window.presentation.leave()
