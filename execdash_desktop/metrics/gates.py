"""The P95 quality gates: recorded timings judged against the PRD's targets (7 and 30 days)."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta, timezone

from .. import store
from ..errors import DataFileError
from .events import METRIC_KEYS, _fmt_time
from .writer import _has_metric_tables, side_file_for

# The PRD's acceptance numbers (002 sections 2 and 9), judged on the P95.
# comparison: P95 "<" or "<=" `target`, or "between": low <= P95 <= high (the 30 s
# alerts poll, with the seed's +-5 s jitter). `text` is for display.
TARGETS: dict[str, dict] = {
    "ttfb_ms": {"target": 300.0, "comparison": "<", "unit": "ms", "text": "< 300 ms"},
    "render_total_ms": {"target": 1000.0, "comparison": "<", "unit": "ms", "text": "< 1000 ms"},
    "switch_latency_ms": {"target": 200.0, "comparison": "<", "unit": "ms", "text": "< 200 ms"},
    "alerts_poll_interval_ms": {"target": 30000.0, "comparison": "between", "low": 25000.0,
                                "high": 35000.0, "unit": "ms", "text": "~30000 ms (25000..35000)"},
    "drilldown_duration_ms": {"target": 1000.0, "comparison": "<", "unit": "ms", "text": "< 1000 ms"},
    "drilldown_clicks": {"target": 2.0, "comparison": "<=", "unit": "clicks", "text": "<= 2 clicks"},
}


# Quality gates ----------------------------------------------------------------
_P95_SQL = """
WITH s AS ({samples}),
w AS (
    SELECT metric, v, 30 AS days FROM s
    UNION ALL
    SELECT metric, v, 7 AS days FROM s WHERE t >= :cut7
),
r AS (
    SELECT metric, days, v,
           ROW_NUMBER() OVER (PARTITION BY metric, days ORDER BY v) AS rn,
           COUNT(*) OVER (PARTITION BY metric, days) AS n
    FROM w
)
SELECT metric, days, n, v FROM r WHERE rn = (n * 95 + 99) / 100
"""

_SAMPLES_SQL = """
SELECT m.metric AS metric, m.v AS v, e.event_time AS t
FROM {schema}.user_events AS e JOIN {schema}.user_event_meta AS m ON m.event_id = e.id
WHERE e.event_time >= :cut30 AND e.event_time <= :now
  AND m.v IS NOT NULL AND m.metric IN ({metrics})
"""


def passes(metric: str, p95: float | None) -> bool | None:
    """Does a P95 meet the metric's target? None when there is no sample."""
    if p95 is None:
        return None
    t = TARGETS[metric]
    if t["comparison"] == "<":
        return p95 < t["target"]
    if t["comparison"] == "<=":
        return p95 <= t["target"]
    return t["low"] <= p95 <= t["high"]


def _p95_rows(conn: sqlite3.Connection, schemas: list[str], now: datetime) -> dict:
    if not schemas:
        return {}
    metrics = ", ".join(f"'{m}'" for m in METRIC_KEYS)  # our constants, not input
    samples = "\nUNION ALL\n".join(_SAMPLES_SQL.format(schema=s, metrics=metrics) for s in schemas)
    params = {"now": _fmt_time(now), "cut7": _fmt_time(now - timedelta(days=7)),
              "cut30": _fmt_time(now - timedelta(days=30))}
    out = {}
    for metric, days, n, v in conn.execute(_P95_SQL.format(samples=samples), params):
        out[(metric, days)] = (int(n), float(v))
    return out


_UNMEASURED_SQL = """
SELECT m.metric, SUM(e.event_time >= :cut7), COUNT(*)
FROM {schema}.user_events AS e JOIN {schema}.user_event_meta AS m ON m.event_id = e.id
WHERE e.event_time >= :cut30 AND e.event_time <= :now
  AND m.v IS NULL AND m.metric IN ({metrics})
GROUP BY m.metric
"""


def _unmeasured_rows(conn: sqlite3.Connection, schemas: list[str], now: datetime) -> dict:
    """metric -> (7-day, 30-day) count of waits the app could not measure (stored as NULL:
    the screen never painted, say a hidden window), so they are counted, not made up."""
    metrics = ", ".join(f"'{m}'" for m in METRIC_KEYS)
    params = {"now": _fmt_time(now), "cut7": _fmt_time(now - timedelta(days=7)),
              "cut30": _fmt_time(now - timedelta(days=30))}
    out: dict[str, tuple[int, int]] = {}
    for schema in schemas:
        for metric, n7, n30 in conn.execute(_UNMEASURED_SQL.format(schema=schema, metrics=metrics), params):
            a, b = out.get(metric, (0, 0))
            out[metric] = (a + int(n7 or 0), b + int(n30 or 0))
    return out


def quality_gates(data_path: str | os.PathLike, now: datetime | None = None) -> list[dict]:
    """P95 of each RUM metric over the last 7 and 30 days, against TARGETS.

    One dict per metric, in METRIC_KEYS order: metric, target (text, e.g.
    "< 300 ms"), comparison, threshold, low, high, unit, samples_7d, p95_7d,
    samples_30d, p95_30d, pass_7d, pass_30d (None when there is no sample), unmeasured_7d,
    unmeasured_30d (waits recorded without a time: counted, not in the P95).
    Samples come from the data file's metrics tables and the side file's (if
    any), combined; P95 is the nearest rank, computed in SQLite with window
    functions. Raises DataFileError when the data file cannot be read.
    """
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is not None:
        now = now.astimezone(timezone.utc).replace(tzinfo=None)
    conn = store.open_reader(data_path)
    try:
        schemas = ["main"] if _has_metric_tables(conn) else []
        side = side_file_for(store.check_path(data_path))
        if side.exists():
            try:
                conn.execute("ATTACH DATABASE ? AS side", (store._uri(side, mode="ro"),))
                if _has_metric_tables(conn, "side"):
                    schemas.append("side")
            except sqlite3.Error:
                pass  # an unreadable side file only loses its samples
        try:
            found = _p95_rows(conn, schemas, now)
            unmeasured = _unmeasured_rows(conn, schemas, now)
        except sqlite3.OperationalError as exc:
            raise DataFileError(f"{data_path}: cannot read events ({exc})") from exc
    finally:
        conn.close()
    gates = []
    for metric in METRIC_KEYS:
        t = TARGETS[metric]
        n7, p7 = found.get((metric, 7), (0, None))
        n30, p30 = found.get((metric, 30), (0, None))
        gates.append({"metric": metric, "target": t["text"], "comparison": t["comparison"],
                      "threshold": t["target"], "low": t.get("low"), "high": t.get("high"),
                      "unit": t["unit"], "samples_7d": n7, "p95_7d": p7, "samples_30d": n30,
                      "p95_30d": p30, "pass_7d": passes(metric, p7), "pass_30d": passes(metric, p30),
                      "unmeasured_7d": unmeasured.get(metric, (0, 0))[0],
                      "unmeasured_30d": unmeasured.get(metric, (0, 0))[1]})
    return gates
