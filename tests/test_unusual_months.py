"""Issue 11 item 6: unusual months on generated series and on the demo file.

Generated series grow 2% a month with 3% noise over 36 months (the first 12
are history only, 24 are judged). The noise is random, so the rules are held
as rates over 200 fixed seeds (the measured rates over 400 are in the
comments); hypothesis holds the exact rules on noiseless series.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execdash_desktop.engine import Engine
from execdash_desktop.months import Window, fmt_month, parse_month
from execdash_desktop.packs.executive import anomalies as an
from execdash_desktop.packs.executive import drilldowns as dd
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.store import open_reader

PERIODS = [fmt_month(parse_month("2020-01") + i) for i in range(36)]


def growing(seed: int) -> list[float]:
    g = np.random.default_rng(seed)
    return (100 * 1.02 ** np.arange(36) * (1 + g.normal(0, 0.03, 36))).tolist()


def flagged(values, sensitivity="normal") -> list[str]:
    return [a.period for a in an.flag("x", "X", "currency", PERIODS, values, first=12, sensitivity=sensitivity)]


def test_growth_with_noise_flags_at_most_one_month_in_24():
    counts = [len(flagged(growing(seed))) for seed in range(200)]
    assert sum(c > 1 for c in counts) <= 1  # measured: 1 series in 400 has two
    assert sum(counts) / len(counts) < 0.1  # under one ordinary month in 240


def test_a_single_30_percent_spike_is_flagged():
    missed = 0
    for seed in range(200):
        values = growing(seed)
        at = 12 + seed % 24
        values[at] *= 1.3
        missed += PERIODS[at] not in flagged(values)
    assert missed <= 5  # measured: 5 here, 6 in 400 seeds (where the noise halves the spike)


def test_a_25_percent_step_is_flagged_at_the_step_and_at_most_once_after():
    at_step = within_a_month = 0
    for seed in range(200):
        at = 12 + seed % 19
        found = flagged([v * (1.25 if i >= at else 1.0) for i, v in enumerate(growing(seed))])
        at_step += PERIODS[at] in found
        within_a_month += PERIODS[at] in found or PERIODS[at + 1] in found
        assert sum(p in found for p in PERIODS[at + 1:at + 6]) <= 1, seed
    assert at_step >= 190 and within_a_month >= 192  # measured: 388 and 392 of 400


@settings(max_examples=100, deadline=None)
@given(level=st.floats(min_value=1.0, max_value=1e7), growth=st.floats(min_value=-0.05, max_value=0.05),
       at=st.integers(min_value=12, max_value=30), up=st.booleans())
def test_a_clean_step_is_flagged_at_the_step_and_never_after(level, growth, at, up):
    size = 1.25 if up else 0.8
    values = [level * (1 + growth) ** i * (size if i >= at else 1.0) for i in range(36)]
    assert flagged(values) == [PERIODS[at]]


@settings(max_examples=100, deadline=None)
@given(level=st.floats(min_value=1.0, max_value=1e7), growth=st.floats(min_value=-0.05, max_value=0.05),
       at=st.integers(min_value=12, max_value=35), size=st.floats(min_value=0.05, max_value=3.0),
       up=st.booleans())
def test_a_clean_spike_on_any_trend_is_the_only_month_flagged(level, growth, at, size, up):
    values = [level * (1 + growth) ** i for i in range(36)]
    values[at] *= (1 + size) if up else 1 / (1 + size)
    found = an.flag("x", "X", "currency", PERIODS, values, first=12)
    assert [(a.period, a.direction) for a in found] == [(PERIODS[at], "high" if up else "low")]


def test_sensitivity_off_flags_nothing_and_sensitive_flags_more():
    values = growing(3)
    values[20] *= 1.3
    assert flagged(values, "off") == []
    assert set(flagged(values, "normal")) <= set(flagged(values, "sensitive"))
    counts = [sum(len(flagged(growing(s), level)) for s in range(60)) for level in ("normal", "sensitive")]
    assert counts[0] < counts[1]


def test_a_band_edge_that_prints_as_the_value_is_never_quoted():
    a = an.Anomaly("booked", "Booked", "2025-12", 2.24e6, 1.9e6, 0.08e6, 1.7e6, 2.21e6, "high", "currency")
    assert an.describe(a, "£") == "Booked in Dec 2025: £2.2M, above its usual range"
    assert an.band_clause(a, "£") == ("above its usual range", None)


# -- the demo file ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("um") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=2_000, seed=7)
    return path


def test_the_demo_flags_only_its_planted_events(demo):
    """The backlog spike (and the bookings behind it) two months before the end, the
    uptime dip the month before: nothing else on the trend or on any drill-down chart."""
    src = Engine().source(demo)
    w = Window(parse_month("2025-11"), parse_month("2026-10"))
    planted = {("booked", "2026-08"), ("backlog", "2026-08"), ("uptime", "2026-09"),
               ("mtbf", "2026-09"), ("mttr", "2026-09"), ("cost", "2026-09")}
    found = {(a.series, a.period) for a in an.trend_anomalies(src, w)}
    conn = open_reader(demo)
    try:
        for key in dd.DRILLDOWNS:
            found |= {(a.series, a.period) for a in dd.build_drilldown(key, conn, src, w).anomalies}
    finally:
        conn.close()
    assert found <= planted
    assert {("booked", "2026-08"), ("backlog", "2026-08"), ("uptime", "2026-09")} <= found
    for months in (3, 6, 24):
        w = Window(parse_month("2026-10") - months + 1, parse_month("2026-10"))
        assert {(a.series, a.period) for a in an.trend_anomalies(src, w)} <= planted
