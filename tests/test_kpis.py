"""Every rule and edge of kpi-definitions.md, on real SQLite files."""

from __future__ import annotations

import pytest

from execdash_desktop.engine import Engine
from execdash_desktop.errors import InvalidRequestError
from tests.conftest import trend


def kpis(payload):
    return {k["key"]: k for k in payload["executiveKpis"]}


def payload(db, **kw):
    return Engine().payload(db, **kw)


# 24 months 2024-01..2025-12, recognized = 100 * month number, booked = 1.1x, backlog = 1000 + n
MONTHS24 = trend("2024-01", [(100.0 * n, 110.0 * n, 1000.0 + n) for n in range(1, 25)])


def test_revenue_sums_recognized_over_window_and_delta_vs_previous(db_factory):
    db = db_factory({"revenue_trend": MONTHS24})
    k = kpis(payload(db, range_="6m"))["revenue"]
    w = sum(100.0 * n for n in range(19, 25))
    p = sum(100.0 * n for n in range(13, 19))
    assert k["value"] == pytest.approx(w)
    assert k["delta"] == pytest.approx((w - p) / p)
    assert k["direction"] == "up"
    assert k["unit"] == "£"


def test_timeframe_dates_are_whole_months(db_factory):
    db = db_factory({"revenue_trend": MONTHS24})
    tf = payload(db, range_="3m")["timeframe"]
    assert tf == {"range": "3m", "granularity": "month", "start_date": "2025-10-01",
                  "end_date": "2025-12-31", "as_of": "2025-12"}


def test_ytd_runs_from_january_of_as_of_year(db_factory):
    db = db_factory({"revenue_trend": MONTHS24})
    p = payload(db, range_="ytd", as_of="2025-03")
    assert p["timeframe"]["start_date"] == "2025-01-01"
    assert p["timeframe"]["end_date"] == "2025-03-31"
    assert kpis(p)["revenue"]["value"] == pytest.approx(100.0 * (13 + 14 + 15))


def test_backlog_is_period_end_of_last_month_with_row_never_summed(db_factory):
    rows = [r for r in MONTHS24 if r["period"] != "2025-12"]  # last month missing
    db = db_factory({"revenue_trend": rows})
    p = payload(db, range_="6m", as_of="2025-11")
    assert kpis(p)["backlog"]["value"] == 1000.0 + 23
    # previous window's value is P's last month: 2025-05 -> n = 17
    assert kpis(p)["backlog"]["delta"] == pytest.approx((1023 - 1017) / 1017)


def test_missing_month_is_missing_data_not_zero(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(10, 10, 1)] * 3)})
    p = payload(db, range_="3m", as_of="2025-03")
    # previous window (2024-10..12) has no rows: delta is null, direction flat
    rev = kpis(p)["revenue"]
    assert rev["value"] == 30 and rev["delta"] is None and rev["direction"] == "flat"


def test_uptime_is_day_weighted_and_percent_normalised(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)] * 3),
                     "ops_uptime": [{"period": "2025-01", "uptime": 0.9},
                                    {"period": "2025-02", "uptime": 100.0},  # a percent
                                    ]})
    u = kpis(payload(db, range_="3m"))["uptime"]
    assert u["value"] == pytest.approx((0.9 * 31 + 1.0 * 28) / (31 + 28))
    assert u["unit"] is None


def test_nrr_latest_on_or_before_as_of_and_percent_above_3(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)] * 6),
                     "retention_nrr": [
                         {"period": "2025-02", "nrr": 1.05, "gross_churn": 0.02, "expansion": 0.07},
                         {"period": "2025-04", "nrr": 104, "gross_churn": 2, "expansion": 6}]})
    assert kpis(payload(db, range_="3m", as_of="2025-06"))["nrr"]["value"] == pytest.approx(1.04)
    assert kpis(payload(db, range_="3m", as_of="2025-03"))["nrr"]["value"] == pytest.approx(1.05)
    # nrr of 2.5 is a ratio (may exceed 1), not a percent
    db2 = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)]),
                      "retention_nrr": [{"period": "2025-01", "nrr": 2.5, "gross_churn": 0, "expansion": 0}]})
    assert kpis(payload(db2, range_="3m"))["nrr"]["value"] == 2.5


