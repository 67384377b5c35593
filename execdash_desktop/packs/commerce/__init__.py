"""The Commerce Operations dashboard pack (seed 004; design/commerce-pack.md).

A parts retailer's day: sales pulse, stock alerts, fulfilment and customer
service SLAs, shop activation, operator SLA, time saved, data quality.
`DASHBOARD` is its declaration (execdash_desktop.dashboards); the callables
import the pack's modules on first use. Modules: catalogue (vocabulary),
sqlread (messy values read in SQL), source (the one read of a file), rows
(fulfilment and conversations by day, a window read when asked),
quality_sql / quality (the ten checks), rules (windows, percentiles,
severities), payload, panels (the panels' rows), drilldowns, narrative
(Now / Reason / Action), demo.
"""

from __future__ import annotations

from ...dashboards.lazy import lazy
from ...dashboards.spec import BoardPackDefaults, Dashboard, Panel, TrendSeries, TrendSpec
from .catalogue import BOARD_PACK_DRILLDOWNS, DRILLDOWN_ENTRIES, KPI_CARDS, TABLES

REQUIRED = ("sales_metrics_daily",)
OPTIONAL = tuple(t for t in TABLES if t not in REQUIRED)


_load = lazy(f"{__name__}.source", "load_source")
_payload = lazy(f"{__name__}.payload", "build_payload")
_rebucket = lazy(f"{__name__}.payload", "rebucket")


def _drilldown(key, conn, src, payload, sensitivity="normal"):
    from .drilldowns import build_drilldown

    del sensitivity  # its charts ring no unusual months (yet)

    return build_drilldown(key, conn, src, payload)


def _summary(conn, src, payload, sensitivity="normal"):
    from .narrative import build_summary

    del sensitivity  # its summary rings no unusual months

    return build_summary(conn, src, payload)


def _demo(conn, *, seed=7, end=None, progress=None, orders=300_000, conversations=100_000, days=500):
    from .demo import build_into

    return build_into(conn, seed=seed, end=end, orders=orders, conversations=conversations, days=days,
                      progress=progress)


def _as_of_options(src):
    from .rules import iso

    return [iso(d) for d in src.sales_days[-60:]]


def _alert_drilldown(alert):
    return "inventory/history"


def _query(name):
    return lazy(f"{__name__}.panels", name)


DASHBOARD = Dashboard(
    name="commerce",
    title="Commerce",
    required=REQUIRED,
    optional=OPTIONAL,
    schema="commerce_schema.sql",
    kpis_key="commerceKpis",
    kpis=KPI_CARDS,
    # revenue alone: orders and the average order (also in each row) would share its money axis
    trend=TrendSpec("revenueTrend", "Revenue", (TrendSeries("revenue", "Revenue", "currency", "bar", "up"),)),
    drilldowns=DRILLDOWN_ENTRIES,
    panels=(
        Panel("stock_alerts", "Stock alerts", query=_query("stock_alerts"), kind="table", placement="side"),
        Panel("milestones", "Growth milestones", query=_query("milestones"), kind="progress", placement="side"),
        Panel("fulfillment_health", "Fulfilment (7 days)", query=_query("fulfillment_health"), kind="table"),
        Panel("cx_health", "Customer service (7 days)", query=_query("cx_health"), kind="table"),
        Panel("data_quality", "Data quality", query=_query("data_quality"), kind="checks", placement="wide"),
        Panel("operator_sla", "Operator ranking (7 days)", query=_query("operator_sla"), kind="table"),
        Panel("time_saved", "Time saved", query=_query("time_saved"), kind="table"),
        Panel("summary", "Summary"),
    ),
    board_pack=BoardPackDefaults(BOARD_PACK_DRILLDOWNS, ("stock_alerts", "data_quality")),
    as_of="timestamp",
    api_route="/api/commerce-dashboard",
    load=_load,
    payload=_payload,
    rebucket=_rebucket,
    drilldown=_drilldown,
    summary=_summary,
    demo=_demo,
    demo_options={"shipments": "orders", "conversations": "conversations", "days": "days"},
    as_of_options=_as_of_options,
    alert_drilldown=_alert_drilldown,
    load_apart=True,  # a 10x file's scans held the window's frames up to 55-90 ms
)
