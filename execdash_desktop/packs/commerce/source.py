"""The one read of a Commerce file: every table reduced to what the payload needs.

`load_source(path)` reads each big table once (scan.py: fulfilment and
conversations in one part per core, stock counts, with their data-quality
failures), the small daily tables row by row, and keeps small arrays: every
fulfilment and conversation row's day and rowid (rows.DayRows: a 7-day
window's codes are read by rowid when a payload first asks for it, a few
thousand rows), the escalated conversations one by one, every snapshot's
stock alerts by day, and the data-quality counts that do not depend on the
as-of day. A payload then reads at most its windows' rows, so any as-of is a
small read and a few array sums.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from ...errors import DataFileError, MissingTablesError
from ...store import is_demo, open_reader, table_names
from ...values import ratio01, to_float
from . import catalogue as cat
from . import quality_sql, scan, stock
from .parallel import Parallel
from .rows import DayRows, Grouped, cx_columns, ful_columns
from .sqlread import boolean, day, enum, num

if TYPE_CHECKING:
    import numpy as np

# numpy is imported inside the functions (scan.py says why)

EXAMPLES = 20
NO_DAY = scan.NO_DAY


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
    stock_alerts: Any  # .get(snapshot day, default) -> [(day, sku, status, qty, days_of_cover)] (stock.StockAlerts)
    ful: Grouped | DayRows | None  # .window(lo, hi) -> Grouped; .first_day
    cx: Grouped | DayRows | None
    cx_frt: Grouped | DayRows | None
    escalated: list[dict]
    quality: dict[str, tuple[int | None, int, list[str]]]  # check -> failing, checked, examples
    skipped: dict[str, int] = field(default_factory=dict)  # table -> rows with an unreadable day
    memo: dict = field(default_factory=dict)  # payloads by (range, granularity, as-of)
    demo: bool = False  # written by the demo generator (store.is_demo): the page and pack say "Demo data"


def parse_day(value: object) -> int | None:
    from ... import moments

    t = moments.parse(value.strip() if isinstance(value, str) else value)
    return None if t is None else int(t // 86400)


def _day_reader():
    """parse_day, remembered per stored value (a daily table repeats its dates: one parse each)."""
    seen: dict = {}

    def read(value: object) -> int | None:
        if value not in seen:
            seen[value] = parse_day(value)
        return seen[value]

    return read


def _load_sales(conn, src: dict, read_day) -> None:
    import numpy as np

    sales: dict[int, dict] = {}
    skipped = 0
    for date, rev, orders, fulfilled, aov in conn.execute(
            "SELECT date, total_revenue, total_orders, orders_fulfilled, avg_order_value FROM sales_metrics_daily"):
        d = read_day(date)
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


def iso_day(d: int) -> str:
    from .rules import iso

    return iso(d)


def _inventory_rows(conn) -> dict:
    """stock.inventory's result read row by row (a SKU holding the character stock.inventory splits on)."""
    import numpy as np

    rows = conn.execute(
        f"SELECT {day('snapshot_date')}, trim(sku), {enum('stock_status')}, {num('quantity_available')},"
        f" {num('days_of_cover')} FROM inventory_snapshots").fetchall()
    days: set[int] = set()
    alerts: dict[int, list[tuple]] = {}
    negative, seen = [], {}
    for d, sku, status, qty, cover in rows:
        if d is None:
            continue
        days.add(d)
        if status in ("out_of_stock", "low_stock", "overstock"):
            alerts.setdefault(d, []).append((d, sku, status, qty, cover))
        seen[(sku, d)] = seen.get((sku, d), 0) + 1
        if qty is not None and qty < 0:
            negative.append((sku, d))
    return {"rows": len(rows), "days": np.array(sorted(days), dtype=np.int64), "alerts": alerts,
            "negative": negative, "dups": [(k[0], k[1], n) for k, n in seen.items() if n > 1]}