def test_gm_from_orders_in_window_with_timestamps_in_date_column(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)] * 3),
                     "orders": [
                         {"amount": 100, "profit": 40, "order_date": "2025-03-31 23:59:59", "type": "recognized"},
                         {"amount": 100, "profit": 20, "order_date": "2025-03-01T08:00:00", "type": "booked"},
                         {"amount": 999, "profit": 999, "order_date": "2025-04-01", "type": "booked"},
                         {"amount": 50, "profit": 10, "order_date": "2024-12-31", "type": "booked"},
                     ]})
    p = kpis(payload(db, range_="3m"))
    assert p["gm"]["value"] == pytest.approx(60 / 200)


def test_arr_is_12x_recurring_in_as_of_month_and_zero_is_real(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)] * 3),
                     "orders": [
                         {"amount": 10, "profit": 1, "order_date": "2025-03-05", "type": "subscription"},
                         {"amount": 5, "profit": 1, "order_date": "2025-03-09", "type": "recurring"},
                         {"amount": 70, "profit": 1, "order_date": "2025-03-09", "type": "recognized"},
                         {"amount": 8, "profit": 1, "order_date": "2025-02-09", "type": "recurring"}]})
    assert kpis(payload(db, range_="3m"))["arr"]["value"] == pytest.approx(180)
    assert kpis(payload(db, range_="3m", as_of="2025-01"))["arr"]["value"] == 0.0


def test_arr_and_gm_null_only_when_orders_empty(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)] * 3)})
    k = kpis(payload(db, range_="3m"))
    assert k["arr"]["value"] is None and "orders" in k["arr"]["reason"]
    assert k["gm"]["value"] is None


def test_book_to_bill_and_zero_denominator(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(100, 108, 1), (100, 108, 1), (0, 5, 1)])})
    assert kpis(payload(db, range_="3m"))["book_to_bill"]["value"] == pytest.approx(221 / 200)
    db0 = db_factory({"revenue_trend": trend("2025-01", [(0, 5, 1)])})
    k = kpis(payload(db0, range_="3m"))["book_to_bill"]
    assert k["value"] is None and k["reason"]


def test_coverage_uses_six_months_whatever_the_range(db_factory):
    db = db_factory({"revenue_trend": MONTHS24})
    for rng in ("3m", "12m", "24m"):
        c = kpis(payload(db, range_=rng))["coverage_months"]
        assert c["value"] == pytest.approx((1000 + 24) / (sum(100.0 * n for n in range(19, 25)) / 6))
        assert c["unit"] == "mo"


def test_forecast_pipeline_times_winrate_with_daily_latest_day(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(300, 300, 1)] * 3),
                     "pipeline_stages_daily": [
                         {"period": "2025-03-30", "stage_name": "SQL", "value": 1000},
                         {"period": "2025-03-31", "stage_name": "SQL", "value": 1200},
                         {"period": "2025-04-01", "stage_name": "SQL", "value": 9999},
                         {"period": "2025-03-31", "stage_name": "MQL", "value": 5555}],
                     "pipeline_stages": [{"stage_name": "SQL", "value": 7}],
                     "pipeline_winrate": [{"period": "2025-02", "win_rate_pct": 25, "sales_cycle_days": 40}]})
    assert kpis(payload(db, range_="3m"))["forecast"]["value"] == pytest.approx(1200 * 0.25)


