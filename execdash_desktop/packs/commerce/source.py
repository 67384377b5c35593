"""The one read of a Commerce file: every table reduced to what the payload needs.

`load_source(path)` runs a handful of grouped scans (SQL normalises the
messy values, sqlread.py) and keeps small arrays: the daily tables by day,
fulfilment and conversations grouped by (day, the fields the rules use), the
escalated conversations one by one, the stock alerts of every snapshot, and
the data-quality counts that do not depend on the as-of day. The payload
then never touches the file, so any as-of is a few array sums.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field

import numpy as np

from ...errors import DataFileError, MissingTablesError
from ...store import is_demo, open_reader, table_names
from ...values import ratio01, to_float
from . import catalogue as cat
from . import quality_sql
from .sqlread import boolean, day, enum, epoch, num

EXAMPLES = 20


@dataclass
class Grouped:
    """Rows of a GROUP BY: column name -> array (same length), `n` the row count of each group."""

    cols: dict[str, np.ndarray]

    def __getitem__(self, key: str) -> np.ndarray:
        return self.cols[key]

    def window(self, lo: int, hi: int) -> "Grouped":
        m = (self.cols["day"] >= lo) & (self.cols["day"] <= hi)
        return Grouped({k: v[m] for k, v in self.cols.items()})

    @property
    def first_day(self) -> int | None:
        d = self.cols["day"]
        return int(d.min()) if len(d) else None


@dataclass
class ComSource:
    path: str
    stamp: tuple
    tables: frozenset[str]
    missing: tuple[str, ...]
    sales: dict[int, dict]  # day -> {revenue, orders, fulfilled, aov, date}
    sales_days: np.ndarray  # sorted
    activation: dict[int, float | None]  # day -> normalised rate
    operators: list[tuple]  # (operator, day, detected, resolved, median, p90)
    time_saved: dict[int, float]  # day -> minutes saved (the five columns)
    daily_latest: dict[str, int | None]  # daily table -> its latest day (None: no rows)
    skus: list[dict]
    snapshot_days: np.ndarray  # sorted distinct snapshot days
    alerts: list[tuple]  # (day, sku, status, qty, days_of_cover)
    ful: Grouped | None
    cx: Grouped | None
    cx_frt: Grouped | None
    escalated: list[dict]
    quality: dict[str, tuple[int | None, int, list[str]]]  # check -> failing, checked, examples
    skipped: dict[str, int] = field(default_factory=dict)  # table -> rows with an unreadable day
    memo: dict = field(default_factory=dict)  # payloads by (range, granularity, as-of)
    demo: bool = False  # written by the demo generator (store.is_demo): the page and pack say "Demo data"


def parse_day(value: object) -> int | None:
    from ... import moments

    t = moments.parse(value.strip() if isinstance(value, str) else value)
    return None if t is None else int(t // 86400)


NO_DAY = -(10 ** 9)


def _code(col: str, names: tuple[str, ...]) -> str:
    """1 + the position of a known name (any case, padded); 0 for none / blank; len(names) + 1 for another."""
    whens = " ".join(f"WHEN '{n}' THEN {i + 1}" for i, n in enumerate(names))
    return (f"(CASE WHEN {col} IS NULL THEN 0 ELSE (CASE {enum(col)} WHEN '' THEN 0 {whens}"
            f" ELSE {len(names) + 1} END) END)")


def _columns(conn, table: str, day_expr: str, code_expr: str, num_expr: str, fail_expr: str, key_expr: str):
    """Three columns of every row as numpy arrays, read in one scan: SQLite writes each as one
    comma-separated text (group_concat) that numpy parses in C, so no Python object per value.
    NULLs become sentinels first (group_concat skips NULLs, which would misalign the columns).
    The same scan lists the keys of the rows failing a data-quality check (`fail_expr`)."""
    row = conn.execute(
        f"SELECT group_concat(ifnull({day_expr}, {NO_DAY}), ','), group_concat({code_expr}, ','),"
        f" group_concat(ifnull({num_expr}, 'nan'), ','),"
        f" group_concat(CASE WHEN {fail_expr} THEN CAST({key_expr} AS TEXT) END, char(30)) FROM {table}").fetchone()
    failing = sorted(row[3].split(chr(30))) if row[3] else []
    days = np.fromstring(row[0], dtype=np.int64, sep=",") if row[0] else np.empty(0, np.int64)
    codes = np.fromstring(row[1], dtype=np.int64, sep=",") if row[1] else np.empty(0, np.int64)
    values = np.fromstring(row[2], dtype=float, sep=",") if row[2] else np.empty(0, float)
    return days.astype(np.int32), codes.astype(np.int16), values, failing


def _arrays(rows: list[tuple], names: tuple[str, ...], kinds: str) -> Grouped:
    cols = {}
    for i, (name, kind) in enumerate(zip(names, kinds)):
        vals = [r[i] for r in rows]
        if kind == "i":
            cols[name] = np.array(vals, dtype=np.int64)
        elif kind == "f":
            cols[name] = np.array([np.nan if v is None else v for v in vals], dtype=float)
        elif kind == "b":
            cols[name] = np.array([bool(v) for v in vals], dtype=bool)
        else:
            cols[name] = np.array(["" if v is None else v for v in vals], dtype=object)
    return Grouped(cols)


def _load_sales(conn, src: dict) -> None:
    sales: dict[int, dict] = {}
    skipped = 0
    for date, rev, orders, fulfilled, aov in conn.execute(
            "SELECT date, total_revenue, total_orders, orders_fulfilled, avg_order_value FROM sales_metrics_daily"):
        d = parse_day(date)
        if d is None:
            skipped += 1
            continue
        row = sales.setdefault(d, {"revenue": None, "orders": None, "fulfilled": None, "aov": None,
                                   "date": str(date).strip()[:10], "rows": 0})
        row["rows"] += 1
        for key, v in (("revenue", rev), ("orders", orders), ("fulfilled", fulfilled), ("aov", aov)):
            f = to_float(v)
            if f is not None:
                row[key] = f if row[key] is None or key == "aov" else row[key] + f
    src["sales"] = sales
    src["sales_days"] = np.array(sorted(sales), dtype=np.int64)
    src["skipped"]["sales_metrics_daily"] = skipped


def _latest_day(conn, table: str, column: str) -> int | None:
    row = conn.execute(f"SELECT max({day(column)}) FROM {table}").fetchone()
    return None if row[0] is None else int(row[0])


def _inventory(conn) -> tuple[np.ndarray, list[tuple], dict]:
    """The snapshot days, the alert rows of every snapshot, and checks 5 and 8, from one read (the table
    is products x days, small)."""
    rows = conn.execute(
        f"SELECT {day('snapshot_date')}, trim(sku), {enum('stock_status')}, {num('quantity_available')},"
        f" {num('days_of_cover')} FROM inventory_snapshots").fetchall()
    days: set[int] = set()
    alerts, negative, seen, dup_keys = [], [], {}, []
    for d, sku, status, qty, cover in rows:
        if d is None:
            continue
        days.add(d)
        if status in ("out_of_stock", "low_stock", "overstock"):
            alerts.append((d, sku, status, qty, cover))
        key = (sku, d)
        seen[key] = seen.get(key, 0) + 1
        if qty is not None and qty < 0:
            negative.append(f"{sku} on {iso_day(d)}")
    dups = sorted((k for k, n in seen.items() if n > 1), key=lambda k: (k[0] or "", k[1]))
    failing_dups = sum(seen[k] for k in dups)
    negative.sort()
    checks = {"negative_inventory": (len(negative), len(rows), negative[:EXAMPLES]),
              "duplicate_skus": (failing_dups, len(rows), [f"{k[0]} on {iso_day(k[1])}" for k in dups[:EXAMPLES]])}
    return np.array(sorted(days), dtype=np.int64), alerts, checks


def iso_day(d: int) -> str:
    from .rules import iso

    return iso(d)


def load_source(path: str | os.PathLike, progress=None) -> ComSource:
    report = progress or (lambda f, m: None)
    p = os.fspath(path)
    try:
        stat = os.stat(p)
    except OSError as exc:
        raise DataFileError(f"{p}: cannot be read ({exc.strerror})") from None
    conn = open_reader(p)
    try:
        names = table_names(conn)
        if "sales_metrics_daily" not in names:
            raise MissingTablesError(p, ["sales_metrics_daily"])
        have = frozenset(t for t in cat.TABLES if t in names)
        src: dict = {"skipped": {}}
        report(0.05, "reading sales")
        _load_sales(conn, src)
        activation, time_saved, operators, latest = {}, {}, [], {}
        latest["sales_metrics_daily"] = int(src["sales_days"][-1]) if len(src["sales_days"]) else None
        if "shop_activation_metrics" in have:
            for date, rate in conn.execute("SELECT date, activation_rate_pct FROM shop_activation_metrics"):
                d = parse_day(date)
                if d is not None:
                    activation[d] = ratio01(rate)
            latest["shop_activation_metrics"] = max(activation) if activation else None
        if "ceo_time_savings" in have:
            cols = " + ".join(f"coalesce({num(c)}, 0)" for c in cat.TIME_SAVED_COLUMNS)
            for date, minutes in conn.execute(f"SELECT date, {cols} FROM ceo_time_savings"):
                d = parse_day(date)
                if d is not None:
                    time_saved[d] = time_saved.get(d, 0.0) + float(minutes)
            latest["ceo_time_savings"] = max(time_saved) if time_saved else None
        if "operator_sla_resolution" in have:
            for op, date, det, res, med, p90 in conn.execute(
                    "SELECT operator_id, date, sla_breaches_detected, sla_breaches_resolved, median_response_time,"
                    " p90_response_time FROM operator_sla_resolution"):
                d = parse_day(date)
                if d is not None:
                    operators.append((str(op).strip(), d, to_float(det), to_float(res), to_float(med), to_float(p90)))
            latest["operator_sla_resolution"] = max((o[1] for o in operators), default=None)
        skus, snapshot_days, alerts = [], np.zeros(0, dtype=np.int64), []
        report(0.15, "reading stock")
        if "sku_performance" in have:
            for row in conn.execute(
                    f"SELECT trim(sku), {num('revenue_30d')}, {num('units_sold_30d')}, {num('orders_30d')},"
                    f" {num('current_inventory')}, {num('days_of_inventory')}, {boolean('is_trending')},"
                    f" {enum('trend_direction')}, shopify_product_id FROM sku_performance"):
                skus.append(dict(zip(("sku", "revenue_30d", "units_sold_30d", "orders_30d", "current_inventory",
                                      "days_of_inventory", "is_trending", "trend_direction", "product_id"), row)))
        if "inventory_snapshots" in have:
            snapshot_days, alerts, inv_checks = _inventory(conn)
            latest["inventory_snapshots"] = int(snapshot_days[-1]) if len(snapshot_days) else None
        ful = cx = cx_frt = None
        checks: dict = dict(inv_checks) if "inventory_snapshots" in have else {}
        escalated: list[dict] = []
        if "fulfillment_tracking" in have:
            report(0.3, "reading fulfilment")
            st = enum("fulfillment_status")
            code = (f"(CASE {st} WHEN 'fulfilled' THEN 0 WHEN 'cancelled' THEN 1 ELSE 2 END)"
                    f" + 4 * {boolean('is_sla_breach')} + 8 * {boolean('has_issue')}"
                    f" + 16 * {_code('issue_type', cat.ISSUE_TYPES)} + 128 * {_code('issue_severity', cat.SEVERITIES)}")
            days, codes, dtf, bad = _columns(conn, "fulfillment_tracking", day("order_created_at"), code,
                                             num("days_to_fulfill"), *quality_sql.FULFILLMENT_TIMES)
            checks["fulfillment_times"] = (len(bad), len(days), bad[:EXAMPLES])
            src["skipped"]["fulfillment_tracking"] = int((days == NO_DAY).sum())
            keep = days != NO_DAY
            days, codes, dtf = days[keep], codes[keep], dtf[keep]
            ful = Grouped({"day": days, "fulfilled": (codes & 3) == 0, "cancelled": (codes & 3) == 1,
                           "breach": (codes & 4) > 0, "open_issue": ((codes & 8) > 0) & ((codes & 3) != 0),
                           "issue_type": ((codes >> 4) & 7).astype(np.int8), "issue_severity": (codes >> 7).astype(np.int8),
                           "dtf": dtf, "n": np.ones(len(days), dtype=np.int32)})
        if "cx_conversations" in have:
            report(0.6, "reading conversations")
            code = (f"({enum('status')} IN ('resolved', 'closed')) + 2 * {boolean('is_sla_breach')}"
                    f" + 4 * {boolean('is_escalated')} + 8 * {_code('sentiment', cat.SENTIMENTS)}")
            days, codes, frt_, bad = _columns(conn, "cx_conversations", day("conversation_created_at"), code,
                                              num("first_response_time_minutes"), *quality_sql.RESPONSE_TIMES)
            checks["response_times"] = (len(bad), len(days), bad[:EXAMPLES])
            src["skipped"]["cx_conversations"] = int((days == NO_DAY).sum())
            keep = days != NO_DAY
            days, codes, frt_ = days[keep], codes[keep], frt_[keep]
            ones = np.ones(len(days), dtype=np.int32)
            cx = Grouped({"day": days, "resolved": (codes & 1) > 0, "breach": (codes & 2) > 0,
                          "escalated": (codes & 4) > 0, "sentiment": (codes >> 3).astype(np.int8), "n": ones})
            cx_frt = Grouped({"day": days, "frt": frt_, "n": ones})
            report(0.8, "reading escalations")
            for cid, t, status, res, reason, prio in conn.execute(
                    f"SELECT chatwoot_conversation_id, {epoch('conversation_created_at')} AS t, {enum('status')},"
                    f" {epoch('resolved_at')}, escalation_reason, {enum('priority')} FROM cx_conversations"
                    f" WHERE {boolean('is_escalated')} AND t IS NOT NULL"):
                escalated.append({"conversation": cid, "created": int(t), "status": status, "resolved": res,
                                  "reason": reason, "priority": prio})
        report(0.9, "checking data quality")
        quality = quality_sql.static_checks(conn, have, src["sales"], checks)
        return ComSource(p, (stat.st_mtime_ns, stat.st_size), have, tuple(t for t in cat.TABLES if t not in have),
                         src["sales"], src["sales_days"], activation, operators, time_saved, latest, skus,
                         snapshot_days, alerts, ful, cx, cx_frt, escalated, quality, src["skipped"],
                         demo=is_demo(conn))
    except sqlite3.DatabaseError as exc:
        raise DataFileError(f"{p}: cannot be read as a Commerce file ({exc})") from None
    finally:
        conn.close()
