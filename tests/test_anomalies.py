"""Unusual months: the robust band's maths, and planted spikes in real demo files."""

from __future__ import annotations

import math
import shutil
import sqlite3

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from execdash_desktop.engine import Engine
from execdash_desktop.months import Window, fmt_month, parse_month
from execdash_desktop.packs.executive import anomalies as an
from execdash_desktop.packs.executive import drilldowns as dd
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.store import open_reader
from tests.conftest import trend

W12 = Window(parse_month("2025-11"), parse_month("2026-10"))

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def months_from(start: str, n: int) -> list[str]:
    first = parse_month(start)
    return [fmt_month(first + i) for i in range(n)]


def close(a: float, b: float, scale: float = 1.0) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, scale))


# -- robust_band and flag -------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(c=st.floats(min_value=-1e6, max_value=1e6), n=st.integers(min_value=2, max_value=30),
       at=st.integers(min_value=0, max_value=29), size=st.floats(min_value=0.01, max_value=100),
       up=st.booleans())
def test_a_constant_series_flags_its_spike_and_only_it(c, n, at, size, up):
    assume(at < n)
    vals = [c] * n
    vals[at] = c + (1 if up else -1) * size * max(abs(c), 1.0)
    found = an.flag("x", "X", "number", months_from("2020-01", n), vals)
    # a spike with fewer than MIN_HISTORY months before it cannot be judged
    expected = [fmt_month(parse_month("2020-01") + at)] if at >= an.MIN_HISTORY else []
    assert [a.period for a in found] == expected
    for a in found:
        assert a.direction == ("high" if up else "low")
        assert a.median == pytest.approx(c) and not a.low <= a.value <= a.high


@settings(max_examples=100, deadline=None)
@given(h=st.lists(st.floats(min_value=1.0, max_value=1e6), min_size=13, max_size=30),
       factor=st.floats(min_value=1e-3, max_value=1e3))
@example(h=[325.0, 547.0, 19727.0, 1.0, 19727.0, 34889.0, 19727.0, 19727.0, 42191.0, 1.0, 1.0, 19727.0, 1.0],
         factor=89.0)  # 2020-11 sits exactly on the old level: a tie that exp(log(89)) used to break
def test_the_same_months_are_flagged_whatever_the_unit(h, factor):
    """Pounds or thousands, a share or a percent: the flags are those of the series' shape."""
    periods = months_from("2020-01", len(h))
    flags = an.flag("x", "X", "number", periods, h)
    scaled = an.flag("x", "X", "number", periods, [v * factor for v in h])
    assert [(a.period, a.direction) for a in scaled] == [(a.period, a.direction) for a in flags]


@settings(max_examples=150, deadline=None)
@given(h=st.lists(values, max_size=24), data=st.data())
def test_nulls_are_skipped_never_zero(h, data):
    holes = data.draw(st.lists(st.sampled_from([None, math.nan, math.inf, "n/a"]), max_size=6))
    mixed = list(h)
    for hole in holes:
        mixed.insert(data.draw(st.integers(0, len(mixed))), hole)
    # in flag, a NULL month is a missing month: the same flags as without its row
    periods = months_from("2019-01", len(mixed))
    kept = [(p, v) for p, v in zip(periods, mixed) if isinstance(v, float) and math.isfinite(v)]
    assert an.flag("x", "X", "number", periods, mixed) == \
        an.flag("x", "X", "number", [p for p, _ in kept], [v for _, v in kept])


@settings(max_examples=100, deadline=None)
@given(h=st.lists(st.one_of(st.none(), values), max_size=an.MIN_HISTORY))
def test_too_little_history_flags_nothing(h):
    assert an.flag("x", "X", "number", months_from("2020-01", len(h)), h) == []


def test_history_is_the_12_calendar_months_before():
    # a wild month 13 months back is outside the history; a missing month shortens it
    periods = months_from("2020-01", 20)
    vals = [1e9] + [100.0 + (i % 3) for i in range(18)] + [140.0]
    flags = an.flag("x", "X", "number", periods, vals, first=13)
    assert [a.period for a in flags] == [periods[-1]]
    a = flags[0]
    assert (a.median, a.direction) == (pytest.approx(101.0), "high")
    assert a.high == pytest.approx(a.median * math.exp(an.K * a.mad / a.median)) and a.high < 110


def test_flat_history_does_not_flag_rounding():
    periods = months_from("2020-01", 13)
    assert an.flag("u", "Uptime", "ratio", periods, [0.999] * 12 + [0.99899]) == []
    assert an.flag("u", "Uptime", "ratio", periods, [0.999] * 12 + [0.98])[0].direction == "low"


