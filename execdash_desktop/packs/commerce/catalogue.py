"""The Commerce dashboard's fixed vocabulary (commerce-pack.md), no I/O.

Light on purpose: the registry imports it to list the dashboard.
"""

from __future__ import annotations

from ...dashboards.spec import DrilldownEntry, KpiCard

TABLES = ("product_categories", "customer_segments", "sales_metrics_daily", "sku_performance",
          "inventory_snapshots", "fulfillment_tracking", "cx_conversations", "shop_activation_metrics",
          "operator_sla_resolution", "ceo_time_savings")
CURRENCY = "$"  # seed 004 is a US parts retailer
MILESTONES = (1_000_000.0, 5_000_000.0, 10_000_000.0)
HOURLY_VALUE = 200.0  # time saved, valued per hour
TIME_SAVED_COLUMNS = ("time_saved_order_processing", "time_saved_inventory_checks",
                      "time_saved_customer_support", "time_saved_manual_reporting", "time_saved_data_entry")
TARGETS = {"aov_30d": 250.0, "sla_breach_rate": 0.05, "first_response_p50_7d": 30.0}
SEVERITIES = ("critical", "high", "medium", "low")
ISSUE_TYPES = ("delayed_shipping", "missing_items", "damaged_goods", "wrong_address", "inventory_shortage")
PRIORITIES = ("urgent", "high", "medium", "low")
OPEN_CX = ("open", "pending")
RESOLVED_CX = ("resolved", "closed")
SENTIMENTS = ("positive", "neutral", "negative", "very_negative")
DAILY_TABLES = ("sales_metrics_daily", "inventory_snapshots", "shop_activation_metrics",
                "operator_sla_resolution", "ceo_time_savings")
CHECKS = ("freshness", "completeness", "negative_values", "aov_consistency", "negative_inventory",
          "fulfillment_times", "response_times", "duplicate_skus", "orphan_skus", "segment_ranges")
CHECK_TITLES = {
    "freshness": "Data is up to date", "completeness": "No missing sales days",
    "negative_values": "Sales figures are sane", "aov_consistency": "Order value adds up",
    "negative_inventory": "No negative stock", "fulfillment_times": "Fulfilment times are valid",
    "response_times": "Response times are valid", "duplicate_skus": "One stock count per product a day",
    "orphan_skus": "Every product has a category", "segment_ranges": "Customer scores in range",
}

# (key, label, format, polarity, drill-down, unit, target text, what the delta compares with)
_KPIS = (
    ("revenue_mtd", "Revenue MTD", "currency", "up", "sales/daily", None, None, "vs same days last month"),
    ("revenue_ytd", "Revenue YTD", "currency", "up", "sales/daily", None, None, "vs same span last year"),
    ("aov_30d", "AOV (30 d)", "currency", "up", "skus/performance", None, "target $250", "vs 30 days before"),
    ("fulfillment_rate_7d", "Fulfilment (7 d)", "ratio", "up", "fulfillment/orders", None, None, "vs week before"),
    ("inventory_alerts", "Stock alerts", "count", "down", "inventory/alerts", "alerts", None, "vs a week ago"),
    ("open_escalations", "Escalations", "count", "down", "cx/escalations", "conversations", None, "vs a week ago"),
    ("first_response_p50_7d", "First response (median, 7 d)", "count", "down", "cx/conversations", "min",
     "target < 30 min", "vs week before"),
    ("activation_rate_7d", "Shop activation (7 d)", "ratio", "up", "customers/segments", None, None,
     "vs week before"),
)
KPI_KEYS = tuple(k[0] for k in _KPIS)
KPI_CARDS: tuple[KpiCard, ...] = tuple(KpiCard(key, label, fmt, pol, "card", dd, unit, target, compare)
                                       for key, label, fmt, pol, dd, unit, target, compare in _KPIS)

DRILLDOWNS: dict[str, str] = {
    "sales/daily": "Sales \u203a Daily",
    "skus/performance": "Products \u203a Performance (30 days)",
    "inventory/alerts": "Stock \u203a Alerts",
    "inventory/history": "Stock \u203a History of the most urgent product",
    "fulfillment/orders": "Fulfilment \u203a Late or problem orders",
    "cx/conversations": "Customer service \u203a Conversations",
    "cx/escalations": "Customer service \u203a Open escalations",
    "customers/segments": "Customers \u203a Segments and vehicles",
    "operators/sla": "Customer service \u203a Operator ranking",
    "time/saved": "Time saved",
    "quality/checks": "Data quality \u203a Failing rows",
}
DRILLDOWN_ENTRIES = tuple(DrilldownEntry(k, t) for k, t in DRILLDOWNS.items())
BOARD_PACK_DRILLDOWNS = ("sales/daily", "inventory/alerts", "fulfillment/orders", "cx/escalations",
                         "quality/checks")
