"""The monthly series of seed 000 (the catalogue); the readers are the core's (execdash_desktop.series)."""

from __future__ import annotations

from ...series import Col, Monthly, Series, aggregate, by_quarter, read_monthly  # noqa: F401
from ...values import ratio01, ratio_nrr, to_float  # noqa: F401


def _rate(column: str, key: str, label: str) -> Col:
    return Col(column, key, label, "ratio", ratio01)


# Grouped as the API routes them; "finance" is the window's only (no route).
SERIES: dict[str, dict[str, Series]] = {
    "operations": {
        "uptime": Series("Uptime", "ops_uptime", (_rate("uptime", "uptime", "Uptime"),)),
        "reliability": Series("Reliability", "ops_reliability", (
            Col("mtbf_hours", "mtbf_hours", "MTBF", "hours"),
            Col("mttr_hours", "mttr_hours", "MTTR", "hours"))),
        "quality": Series("Quality", "ops_quality", (
            _rate("doa_pct", "doa", "Dead on arrival"),
            _rate("defect_pct", "defect", "Defects"),
            _rate("warranty_pct", "warranty", "Warranty claims"))),
        "service-cost": Series("Service cost per device", "ops_service_cost", (
            Col("cost_per_device", "cost_per_device", "Cost per device", "currency"),)),
    },
    "supply": {
        "cogs-variance": Series("COGS variance", "supply_cogs_variance", (
            _rate("variance_pct", "variance", "Variance"),)),
        "lead-time": Series("Supplier lead time", "supply_lead_time", (
            Col("lead_time_days", "lead_time_days", "Lead time", "days"),)),
        "inventory-turns": Series("Inventory turns", "supply_inventory_turns", (
            Col("turns_per_year", "turns_per_year", "Turns per year", "number"),)),
    },
    "telemetry": {
        "utilization": Series("Utilisation", "telemetry_utilization", (
            Col("avg_hours_per_device", "avg_hours_per_device", "Hours per device", "hours"),)),
        "consumption": Series("Consumption", "telemetry_consumption", (
            Col("grams_per_cycle", "grams_per_cycle", "Grams per cycle", "number"),)),
        "active-devices": Series("Active devices", "telemetry_active_devices", (
            Col("active_devices", "active_devices", "Active devices", "int"),), "last"),
    },
    "sales": {
        "winrate": Series("Win rate and sales cycle", "pipeline_winrate", (
            _rate("win_rate_pct", "win_rate", "Win rate"),
            Col("sales_cycle_days", "sales_cycle_days", "Sales cycle", "days"))),
    },
    "finance": {
        # NRR may pass 1 (ratio_nrr); it is a rate of the period, so the window takes the last
        "nrr": Series("Net revenue retention", "retention_nrr", (
            Col("nrr", "nrr", "NRR", "ratio", ratio_nrr),
            _rate("gross_churn", "gross_churn", "Gross churn"),
            _rate("expansion", "expansion", "Expansion")), "last"),
    },
}
