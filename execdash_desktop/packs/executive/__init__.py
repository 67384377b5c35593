"""The Executive dashboard pack (seeds 000-002): schema, demo data, payload."""

from .. import Pack

EXECUTIVE = Pack(
    name="executive",
    title="Executive",
    required=("revenue_trend",),
    tables=("revenue_trend", "ops_uptime", "retention_nrr", "orders", "executive_kpis",
            "pipeline_stages", "pipeline_stages_daily", "pipeline_winrate", "alerts", "risks",
            "timeframe_window", "retention_at_risk", "ops_reliability", "ops_quality",
            "ops_service_cost", "supply_cogs_breakdown", "supply_cogs_variance", "supply_lead_time",
            "supply_inventory_turns", "telemetry_utilization", "telemetry_consumption",
            "telemetry_active_devices", "top_products_daily", "top_products", "customers",
            "feedback", "feedback_scores", "product_feedback", "expenses", "user_events",
            "user_event_meta"),
)
