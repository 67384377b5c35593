"""The demo data generator: complete, coherent, deterministic, atomic (no Qt)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3

import pytest

from execdash_desktop.errors import DataFileError
from execdash_desktop.packs.executive import demo
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.store import SCHEMA_VERSION, create_schema

END = "2026-10"
MONTHS = 6
ORDERS = 5000
PERIODS = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
APP_TABLES = {"user_events", "user_event_meta"}


def _make(path, **kw):
    args = dict(end=END, months=MONTHS, orders=ORDERS, seed=7)
    args.update(kw)
    return generate(str(path), **args)


def _digest(path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        h = hashlib.sha256()
        for line in conn.iterdump():
            h.update(line.encode("utf-8"))
            h.update(b"\n")
        return h.hexdigest()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    calls = []
    summary = _make(path, progress=lambda f, m: calls.append((f, m)))
    listing = sorted(os.listdir(path.parent))   # before anyone opens it
    return path, summary, calls, listing


@pytest.fixture()
def db(demo_file):
    conn = sqlite3.connect(str(demo_file[0]))
    yield conn
    conn.close()


def _schema_entries(conn):
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name").fetchall()
    return rows


def _tables(conn):
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]


def test_summary_and_progress(demo_file):
    path, summary, calls, _ = demo_file
    assert summary["path"] == str(path)
    assert (summary["months"], summary["orders"], summary["end"]) == (MONTHS, ORDERS, END)
    assert summary["seconds"] >= 0
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions)
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert fractions[-1] == 1.0


def test_schema_matches_create_schema(db):
    empty = sqlite3.connect(":memory:")
    create_schema(empty)
    assert _schema_entries(db) == _schema_entries(empty)
    for table in _tables(empty):
        assert (db.execute(f'PRAGMA table_info("{table}")').fetchall()
                == empty.execute(f'PRAGMA table_info("{table}")').fetchall()), table
    empty.close()


def test_every_table_has_rows_except_app_tables(db):
    tables = _tables(db)
    assert len(tables) >= 30
    for table in tables:
        n = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        if table in APP_TABLES:
            assert n == 0, table
        else:
            assert n > 0, table


def test_pragmas_wal_and_version(demo_file, db):
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert demo_file[3] == ["demo.sqlite"]   # no temp, -wal or -shm file left behind


def test_orders_count_dates_and_rowid_order(db):
    rows = db.execute("SELECT id, order_date, type, amount, profit FROM orders ORDER BY id").fetchall()
    assert len(rows) == ORDERS
    days = [r[1][:10] for r in rows]
    assert days == sorted(days)                          # rowid order = date order
    assert {d[:7] for d in days} == set(PERIODS)
    stamped = [r[1] for r in rows if len(r[1]) > 10]
    assert 0.01 * ORDERS < len(stamped) < 0.06 * ORDERS  # a few per cent with a time
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", s) for s in stamped)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[1]) for r in rows if len(r[1]) == 10)
    share = {t: n / ORDERS for t, n in db.execute("SELECT type, count(*) FROM orders GROUP BY type")}
    assert set(share) == {"recognized", "booked", "subscription", "recurring"}
    assert share["recognized"] == pytest.approx(0.55, abs=0.04)
    assert share["subscription"] == pytest.approx(0.20, abs=0.04)
    gm = db.execute("SELECT sum(profit) / sum(amount) FROM orders").fetchone()[0]
    assert 0.35 < gm < 0.48
    assert all(r[3] > 0 and 0.3 * r[3] <= r[4] + 0.01 for r in rows)
    lo, hi, n = db.execute("SELECT min(id), max(id), count(*) FROM customers").fetchone()
    assert (lo, hi) == (1, n)
    assert 1000 <= n <= 10000
    assert db.execute("SELECT count(*) FROM orders WHERE customer_id NOT IN "
                      "(SELECT id FROM customers)").fetchone()[0] == 0
    # each order's customer existed by the order date
    assert db.execute("SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id "
                      "WHERE c.created_at > substr(o.order_date, 1, 10)").fetchone()[0] == 0


def test_recognized_is_sum_of_orders(db):
    sums = dict(db.execute("SELECT substr(order_date, 1, 7), sum(amount) FROM orders GROUP BY 1"))
    trend = db.execute("SELECT period, recognized, booked, backlog FROM revenue_trend "
                       "ORDER BY period").fetchall()
    assert [r[0] for r in trend] == PERIODS
    for period, recognized, booked, _ in trend:
        assert recognized == pytest.approx(sums[period], rel=1e-6)
        assert 1.2e6 < recognized < 3.5e6
        assert booked > 0
    # backlog is a running stock: previous + booked - recognized
    for prev, cur in zip(trend, trend[1:]):
        assert cur[3] == pytest.approx(prev[3] + cur[2] - cur[1], abs=0.05)


def test_revenue_does_not_depend_on_order_count(tmp_path, db):
    small = tmp_path / "small.sqlite"
    _make(small, orders=MONTHS)                         # one order a month
    conn = sqlite3.connect(str(small))
    a = conn.execute("SELECT recognized FROM revenue_trend ORDER BY period").fetchall()
    assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == MONTHS
    conn.close()
    b = db.execute("SELECT recognized FROM revenue_trend ORDER BY period").fetchall()
    for (x,), (y,) in zip(a, b):
        assert x == pytest.approx(y, rel=1e-3)


def test_backlog_spike_and_uptime_dip_match_the_alerts(db):
    trend = db.execute("SELECT period, backlog FROM revenue_trend ORDER BY period").fetchall()
    growth = {cur[0]: cur[1] / prev[1] - 1 for prev, cur in zip(trend, trend[1:])}
    spike = max(growth, key=growth.get)
    assert spike == PERIODS[-3]                         # 2 months before end
    assert growth[spike] > 0.2
    uptime = dict(db.execute("SELECT period, uptime FROM ops_uptime"))
    dip = min(uptime, key=uptime.get)
    assert dip == PERIODS[-2]                           # the month before end
    assert uptime[dip] == pytest.approx(0.975, abs=0.004)
    assert all(0.993 <= v <= 0.999 for p, v in uptime.items() if p != dip)

    titles = [r[0] for r in db.execute("SELECT title FROM alerts")]
    backlog = [re.search(r"Backlog up (\d+)% in (\d{4}-\d{2})", t) for t in titles]
    backlog = [m for m in backlog if m]
    assert len(backlog) == 1
    assert backlog[0].group(2) == spike
    assert int(backlog[0].group(1)) == round(growth[spike] * 100)
    dips = [m for m in (re.search(r"Uptime dipped to ([\d.]+)% in (\d{4}-\d{2})", t)
                        for t in titles) if m]
    assert len(dips) == 1
    assert dips[0].group(2) == dip
    assert float(dips[0].group(1)) == pytest.approx(uptime[dip] * 100, abs=0.05)


def test_alerts_and_risks(db):
    alerts = db.execute("SELECT type, severity, created_at FROM alerts").fetchall()
    assert 6 <= len(alerts) <= 10
    assert {a[0] for a in alerts} >= {"ops", "supply", "marketing"}
    assert {a[1] for a in alerts} == {"high", "medium", "low"}
    assert all(re.fullmatch(r"2026-10-\d{2} \d{2}:\d{2}:\d{2}", a[2]) for a in alerts)

    risks = db.execute("SELECT title, owner, due, mitigation, status FROM risks").fetchall()
    assert 8 <= len(risks) <= 12
    assert all(r[1] and r[3] for r in risks)
    assert sum(r[2] is None for r in risks) == 1
    assert {r[4] for r in risks} <= {"open", "in_progress", "closed"}
    assert any(r[4] == "closed" for r in risks)
    live = [r for r in risks if r[4] != "closed" and r[2] is not None]
    assert any(r[2] < "2026-10-01" for r in live)       # overdue
    assert any(r[2] > "2026-10-31" for r in live)       # due later


def test_monthly_and_daily_tables(db):
    monthly = ["revenue_trend", "ops_uptime", "ops_reliability", "ops_quality",
               "ops_service_cost", "supply_cogs_variance", "supply_lead_time",
               "supply_inventory_turns", "telemetry_utilization", "telemetry_consumption",
               "telemetry_active_devices", "retention_nrr", "pipeline_winrate"]
    for table in monthly:
        periods = [r[0] for r in db.execute(f"SELECT period FROM {table} ORDER BY period")]
        assert periods == PERIODS, table
    devices = [r[0] for r in db.execute(
        "SELECT active_devices FROM telemetry_active_devices ORDER BY period")]
    assert devices == sorted(devices) and devices[-1] > devices[0]
    for nrr, churn, exp in db.execute("SELECT nrr, gross_churn, expansion FROM retention_nrr"):
        assert 0.01 <= churn <= 0.03 and 0.04 <= exp <= 0.12
        assert nrr == pytest.approx(1 - churn + exp, abs=1e-9)
    for wr, cycle in db.execute("SELECT win_rate_pct, sales_cycle_days FROM pipeline_winrate"):
        assert 0.18 <= wr <= 0.32 and 35 <= cycle <= 70
    for table in ("ops_quality",):
        for row in db.execute(f"SELECT doa_pct, defect_pct, warranty_pct FROM {table}"):
            assert all(0 <= v <= 1 for v in row)

    n_days = (dt.date(2026, 10, 31) - dt.date(2026, 5, 1)).days + 1
    stage_rows = db.execute("SELECT period, stage_name, value FROM pipeline_stages_daily "
                            "ORDER BY period").fetchall()
    assert len(stage_rows) == 4 * n_days
    by_day: dict[str, dict[str, int]] = {}
    for period, stage, value in stage_rows:
        by_day.setdefault(period, {})[stage] = value
    assert all(v["Leads"] > v["MQL"] > v["SQL"] > v["Won"] > 0 for v in by_day.values())
    current = dict(db.execute("SELECT stage_name, value FROM pipeline_stages"))
    assert current == by_day["2026-10-31"]

    names, days = db.execute("SELECT count(DISTINCT name), count(DISTINCT period) "
                             "FROM top_products_daily").fetchone()
    assert 10 <= names <= 12 and days == n_days
    assert db.execute("SELECT count(*) FROM top_products_daily").fetchone()[0] == names * n_days
    totals = dict(db.execute("SELECT name, sum(revenue) FROM top_products_daily GROUP BY name"))
    top = dict(db.execute("SELECT name, revenue FROM top_products"))
    assert set(top) == set(totals)
    for name, value in top.items():
        assert value == pytest.approx(totals[name], rel=1e-9)

    assert db.execute("SELECT * FROM executive_kpis").fetchall() == [
        ("payback", "CAC payback", pytest.approx(14.2, abs=0.5), "mo",
         pytest.approx(-0.04, abs=0.015), "down")]
    windows = db.execute("SELECT range, start_date, end_date, granularity FROM timeframe_window "
                         "ORDER BY id").fetchall()
    assert windows == [("6m", "2026-05-01", "2026-10-31", "month"),
                       ("12m", "2025-11-01", "2026-10-31", "month")]
    assert 6 <= db.execute("SELECT count(*) FROM supply_cogs_breakdown").fetchone()[0] <= 8
    assert 20 <= db.execute("SELECT count(*) FROM retention_at_risk").fetchone()[0] <= 30
    assert db.execute("SELECT count(*) FROM retention_at_risk WHERE risk < 0 OR risk > 1 "
                      "OR mrr <= 0").fetchone()[0] == 0
    lo, hi = db.execute("SELECT min(score), max(score) FROM feedback_scores").fetchone()
    assert 1.0 <= lo < hi == 5.0
    assert db.execute("SELECT count(*) FROM devices WHERE fault_type IS NULL").fetchone()[0] > \
        db.execute("SELECT count(*) FROM devices WHERE fault_type IS NOT NULL").fetchone()[0] > 0
    assert db.execute("SELECT count(*) FROM feedback WHERE customer_id NOT IN "
                      "(SELECT id FROM customers)").fetchone()[0] == 0
    # no timestamp comes from the clock: everything lies inside the history
    for table, col in (("product_feedback", "created_at"), ("feedback_scores", "created_at"),
                       ("feedback", "created_at"), ("expenses", "date"),
                       ("page_visits", "visit_date")):
        lo, hi = db.execute(f"SELECT min({col}), max({col}) FROM {table}").fetchone()
        assert "2026-05-01" <= lo and hi[:10] <= "2026-10-31", table
    assert db.execute("SELECT max(created_at) FROM customers").fetchone()[0] <= "2026-10-31"


def test_same_seed_same_data_other_seed_other_data(tmp_path, demo_file):
    again = tmp_path / "again.sqlite"
    other = tmp_path / "other.sqlite"
    _make(again)
    _make(other, seed=8)
    assert _digest(again) == _digest(demo_file[0])
    assert _digest(other) != _digest(demo_file[0])


def test_refuses_to_overwrite_without_force(tmp_path):
    path = tmp_path / "taken.sqlite"
    path.write_bytes(b"precious")
    with pytest.raises(DataFileError, match="already exists; pass --force") as err:
        _make(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    assert path.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["taken.sqlite"]
    _make(path, force=True, months=2, orders=100)
    conn = sqlite3.connect(str(path))
    assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 100
    conn.close()


def test_a_failure_leaves_nothing_behind(tmp_path, monkeypatch):
    path = tmp_path / "keep.sqlite"
    path.write_bytes(b"old")

    def boom(*args, **kwargs):
        raise RuntimeError("crash in the middle")

    monkeypatch.setattr(demo.monthly, "pipeline", boom)
    with pytest.raises(RuntimeError):
        _make(path, force=True)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["keep.sqlite"]


@pytest.mark.parametrize("kwargs, word", [
    ({"end": "2026-13"}, "end"),
    ({"end": "202610"}, "end"),
    ({"end": "Oct 2026"}, "end"),
    ({"months": 0}, "months"),
    ({"months": 2.5}, "months"),
    ({"orders": 3, "months": 6}, "orders"),
    ({"orders": -1}, "orders"),
])
def test_invalid_arguments(tmp_path, kwargs, word):
    path = tmp_path / "bad.sqlite"
    with pytest.raises(DataFileError, match=word) as err:
        _make(path, **kwargs)
    assert "\n" not in str(err.value)
    assert repr(next(iter(kwargs.values()))) in str(err.value) or word == "orders"
    assert not path.exists() and os.listdir(tmp_path) == []


def test_folder_problems(tmp_path):
    with pytest.raises(DataFileError, match="folder"):
        _make(tmp_path)
    with pytest.raises(DataFileError, match="does not exist"):
        _make(tmp_path / "missing" / "x.sqlite")


def test_default_end_is_the_month_before_today(tmp_path):
    assert demo._default_end(dt.date(2026, 1, 15)) == "2025-12"
    assert demo._default_end(dt.date(2026, 11, 1)) == "2026-10"
    summary = generate(str(tmp_path / "d.sqlite"), months=1, orders=10)
    assert summary["end"] == demo._default_end()


def test_short_histories(tmp_path):
    for months in (1, 2, 3):
        path = tmp_path / f"m{months}.sqlite"
        _make(path, months=months, orders=50)
        conn = sqlite3.connect(str(path))
        assert conn.execute("SELECT count(*) FROM revenue_trend").fetchone()[0] == months
        assert 6 <= conn.execute("SELECT count(*) FROM alerts").fetchone()[0] <= 10
        assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 50
        conn.close()
