"""The window on hostile files (issue 12): every card and drill-down still opens; a bad
value, a broken view or a damaged table shows as a dash or a note, never a crash."""

from __future__ import annotations

import pytest

from execdash_desktop.packs.executive.drilldowns import CARD_DRILLDOWN
from execdash_desktop.packs.executive.kpis import KPI_KEYS
from tests import hostile_corpus as corpus


def _open_every_drilldown(window, qtbot) -> None:
    keys = list(dict.fromkeys(CARD_DRILLDOWN[k] for k in KPI_KEYS)) + ["customers", "telemetry"]
    for key in keys:
        if key in window.menus.drilldowns:
            window.menus.drilldowns[key].trigger()
        qtbot.waitUntil(lambda: window.drilldowns.tab(key) is not None
                        and window.drilldowns.tab(key).drilldown is not None, timeout=10_000)
        window.tabs.setCurrentIndex(0)


@pytest.mark.parametrize("name", ["nan_inf_text", "sum_overflows", "orders_overflow", "orders_view",
                                  "alert_invalid_utf8", "nrr_broken_view", "damaged_top_products_daily"])
def test_the_window_serves_a_hostile_file(make_window, demo_master, tmp_path, qtbot, name):
    path = corpus.build(name, demo_master, tmp_path)
    window = make_window(path)
    assert window.session.payload is not None and window.isVisible()
    _open_every_drilldown(window, qtbot)
    if name == "damaged_top_products_daily":
        tab = window.drilldowns.tab("customers")
        assert "damaged" in tab.note.text() and "top_products_daily" in tab.note.text()
    if name == "nrr_broken_view":
        assert window.session.payload["executiveKpis"][3]["value"] is None  # NRR: a dash, with its reason
