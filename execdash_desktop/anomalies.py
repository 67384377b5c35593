"""Unusual months (seed 002, P3): a value outside a robust band of its own past.

A month is flagged when it falls outside median +/- K x MAD of the (up to) 12
months before it. Median and MAD, not mean and standard deviation, so that one
spike neither hides itself nor the next one, and a trend of +2%/month never
flags (the MAD grows with it). Pure Python, no I/O: any dashboard passes its series.

- K = 3.5: Iglewicz and Hoaglin's cut-off for the modified z-score; with the
  MAD scaled by 1.4826 (the standard deviation of normal data) it is a 3.5
  sigma rule, so ordinary month-to-month noise stays quiet, while the demo's
  planted +35% backlog month and 2-point uptime dip are far outside.
- MIN_HISTORY = 6: the median and MAD of fewer points are decided by two or
  three months, so a young series would flag noise; 6 is half a year, and a
  12-month window on a 2-year file always has 12.
- The MAD is floored at REL_FLOOR of the history's mean magnitude: a flat
  history (a static placeholder, a rate stuck at 99.9%) has a MAD of 0, and
  any rounding change would otherwise be "unusual".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from . import months as mo
from .format import format_value, month_name
from .months import Window

K = 3.5
MIN_HISTORY = 6
TRAILING = 12  # months of history per point
MAD_SCALE = 1.4826  # raw MAD -> standard deviation for normal data
REL_FLOOR = 0.001  # the scaled MAD is at least 0.1% of the history's mean |value|

@dataclass(frozen=True)
class Anomaly:
    series: str  # key: "recognized", "booked", "backlog", or a drill-down chart column key
    label: str  # as on screen, e.g. "Backlog"
    period: str  # "YYYY-MM"
    value: float
    median: float  # of the trailing (up to) 12 months before `period`
    mad: float  # scaled MAD (1.4826 x raw), floored so a flat history does not flag noise
    low: float
    high: float  # the band: median -/+ K x mad
    direction: str  # "high" | "low"
    fmt: str  # format key for format_value (currency|ratio|number|...)

    @property
    def score(self) -> float:
        """How far outside, in MADs from the median (ranks anomalies)."""
        return abs(self.value - self.median) / self.mad if self.mad else math.inf


def _usable(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _median(sorted_vals: list[float]) -> float:
    n = len(sorted_vals)
    mid = n // 2
    return sorted_vals[mid] if n % 2 else (sorted_vals[mid - 1] + sorted_vals[mid]) / 2


def _band(vals: list[float], k: float) -> tuple[float, float, float, float] | None:
    """robust_band over floats known to be finite (flag calls it for every point)."""
    if len(vals) < MIN_HISTORY:
        return None
    ordered = sorted(vals)  # the same sequence for any order of the history: an order-free result
    med = _median(ordered)
    mad = MAD_SCALE * _median(sorted(abs(v - med) for v in ordered))
    mad = max(mad, REL_FLOOR * sum(abs(v) for v in ordered) / len(ordered))
    return med, mad, med - k * mad, med + k * mad


def robust_band(history: Sequence[float | None], k: float = K) -> tuple[float, float, float, float] | None:
    """(median, scaled MAD, low, high) of the usable points; None below MIN_HISTORY of them."""
    return _band([float(v) for v in history if _usable(v)], k)


def flag(series: str, label: str, fmt: str, periods: Sequence[str], values: Sequence[float | None],
         first: int = 0) -> list[Anomaly]:
    """Anomalies among points `first`.. (oldest first), each against the 12 months before it.

    History is by calendar month, not by position, so a missing month shortens
    it rather than reaching further back; points before `first` are history only.
    A NULL value or unreadable period is skipped, never read as 0.
    """
    # (position, month, value) of the usable points, checked once
    points = [(i, m, float(v)) for i, (p, v) in enumerate(zip(periods, values))
              if _usable(v) and (m := mo.parse_month(p)) is not None]
    out = []
    for n, (i, m, v) in enumerate(points):
        if i < first:
            continue
        band = _band([h for _, hm, h in points[:n] if m - TRAILING <= hm < m], K)
        if band is None:
            continue
        med, mad, low, high = band
        if low <= v <= high:
            continue
        out.append(Anomaly(series, label, mo.fmt_month(m), v, med, mad, low, high,
                           "high" if v > high else "low", fmt))
    return out


def window_anomalies(series: str, label: str, fmt: str, by_month: Mapping[int, float | None],
                     window: Window) -> list[Anomaly]:
    """Anomalies in the window's months of a month-indexed series, with 12 months of history before."""
    months = range(window.start - TRAILING, window.end + 1)
    return flag(series, label, fmt, [mo.fmt_month(m) for m in months], [by_month.get(m) for m in months],
                first=TRAILING)


def band_clause(a: Anomaly, unit: str | None = None) -> tuple[str, str]:
    """('above its usual range (up to £7.5M)', '£7.5M'): only the edge crossed is quoted,
    the other can be meaningless (uptime "up to 100.3%")."""
    high = a.direction == "high"
    bound = format_value(a.high if high else a.low, a.fmt, unit)
    return f"{'above' if high else 'below'} its usual range ({'up' if high else 'down'} to {bound})", bound


def describe(a: Anomaly, unit: str | None = None) -> str:
    """'Backlog in Aug 2026: £8.8M, above its usual range (up to £7.5M)': months named as
    the summary names them (the tooltips, the board pack)."""
    return f"{a.label} in {month_name(a.period)}: {format_value(a.value, a.fmt, unit)}, {band_clause(a, unit)[0]}"
