"""The Commerce dashboard (design/commerce-pack.md): the rules on clean and messy files, the payload,
missing tables, the command line and the API, the demo's stories."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execdash_desktop.dashboards import get
from execdash_desktop.errors import InvalidRequestError
from execdash_desktop.packs.commerce import rules
from execdash_desktop.packs.commerce.source import load_source

import commerce_files as cf

DASH = get("commerce")


def run(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "execdash_desktop", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("commerce")
    out = {}
    for name, messy in (("clean", False), ("messy", True)):
        p = root / f"{name}.sqlite"
        cf.write(p, messy)
        out[name] = p
    return out


def payload_of(path, **kw):
    src = DASH.load(str(path), None)
    return src, DASH.payload(src, kw.get("range_", "12m"), kw.get("granularity", "month"), kw.get("as_of"))


def kpi(p, key):
    return next(e for e in p["commerceKpis"] if e["key"] == key)


# ---- percentiles and windows (hypothesis)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60), st.floats(0, 1))
def test_percentile_cont_is_linear_interpolation(values, p):
    assert rules.percentile_cont(values, p) == pytest.approx(float(np.percentile(values, p * 100)), rel=1e-9, abs=1e-6)


@given(st.lists(st.tuples(st.integers(-50, 500), st.integers(1, 5)), min_size=1, max_size=40),
       st.sampled_from([0.0, 0.5, 0.9, 0.95, 1.0]))
def test_grouped_percentile_equals_the_percentile_of_the_rows(groups, p):
    values = np.array([float(v) for v, _ in groups])
    counts = np.array([c for _, c in groups])
    flat = [v for v, c in groups for _ in range(c)]
    assert rules.hist_percentile(values, counts, p) == pytest.approx(rules.percentile_cont(flat, p))


def test_percentile_of_nothing_is_null():
    assert rules.percentile_cont([], 0.5) is None
    assert rules.hist_percentile(np.array([np.nan]), np.array([3]), 0.5) is None


@given(st.dates(date(2001, 1, 1), date(2099, 12, 31)))
@settings(max_examples=200)
def test_windows(d0):
    d = rules.to_day(d0)
    lo, hi = rules.mtd_before(d)
    first_prev = (d0.replace(day=1) - timedelta(days=1)).replace(day=1)
    assert rules.to_date(lo) == first_prev
    assert hi - lo + 1 == min(d0.day, ((d0.replace(day=1) - timedelta(days=1)).day))
    assert rules.to_date(rules.mtd(d)[0]) == d0.replace(day=1)
    lo, hi = rules.ytd_before(d)
    assert rules.to_date(lo) == date(d0.year - 1, 1, 1)
    prev = rules.to_date(hi)
    assert prev.year == d0.year - 1 and prev.month == d0.month and prev.day in (d0.day, d0.day - 1)
    assert rules.last_n(d, 7) == (d - 6, d) and rules.last_n(d, 30) == (d - 29, d)


# ---- the payload, literally, on the clean and the messy file
def _sum(days, f):
    return sum(f(x) for x in days if x in cf.SALES_DAYS)


def _span(a: date, b: date):
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


@pytest.mark.parametrize("name", ["clean", "messy"])
def test_kpis_literally(files, name):
    _, p = payload_of(files[name])
    D = cf.D
    assert p["pack"] == "commerce" and p["asOf"] == "2026-03-10"
    assert [e["key"] for e in p["commerceKpis"]] == ["revenue_mtd", "revenue_ytd", "aov_30d", "fulfillment_rate_7d",
                                                     "inventory_alerts", "open_escalations", "first_response_p50_7d",
                                                     "activation_rate_7d"]
    mtd = _sum(_span(date(2026, 3, 1), D), cf.revenue)
    prev = _sum(_span(date(2026, 2, 1), date(2026, 2, 10)), cf.revenue)
    e = kpi(p, "revenue_mtd")
    assert e["value"] == pytest.approx(mtd) and e["delta"] == pytest.approx((mtd - prev) / prev)
    e = kpi(p, "revenue_ytd")  # the year before is not in the file: no delta
    assert e["value"] == pytest.approx(_sum(_span(date(2026, 1, 1), D), cf.revenue)) and e["delta"] is None
    span, before = _span(D - timedelta(days=29), D), _span(D - timedelta(days=59), D - timedelta(days=30))
    aov = _sum(span, cf.revenue) / _sum(span, cf.orders)
    aov0 = _sum(before, cf.revenue) / _sum(before, cf.orders)
    assert kpi(p, "aov_30d")["value"] == pytest.approx(aov)
    assert kpi(p, "aov_30d")["delta"] == pytest.approx((aov - aov0) / aov0)
    week, week0 = _span(D - timedelta(days=6), D), _span(D - timedelta(days=13), D - timedelta(days=7))
    rate = _sum(week, cf.fulfilled) / _sum(week, cf.orders)
    rate0 = _sum(week0, cf.fulfilled) / _sum(week0, cf.orders)
    assert kpi(p, "fulfillment_rate_7d")["value"] == pytest.approx(rate)
    assert kpi(p, "fulfillment_rate_7d")["delta"] == pytest.approx((rate - rate0) / rate0)
    # alerts at the 9 March snapshot: A critical, B and B2 high; at D-7 (3 March snapshot): A
    assert kpi(p, "inventory_alerts")["value"] == 3 and kpi(p, "inventory_alerts")["delta"] == pytest.approx(2.0)
    # open at the end of D: 3 (open), 4 (resolved after D), 6 (pending); at D-7: 4 and 6
    assert kpi(p, "open_escalations")["value"] == 3 and kpi(p, "open_escalations")["delta"] == pytest.approx(0.5)
    # first responses 4-10 March: 10, 40, 200 -> 40; the week before: 5, 15, 25, 30, 45 -> 25
    e = kpi(p, "first_response_p50_7d")
    assert e["value"] == 40 and e["delta"] == pytest.approx(0.6) and e["unit"] == "min"
    act = [cf.activation(x) for x in week]
    act0 = [cf.activation(x) for x in week0]
    e = kpi(p, "activation_rate_7d")
    assert e["value"] == pytest.approx(sum(act) / 7)
    assert e["delta"] == pytest.approx((sum(act) / 7 - sum(act0) / 7) / (sum(act0) / 7))


@pytest.mark.parametrize("name", ["clean", "messy"])
def test_panels_literally(files, name):
    _, p = payload_of(files[name])
    sp = p["salesPulse"]
    D = cf.D
    assert sp["revenue"] == pytest.approx(cf.revenue(D)) and sp["orders"] == cf.orders(D)
    w = D - timedelta(days=7)
    assert sp["revenue_wow"] == pytest.approx((cf.revenue(D) - cf.revenue(w)) / cf.revenue(w))
    assert sp["fulfilled_pct"] == pytest.approx(cf.fulfilled(D) / cf.orders(D))
    assert [s["sku"] for s in sp["top_skus"]] == ["SKU-A", "SKU-C", "SKU-B", "SKU-B2", "SKU-E"]  # tie by sku
    assert [(a["sku"], a["severity"]) for a in p["inventoryAlerts"]] == [
        ("SKU-A", "critical"), ("SKU-B", "high"), ("SKU-B2", "high"), ("SKU-D", "medium"), ("SKU-C", "medium"),
        ("SKU-E", "low")]
    f = p["fulfillment"]  # in the window, not cancelled: #1-#6 and #9 (#8 is on 3 March in UTC)
    assert f["rate"] == pytest.approx(4 / 7) and f["sla_breach_rate"] == pytest.approx(3 / 7)
    assert f["days_p50"] == pytest.approx(2.5) and f["days_p90"] == pytest.approx(3.7)
    assert f["open_issues"] == [{"issue_type": "delayed_shipping", "issue_severity": "high", "count": 2},
                                {"issue_type": "missing_items", "issue_severity": "low", "count": 1}]
    c = p["cx"]
    assert c["first_response_p50"] == 40 and c["first_response_p90"] == pytest.approx(168)
    assert c["sla_breach_rate"] == pytest.approx(1 / 3) and c["escalations"] == 1
    assert c["resolution_rate"] == pytest.approx(2 / 3)
    assert c["sentiment"] == {"positive": 1, "neutral": 1, "negative": 0, "very_negative": 1}
    ytd = kpi(p, "revenue_ytd")["value"]
    assert p["milestones"] == {"ytd_revenue": ytd, "reached": [], "next": 1_000_000.0, "progress": ytd / 1e6}
    trend = p["revenueTrend"]
    assert [t["period"] for t in trend] == ["2026-01", "2026-02", "2026-03"]
    assert [t["partial"] for t in trend] == [False, False, True]
    assert trend[1]["revenue"] == pytest.approx(_sum(_span(date(2026, 2, 1), date(2026, 2, 28)), cf.revenue))
    assert p["timeframe"] == {"range": "12m", "granularity": "month", "start_date": "2025-04-01",
                              "end_date": "2026-03-10", "as_of": "2026-03-10"}


def test_clean_and_messy_files_give_the_same_payload(files):
    assert payload_of(files["clean"])[1] == payload_of(files["messy"])[1]


def test_quarters_and_rebucket(files):
    src, p = payload_of(files["clean"], granularity="quarter")
    assert [(t["period"], t["partial"]) for t in p["revenueTrend"]] == [("2026-Q1", True)]
    monthly = DASH.payload(src, "12m", "month", None)
    assert DASH.rebucket(monthly, "quarter")["revenueTrend"] == p["revenueTrend"]
    _, p = payload_of(files["clean"], as_of="2026-02-28", range_="3m", granularity="quarter")
    # Dec..Feb: Q4 2025 has no rows (left out); Q1 2026 is not wholly inside the window
    assert [(t["period"], t["partial"]) for t in p["revenueTrend"]] == [("2026-Q1", True)]


def test_data_quality_checks(files):
    for name in ("clean", "messy"):
        _, p = payload_of(files[name])
        checks = {c["check"]: c for c in p["dataQuality"]}
        assert [c["check"] for c in p["dataQuality"]] == ["freshness", "completeness", "negative_values",
                                                          "aov_consistency", "negative_inventory",
                                                          "fulfillment_times", "response_times", "duplicate_skus",
                                                          "orphan_skus", "segment_ranges"]
        assert checks["freshness"]["status"] == "pass"
        assert checks["completeness"] == {"check": "completeness", "status": "fail", "failing": 2,
                                          "examples": ["2026-02-14", "2026-03-07"]}
        assert checks["fulfillment_times"]["failing"] == 1 and checks["fulfillment_times"]["examples"] == ["#10"]
        assert checks["orphan_skus"]["examples"] == ["SKU-F"] and checks["orphan_skus"]["status"] == "fail"
        assert checks["segment_ranges"]["failing"] == 1
        for k in ("negative_values", "aov_consistency", "negative_inventory", "response_times", "duplicate_skus"):
            assert checks[k]["status"] == "pass", k
    # freshness warns at 2-3 days, fails after
    _, p = payload_of(files["clean"], as_of="2026-03-10")
    assert p["dataQuality"][0]["status"] == "pass"


def test_as_of(files):
    src, p = payload_of(files["clean"], as_of="2026-02-15")
    assert p["asOf"] == "2026-02-15" and p["timeframe"]["end_date"] == "2026-02-15"
    assert p["salesPulse"]["revenue"] == pytest.approx(cf.revenue(date(2026, 2, 15)))
    assert DASH.payload(src, "12m", "month", "2026-02-14")["salesPulse"]["revenue"] is None  # a missing day
    for bad in ("2025-12-31", "2026-03-11", "March", "2026-13-01"):
        with pytest.raises(InvalidRequestError):
            DASH.payload(src, "12m", "month", bad)


def test_missing_tables_disable_only_their_panels(files, tmp_path):
    path = tmp_path / "partial.sqlite"
    path.write_bytes(files["clean"].read_bytes())
    conn = sqlite3.connect(path)
    for t in ("inventory_snapshots", "cx_conversations", "ceo_time_savings"):
        conn.execute(f"DROP TABLE {t}")
    conn.commit()
    conn.close()
    src, p = payload_of(path)
    assert p["inventoryAlerts"] is None and p["cx"] is None
    assert kpi(p, "inventory_alerts")["value"] is None and kpi(p, "open_escalations")["value"] is None
    assert kpi(p, "first_response_p50_7d")["value"] is None
    assert p["fulfillment"]["rate"] == pytest.approx(4 / 7)  # the others stand
    assert kpi(p, "revenue_mtd")["value"] is not None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for panel in DASH.panels:
            if panel.query is None:
                continue
            data = panel.query(conn, src, p)
            if panel.name in ("stock_alerts", "cx_health", "time_saved"):
                assert "disabled" in data and "no " in data["disabled"], panel.name
            else:
                assert "disabled" not in data, panel.name
        dd = DASH.drilldown("cx/escalations", conn, src, p)
        assert not dd.tables and any("cx_conversations" in n for n in dd.notes)
    finally:
        conn.close()
    checks = {c["check"]: c for c in p["dataQuality"]}
    assert checks["freshness"]["status"] == "fail" and checks["negative_inventory"]["status"] == "fail"
    # without sales there is no dashboard: one clear line
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE sales_metrics_daily")
    conn.commit()
    conn.close()
    r = run("kpis", "--db", str(path), "--dashboard", "commerce", "--json")
    assert r.returncode == 2 and "sales_metrics_daily" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_drilldowns_and_summary(files):
    src, p = payload_of(files["messy"])
    conn = sqlite3.connect(f"file:{files['messy']}?mode=ro", uri=True)
    try:
        for entry in DASH.drilldowns:
            dd = DASH.drilldown(entry.key, conn, src, p)
            assert dd.title == entry.title and dd.notes[0] == "As of 2026-03-10"
        seg = DASH.drilldown("customers/segments", conn, src, p)
        fit = next(t for t in seg.tables if t.title.startswith("Vehicle fit"))
        assert dict((r[0], r[2]) for r in fit.rows) == {1969: 1, 1980: 0}  # json_each over fits_vehicle_years
        hist = DASH.drilldown("inventory/history", conn, src, p)
        assert "SKU-A" in hist.tables[0].title and [r[0] for r in hist.tables[0].rows] == ["2026-03-03", "2026-03-09"]
        orders = DASH.drilldown("fulfillment/orders", conn, src, p).tables[0]
        assert [r[0] for r in orders.rows] == ["#2", "#9", "#4", "#6", "#5"]
        # codes read as words on screen and paper (the messy file writes them in capitals too)
        words = {v for row in orders.rows for v in row[1:2] + row[4:6] if v}
        assert words and all("_" not in w and w[0].isupper() and w[1:] == w[1:].lower() for w in words), words
        summary = DASH.summary(conn, src, p)
        sections = {s.section for s in summary.sentences}
        assert sections == {"now", "reason", "action"}
        assert any("SKU-A" in s.text for s in summary.sentences)
    finally:
        conn.close()


def test_cli_and_api_serve_the_same_bytes(files):
    from fastapi.testclient import TestClient

    from execdash_desktop.api.app import create_app

    path = files["messy"]
    cli = run("kpis", "--db", str(path), "--dashboard", "commerce", "--as-of", "2026-03-01", "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["asOf"] == "2026-03-01"
    bad = run("kpis", "--db", str(path), "--dashboard", "commerce", "--as-of", "2027-01-01", "--json")
    assert bad.returncode == 2 and "as_of" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    with TestClient(create_app(path)) as c:
        r = c.get("/api/commerce-dashboard", params={"as_of": "2026-03-01"})
        assert r.status_code == 200 and r.content == cli.stdout.rstrip("\n").encode()
        assert c.get("/api/commerce-dashboard", params={"as_of": "2027-01-01"}).status_code == 422
        dd = c.get("/api/commerce/inventory/alerts")
        assert dd.status_code == 200 and dd.json()["tables"][0]["rows"][0][1] == "SKU-A"
        assert c.get("/api/commerce/quality/checks").status_code == 200


def test_schema_has_the_seed_indexes():
    from importlib import resources

    sql = resources.files("execdash_desktop.data").joinpath("commerce_schema.sql").read_text()
    conn = sqlite3.connect(":memory:")
    conn.executescript(sql)
    idx = {r[0]: r[1] for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql NOT NULL")}
    for name in ("idx_sku_performance_trending", "idx_inventory_alerts", "idx_fulfillment_issues", "idx_cx_escalations"):
        assert "WHERE" in idx[name], name
    assert "low_stock" in idx["idx_inventory_alerts"]
    assert len(idx) == 21  # every seed index but the GIN one (no SQLite form)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == set(("product_categories customer_segments sales_metrics_daily sku_performance "
                          "inventory_snapshots fulfillment_tracking cx_conversations shop_activation_metrics "
                          "operator_sla_resolution ceo_time_savings").split())
    cols = [r[1] for r in conn.execute("PRAGMA table_info(fulfillment_tracking)")]
    assert len(cols) == 17 and cols[-5:] == ["order_created_at", "fulfilled_at", "sla_deadline", "created_at",
                                             "updated_at"]
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO sales_metrics_daily (id, date) VALUES ('a', '2026-01-01'), ('b', '2026-01-01')")
    # "fits 1969" through json_each
    conn.execute("INSERT INTO product_categories (id, fits_vehicle_years) VALUES ('p', '[1968, 1969]')")
    assert conn.execute("SELECT count(*) FROM product_categories, json_each(fits_vehicle_years) WHERE value = 1969"
                        ).fetchone()[0] == 1


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("cdemo") / "demo.sqlite"
    r = run("demo", "--db", str(path), "--dashboards", "commerce", "--end", "2026-10", "--shipments", "20000",
            "--conversations", "8000", "--days", "200")
    assert r.returncode == 0, r.stderr
    return path


def test_demo_tells_its_stories(demo):
    from execdash_desktop.packs.commerce import demo as cdemo

    src, p = payload_of(demo)
    assert p["asOf"] == "2026-10-28"
    assert p["inventoryAlerts"][0] == {"sku": cdemo.STOCKOUT_SKU, "severity": "critical", "stock_status": "out_of_stock",
                                       "quantity_available": 0, "days_of_cover": 0}
    assert p["salesPulse"]["top_skus"][0]["sku"] == cdemo.STOCKOUT_SKU  # a fast seller is out
    assert p["fulfillment"]["sla_breach_rate"] > 0.5 and kpi(p, "fulfillment_rate_7d")["delta"] < -0.2  # slow week
    esc = kpi(p, "open_escalations")  # the spike: many open now, few (or none: no delta) a week ago
    assert esc["value"] >= 10 and (esc["delta"] is None or esc["delta"] > 2)
    checks = {c["check"]: c for c in p["dataQuality"]}
    for k in ("completeness", "aov_consistency", "negative_inventory", "fulfillment_times", "response_times",
              "duplicate_skus", "orphan_skus", "segment_ranges"):
        assert checks[k]["status"] != "pass", k
    assert checks["freshness"]["status"] == "pass" and checks["negative_values"]["status"] == "pass"


def test_demo_is_deterministic(demo, tmp_path):
    other = tmp_path / "again.sqlite"
    r = run("demo", "--db", str(other), "--dashboards", "commerce", "--end", "2026-10", "--shipments", "20000",
            "--conversations", "8000", "--days", "200")
    assert r.returncode == 0
    a, b = payload_of(demo)[1], payload_of(other)[1]
    assert a == b


def test_board_pack_data_for_commerce(files):
    from execdash_desktop import boardpack as bp
    from execdash_desktop.store import open_reader

    src, monthly = payload_of(files["clean"])
    conn = open_reader(files["clean"])
    try:
        data = bp.gather(conn, src, monthly, None, DASH.board_pack.drilldowns, str(files["clean"]),
                         dashboard="commerce")
    finally:
        conn.close()
    assert data.as_of == "2026-03-10" and data.currency == "$" and data.title == "Commerce"
    assert [d.key for d in data.drilldowns] == list(DASH.board_pack.drilldowns)
    assert data.panels["data_quality"]["kind"] == "checks" and len(data.panels["data_quality"]["rows"]) == 10
    assert data.has_summary
