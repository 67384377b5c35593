"""Issue 11 item 7: an alert opens the drill-down that shows the number it quotes."""

from __future__ import annotations

import re

import pytest

from execdash_desktop.engine import Engine
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.packs.executive.drilldowns import build_drilldown, drilldown_for_alert
from execdash_desktop.packs.executive.payload import resolve_window
from execdash_desktop.store import open_reader


def _pct(text: str) -> float:
    return float(re.search(r"(-?\d+(?:\.\d+)?)%", text).group(1))


def _money_to(text: str) -> float:
    """'rose from £6.12M to £8.27M' -> 8.27e6."""
    m = re.search(r"to £(\d+(?:\.\d+)?)([Mk])", text)
    return float(m.group(1)) * (1e6 if m.group(2) == "M" else 1e3)


# title start -> (drill-down, table, column, does a cell show the quoted number?)
QUOTES = {
    "Backlog up": ("supply", "Backlog history (period end)", "Backlog",
                   lambda a, v: abs(v - _money_to(a["description"])) < 0.006e6),
    "Uptime dipped to": ("operations/uptime", "Uptime", "Uptime",
                         lambda a, v: round(v * 100, 1) == _pct(a["title"])),
    "Supplier lead time up to": ("supply/inventory_turns", "Supplier lead time", "Lead time",
                                 lambda a, v: round(v) == int(re.search(r"to (\d+) days", a["title"]).group(1))),
    "COGS variance": ("supply/inventory_turns", "COGS variance", "Variance",
                      lambda a, v: round(v * 100, 1) == _pct(a["title"])),
    "Inventory turns slowed to": ("supply/inventory_turns", "Inventory turns", "Turns per year",
                                  lambda a, v: round(v, 1) == float(a["title"].rsplit(" ", 1)[1])),
    "DOA rate": ("operations/uptime", "Quality", "Dead on arrival",
                 lambda a, v: round(v * 100, 1) == _pct(a["title"])),
}
# alerts that quote no number the file holds: the drill-down about their subject
ABOUT = {"Paid search CAC": "finance/payback", "Webinar leads": "sales/pipeline",
         "Referral share": "customers", "Freight rates": "supply/inventory_turns"}


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_every_demo_alert_opens_the_drilldown_showing_its_number(tmp_path, seed):
    path = tmp_path / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=1_000, seed=seed)
    src = Engine().source(path)
    payload = Engine().payload(path, "12m")
    w = resolve_window(src, "12m", None)
    conn = open_reader(path)
    try:
        assert payload["alerts"]
        for alert in payload["alerts"]:
            key = drilldown_for_alert(alert)
            about = [k for prefix, k in ABOUT.items() if alert["title"].startswith(prefix)]
            if about:
                assert key == about[0], alert["title"]
                continue
            quoted = [q for prefix, q in QUOTES.items() if alert["title"].startswith(prefix)]
            assert quoted, f"no expectation for the demo alert {alert['title']!r}"
            want_key, table, column, shows = quoted[0]
            assert key == want_key, alert["title"]
            t = next(t for t in build_drilldown(key, conn, src, w).tables if t.title == table)
            i = t.columns.index(column)
            assert any(r[i] is not None and shows(alert, r[i]) for r in t.rows), (alert["title"], t.rows)
    finally:
        conn.close()


def test_the_metric_wins_over_the_type_and_the_type_is_the_fallback():
    assert drilldown_for_alert({"type": "ops", "title": "Backlog up 35% in 2026-08"}) == "supply"
    assert drilldown_for_alert({"type": "supply", "title": "COGS variance 2.1% over plan"}) == "supply/inventory_turns"
    assert drilldown_for_alert({"type": "marketing", "title": "Paid search CAC up 18% month on month"}) == \
        "finance/payback"
    assert drilldown_for_alert({"type": "ops", "title": "Something happened",
                                "description": "mean time to repair rose"}) == "operations/uptime"
    assert drilldown_for_alert({"type": "retention", "title": "Heads up"}) == "finance/nrr"
    assert drilldown_for_alert({"type": None, "title": None}) == "finance/revenue"
    # a word inside another word is not the metric ("carry" is not "arr", "scarce" not "cac")
    assert drilldown_for_alert({"type": "sales", "title": "Carry-over is scarce"}) == "sales/pipeline"
