"""The data-quality checks that do not depend on the as-of day (checks 3-10 of commerce-pack.md).

Each returns (failing rows, rows checked, up to 20 example keys); a check
whose table is missing returns (None, 0, [reason]). Freshness and
completeness depend on D and are computed by the payload (quality.py).
"""

from __future__ import annotations

import sqlite3

from .sqlread import before, boolean, enum, enum_case, not_before, num, num_fast

EXAMPLES = 20


def _sql_check(conn: sqlite3.Connection, table: str, key: str, where: str) -> tuple[int, int, list[str]]:
    checked = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    keys = sorted(str(r[0]) for r in conn.execute(f"SELECT {key} FROM {table} WHERE {where}"))
    return len(keys), checked, keys[:EXAMPLES]


def _sales_checks(sales: dict[int, dict]) -> dict[str, tuple[int, int, list[str]]]:
    neg, aov = [], []
    for d in sorted(sales):
        r = sales[d]
        rev, orders, ful, stored = r["revenue"], r["orders"], r["fulfilled"], r["aov"]
        if (rev is not None and rev < 0) or (orders is not None and orders < 0) or (
                ful is not None and orders is not None and ful > orders):
            neg.append(r["date"])
        if stored is not None and rev is not None and orders:
            expected = rev / orders
            if abs(stored - expected) > 0.01 * abs(expected):
                aov.append(r["date"])
    n = len(sales)
    return {"negative_values": (len(neg), n, neg[:EXAMPLES]), "aov_consistency": (len(aov), n, aov[:EXAMPLES])}


# (failing condition, example key) of checks 6 and 7, evaluated in the scan that reads the table
FULFILLMENT_TIMES = (
    f"(CASE WHEN fulfilled_at IS NULL OR trim(fulfilled_at) = '' THEN {enum('fulfillment_status')} = 'fulfilled'"
    f" ELSE {before('fulfilled_at', 'order_created_at')} END)", "coalesce(order_number, shopify_order_id, id)")
RESPONSE_TIMES = (
    f"{before('first_response_at', 'conversation_created_at')} OR {num('first_response_time_minutes')} < 0",
    "coalesce(chatwoot_conversation_id, id)")

# the same conditions, truthy on exactly the same rows, with the usual values decided cheaply first
FULFILLED = enum_case("fulfillment_status", {"fulfilled": "1", "cancelled": "0", "unfulfilled": "0", "partial": "0"}, "0")
FULFILLMENT_TIMES_FAST = (
    f"(CASE WHEN fulfilled_at IS NULL THEN {FULFILLED} WHEN {not_before('fulfilled_at', 'order_created_at')}"
    f" THEN 0 ELSE {FULFILLMENT_TIMES[0]} END)", FULFILLMENT_TIMES[1])
RESPONSE_TIMES_FAST = (
    f"(CASE WHEN {not_before('first_response_at', 'conversation_created_at')}"
    f" THEN {num_fast('first_response_time_minutes')} < 0 ELSE {RESPONSE_TIMES[0]} END)", RESPONSE_TIMES[1])


def static_checks(conn: sqlite3.Connection, have: frozenset[str], sales: dict[int, dict], done: dict
                  ) -> dict[str, tuple[int | None, int, list[str]]]:
    """Checks 3-10; `done` holds those already counted while reading the big tables."""
    out: dict[str, tuple[int | None, int, list[str]]] = dict(_sales_checks(sales))
    out.update(done)

    def run(check: str, tables: tuple[str, ...], fn) -> None:
        gone = [t for t in tables if t not in have]
        out[check] = (None, 0, [f"{t} is missing" for t in gone]) if gone else fn()

    for check, table in (("negative_inventory", "inventory_snapshots"), ("fulfillment_times", "fulfillment_tracking"),
                         ("response_times", "cx_conversations"), ("duplicate_skus", "inventory_snapshots")):
        if table not in have:
            out[check] = (None, 0, [f"{table} is missing"])
    run("orphan_skus", ("sku_performance", "product_categories"), lambda: _sql_check(
        conn, "sku_performance", "coalesce(trim(sku), id)",
        "shopify_product_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM product_categories pc"
        " WHERE CAST(pc.shopify_product_id AS INTEGER) = CAST(sku_performance.shopify_product_id AS INTEGER))"))
    run("segment_ranges", ("customer_segments",), lambda: _sql_check(
        conn, "customer_segments", "coalesce(shopify_customer_id, id)",
        f"{num('segment_confidence')} NOT BETWEEN 0 AND 1 OR {num('avg_review_rating')} NOT BETWEEN 1 AND 5"))
    return out


__all__ = ["static_checks", "FULFILLMENT_TIMES", "RESPONSE_TIMES", "boolean"]
