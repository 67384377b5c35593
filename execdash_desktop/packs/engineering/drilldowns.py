"""The Engineering drill-downs (catalogue.DRILLDOWNS): tables and a chart per key, at T.

Built from the source's arrays and the payload; text (titles, names) read by
row id for the rows a table lists (at most LIST_ROWS, by priority).
"""

from __future__ import annotations

import sqlite3

import numpy as np

from ... import moments
from ... import months as mo
from ...format import format_value
from ...months import Window
from ...tables import Drilldown, Table
from . import catalogue as cat
from . import rules
from .queries import BugQuery, as_of_moment
from .source import EngSource
from .texts import read_texts

LIST_ROWS = 200


def _window(payload: dict) -> Window:
    tf = payload["timeframe"]
    return Window(mo.parse_month(tf["start_date"]), mo.parse_month(tf["end_date"]))


def _open_list(conn, src: EngSource, t: float, mask: np.ndarray, title: str) -> Table:
    b = src.bugs
    pr = rules.priority(b, t)
    idx = np.flatnonzero(mask)
    idx = idx[np.lexsort((b.rowid[idx], -pr[idx]))][:LIST_ROWS]
    texts = read_texts(conn, [int(r) for r in b.rowid[idx]])
    rows = []
    for i in idx.tolist():
        tx = texts.get(int(b.rowid[i]), {})
        hours = None if np.isnan(b.created[i]) else float(t - b.created[i]) / moments.HOUR
        rows.append((tx.get("bug_number"), tx.get("title"), tx.get("project"), tx.get("assignee"),
                     int(pr[i]), hours, float(b.sla[i]) or None, float(b.revenue[i])))
    return Table(title, ("Bug", "Title", "Project", "Assignee", "Priority", "Hours open", "SLA hours",
                         "Revenue / day"),
                 tuple(rows), ("text", "text", "text", "text", "int", "hours", "hours", "currency"))


def _history_chart(payload: dict, keys: tuple[str, ...], labels: tuple[str, ...]) -> Table:
    hist = payload["meta"]["history"]
    periods = [p["period"] for p in hist[keys[0]]]
    rows = tuple((p,) + tuple(hist[k][i]["value"] for k in keys) for i, p in enumerate(periods))
    return Table("Month-end", ("Month",) + labels, rows, ("period",) + ("int",) * len(keys))


def _severity(conn, src, payload, t, sev: int) -> tuple[list[Table], Table, list[str]]:
    f = rules.facts(src, t)
    name = cat.SEVERITIES[sev]
    key = cat.KPI_KEYS[sev]
    chart = _history_chart(payload, (key,), (f"Open {name}",))
    lst = _open_list(conn, src, t, f.open & (src.bugs.sev == sev), f"Open {name} bugs, by priority")
    return [chart, lst], chart, []


def _blockers(conn, src, payload, t):
    f = rules.facts(src, t)
    chart = _history_chart(payload, ("open_blockers",), ("Open blockers",))
    lst = _open_list(conn, src, t, f.open & src.bugs.blocker, "Open blockers, by priority")
    return [chart, lst], chart, []


def _breaches(conn, src, payload, t):
    rows = tuple((r["bug_number"], r["title"], r["severity"], r["project"], r["assignee"], r["hours_open"],
                  r["sla_hours"], r["hours_overdue"], r["revenue_impact_daily"])
                 for r in payload["slaBreaches"][:LIST_ROWS])
    lst = Table("Breaches, most overdue first", ("Bug", "Title", "Severity", "Project", "Assignee",
                                                   "Hours open", "SLA hours", "Hours overdue", "Revenue / day"),
                rows, ("text",) * 5 + ("hours", "hours", "hours", "currency"))
    chart = _history_chart(payload, ("sla_breaches",), ("SLA breaches",))
    risk = format_value(payload["revenueAtRisk"], "currency", payload["meta"]["currency"])
    notes = [f"Revenue at risk: {risk} a day over {len(payload['slaBreaches']):,} breaches"]
    if len(payload["slaBreaches"]) > LIST_ROWS:
        notes.append(f"The {LIST_ROWS} most overdue of {len(payload['slaBreaches']):,} are listed")
    return [lst, chart], chart, notes


def _trend(conn, src, payload, t):
    rows = tuple((r["period"], r["created"], r["resolved"], r["avg_resolution_days"], r["eng_hours"], r["cost"],
                  "summary" if r["source"] == "monthly_metrics" else "bugs") for r in payload["bugTrend"])
    table = Table("Created vs resolved", ("Month", "Created", "Resolved", "Avg days to resolve", "Eng hours",
                                          "Cost", "From"),
                  rows, ("period", "int", "int", "number", "number", "currency", "text"))
    chart = Table("Created vs resolved", ("Month", "Created", "Resolved"),
                  tuple(r[:3] for r in rows), ("period", "int", "int"))
    return [table], chart, []


def _projects(conn, src, payload, t):
    rows = tuple((p["name"], p["status"], p["risk_level"], p["blocker_count"], p["critical_count"],
                  p["high_count"], p["dcf_valuation"], p["roi_score"], p["complexity"], p["client_appeal"],
                  p["estimated_days_to_completion"]) for p in payload["projects"])
    table = Table("Projects, by risk", ("Project", "Status", "Risk", "Blockers", "Critical", "High", "DCF valuation",
                                        "ROI", "Complexity", "Client appeal", "Days to complete"),
                  rows, ("text", "text", "text", "int", "int", "int", "currency", "number", "int", "int", "int"))
    return [table], None, []


def _costs(conn, src, payload, t):
    rows = tuple((p["name"], p["status"], p["monthly_infra_cost"]) for p in src.projects)
    table = Table("Monthly infra cost by project", ("Project", "Status", "Monthly infra cost"), rows,
                  ("text", "text", "currency"))
    w = _window(payload)
    snaps = tuple((moments.day(s)[:7], dcf, cost) for s, dcf, cost in src.portfolio
                  if moments.month_index(s) in w and s <= t)
    chart = Table("Portfolio snapshots", ("Month", "Portfolio value", "Deps cost"), snaps,
                  ("period", "currency", "currency"))
    notes = [] if snaps else ["No portfolio_metrics snapshot in the window"]
    return [table, chart], (chart if snaps else None), notes


_BUILDERS = {
    "bugs/critical": lambda c, s, p, t: _severity(c, s, p, t, 0),
    "bugs/high": lambda c, s, p, t: _severity(c, s, p, t, 1),
    "bugs/medium": lambda c, s, p, t: _severity(c, s, p, t, 2),
    "bugs/low": lambda c, s, p, t: _severity(c, s, p, t, 3),
    "bugs/blockers": _blockers,
    "sla/breaches": _breaches,
    "bugs/trend": _trend,
    "portfolio/projects": _projects,
    "portfolio/costs": _costs,
}


def build_drilldown(key: str, conn: sqlite3.Connection, src: EngSource, payload: dict) -> Drilldown:
    """The drill-down `key` at the payload's as-of moment. KeyError for an unknown key."""
    builder = _BUILDERS[key]
    t = as_of_moment(src, payload)
    tables, chart, notes = builder(conn, src, payload, t)
    head = f"As of {moments.fmt(t)}"
    return Drilldown(key, cat.DRILLDOWNS[key], tuple(tables), tuple([head] + notes + list(src.notes)), chart)


__all__ = ["build_drilldown", "BugQuery"]