def test_forecast_falls_back_to_stage_table_then_to_trailing_mean(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(300, 300, 1)] * 3),
                     "pipeline_stages": [{"stage_name": "SQL", "value": 800}],
                     "pipeline_winrate": [{"period": "2025-02", "win_rate_pct": 0.5, "sales_cycle_days": 40}]})
    assert kpis(payload(db, range_="3m"))["forecast"]["value"] == pytest.approx(400)
    db2 = db_factory({"revenue_trend": trend("2025-01", [(100, 1, 1), (200, 1, 1), (300, 1, 1)]),
                      "pipeline_stages": [{"stage_name": "SQL", "value": 0}]})
    assert kpis(payload(db2, range_="3m"))["forecast"]["value"] == pytest.approx(1.02 * 200)


def test_payback_static_with_its_own_delta_and_lower_is_better(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)]),
                     "executive_kpis": [{"key": "payback", "label": "CAC payback", "value": 14.0,
                                         "unit": "mo", "delta": -0.05, "direction": "down"}]})
    k = kpis(payload(db, range_="3m"))["payback"]
    assert (k["value"], k["delta"], k["direction"], k["better"]) == (14.0, -0.05, "down", "down")
    db2 = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)])})
    assert kpis(payload(db2, range_="3m"))["payback"]["value"] is None


def test_direction_flat_within_a_tenth_of_a_percent(db_factory):
    rows = trend("2024-01", [(1000, 1, 1)] * 3 + [(1000.9, 1, 1)] * 3)
    db = db_factory({"revenue_trend": rows})
    assert kpis(payload(db, range_="3m"))["revenue"]["direction"] == "flat"
    rows = trend("2024-01", [(1000, 1, 1)] * 3 + [(1002, 1, 1)] * 3)
    db = db_factory({"revenue_trend": rows})
    assert kpis(payload(db, range_="3m"))["revenue"]["direction"] == "up"


def test_quarter_trend_sums_flows_takes_quarter_end_backlog_and_marks_partial(db_factory):
    db = db_factory({"revenue_trend": MONTHS24})
    p = payload(db, range_="6m", granularity="quarter", as_of="2025-11")  # 2025-06..2025-11
    t = p["revenueTrend"]
    assert [r["period"] for r in t] == ["2025-Q2", "2025-Q3", "2025-Q4"]
    assert [r["partial"] for r in t] == [True, False, True]
    assert t[1]["recognized"] == pytest.approx(100.0 * (19 + 20 + 21))
    assert t[1]["backlog"] == 1000 + 21
    assert t[2]["backlog"] == 1000 + 23  # last month of Q4 present in W


def test_pinned_timeframe_window_row(db_factory):
    db = db_factory({"revenue_trend": MONTHS24,
                     "timeframe_window": [{"range": "6m", "start_date": "2025-01-01",
                                           "end_date": "2025-06-30", "granularity": "month"}]})
    tf = payload(db, range_="6m")["timeframe"]
    assert (tf["start_date"], tf["end_date"]) == ("2025-01-01", "2025-06-30")


def test_alerts_by_severity_then_newest(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)]),
                     "alerts": [
                         {"type": "ops", "title": "low old", "severity": "low", "created_at": "2025-01-01 00:00:00"},
                         {"type": "ops", "title": "high old", "severity": "high", "created_at": "2025-01-01 00:00:00"},
                         {"type": "ops", "title": "high new", "severity": "high", "created_at": "2025-01-05 00:00:00"},
                         {"type": "ops", "title": "medium", "severity": "medium", "created_at": "2025-01-09 00:00:00"}]})
    assert [a["title"] for a in payload(db, range_="3m")["alerts"]] == ["high new", "high old", "medium", "low old"]


def test_risks_exclude_closed_order_by_due_nulls_last_and_overdue(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)]),
                     "risks": [
                         {"title": "no due", "owner": "a", "due": None, "status": "open"},
                         {"title": "closed", "owner": "a", "due": "2024-01-01", "status": "closed"},
                         {"title": "late", "owner": "b", "due": "2024-12-01", "status": "open"},
                         {"title": "later", "owner": "c", "due": "2025-06-01", "status": "in_progress"}]})
    r = payload(db, range_="3m")["risks"]
    assert [x["title"] for x in r] == ["late", "later", "no due"]
    assert [x["overdue"] for x in r] == [True, False, False]


