"""Hypothesis properties of the payload maths (pure: no SQLite, no Qt)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execdash_desktop import months as mo
from execdash_desktop.packs.executive.payload import build_payload, rebucket
from execdash_desktop.packs.executive.source import ExecSource
from execdash_desktop.rollup import OrdersMonth

money = st.one_of(st.none(), st.floats(min_value=0, max_value=1e9, allow_nan=False))


@st.composite
def sources(draw):
    end = draw(st.integers(mo.month_index(2019, 1), mo.month_index(2027, 12)))
    n = draw(st.integers(1, 40))
    revenue = {}
    for m in range(end - n + 1, end + 1):
        if draw(st.booleans()) or m == end:  # missing months allowed; as-of month present
            revenue[m] = (draw(money), draw(money), draw(money))
    uptime = {m: draw(st.floats(0.9, 1.0)) for m in revenue if draw(st.booleans())}
    orders = {m: OrdersMonth(draw(st.floats(0, 1e7)), draw(st.floats(0, 1e6)), draw(st.floats(0, 1e7)),
                             draw(st.floats(0, 1e6)), 3) for m in revenue}
    return ExecSource(path="mem", revenue=revenue, uptime=uptime, nrr={}, winrate={}, orders=orders,
                      orders_present=True, sql_daily=(), sql_stage=None, payback=None, currency="£",
                      alerts=(), risks=(), pinned={})


@settings(max_examples=150, deadline=None)
@given(src=sources(), rng=st.sampled_from(list(mo.RANGES)))
def test_trend_recognized_sums_to_revenue_in_both_granularities(src, rng):
    for gran in ("month", "quarter"):
        p = build_payload(src, rng, gran)
        revenue = p["executiveKpis"][0]["value"]
        total = [r["recognized"] for r in p["revenueTrend"] if r["recognized"] is not None]
        if revenue is None:
            assert total == []
        else:
            assert math.fsum(total) == pytest.approx(revenue, rel=1e-9, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(src=sources(), rng=st.sampled_from(list(mo.RANGES)))
def test_granularity_never_changes_a_kpi(src, rng):
    month = build_payload(src, rng, "month")
    quarter = build_payload(src, rng, "quarter")
    assert month["executiveKpis"] == quarter["executiveKpis"]
    assert rebucket(month, "quarter") == quarter


@settings(max_examples=150, deadline=None)
@given(src=sources(), rng=st.sampled_from(list(mo.RANGES)))
def test_quarters_cover_window_months_once_and_partial_flags_edges(src, rng):
    p = build_payload(src, rng, "quarter")
    tf = p["timeframe"]
    w = mo.Window(mo.parse_month(tf["start_date"]), mo.parse_month(tf["end_date"]))
    labels = [r["period"] for r in p["revenueTrend"]]
    assert labels == sorted(set(labels))
    for r in p["revenueTrend"]:
        year, q = int(r["period"][:4]), int(r["period"][-1])
        q_start = mo.month_index(year, 3 * q - 2)
        assert r["partial"] == (q_start < w.start or q_start + 2 > w.end)


@given(st.integers(mo.month_index(1990, 1), mo.month_index(2100, 12)))
def test_month_text_round_trips(idx):
    assert mo.parse_month(mo.fmt_month(idx)) == idx
    assert mo.parse_month(mo.last_day(idx) + " 23:59:59") == idx
