"""The dashboard on short screens (issue 13, items 1-2): what must show without scrolling,
and the slide checker (ui/present/fit.py) catching what does not fit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect


def _inside_viewport(page, widget) -> bool:
    vp = page.viewport()
    top_left = widget.mapTo(vp, QPoint(0, 0))
    return vp.rect().contains(QRect(top_left, widget.size()))


def _row_rect(panel, i: int) -> QRect:
    view = panel.view
    r = view.visualRect(panel.model.index(i))
    return QRect(view.viewport().mapTo(panel.window(), r.topLeft()), r.size())


@pytest.mark.parametrize("size", [(1024, 768), (1093, 614)])
def test_short_screens_show_cards_trend_and_first_alert_and_risk(make_window, data_file, qtbot, size):
    window = make_window(data_file, size=size)
    assert window.minimumSize().width() <= 1093 and window.minimumSize().height() <= 614
    page = window.page
    qtbot.waitUntil(lambda: page.width() > 0 and page.chart is not None)
    qtbot.waitUntil(lambda: page.alerts.model.rowCount() > 0 and page.risks.model.rowCount() > 0)
    assert page.verticalScrollBar().value() == 0
    for card in page.all_cards():
        assert _inside_viewport(page, card), card.key
    assert _inside_viewport(page, page.chart)
    page_rect = QRect(page.viewport().mapTo(window, QPoint(0, 0)), page.viewport().size())
    for panel in (page.alerts, page.risks):
        assert _inside_viewport(page, panel)
        assert page_rect.contains(_row_rect(panel, 0)), type(panel).__name__
    # the plot, not only its frame, has room
    assert page.chart.plot.height() >= 100


def test_a_tall_window_keeps_the_roomy_layout(make_window, data_file, qtbot):
    window = make_window(data_file, size=(1440, 1000))
    page = window.page
    qtbot.waitUntil(lambda: page.chart is not None)
    assert page._side.indexOf(page.alerts) >= 0  # alerts over risks, beside the trend
    assert all(card.spark.isVisible() for card in page.all_cards())


def test_fit_problems_names_a_cut_label_a_scroll_and_a_button(qtbot):
    from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

    from execdash_desktop.ui.present.fit import fit_problems

    root = QWidget()
    qtbot.addWidget(root)
    root.resize(300, 200)
    lay = QVBoxLayout(root)
    cut = QLabel("A label far too long to be shown whole in a narrow box")
    cut.setFixedWidth(80)
    lay.addWidget(cut)
    area = QScrollArea()
    tall = QWidget()
    tall.setMinimumHeight(800)
    area.setWidget(tall)
    lay.addWidget(area)
    lay.addWidget(QPushButton("Export"))
    root.show()
    qtbot.waitExposed(root)
    problems = "\n".join(fit_problems(root))
    assert "is cut" in problems and "far too long" in problems
    assert "scrolls down" in problems
    assert "a control on the slide" in problems and "Export" in problems


def test_a_slide_lists_rows_that_fit_and_counts_the_rest(make_window, data_file, qtbot):
    window = make_window(data_file, size=(1024, 768))
    page = window.page
    qtbot.waitUntil(lambda: page.alerts.model.rowCount() > 0)
    total = len(page.alerts.rows())
    page.set_presenting(True)
    qtbot.waitUntil(lambda: page.alerts.more.isVisible() or page.alerts.shown_rows() == total)
    shown = page.alerts.shown_rows()
    assert 1 <= shown <= total
    if shown < total:
        assert page.alerts.more.text() == f"+{total - shown} more"
    qtbot.waitUntil(lambda: page.alerts.view.verticalScrollBar().maximum() == 0)  # laid out later
    assert not page.summary.toggle.isVisible()
    page.set_presenting(False)
    assert page.alerts.shown_rows() == total and not page.alerts.more.isVisible()
