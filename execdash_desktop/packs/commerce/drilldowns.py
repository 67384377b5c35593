"""The Commerce drill-downs (catalogue.DRILLDOWNS): titled tables (and a chart) at the as-of day D.

Lists read from the file are bounded (LIST_ROWS) and ordered so the rows
that need attention come first; the arrays of the source answer the rest.
"""

from __future__ import annotations

import sqlite3

from ...tables import Drilldown, Table
from ...words import code_words
from . import catalogue as cat
from . import panels
from . import rules as r
from .source import ComSource, parse_day
from .sqlread import boolean, day, enum, num

LIST_ROWS = 500


class _Missing(Exception):
    pass


def _need(src: ComSource, *tables: str) -> None:
    gone = [t for t in tables if t not in src.tables]
    if gone:
        raise _Missing(f"Not available: the file has no {', '.join(gone)} table.")


def _sales(conn, src, payload, d):
    rows = []
    for x in range(d - 89, d + 1):
        s = src.sales.get(x)
        if s is not None:
            rows.append((r.iso(x), s["revenue"], s["orders"], r.ratio(s["revenue"], s["orders"]),
                         r.ratio(s["fulfilled"], s["orders"])))
    t = Table("Daily sales, last 90 days", ("Day", "Revenue", "Orders", "Average order", "Fulfilled"),
              tuple(rows), ("date", "currency", "int", "currency", "ratio"), daily="flow")
    chart = Table("Daily revenue", ("Day", "Revenue"), tuple((x[0], x[1]) for x in rows), ("period", "currency"))
    return [t], chart, []


def _skus(conn, src, payload, d):
    _need(src, "sku_performance")
    skus = sorted(src.skus, key=lambda s: (s["revenue_30d"] is None, -(s["revenue_30d"] or 0), s["sku"] or ""))
    rows = tuple((s["sku"], s["revenue_30d"], s["units_sold_30d"], s["orders_30d"], s["current_inventory"],
                  s["days_of_inventory"], "Yes" if s["is_trending"] else "No", s["trend_direction"]) for s in skus)
    return [Table("Products by revenue, last 30 days", ("Product", "Revenue (30 d)", "Units (30 d)",
                                                         "Orders (30 d)", "In stock", "Days of stock", "Trending",
                                                         "Trend"), rows,
                  ("text", "currency", "int", "int", "int", "days", "text", "text"))], None, []


def _alerts(conn, src, payload, d):
    _need(src, "inventory_snapshots")
    p = panels.stock_alerts(conn, src, payload)
    return [Table("Stock alerts, most urgent first", p["columns"], tuple(p["rows"]), p["formats"])], None, []


def _history(conn, src, payload, d, sku=None):
    """One product's stock: the one asked for ("inventory/history?SKU"), else the most urgent alert's."""
    _need(src, "inventory_snapshots")
    alerts = payload["inventoryAlerts"] or []
    if not sku and not alerts:
        return [], None, ["No stock alerts: no product to follow."]
    why = "the product chosen." if sku else "the most urgent stock alert."
    sku = sku or alerts[0]["sku"]
    rows = conn.execute(
        f"SELECT substr(trim(snapshot_date), 1, 10) AS day, {num('quantity_available')}, {num('days_of_cover')},"
        f" {enum('stock_status')} FROM inventory_snapshots WHERE trim(sku) = ? AND {day('snapshot_date')} <= ?"
        " ORDER BY day DESC LIMIT 90", (sku, d)).fetchall()[::-1]
    t = Table(f"Stock of {sku}, last 90 snapshots", ("Day", "Available", "Days of cover", "Status"), tuple(rows),
              ("date", "int", "days", "text"))
    chart = Table(f"Stock of {sku}", ("Day", "Available"), tuple((x[0], x[1]) for x in rows), ("period", "int"))
    if not rows:
        return [t], None, [f"Product {sku}: no stock counts on or before this day."]
    return [t], chart, [f"Product {sku}: {why}"]


def _orders(conn, src, payload, d):
    _need(src, "fulfillment_tracking")
    lo, hi = r.last_n(d, 7)
    rows = conn.execute(
        f"SELECT order_number, {enum('fulfillment_status')} AS st, {num('days_to_fulfill')},"
        f" {boolean('is_sla_breach')} AS br, {enum('issue_type')}, {enum('issue_severity')}, order_created_at"
        f" FROM fulfillment_tracking WHERE {day('order_created_at')} BETWEEN ? AND ? AND st <> 'cancelled'"
        f" AND (br OR ({boolean('has_issue')} AND st <> 'fulfilled'))"
        f" ORDER BY order_created_at LIMIT {LIST_ROWS}", (lo, hi)).fetchall()
    out = tuple((a, code_words(s), dtf, "Yes" if br else "No", code_words(t), code_words(sev), c)
                for a, s, dtf, br, t, sev, c in rows)
    return [Table("Late or problem orders, last 7 days", ("Order", "Status", "Days to ship", "Late", "Issue",
                                                            "Severity", "Ordered"), out,
                  ("text", "text", "days", "text", "text", "text", "text"))], None, [
        f"At most {LIST_ROWS} orders, oldest first."]