def _inventory(conn, path: str) -> tuple[np.ndarray, dict, dict]:
    """The snapshot days, the alert rows of every snapshot by day, and checks 5 and 8."""
    inv = stock.inventory(conn, path) or _inventory_rows(conn)
    negative = sorted(f"{sku} on {iso_day(d)}" for sku, d in inv["negative"])
    dups = sorted(inv["dups"], key=lambda k: (k[0] or "", k[1]))
    checks = {"negative_inventory": (len(negative), inv["rows"], negative[:EXAMPLES]),
              "duplicate_skus": (sum(k[2] for k in dups), inv["rows"],
                                 [f"{k[0]} on {iso_day(k[1])}" for k in dups[:EXAMPLES]])}
    return inv["days"], inv["alerts"], checks


def _own_connection(path: str, read, *args):
    conn = open_reader(path)
    try:
        return read(conn, *args)
    finally:
        conn.close()


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _scans(have: frozenset[str], parts: int, path: str) -> list[tuple[str, object, tuple]]:
    """(name, reader, its arguments) of the big tables' scans, longest first: fulfilment and conversations
    in `parts` consecutive parts each (one per thread), the stock counts whole."""
    out: list[tuple[str, object, tuple]] = []
    if "fulfillment_tracking" in have:
        out += [("fulfilment", scan.fulfilment, (i, parts)) for i in range(parts)]
    if "inventory_snapshots" in have:
        out.append(("inventory", _inventory, (path,)))
    if "cx_conversations" in have:
        out += [("conversations", scan.conversations, (i, parts)) for i in range(parts)]
    return out


_STEP_WORDS = {"fulfilment": "read fulfilment", "conversations": "read conversations", "inventory": "read stock counts"}


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
        workers = _workers()
        scans = _scans(have, workers, p)
        with Parallel([partial(_own_connection, p, read, *args) for _, read, args in scans], workers) as pool:
            src = _small_tables(conn, have, report)
            done: dict[int, object] = {}
            for i, result in pool.results():  # the bar moves as each scan lands
                done[i] = result
                report(0.2 + 0.6 * len(done) / len(scans), _STEP_WORDS[scans[i][0]])
            big: dict = {}
            for name in dict.fromkeys(name for name, _, _ in scans):  # each table's parts in rowid order, as one
                parts = [done.pop(i) for i, (n, _, _) in enumerate(scans) if n == name]
                big[name] = parts[0] if name == "inventory" else scan.joined(parts)
                del parts  # the parts' arrays go before the next table's are joined (peak memory at 10x)
            return _assemble(p, stat, have, src, big, conn, report)
    except sqlite3.DatabaseError as exc:
        raise DataFileError(f"{p}: cannot be read as a Commerce file ({exc})") from None
    finally:
        conn.close()


def _small_tables(conn, have: frozenset[str], report) -> dict:
    src: dict = {"skipped": {}}
    read_day = _day_reader()
    report(0.05, "reading sales, stock, fulfilment and conversations")
    _load_sales(conn, src, read_day)
    activation, time_saved, operators, latest = {}, {}, [], {}
    latest["sales_metrics_daily"] = int(src["sales_days"][-1]) if len(src["sales_days"]) else None
    if "shop_activation_metrics" in have:
        for date, rate in conn.execute("SELECT date, activation_rate_pct FROM shop_activation_metrics"):
            d = read_day(date)
            if d is not None:
                activation[d] = ratio01(rate)
        latest["shop_activation_metrics"] = max(activation) if activation else None
    if "ceo_time_savings" in have:
        cols = " + ".join(f"coalesce({num(c)}, 0)" for c in cat.TIME_SAVED_COLUMNS)
        for date, minutes in conn.execute(f"SELECT date, {cols} FROM ceo_time_savings"):
            d = read_day(date)
            if d is not None:
                time_saved[d] = time_saved.get(d, 0.0) + float(minutes)
        latest["ceo_time_savings"] = max(time_saved) if time_saved else None
    if "operator_sla_resolution" in have:
        for op, date, det, res, med, p90 in conn.execute(
                "SELECT operator_id, date, sla_breaches_detected, sla_breaches_resolved, median_response_time,"
                " p90_response_time FROM operator_sla_resolution"):
            d = read_day(date)
            if d is not None:
                operators.append((str(op).strip(), d, to_float(det), to_float(res), to_float(med), to_float(p90)))
        latest["operator_sla_resolution"] = max((o[1] for o in operators), default=None)
    skus = []
    if "sku_performance" in have:
        for row in conn.execute(
                f"SELECT trim(sku), {num('revenue_30d')}, {num('units_sold_30d')}, {num('orders_30d')},"
                f" {num('current_inventory')}, {num('days_of_inventory')}, {boolean('is_trending')},"
                f" {enum('trend_direction')}, shopify_product_id FROM sku_performance"):
            skus.append(dict(zip(("sku", "revenue_30d", "units_sold_30d", "orders_30d", "current_inventory",
                                  "days_of_inventory", "is_trending", "trend_direction", "product_id"), row)))
    src.update(activation=activation, time_saved=time_saved, operators=operators, latest=latest, skus=skus)
    return src


