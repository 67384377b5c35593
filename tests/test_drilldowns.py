"""Every drill-down builds from a real demo file, and from a file missing its tables."""

from __future__ import annotations

import pytest

from execdash_desktop.engine import Engine
from execdash_desktop.months import Window, parse_month
from execdash_desktop.packs.executive import drilldowns as dd
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.store import open_reader


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("dd") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=10_000, seed=3)
    return path


def test_every_card_has_a_drilldown():
    from execdash_desktop.packs.executive.kpis import KPI_KEYS
    assert set(dd.CARD_DRILLDOWN) == set(KPI_KEYS)
    assert set(dd.CARD_DRILLDOWN.values()) <= set(dd.DRILLDOWNS)


@pytest.mark.parametrize("key", list(dd.DRILLDOWNS))
def test_drilldown_has_rows_on_demo(demo, key):
    src = Engine().source(demo)
    w = Window(parse_month("2025-11"), parse_month("2026-10"))
    conn = open_reader(demo)
    try:
        d = dd.build_drilldown(key, conn, src, w)
    finally:
        conn.close()
    assert d.title == dd.DRILLDOWNS[key]
    assert d.tables and all(t.rows for t in d.tables), [t.title for t in d.tables if not t.rows]
    for t in d.tables:
        assert len(t.columns) == len(t.formats)
        assert all(len(r) == len(t.columns) for r in t.rows)
        assert dd.to_csv(t).splitlines()[0] == ",".join(t.columns)


def test_gm_by_type_ties_out_to_gm_kpi(demo):
    eng = Engine()
    p = eng.payload(demo, "12m")
    gm = {k["key"]: k for k in p["executiveKpis"]}["gm"]["value"]
    conn = open_reader(demo)
    d = dd.build_drilldown("finance/gm", conn, eng.source(demo),
                           Window(parse_month("2025-11"), parse_month("2026-10")))
    conn.close()
    by_type = d.tables[1]
    assert sum(r[2] for r in by_type.rows) / sum(r[1] for r in by_type.rows) == pytest.approx(gm)


@pytest.mark.parametrize("key", list(dd.DRILLDOWNS))
def test_missing_tables_become_notes(db_factory, key):
    import sqlite3
    path = db_factory(schema=False)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE revenue_trend (period TEXT PRIMARY KEY, recognized, booked, backlog)")
    conn.execute("INSERT INTO revenue_trend VALUES ('2025-01', 1, 1, 1)")
    conn.commit()
    conn.close()
    src = Engine().source(path)
    reader = open_reader(path)
    d = dd.build_drilldown(key, reader, src, Window(parse_month("2024-11"), parse_month("2025-01")))
    reader.close()
    from_tables = any(n.startswith("table ") for n in d.notes)
    # drill-downs built only from the trend and the orders rollup need no other table
    assert from_tables != (key in {"supply", "sales/revenue"})


def test_alert_routes_to_its_drilldown():
    assert dd.drilldown_for_alert({"type": "ops", "title": "x"}) == "operations/uptime"
    assert dd.drilldown_for_alert({"type": "weird", "title": "Backlog up"}) == "supply"
