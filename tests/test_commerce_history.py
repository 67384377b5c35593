"""'Inventory history of one SKU' for the product the user chose (a stock-alert row), not only the most urgent."""

from __future__ import annotations

import pytest

from execdash_desktop.dashboards import get
from execdash_desktop.store import open_reader

import commerce_files as cf

DASH = get("commerce")


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    p = tmp_path_factory.mktemp("history") / "clean.sqlite"
    cf.write(p, False)
    return p


def _drilldown(path, key):
    src = DASH.load(str(path), None)
    payload = DASH.payload(src, "12m", "month", None)
    conn = open_reader(path)
    try:
        return payload, DASH.drilldown(key, conn, src, payload)
    finally:
        conn.close()


def test_each_stock_alert_row_opens_its_own_products_history(clean):
    payload, _ = _drilldown(clean, "inventory/history")
    panel = DASH.panels[0].query(None, DASH.load(str(clean), None), payload)
    assert panel["row_drilldowns"] == [f"inventory/history?{a['sku']}" for a in payload["inventoryAlerts"]]
    assert panel["drilldown"] == "inventory/alerts"  # the Details button: the whole list


def test_history_of_the_chosen_product(clean):
    _, dd = _drilldown(clean, "inventory/history?SKU-B")
    assert dd.title.endswith(": SKU-B") and "SKU-B" in dd.tables[0].title
    assert [r[0] for r in dd.tables[0].rows] == ["2026-03-03", "2026-03-09"]  # both of SKU-B's counts
    assert [r[1] for r in dd.tables[0].rows] == [50, 5]
    _, urgent = _drilldown(clean, "inventory/history")  # without a choice: the most urgent alert's
    assert "SKU-A" in urgent.tables[0].title


def test_a_product_without_stock_counts_says_so(clean):
    _, dd = _drilldown(clean, "inventory/history?NOPE")
    assert dd.tables[0].rows == () and dd.chart is None and "no stock counts" in dd.notes[-1]


def test_only_the_history_takes_a_product(clean):
    with pytest.raises(KeyError):
        _drilldown(clean, "inventory/alerts?SKU-B")
