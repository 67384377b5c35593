"""The monthly series of seed 000, defined once for the window and the API.

A `Series` is one `period`-keyed table: its SQL columns (constants, never
input), the API's keys and labels, each column's format and converter (rates
per kpi-definitions.md "Rates"), and how months make a quarter or the window.
`read_monthly` is the one query behind both the drill-down tables and the
/api/{group}/{metric} routes, so they show the same number.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Callable, NamedTuple

from ... import months as mo
from ...months import Window
from ...store import select
from .source import ratio01, ratio_nrr, to_float


@dataclass(frozen=True)
class Col:
    column: str  # SQL column
    key: str  # API key
    label: str
    fmt: str  # ratio | number | int | currency | hours | days (format.format_cell)
    convert: Callable[[object], float | None] = to_float


@dataclass(frozen=True)
class Series:
    title: str
    table: str
    cols: tuple[Col, ...]
    agg: str = "mean"  # months -> quarter or window: "mean" (day-weighted) | "last"


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


class Monthly(NamedTuple):
    rows: tuple[tuple[int, tuple], ...]  # (month index, values in `cols` order), oldest first
    skipped: int  # rows read but unreadable, a second row for a month, or outside W


def read_monthly(conn: sqlite3.Connection, spec: Series, w: Window) -> Monthly:
    """The series' rows inside W, one per month (the last by period wins, as for the KPIs).

    A period may be `YYYY-MM`, a date or a timestamp (text order keeps them in
    their month). Raises TableUnreadable (TableMissing when the table is
    missing): each caller decides what that means.
    """
    cols = ", ".join(c.column for c in spec.cols)
    raw = select(conn, spec.table, f"SELECT period, {cols} FROM {spec.table} "
                 "WHERE period >= ? AND period < ? ORDER BY period",
                 (mo.fmt_month(w.start), mo.fmt_month(w.end + 1)))
    by_month: dict[int, tuple] = {}
    for r in raw:
        idx = mo.parse_month(r[0])
        if idx is None or idx not in w:
            continue
        by_month[idx] = tuple(c.convert(v) for c, v in zip(spec.cols, r[1:]))
    return Monthly(tuple(sorted(by_month.items())), len(raw) - len(by_month))


def aggregate(rows, spec: Series) -> tuple:
    """One value per column over `rows` (month, values), by the series' `agg`; None if no value."""
    out = []
    for i in range(len(spec.cols)):
        vals = [(m, v[i]) for m, v in rows if v[i] is not None]
        if not vals:
            out.append(None)
        elif spec.agg == "last":
            out.append(vals[-1][1])
        else:
            days = [mo.days_in_month(m) for m, _ in vals]
            out.append(sum(d * v for d, (_, v) in zip(days, vals)) / sum(days))
    return tuple(out)


def by_quarter(rows, spec: Series, w: Window) -> list[tuple[int, tuple, bool]]:
    """(quarter's first month, aggregated values, partial) per quarter holding a row."""
    quarters: dict[int, list] = {}
    for m, vals in rows:
        quarters.setdefault(m - m % 3, []).append((m, vals))
    return [(q, aggregate(items, spec), q < w.start or q + 2 > w.end) for q, items in quarters.items()]
