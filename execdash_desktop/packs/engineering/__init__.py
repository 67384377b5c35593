"""The Engineering (CTO) dashboard pack (seed 003; design/engineering-pack.md).

Bugs, SLAs and the project portfolio. `DASHBOARD` is its declaration
(execdash_desktop.dashboards); the callables import the pack's modules on
first use. Modules: catalogue (vocabulary), source (the one read of a file),
rules (open / breached / priority / risk / trend, vectorised), payload,
queries (the bug table's pages and the panels' lists), drilldowns,
narrative (Now / Reason / Action), demo, texts (bug text by row id).
"""

from __future__ import annotations

from ...dashboards.lazy import lazy
from ...dashboards.spec import BoardPackDefaults, Dashboard, Panel, TrendSeries, TrendSpec
from .catalogue import BOARD_PACK_DRILLDOWNS, DRILLDOWN_ENTRIES, KPI_CARDS, SOURCE_COLUMNS, SOURCE_TABLES

REQUIRED = ("bugs",)
OPTIONAL = ("users", "bug_history", "projects", "project_metrics", "monthly_metrics", "portfolio_metrics",
            "import_logs", "audit_log")


_load = lazy(f"{__name__}.load", "load_source")
_payload = lazy(f"{__name__}.payload", "build_payload")
_rebucket = lazy(f"{__name__}.payload", "rebucket")


def _drilldown(key, conn, src, payload, sensitivity="normal"):
    from .drilldowns import build_drilldown

    del sensitivity  # no unusual months on these charts

    return build_drilldown(key, conn, src, payload)


def _summary(conn, src, payload, sensitivity="normal"):
    from .narrative import build_summary

    del sensitivity  # its summary rings no unusual months

    return build_summary(conn, src, payload)


def _demo(conn, *, seed=7, end=None, progress=None, bugs=5000):
    from .demo import build_into

    return build_into(conn, seed=seed, end=end, bugs=bugs, progress=progress)


def _as_of_options(src):
    from .queries import as_of_options

    return as_of_options(src)


def _query(name):
    return lazy(f"{__name__}.queries", name)


DASHBOARD = Dashboard(
    name="engineering",
    title="Engineering",
    required=REQUIRED,
    optional=OPTIONAL,
    schema="engineering_schema.sql",
    kpis_key="engineeringKpis",
    kpis=KPI_CARDS,
    trend=TrendSpec("bugTrend", "Bugs created vs resolved", (
        TrendSeries("created", "Created", "count", "bar", "down"),
        TrendSeries("resolved", "Resolved", "count", "line", "up"))),
    drilldowns=DRILLDOWN_ENTRIES,
    panels=(
        Panel("sla_breaches", "SLA breaches", "slaBreaches"),
        Panel("severity_mix", "Open bugs by severity", query=_query("severity_mix")),
        Panel("top_risks", "Top risks", query=_query("top_risks")),
        Panel("portfolio_bubbles", "Portfolio", query=_query("portfolio_bubbles")),
        Panel("bug_table", "All bugs", query=_query("bug_table")),
        Panel("audit_log", "Audit log", query=_query("audit_log")),
        Panel("summary", "Summary"),
    ),
    board_pack=BoardPackDefaults(BOARD_PACK_DRILLDOWNS, ("sla_breaches", "top_risks")),
    as_of="timestamp",
    api_route="/api/engineering-dashboard",
    load=_load,
    payload=_payload,
    rebucket=_rebucket,
    drilldown=_drilldown,
    summary=_summary,
    demo=_demo,
    demo_options={"bugs": "bugs"},
    as_of_options=_as_of_options,
    source_tables=SOURCE_TABLES,
    source_columns=SOURCE_COLUMNS,
)