# -- planted spikes in real files ------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("an") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=2_000, seed=7)
    return path


def _copy(demo, tmp_path, *sql: str):
    path = tmp_path / "planted.sqlite"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    for s in sql:
        conn.execute(s)
    conn.commit()
    conn.close()
    return path


def _drilldown(path, key, w=W12):
    conn = open_reader(path)
    try:
        return dd.build_drilldown(key, conn, Engine().source(path), w)
    finally:
        conn.close()


def test_the_demo_backlog_spike_and_uptime_dip_are_marked(demo):
    trend = an.trend_anomalies(Engine().source(demo), W12)
    assert ("backlog", "2026-08", "high") in {(a.series, a.period, a.direction) for a in trend}
    assert [(a.series, a.period) for a in trend] == sorted(
        ((a.series, a.period) for a in trend), key=lambda sp: (sp[1], ("recognized", "booked", "backlog").index(sp[0])))
    supply = _drilldown(demo, "supply").anomalies
    assert [(a.series, a.period) for a in supply] == [("backlog", "2026-08")]
    assert supply[0] in trend  # the same band on the trend and the drill-down
    uptime = _drilldown(demo, "operations/uptime").anomalies
    assert [(a.series, a.period, a.direction, a.fmt) for a in uptime] == [("uptime", "2026-09", "low", "ratio")]
    assert uptime == tuple(an.uptime_anomalies(Engine().source(demo), W12))
    assert _drilldown(demo, "sales/pipeline").anomalies == ()  # a daily chart: not months


def test_a_planted_revenue_spike_is_flagged_on_the_trend_and_its_drilldowns(demo, tmp_path):
    path = _copy(demo, tmp_path, "UPDATE revenue_trend SET recognized = recognized * 4 WHERE period = '2026-05'")
    src = Engine().source(path)
    spike = [a for a in an.trend_anomalies(src, W12) if a.series == "recognized" and a.period == "2026-05"]
    assert len(spike) == 1 and spike[0].direction == "high"
    assert spike[0].value == src.revenue[parse_month("2026-05")][0]
    assert spike[0].value > spike[0].high > spike[0].median
    for key in ("finance/revenue", "sales/revenue"):
        assert spike[0] in _drilldown(path, key).anomalies
    # nothing else changes: the other months' flags are those of the untouched file
    before = [a for a in an.trend_anomalies(Engine().source(demo), W12) if a.period < "2026-05"]
    assert [a for a in an.trend_anomalies(src, W12) if a.period < "2026-05"] == before


def test_the_windows_first_month_is_judged_against_the_months_before_it(demo, tmp_path):
    path = _copy(demo, tmp_path,
                 "UPDATE telemetry_active_devices SET active_devices = active_devices * 4 WHERE period = '2025-11'")
    d = _drilldown(path, "telemetry")
    assert [(a.series, a.period, a.direction) for a in d.anomalies] == [("active_devices", "2025-11", "high")]
    assert d.chart.rows == _drilldown(path, "telemetry").chart.rows


def test_a_null_month_is_not_a_zero(demo, tmp_path):
    path = _copy(demo, tmp_path, "UPDATE revenue_trend SET backlog = 'n/a' WHERE period = '2026-07'")
    trend = an.trend_anomalies(Engine().source(path), W12)
    assert not [a for a in trend if a.series == "backlog" and a.period == "2026-07"]
    assert ("backlog", "2026-08") in {(a.series, a.period) for a in trend}


def test_a_file_with_too_little_history_flags_nothing(db_factory):
    path = db_factory({"revenue_trend": trend("2026-01", [(100, 100, 100)] * 5 + [(900, 900, 900)])})
    src = Engine().source(path)
    w = Window(parse_month("2026-01"), parse_month("2026-06"))
    assert an.trend_anomalies(src, w) == []
    assert _drilldown(path, "finance/revenue", w).anomalies == ()


def test_describe_quotes_only_the_edge_crossed():
    hi = an.Anomaly("backlog", "Backlog", "2026-08", 8.79e6, 5.9e6, 0.4e6, 4.5e6, 7.5e6, "high", "currency")
    lo = an.Anomaly("uptime", "Uptime", "2026-09", 0.977, 0.995, 0.002, 0.988, 1.003, "low", "ratio")
    assert an.describe(hi, "£") == "Backlog in Aug 2026: £8.8M, above its usual range (up to £7.5M)"
    assert an.describe(lo) == "Uptime in Sep 2026: 97.7%, below its usual range (down to 98.8%)"