def test_rejects_unknown_range_granularity_and_as_of(db_factory):
    db = db_factory({"revenue_trend": MONTHS24})
    for kw in ({"range_": "7m"}, {"granularity": "week"}, {"as_of": "2025-13"},
               {"as_of": "2031-01"}, {"as_of": "garbage"}):
        with pytest.raises(InvalidRequestError):
            payload(db, **kw)


def test_nulls_in_rows_and_text_numbers_never_crash(db_factory, tmp_path):
    import sqlite3
    db = tmp_path / "messy.sqlite"
    conn = sqlite3.connect(db)
    # no NOT NULL constraints: a messy export
    conn.executescript("""
        CREATE TABLE revenue_trend (period TEXT, recognized, booked, backlog);
        INSERT INTO revenue_trend VALUES ('2025-01', NULL, NULL, NULL), ('2025-02', '120', 'x', NULL),
                                         ('2025-03-15', 130.0, 140, 5), ('bad', 1, 1, 1);
        CREATE TABLE ops_uptime (period TEXT, uptime);
        INSERT INTO ops_uptime VALUES ('2025-03', '99.5%'), ('2025-02', NULL);
    """)
    conn.close()
    p = payload(db, range_="3m")
    k = kpis(p)
    assert k["revenue"]["value"] == pytest.approx(250)
    assert k["uptime"]["value"] == pytest.approx(0.995)
    assert k["gm"]["value"] is None and "orders" in k["gm"]["reason"]
    assert p["meta"]["skipped_rows"]["revenue_trend"] == 2


def test_history_gives_a_value_per_month(db_factory):
    db = db_factory({"revenue_trend": MONTHS24})
    h = kpis(payload(db, range_="6m"))["revenue"]["history"]
    assert [x["period"] for x in h] == ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
    assert h[-1]["value"] == 2400.0


def test_text_numbers_in_the_daily_funnel_never_crash(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(300, 300, 1)] * 3),
                     "pipeline_stages_daily": [
                         {"period": "2025-03-30", "stage_name": "SQL", "value": "1,200"},
                         {"period": "2025-03-31", "stage_name": "SQL", "value": "12%"}],
                     "pipeline_winrate": [{"period": "2025-03", "win_rate_pct": 0.5, "sales_cycle_days": 40}]})
    assert kpis(payload(db, range_="3m"))["forecast"]["value"] == pytest.approx(12 * 0.5)


def test_a_blank_order_date_does_not_hide_the_good_months(db_factory):
    rows = {"revenue_trend": trend("2025-01", [(1, 1, 1)] * 3),
            "orders": [{"amount": 10, "profit": 4, "order_date": "2025-03-05", "type": "subscription"},
                       {"amount": 99, "profit": 1, "order_date": "", "type": "subscription"},
                       {"amount": 99, "profit": 1, "order_date": "n/a", "type": "subscription"}]}
    k = kpis(payload(db_factory(rows), range_="3m"))
    assert k["arr"]["value"] == pytest.approx(120) and k["gm"]["value"] == pytest.approx(0.4)
    only_bad = {"revenue_trend": rows["revenue_trend"], "orders": rows["orders"][1:]}
    k = kpis(payload(db_factory(only_bad), range_="3m"))
    assert k["arr"]["value"] is None and "order_date" in k["arr"]["reason"]


def test_blank_due_dates_sort_last_like_missing_ones(db_factory):
    db = db_factory({"revenue_trend": trend("2025-01", [(1, 1, 1)]),
                     "risks": [{"title": "blank", "due": "", "status": "open"},
                               {"title": "dated", "due": "2025-06-01", "status": "open"}]})
    r = payload(db, range_="3m")["risks"]
    assert [x["title"] for x in r] == ["dated", "blank"] and r[1]["overdue"] is False
