"""The Executive dashboard pack (seeds 000-002): schema, demo data, payload.

`DASHBOARD` is its declaration (execdash_desktop.dashboards); the callables
import the pack's modules on first use, so listing dashboards stays cheap.
"""

from __future__ import annotations

from ...dashboards.lazy import lazy
from ...dashboards.spec import BoardPackDefaults, Dashboard, Panel, TrendSeries, TrendSpec
from .catalogue import BOARD_PACK_DRILLDOWNS, DRILLDOWN_ENTRIES, KPI_CARDS

REQUIRED = ("revenue_trend",)
OPTIONAL = ("ops_uptime", "retention_nrr", "orders", "executive_kpis", "pipeline_stages",
            "pipeline_stages_daily", "pipeline_winrate", "alerts", "risks", "timeframe_window",
            "retention_at_risk", "ops_reliability", "ops_quality", "ops_service_cost",
            "supply_cogs_breakdown", "supply_cogs_variance", "supply_lead_time", "supply_inventory_turns",
            "telemetry_utilization", "telemetry_consumption", "telemetry_active_devices",
            "top_products_daily", "top_products", "customers", "feedback", "feedback_scores",
            "product_feedback", "expenses", "user_events", "user_event_meta")


_load = lazy(f"{__name__}.source", "load_source")
_payload = lazy(f"{__name__}.payload", "build_payload")
_rebucket = lazy(f"{__name__}.payload", "rebucket")


def _drilldown(key, conn, src, payload, sensitivity="normal"):
    from .drilldowns import build_drilldown
    from .narrative import window_of

    return build_drilldown(key, conn, src, window_of(payload), sensitivity)


def _summary(conn, src, payload, sensitivity="normal"):
    from .narrative import build_summary

    return build_summary(conn, src, payload, sensitivity)


def _demo(conn, *, seed=7, end=None, progress=None, orders=100_000, months=24):
    from .demo import build_into

    return build_into(conn, seed=seed, end=end, months=months, orders=orders, progress=progress)


def _alert_drilldown(alert):
    from .drilldowns import drilldown_for_alert

    return drilldown_for_alert(alert)


def _text(payload):
    from ...format import payload_table

    return payload_table(payload)


def _as_of_options(src):
    from ... import months as mo
    from .payload import as_of_months

    return [mo.fmt_month(m) for m in as_of_months(src)]


def _alerts_at(src, range_, as_of):
    from ...errors import InvalidRequestError
    from .payload import alerts_known_at, resolve_window

    try:
        return alerts_known_at(src, resolve_window(src, range_, as_of))
    except InvalidRequestError:
        return [dict(a) for a in src.alerts]


DASHBOARD = Dashboard(
    name="executive",
    title="Executive",
    required=REQUIRED,
    optional=OPTIONAL,
    schema="init_schema.sql",
    kpis_key="executiveKpis",
    kpis=KPI_CARDS,
    trend=TrendSpec("revenueTrend", "Revenue trend", (
        TrendSeries("recognized", "Recognized", "currency", "bar"),
        TrendSeries("booked", "Booked", "currency", "line"),
        TrendSeries("backlog", "Backlog", "currency", "line"))),
    drilldowns=DRILLDOWN_ENTRIES,
    panels=(Panel("alerts", "Alerts", "alerts"), Panel("risks", "Risks", "risks"),
            Panel("summary", "Summary")),
    board_pack=BoardPackDefaults(BOARD_PACK_DRILLDOWNS, ("alerts", "risks")),
    as_of="month",
    api_route="/api/executive-dashboard",
    load=_load,
    payload=_payload,
    rebucket=_rebucket,
    drilldown=_drilldown,
    summary=_summary,
    demo=_demo,
    demo_options={"orders": "orders", "months": "months"},
    alert_drilldown=_alert_drilldown,
    as_of_options=_as_of_options,
    alerts_at=_alerts_at,
    text=_text,
)
EXECUTIVE = DASHBOARD  # the name older modules and tests use