def _conversations(conn, src, payload, d):
    _need(src, "cx_conversations")
    lo, hi = r.last_n(d, 7)
    rows = conn.execute(
        f"SELECT chatwoot_conversation_id, {enum('status')}, {enum('priority')}, {enum('sentiment')},"
        f" {num('first_response_time_minutes')} AS f, {boolean('is_escalated')} AS e, conversation_created_at"
        f" FROM cx_conversations WHERE {day('conversation_created_at')} BETWEEN ? AND ?"
        f" ORDER BY e DESC, f DESC LIMIT {LIST_ROWS}", (lo, hi)).fetchall()
    out = tuple((str(a), code_words(b), code_words(c), code_words(s), f, "Yes" if e else "No", t) for a, b, c, s, f, e, t in rows)
    return [Table("Conversations, last 7 days (escalated and slowest first)",
                  ("Conversation", "Status", "Priority", "Sentiment", "First reply (min)", "Escalated", "Opened"),
                  out, ("text", "text", "text", "text", "number", "text", "text"))], None, []


def _escalations(conn, src, payload, d):
    _need(src, "cx_conversations")
    p = panels.cx_health(conn, src, payload)
    return [Table("Escalations open at the end of the day", p["columns"], tuple(p["rows"]), p["formats"])], None, []


def _segments(conn, src, payload, d):
    _need(src, "customer_segments")
    seg = conn.execute(
        f"SELECT trim(primary_segment) AS s, count(*), sum({num('total_revenue')}),"
        f" sum({num('total_revenue')}) / nullif(sum({num('total_orders')}), 0), avg({num('segment_confidence')})"
        " FROM customer_segments GROUP BY s ORDER BY 3 DESC").fetchall()
    tables = [Table("Customer segments", ("Segment", "Customers", "Lifetime revenue", "Average order",
                                          "Confidence"), tuple(seg), ("text", "int", "currency", "currency", "ratio"))]
    if "product_categories" in src.tables:
        # vehicle fit: products whose fits_vehicle_years array holds the customers' primary vehicle year
        fit = conn.execute(
            "WITH years AS (SELECT CAST(j.value AS INTEGER) AS y, count(DISTINCT pc.id) AS products"
            " FROM product_categories pc, json_each(CASE WHEN json_valid(pc.fits_vehicle_years)"
            " THEN pc.fits_vehicle_years ELSE '[]' END) j GROUP BY y)"
            f" SELECT cs.y, count(*), coalesce(years.products, 0) FROM (SELECT {num('primary_vehicle_year')} AS y"
            " FROM customer_segments) cs LEFT JOIN years ON years.y = cs.y WHERE cs.y IS NOT NULL"
            " GROUP BY cs.y ORDER BY cs.y").fetchall()
        tables.append(Table("Vehicle fit: customers' vehicle year and the products that fit it",
                            ("Vehicle year", "Customers", "Products that fit"),
                            tuple((int(y), c, p) for y, c, p in fit), ("text", "int", "int")))
    act = [(r.iso(x), src.activation[x]) for x in range(d - 29, d + 1) if x in src.activation]
    tables.append(Table("Shop activation, last 30 days", ("Day", "Activation"), tuple(act), ("date", "ratio")))
    return tables, None, []


def _operators(conn, src, payload, d):
    _need(src, "operator_sla_resolution")
    p = panels.operator_sla(conn, src, payload)
    return [Table("Operators ranked by breaches resolved, last 7 days", p["columns"], tuple(p["rows"]),
                  p["formats"])], None, []


def _time(conn, src, payload, d):
    _need(src, "ceo_time_savings")
    p = panels.time_saved(conn, src, payload)
    daily = tuple((r.iso(x), src.time_saved[x] / 60.0) for x in range(d - 29, d + 1) if x in src.time_saved)
    return [Table("Time saved", p["columns"], tuple(p["rows"]), p["formats"]),
            Table("Hours saved per day, last 30 days", ("Day", "Hours"), daily, ("date", "number"))], None, []


def _quality(conn, src, payload, d):
    rows = []
    for c in payload["dataQuality"]:
        examples = c["examples"] or [""]
        for ex in examples:
            rows.append((cat.CHECK_TITLES[c["check"]], c["status"].upper(), c["failing"], ex))
    return [Table("Data-quality checks and their failing rows (up to 20 each)",
                  ("Check", "Result", "Failing rows", "Example"), tuple(rows), ("text", "text", "int", "text"))], None, []


_BUILDERS = {"sales/daily": _sales, "skus/performance": _skus, "inventory/alerts": _alerts,
             "inventory/history": _history, "fulfillment/orders": _orders, "cx/conversations": _conversations,
             "cx/escalations": _escalations, "customers/segments": _segments, "operators/sla": _operators,
             "time/saved": _time, "quality/checks": _quality}


def build_drilldown(key: str, conn: sqlite3.Connection, src: ComSource, payload: dict) -> Drilldown:
    """The drill-down `key` at the payload's as-of day. KeyError for an unknown key."""
    base, _, arg = key.partition("?")  # "inventory/history?HR-0007": one product's history
    builder = _BUILDERS[base]
    if arg and base != "inventory/history":
        raise KeyError(key)
    d = parse_day(payload["asOf"])
    try:
        tables, chart, notes = builder(conn, src, payload, d, arg) if arg else builder(conn, src, payload, d)
    except _Missing as exc:
        tables, chart, notes = [], None, [str(exc)]
    title = f"{cat.DRILLDOWNS[base]}: {arg}" if arg else cat.DRILLDOWNS[base]
    return Drilldown(key, title, tuple(tables), tuple([f"As of {payload['asOf']}"] + notes), chart)
