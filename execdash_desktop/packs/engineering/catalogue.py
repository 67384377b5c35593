"""The Engineering dashboard's fixed vocabulary (engineering-pack.md), no I/O.

Light on purpose: the registry imports it to list the dashboard.
"""

from __future__ import annotations

from ...dashboards.spec import DrilldownEntry, KpiCard

SEVERITIES = ("critical", "high", "medium", "low")  # code = index; -1 unknown
SLA_HOURS = {"critical": 4, "high": 24, "medium": 72, "low": 720}
SEVERITY_POINTS = {"critical": 40, "high": 30, "medium": 15, "low": 5}
ACTIVE_STATUSES = ("pending", "in_progress", "verified")
RESOLVED_STATUSES = ("shipped", "closed")
STATUSES = ACTIVE_STATUSES + RESOLVED_STATUSES + ("deferred",)
# status codes in the source
ST_ACTIVE, ST_RESOLVED, ST_DEFERRED, ST_UNKNOWN = 0, 1, 2, 3
PROJECT_STATUSES = ("active", "shipped", "deferred", "cancelled")
RISK_ORDER = {"HIGH": 0, "MEDIUM": 1, "LOW": 2}
COST_PER_HOUR = 150.0  # derived trend cost = eng hours x 150
MILESTONE_DAYS = 14
DELTA_DAYS = 30
CURRENCY = "\u00a3"  # the app's currency (settings may say otherwise)
TABLES = ("users", "bugs", "bug_history", "projects", "project_metrics", "monthly_metrics",
          "portfolio_metrics", "import_logs", "audit_log")

# (key, label, format, polarity, drill-down), in the payload's order
_KPIS = (
    ("open_critical", "Critical bugs", "count", "down", "bugs/critical"),
    ("open_high", "High bugs", "count", "down", "bugs/high"),
    ("open_medium", "Medium bugs", "count", "down", "bugs/medium"),
    ("open_low", "Low bugs", "count", "down", "bugs/low"),
    ("open_blockers", "Blockers", "count", "down", "bugs/blockers"),
    ("sla_breaches", "SLA breaches", "count", "down", "sla/breaches"),
    ("portfolio_value", "Portfolio value", "currency", "up", "portfolio/projects"),
    ("monthly_infra_cost", "Monthly infra cost", "currency", "down", "portfolio/costs"),
)
KPI_KEYS = tuple(k[0] for k in _KPIS)
KPI_CARDS: tuple[KpiCard, ...] = tuple(
    KpiCard(key, label, fmt, polarity, "card" if i < 6 else "highlight", dd)
    for i, (key, label, fmt, polarity, dd) in enumerate(_KPIS))

DRILLDOWNS: dict[str, str] = {
    "bugs/critical": "Bugs \u203a Critical",
    "bugs/high": "Bugs \u203a High",
    "bugs/medium": "Bugs \u203a Medium",
    "bugs/low": "Bugs \u203a Low",
    "bugs/blockers": "Bugs \u203a Blockers",
    "sla/breaches": "SLA \u203a Breaches",
    "bugs/trend": "Bugs \u203a Created vs resolved",
    "portfolio/projects": "Portfolio \u203a Projects",
    "portfolio/costs": "Portfolio \u203a Infra cost",
}
DRILLDOWN_ENTRIES = tuple(DrilldownEntry(k, t) for k, t in DRILLDOWNS.items())
BOARD_PACK_DRILLDOWNS = ("sla/breaches", "bugs/critical", "bugs/trend", "portfolio/projects")

# A PostgreSQL source named the Prisma way (seed 003): tables, and the columns that are not the
# snake_case of their names (engineering-pack.md, "Tables").
SOURCE_TABLES = {"User": "users", "Bug": "bugs", "BugHistory": "bug_history", "Project": "projects",
                 "ProjectMetric": "project_metrics", "MonthlyMetric": "monthly_metrics",
                 "PortfolioMetric": "portfolio_metrics", "ImportLog": "import_logs", "AuditLog": "audit_log"}
SOURCE_COLUMNS = {
    "bugs": {"assignedToId": "assigned_to", "createdById": "created_by", "revenueImpact": "revenue_impact_daily",
             "projectId": "project_id"},
    "bug_history": {"changedById": "changed_by", "bugId": "bug_id"},
    "project_metrics": {"projectId": "project_id"},
    "audit_log": {"userId": "user_id"},
}