def _rows(path: str, read: dict, skipped: dict, table: str, values: tuple[str, str], columns, rows_of
           ) -> Grouped | DayRows:
    """A table's rows with a readable day: by day, each row's codes now (a table read whole) or a window's
    when asked (DayRows: read by rowid); `skipped[table]` counts the others."""
    days = read.pop("days")
    keep = days != NO_DAY
    skipped[table] = len(days) - int(keep.sum())
    if "rowids" in read:
        rowids = read.pop("rowids")
        if skipped[table]:
            days, rowids = days[keep], rowids[keep]
        return DayRows(path, days, rowids, partial(_columns_read, columns, rows_of))
    a, b = read.pop(values[0]), read.pop(values[1])
    if skipped[table]:  # no copy when every day reads (memory at 10x)
        days, a, b = days[keep], a[keep], b[keep]
    return Grouped.by_day(columns(days, a, b))


def _columns_read(columns, rows_of, conn, ids) -> dict:
    """DayRows' reader of a window's rows (a partial of a module function: the source pickles)."""
    return columns(*rows_of(conn, ids))


def _assemble(p: str, stat, have: frozenset[str], src: dict, big: dict, conn, report) -> ComSource:
    import numpy as np

    latest, checks = src["latest"], {}
    snapshot_days, alerts = np.zeros(0, dtype=np.int64), {}
    if "inventory" in big:
        snapshot_days, alerts, inv_checks = big["inventory"]
        checks.update(inv_checks)
        latest["inventory_snapshots"] = int(snapshot_days[-1]) if len(snapshot_days) else None
    ful = cx = None
    escalated: list[dict] = []
    if "fulfilment" in big:
        f = big.pop("fulfilment")
        checks["fulfillment_times"] = (len(f["failing"]), len(f["days"]), f["failing"][:EXAMPLES])
        ful = _rows(p, f, src["skipped"], "fulfillment_tracking", ("codes", "dtf"), ful_columns, scan.fulfilment_rows)
    if "conversations" in big:
        c = big.pop("conversations")
        checks["response_times"] = (len(c["failing"]), len(c["days"]), c["failing"][:EXAMPLES])
        cx = _rows(p, c, src["skipped"], "cx_conversations", ("codes", "frt"), cx_columns, scan.conversations_rows)
        escalated = c["escalated"]
    report(0.9, "checking data quality")
    quality = quality_sql.static_checks(conn, have, src["sales"], checks)
    return ComSource(p, (stat.st_mtime_ns, stat.st_size), have, tuple(t for t in cat.TABLES if t not in have),
                     src["sales"], src["sales_days"], src["activation"], src["operators"], src["time_saved"], latest,
                     src["skus"], snapshot_days, alerts, ful, cx, cx, escalated, quality, src["skipped"],
                     demo=is_demo(conn))
