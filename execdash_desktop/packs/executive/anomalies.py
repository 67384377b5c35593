"""The Executive dashboard's unusual months: its trend and uptime series through the core's band.

The rule (a robust Theil-Sen line through the 12 months before, its band set by
the sensitivity setting) is the core's (execdash_desktop.anomalies); its names
are re-exported here for older callers.
"""

from __future__ import annotations

from ...anomalies import (HISTORY, K, MIN_HISTORY, REL_FLOOR, SENSITIVITY, TRAILING, TRIMMED_SD,  # noqa: F401
                          Anomaly, band_clause, describe, flag, window_anomalies)
from ...months import Window
from .source import ExecSource

# The trend's series, as the trend chart names them (revenue tuple index, label).
TREND_SERIES = (("recognized", 0, "Recognized"), ("booked", 1, "Booked"), ("backlog", 2, "Backlog"))


def trend_anomalies(src: ExecSource, window: Window, sensitivity: str = "normal") -> list[Anomaly]:
    """Recognized, booked and backlog months of the window outside their band, by period then series."""
    out = []
    for key, col, label in TREND_SERIES:
        by_month = {m: row[col] for m, row in src.revenue.items()}
        out += window_anomalies(key, label, "currency", by_month, window, sensitivity)
    order = {key: i for i, (key, _, _) in enumerate(TREND_SERIES)}
    return sorted(out, key=lambda a: (a.period, order[a.series]))


def uptime_anomalies(src: ExecSource, window: Window, sensitivity: str = "normal") -> list[Anomaly]:
    """The Uptime drill-down chart's anomalies, from the months ExecSource already holds."""
    return window_anomalies("uptime", "Uptime", "ratio", src.uptime, window, sensitivity)
