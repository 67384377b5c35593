"""Small Commerce files written by hand, clean and messy, holding the same facts (tests' fixtures).

D = 2026-03-10 (the latest sales day). The messy file stores the same rows
with text numbers, 'TRUE'/'yes'/'t'/'1' booleans, upper-case and padded
statuses, timestamps with 'T', 'Z' or an offset (same UTC moment), percents
above 1; both files miss the same sales days.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from importlib import resources

D = date(2026, 3, 10)
MISSING = {date(2026, 2, 14), date(2026, 3, 7)}
SALES_DAYS = [date(2026, 1, 1) + timedelta(days=i) for i in range(69) if
              date(2026, 1, 1) + timedelta(days=i) not in MISSING]


def revenue(x: date) -> float:
    return 1000.0 + (x - date(2026, 1, 1)).days * 10


def orders(x: date) -> int:
    return 4 + (x.day % 3)


def fulfilled(x: date) -> int:
    return orders(x) - 1 if x >= date(2026, 3, 4) else orders(x)


# (order, status, days_to_fulfill, breach, has_issue, type, severity, created (clean, messy), fulfilled_at)
FULFILMENT = [
    ("#1", "fulfilled", 1, 0, 0, None, None, ("2026-03-05T10:00:00Z", "2026-03-05 12:00:00+02:00"), "2026-03-06T10:00:00Z"),
    ("#2", "fulfilled", 3, 1, 0, None, None, ("2026-03-06T10:00:00Z", "2026-03-06T10:00:00"), "2026-03-09T10:00:00Z"),
    ("#3", "fulfilled", 2, 0, 0, None, None, ("2026-03-07T10:00:00Z", "2026-03-07 10:00:00Z"), "2026-03-09T10:00:00Z"),
    ("#4", "unfulfilled", None, 1, 1, "delayed_shipping", "high", ("2026-03-09T10:00:00Z", "2026-03-09T10:00:00Z"), None),
    ("#5", "partial", None, 0, 1, "delayed_shipping", "high", ("2026-03-10T10:00:00Z", "2026-03-10T05:00:00-05:00"), None),
    ("#6", "unfulfilled", None, 0, 1, "missing_items", "low", ("2026-03-10T01:00:00Z", "2026-03-10T01:00:00Z"), None),
    ("#7", "cancelled", None, 1, 1, "damaged_goods", "critical", ("2026-03-08T10:00:00Z", "2026-03-08T10:00:00Z"), None),
    # on 3 March in UTC (out of the 7-day window), though 4 March at +05:00
    ("#8", "fulfilled", 10, 1, 0, None, None, ("2026-03-03T21:00:00Z", "2026-03-04T02:00:00+05:00"), "2026-03-13T10:00:00Z"),
    ("#9", "fulfilled", 4, 1, 1, "damaged_goods", "low", ("2026-03-08T10:00:00Z", "2026-03-08T10:00:00Z"), "2026-03-12T10:00:00Z"),
    # planted: fulfilled without a fulfilment time
    ("#10", "fulfilled", None, 0, 0, None, None, ("2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z"), None),
]

# (id, first response min, breach, priority, sentiment, escalated, reason, status, created, resolved_at)
CONVERSATIONS = [
    (1, 10, 0, "low", "positive", 0, None, "resolved", ("2026-03-05T09:00:00Z", "2026-03-05T09:00:00Z"), "2026-03-05T12:00:00Z"),
    (2, 40, 0, "medium", "neutral", 0, None, "closed", ("2026-03-06T09:00:00Z", "2026-03-06T04:00:00-05:00"), "2026-03-06T12:00:00Z"),
    (3, 200, 1, "urgent", "very_negative", 1, "Order late", "open", ("2026-03-09T10:00:00Z", "2026-03-09T12:00:00+02:00"), None),
    (4, 25, 0, "high", "negative", 1, "Wrong part", "resolved", ("2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z"), "2026-03-11T09:00:00Z"),
    (5, 5, 0, "low", "positive", 1, "Refund", "resolved", ("2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z"), "2026-03-02T09:00:00Z"),
    (6, 30, 0, "medium", "neutral", 1, "Fitment", "pending", ("2026-02-27T09:00:00Z", "2026-02-27T09:00:00Z"), None),
    (7, 15, 0, "low", "positive", 0, None, "closed", ("2026-02-25T09:00:00Z", "2026-02-25T09:00:00Z"), "2026-02-25T12:00:00Z"),
    (8, 45, 0, "low", "neutral", 0, None, "closed", ("2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z"), "2026-03-01T12:00:00Z"),
]

# (sku, status, qty, cover) per snapshot day
SNAPSHOTS = {
    date(2026, 3, 3): [("SKU-A", "out_of_stock", 0, 0), ("SKU-B", "in_stock", 50, 20)],
    date(2026, 3, 9): [("SKU-A", "out_of_stock", 0, 0), ("SKU-B", "low_stock", 5, 3), ("SKU-C", "low_stock", 9, None),
                       ("SKU-D", "low_stock", 12, 10), ("SKU-E", "overstock", 900, 200), ("SKU-F", "in_stock", 40, 30),
                       ("SKU-B2", "low_stock", 4, 3)],
}
SKUS = [("SKU-A", 900.0, 9), ("SKU-B", 500.0, 5), ("SKU-B2", 500.0, 6), ("SKU-C", 700.0, 7), ("SKU-D", 100.0, 1),
        ("SKU-E", 300.0, 3), ("SKU-F", 50.0, 1)]


def activation(x: date) -> float:
    return 0.5 + (x - date(2026, 2, 20)).days * 0.01


ACTIVATION_DAYS = [date(2026, 2, 20) + timedelta(days=i) for i in range(19)]


def write(path, messy: bool) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(resources.files("execdash_desktop.data").joinpath("commerce_schema.sql").read_text())
    m = messy
    for i, x in enumerate(SALES_DAYS):
        rev = revenue(x)
        conn.execute("INSERT INTO sales_metrics_daily (id, date, total_revenue, total_orders, avg_order_value,"
                     " orders_fulfilled) VALUES (?,?,?,?,?,?)",
                     (f"s{i}", f" {x.isoformat()}" if m and i % 2 else x.isoformat(), f"{rev:.2f}" if m else rev,
                      str(orders(x)) if m else orders(x), round(rev / orders(x), 2), fulfilled(x)))
    for i, (num, st, dtf, br, iss, typ, sev, created, f_at) in enumerate(FULFILMENT):
        conn.execute("INSERT INTO fulfillment_tracking (id, shopify_order_id, order_number, fulfillment_status,"
                     " days_to_fulfill, is_sla_breach, has_issue, issue_type, issue_severity, order_created_at,"
                     " fulfilled_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     (f"f{i}", 100 + i, num, f" {st.upper()} " if m else st, str(dtf) if m and dtf is not None else dtf,
                      ("TRUE" if br else "no") if m else br, ("yes" if iss else "FALSE") if m else iss,
                      typ.upper() if m and typ else typ, sev.capitalize() if m and sev else sev,
                      created[1] if m else created[0], f_at))
    for cid, frt, br, prio, sent, esc, reason, st, created, res in CONVERSATIONS:
        conn.execute("INSERT INTO cx_conversations (id, chatwoot_conversation_id, first_response_time_minutes,"
                     " is_sla_breach, priority, sentiment, is_escalated, escalation_reason, status,"
                     " conversation_created_at, resolved_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     (f"c{cid}", cid, f"{frt}" if m else frt, ("t" if br else "f") if m else br,
                      prio.upper() if m else prio, sent.upper() if m else sent, ("1" if esc else "0") if m else esc,
                      reason, f"{st.capitalize()} " if m else st, created[1] if m else created[0], res))
    n = 0
    for x, rows in SNAPSHOTS.items():
        for sku, st, qty, cover in rows:
            n += 1
            conn.execute("INSERT INTO inventory_snapshots (id, sku, snapshot_date, quantity_available, days_of_cover,"
                         " stock_status, shopify_product_id) VALUES (?,?,?,?,?,?,?)",
                         (f"i{n}", sku, x.isoformat() + ("T00:00:00Z" if m else ""), str(qty) if m else qty,
                          cover, st.upper() if m else st, 1))
    for i, (sku, rev, units) in enumerate(SKUS):
        conn.execute("INSERT INTO sku_performance (id, sku, revenue_30d, units_sold_30d, shopify_product_id,"
                     " is_trending) VALUES (?,?,?,?,?,?)",
                     (f"k{i}", sku, str(rev) if m else rev, units, 1 if sku != "SKU-F" else 2,
                      ("yes" if i % 2 else "no") if m else i % 2))
    conn.execute("INSERT INTO product_categories (id, shopify_product_id, fits_vehicle_years) VALUES ('p1', 1,"
                 " '[1969, 1970]')")
    for i, x in enumerate(ACTIVATION_DAYS):
        v = activation(x)
        conn.execute("INSERT INTO shop_activation_metrics (id, date, activation_rate_pct) VALUES (?,?,?)",
                     (f"a{i}", x.isoformat(), v * 100 if m else v))
    for i, x in enumerate(ACTIVATION_DAYS):
        conn.execute("INSERT INTO ceo_time_savings (id, date, time_saved_order_processing, time_saved_data_entry)"
                     " VALUES (?,?,?,?)", (f"t{i}", x.isoformat(), "30" if m else 30, 30))
        for op in (1, 2):
            conn.execute("INSERT INTO operator_sla_resolution (id, operator_id, date, sla_breaches_detected,"
                         " sla_breaches_resolved, median_response_time, p90_response_time) VALUES (?,?,?,?,?,?,?)",
                         (f"o{i}-{op}", op, x.isoformat(), 4, 4 if op == 2 else 2, 10.0 * op, 30.0 * op))
    conn.execute("INSERT INTO customer_segments (id, shopify_customer_id, primary_segment, segment_confidence,"
                 " total_orders, total_revenue, primary_vehicle_year, avg_review_rating) VALUES"
                 " ('u1', 1, 'DIY Builder', 0.9, 2, 500, 1969, 4.5), ('u2', 2, 'DIY Builder', 1.4, 1, 100, 1980, 4)")
    conn.commit()
    conn.close()
