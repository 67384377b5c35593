"""Drill-down data behind each card (seed 002 section 6), Qt-free.

Each drill-down is a few `Table`s over the current window; `build_drilldown`
reads small monthly tables with one reader connection and takes order sums
from the rollup already in the ExecSource, so no drill-down scans `orders`.
A missing table becomes a note, never an error.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass
from typing import Callable

from ... import months as mo
from ... import rollup
from ...months import Window
from .kpis import forecast_parts
from .source import ExecSource, ratio01, ratio_nrr, to_float


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    formats: tuple[str, ...]  # per column: text|date|period|currency|ratio|number|int|months|multiple


@dataclass(frozen=True)
class Drilldown:
    key: str
    title: str
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = ()
    chart: Table | None = None  # first column period, the others numeric series


DRILLDOWNS: dict[str, str] = {
    "operations/uptime": "Operations \u203a Uptime",
    "sales/pipeline": "Sales \u203a Pipeline",
    "sales/revenue": "Sales \u203a Revenue",
    "supply/inventory_turns": "Supply \u203a Inventory turns",
    "supply": "Supply \u203a Backlog",
    "finance/revenue": "Finance \u203a Revenue",
    "finance/nrr": "Finance \u203a NRR",
    "finance/gm": "Finance \u203a Gross margin",
    "finance/payback": "Finance \u203a CAC payback",
    "finance/arr": "Finance \u203a ARR",
    "customers": "Customers",
    "telemetry": "Telemetry",
}

# seed 002 section 6: which drill-down each card opens
CARD_DRILLDOWN: dict[str, str] = {
    "uptime": "operations/uptime",
    "book_to_bill": "sales/pipeline",
    "forecast": "sales/revenue",
    "coverage_months": "supply/inventory_turns",
    "backlog": "supply",
    "revenue": "finance/revenue",
    "nrr": "finance/nrr",
    "gm": "finance/gm",
    "payback": "finance/payback",
    "arr": "finance/arr",
}

ALERT_DRILLDOWN: dict[str, str] = {
    "ops": "operations/uptime", "operations": "operations/uptime", "uptime": "operations/uptime",
    "supply": "supply", "backlog": "supply", "inventory": "supply/inventory_turns",
    "sales": "sales/pipeline", "marketing": "sales/pipeline", "pipeline": "sales/pipeline",
    "finance": "finance/revenue", "revenue": "finance/revenue", "retention": "finance/nrr",
    "churn": "finance/nrr", "customers": "customers", "customer": "customers",
    "telemetry": "telemetry", "quality": "operations/uptime",
}


def drilldown_for_alert(alert: dict) -> str:
    kind = str(alert.get("type") or "").strip().lower()
    if kind in ALERT_DRILLDOWN:
        return ALERT_DRILLDOWN[kind]
    title = f"{alert.get('title') or ''} {alert.get('description') or ''}".lower()
    for word, key in (("uptime", "operations/uptime"), ("backlog", "supply"),
                      ("churn", "finance/nrr"), ("pipeline", "sales/pipeline")):
        if word in title:
            return key
    return "finance/revenue"


def to_csv(table: Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buf.getvalue()


# -- readers ----------------------------------------------------------------

class _Reader:
    """Reads with one connection; unusable tables become notes."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.notes: list[str] = []

    def query(self, table: str, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such" in str(exc):
                self.notes.append(f"table {table}: {exc}")
                return []
            raise

    def monthly(self, table: str, columns: tuple[str, ...], w: Window,
                convert: tuple[Callable, ...] | None = None) -> list[tuple]:
        """Rows of a `period`-keyed table inside W, one per month, oldest first."""
        cols = ", ".join(columns)
        rows = self.query(table, f"SELECT period, {cols} FROM {table} "
                                 "WHERE period >= ? AND period < ? ORDER BY period",
                          (mo.first_day(w.start)[:7], mo.first_day(w.end + 1)))
        out = []
        seen = set()
        for r in rows:
            idx = mo.parse_month(r[0])
            if idx is None or idx not in w or idx in seen:
                continue
            seen.add(idx)
            conv = convert or tuple(to_float for _ in columns)
            out.append((mo.fmt_month(idx), *(f(v) for f, v in zip(conv, r[1:]))))
        return out


def _monthly_table(rd: _Reader, title: str, table: str, columns: tuple[str, ...],
                   headers: tuple[str, ...], formats: tuple[str, ...], w: Window,
                   convert: tuple[Callable, ...] | None = None) -> Table:
    rows = rd.monthly(table, columns, w, convert)
    return Table(title, ("Period", *headers), tuple(rows), ("period", *formats))


def _trend_table(src: ExecSource, w: Window) -> Table:
    rows = []
    for m in w.months:
        r = src.revenue.get(m)
        if r is not None:
            rows.append((mo.fmt_month(m), r[0], r[1], r[2]))
    return Table("Revenue trend", ("Period", "Recognized", "Booked", "Backlog"), tuple(rows),
                 ("period", "currency", "currency", "currency"))


def _orders_by_month(src: ExecSource, w: Window) -> Table:
    rows = []
    for m in w.months:
        o = src.orders.get(m)
        if o is None:
            continue
        gm = o.profit / o.amount_with_profit if o.amount_with_profit else None
        rows.append((mo.fmt_month(m), o.amount, o.profit, gm, o.count))
    return Table("Orders by month", ("Period", "Amount", "Profit", "Gross margin", "Orders"),
                 tuple(rows), ("period", "currency", "currency", "ratio", "int"))


def _orders_by_type(rd: "_Reader", src: ExecSource, w: Window) -> Table:
    acc: dict[str, list[float]] = {}
    months = [m for m in w.months if m in src.orders]
    by_type = rollup.orders_by_type(src.path, rd.conn, months) if months else {}
    for m in months:
        for t, amount, profit, amount_wp, n in by_type[m]:
            a = acc.setdefault(t or "(none)", [0.0, 0.0, 0.0, 0])
            a[0] += amount
            a[1] += profit
            a[2] += amount_wp
            a[3] += n
    rows = tuple((t, a[0], a[1], a[1] / a[2] if a[2] else None, int(a[3]))
                 for t, a in sorted(acc.items(), key=lambda kv: -kv[1][0]))
    return Table("Orders by type", ("Type", "Amount", "Profit", "Gross margin", "Orders"), rows,
                 ("text", "currency", "currency", "ratio", "int"))


# -- one builder per drill-down ----------------------------------------------

def _operations_uptime(rd, src, w):
    up = _monthly_table(rd, "Uptime", "ops_uptime", ("uptime",), ("Uptime",), ("ratio",), w, (ratio01,))
    return (up,
            _monthly_table(rd, "Reliability", "ops_reliability", ("mtbf_hours", "mttr_hours"),
                           ("MTBF (h)", "MTTR (h)"), ("number", "number"), w),
            _monthly_table(rd, "Quality", "ops_quality", ("doa_pct", "defect_pct", "warranty_pct"),
                           ("DOA", "Defects", "Warranty"), ("ratio", "ratio", "ratio"), w,
                           (ratio01, ratio01, ratio01)),
            _monthly_table(rd, "Service cost per device", "ops_service_cost", ("cost_per_device",),
                           ("Cost per device",), ("currency",), w)), up


def _sales_pipeline(rd, src, w):
    stages = rd.query("pipeline_stages", "SELECT stage_name, value FROM pipeline_stages "
                      "ORDER BY CASE stage_name WHEN 'Leads' THEN 0 WHEN 'MQL' THEN 1 "
                      "WHEN 'SQL' THEN 2 WHEN 'Won' THEN 3 ELSE 4 END")
    funnel = Table("Funnel", ("Stage", "Value"), tuple(stages), ("text", "int"))
    daily = rd.query("pipeline_stages_daily",
                     "SELECT substr(period, 1, 10) AS day, "
                     "sum(CASE WHEN stage_name = 'Leads' THEN value END), "
                     "sum(CASE WHEN stage_name = 'MQL' THEN value END), "
                     "sum(CASE WHEN stage_name = 'SQL' THEN value END), "
                     "sum(CASE WHEN stage_name = 'Won' THEN value END) "
                     "FROM pipeline_stages_daily WHERE period >= ? AND period < ? "
                     "GROUP BY day ORDER BY day",
                     (mo.first_day(w.start), mo.first_day(w.end + 1)))
    daily_t = Table("Funnel by day", ("Day", "Leads", "MQL", "SQL", "Won"), tuple(daily),
                    ("date", "int", "int", "int", "int"))
    win = _monthly_table(rd, "Win rate and sales cycle", "pipeline_winrate",
                         ("win_rate_pct", "sales_cycle_days"), ("Win rate", "Sales cycle (days)"),
                         ("ratio", "number"), w, (ratio01, to_float))
    return (funnel, daily_t, win), daily_t


def _sales_revenue(rd, src, w):
    parts = forecast_parts(src, w.end)
    rows = [(k.replace("_", " "), v) for k, v in parts.items()]
    forecast = Table(f"Forecast for {mo.fmt_month(w.end)}: how it was computed", ("Item", "Value"),
                     tuple((k, "" if v is None else v) for k, v in rows), ("text", "text"))
    trend = _trend_table(src, w)
    chart = Table(trend.title, trend.columns[:3], tuple(r[:3] for r in trend.rows), trend.formats[:3])
    return (chart, forecast), chart


def _supply_inventory(rd, src, w):
    turns = _monthly_table(rd, "Inventory turns", "supply_inventory_turns", ("turns_per_year",),
                           ("Turns per year",), ("number",), w)
    lead = _monthly_table(rd, "Lead time", "supply_lead_time", ("lead_time_days",),
                          ("Lead time (days)",), ("number",), w)
    cogs = rd.query("supply_cogs_breakdown",
                    "SELECT component, cost FROM supply_cogs_breakdown ORDER BY cost DESC")
    cogs_t = Table("COGS breakdown", ("Component", "Cost"), tuple(cogs), ("text", "currency"))
    var = _monthly_table(rd, "COGS variance", "supply_cogs_variance", ("variance_pct",),
                         ("Variance",), ("ratio",), w, (ratio01,))
    return (turns, lead, cogs_t, var), turns


def _supply(rd, src, w):
    t = _trend_table(src, w)
    backlog = Table("Backlog history (period end)", ("Period", "Backlog", "Booked", "Recognized"),
                    tuple((r[0], r[3], r[2], r[1]) for r in t.rows),
                    ("period", "currency", "currency", "currency"))
    return (backlog,), Table(backlog.title, backlog.columns[:2], tuple(r[:2] for r in backlog.rows),
                             backlog.formats[:2])


def _finance_revenue(rd, src, w):
    t = _trend_table(src, w)
    return (t, _orders_by_type(rd, src, w)), t


def _finance_nrr(rd, src, w):
    nrr = _monthly_table(rd, "Net revenue retention", "retention_nrr",
                         ("nrr", "gross_churn", "expansion"), ("NRR", "Gross churn", "Expansion"),
                         ("ratio", "ratio", "ratio"), w, (ratio_nrr, ratio01, ratio01))
    risk = rd.query("retention_at_risk",
                    "SELECT customer, mrr, risk, mrr * (CASE WHEN risk > 1 THEN risk / 100.0 ELSE risk END) "
                    "AS exposure, reason FROM retention_at_risk ORDER BY exposure DESC")
    risk_t = Table("At-risk customers (MRR x risk)", ("Customer", "MRR", "Risk", "MRR at risk", "Reason"),
                   tuple((c, m, ratio01(r), e, why) for c, m, r, e, why in risk),
                   ("text", "currency", "ratio", "currency", "text"))
    return (nrr, risk_t), Table(nrr.title, nrr.columns[:2], tuple(r[:2] for r in nrr.rows), nrr.formats[:2])


def _finance_gm(rd, src, w):
    by_month = _orders_by_month(src, w)
    chart = Table("Gross margin", ("Period", "Gross margin"), tuple((r[0], r[3]) for r in by_month.rows),
                  ("period", "ratio"))
    return (by_month, _orders_by_type(rd, src, w)), chart


def _finance_payback(rd, src, w):
    row = rd.query("executive_kpis", "SELECT label, value, unit, delta, direction FROM executive_kpis "
                   "WHERE key = 'payback'")
    kpi = Table("CAC payback (executive_kpis)", ("Label", "Months", "Unit", "Delta", "Direction"),
                tuple(row), ("text", "months", "text", "ratio", "text"))
    spend = rd.query("expenses", "SELECT substr(date, 1, 7) AS m, sum(cost) FROM expenses "
                     "WHERE date >= ? AND date < ? GROUP BY m ORDER BY m",
                     (mo.first_day(w.start), mo.first_day(w.end + 1)))
    spend_t = Table("Expenses by month", ("Period", "Cost"), tuple(spend), ("period", "currency"))
    rd.notes.append("CAC payback is a static value in executive_kpis (the seeds' MVP).")
    return (kpi, spend_t), spend_t


def _finance_arr(rd, src, w):
    rows = []
    for m in w.months:
        o = src.orders.get(m)
        if o is not None:
            rows.append((mo.fmt_month(m), o.recurring, 12 * o.recurring))
    t = Table("Recurring orders by month", ("Period", "Recurring (MRR)", "ARR (12 x MRR)"), tuple(rows),
              ("period", "currency", "currency"))
    return (t,), t


def _customers(rd, src, w):
    top = rd.query("top_products_daily",
                   "SELECT name, sum(revenue) AS r FROM top_products_daily "
                   "WHERE period >= ? AND period < ? GROUP BY name ORDER BY r DESC LIMIT 20",
                   (mo.first_day(w.start), mo.first_day(w.end + 1)))
    if not top:
        top = rd.query("top_products", "SELECT name, revenue FROM top_products ORDER BY revenue DESC LIMIT 20")
    top_t = Table("Top products", ("Product", "Revenue"), tuple(top), ("text", "currency"))
    fb = rd.query("feedback", "SELECT type, count(*) FROM feedback WHERE created_at >= ? "
                  "AND created_at < ? GROUP BY type ORDER BY count(*) DESC",
                  (mo.first_day(w.start), mo.first_day(w.end + 1)))
    fb_t = Table("Feedback by type", ("Type", "Count"), tuple(fb), ("text", "int"))
    pf = rd.query("product_feedback", "SELECT category, type, count(*) FROM product_feedback "
                  "WHERE created_at >= ? AND created_at < ? GROUP BY category, type "
                  "ORDER BY count(*) DESC", (mo.first_day(w.start), mo.first_day(w.end + 1)))
    pf_t = Table("Product feedback", ("Category", "Type", "Count"), tuple(pf), ("text", "text", "int"))
    sc = rd.query("feedback_scores", "SELECT aspect, avg(score), count(*) FROM feedback_scores "
                  "GROUP BY aspect ORDER BY avg(score) DESC")
    sc_t = Table("Feedback scores", ("Aspect", "Mean score", "Responses"), tuple(sc),
                 ("text", "number", "int"))
    return (top_t, fb_t, pf_t, sc_t), None


def _telemetry(rd, src, w):
    util = _monthly_table(rd, "Utilisation", "telemetry_utilization", ("avg_hours_per_device",),
                          ("Hours per device",), ("number",), w)
    cons = _monthly_table(rd, "Consumption", "telemetry_consumption", ("grams_per_cycle",),
                          ("Grams per cycle",), ("number",), w)
    act = _monthly_table(rd, "Active devices", "telemetry_active_devices", ("active_devices",),
                         ("Active devices",), ("int",), w)
    return (util, cons, act), act


_BUILDERS = {
    "operations/uptime": _operations_uptime, "sales/pipeline": _sales_pipeline,
    "sales/revenue": _sales_revenue, "supply/inventory_turns": _supply_inventory,
    "supply": _supply, "finance/revenue": _finance_revenue, "finance/nrr": _finance_nrr,
    "finance/gm": _finance_gm, "finance/payback": _finance_payback, "finance/arr": _finance_arr,
    "customers": _customers, "telemetry": _telemetry,
}


_USES_ORDERS = {"finance/revenue", "finance/gm", "finance/arr"}


def build_drilldown(key: str, conn: sqlite3.Connection, src: ExecSource, window: Window) -> Drilldown:
    """The tables of one drill-down over the window. KeyError for an unknown key."""
    builder = _BUILDERS[key]
    rd = _Reader(conn)
    tables, chart = builder(rd, src, window)
    if key in _USES_ORDERS and "orders" in src.reasons:
        rd.notes.append(src.reasons["orders"])
    notes = [f"{window.label()} ({window.length} months)"] + rd.notes
    return Drilldown(key, DRILLDOWNS[key], tuple(tables), tuple(notes), chart)
