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


# -- one number, one code path: the API route and the drill-down tab agree ---------------
W12 = ("2025-11", "2026-10")


def _drilldown(path, key):
    conn = open_reader(path)
    try:
        return dd.build_drilldown(key, conn, Engine().source(path), Window(*map(parse_month, W12)))
    finally:
        conn.close()


def _api(path, route):
    import warnings
    with warnings.catch_warnings():  # starlette's notice about httpx, at import
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient
    from execdash_desktop.api.app import create_app
    with TestClient(create_app(path)) as client:
        r = client.get(route, params={"range": "12m", "as_of": W12[1]})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def messy(demo, tmp_path_factory):
    """The demo with rates stored as percents (number and text), timestamps and text money."""
    import shutil
    import sqlite3
    path = tmp_path_factory.mktemp("messy") / "messy.sqlite"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE ops_uptime SET uptime = (uptime * 100) || '%' WHERE period >= '2026-03'")
    conn.execute("UPDATE ops_quality SET doa_pct = doa_pct * 100, period = period || '-01 00:00:00'")
    conn.execute("UPDATE pipeline_winrate SET win_rate_pct = win_rate_pct * 100 WHERE period >= '2026-06'")
    conn.execute("UPDATE retention_at_risk SET risk = risk * 100 WHERE id % 2 = 0")
    conn.execute("UPDATE retention_at_risk SET risk = (risk * 100) || '%', mrr = printf('%d,%03d.00', "
                 "CAST(mrr AS INT) / 1000, CAST(mrr AS INT) % 1000) WHERE id % 6 = 3")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("file", ["demo", "messy"])
@pytest.mark.parametrize("key, group, metric", [
    ("operations/uptime", "operations", "uptime"), ("operations/uptime", "operations", "quality"),
    ("operations/uptime", "operations", "reliability"), ("sales/pipeline", "sales", "winrate"),
    ("supply/inventory_turns", "supply", "cogs-variance"), ("telemetry", "telemetry", "active-devices"),
])
def test_api_series_equal_the_drilldown_table(request, file, key, group, metric):
    from execdash_desktop.packs.executive.series import SERIES
    path = request.getfixturevalue(file)
    spec = SERIES[group][metric]
    table = next(t for t in _drilldown(path, key).tables if t.title == spec.title)
    rows = _api(path, f"/api/{group}/{metric}")["rows"]
    assert [(r["period"], *(r[c.key] for c in spec.cols)) for r in rows] == list(table.rows)
    assert len(table.rows) == 12
    for i, c in enumerate(spec.cols, start=1):  # rates are 0-1 whatever way they were stored
        assert c.fmt != "ratio" or all(0 <= r[i] <= 1 for r in table.rows)


@pytest.mark.parametrize("file", ["demo", "messy"])
def test_api_at_risk_equals_the_drilldown_table(request, file):
    path = request.getfixturevalue(file)
    table = next(t for t in _drilldown(path, "finance/nrr").tables if t.title.startswith("At-risk"))
    rows = _api(path, "/api/customers/at-risk")["rows"]
    assert [(r["customer"], r["mrr"], r["risk"], r["mrr_at_risk"], r["reason"]) for r in rows] == list(table.rows)
    assert all(0 <= r[2] <= 1 and r[3] == pytest.approx(r[1] * r[2]) for r in table.rows)
    assert [r[3] for r in table.rows] == sorted((r[3] for r in table.rows), reverse=True)


def test_packs_name_the_tables_they_read(db_factory):
    """The Executive pack lists every table its drill-downs and first screen read."""
    import sqlite3

    from execdash_desktop.packs import all_packs, packs_in
    from execdash_desktop.store import create_schema, table_names

    conn = sqlite3.connect(":memory:")
    create_schema(conn)
    schema_tables = table_names(conn)
    (executive,) = [p for p in all_packs() if p.name == "executive"]
    assert set(executive.tables) <= schema_tables
    assert "executive" in [p.name for p in packs_in(schema_tables)]
    assert packs_in({"orders", "alerts"}) == []
