"""Drill-down data behind each card (seed 002 section 6), Qt-free.

Each drill-down is a few `Table`s over the current window. Monthly tables come
from the series catalogue (series.py) and the others from breakdowns.py, the
same readers the API routes use, so a tab and its route show the same number.
Order sums come from the rollup (per month in the ExecSource; per type
computed once per file version and cached with it), so no tab sums `orders`
row by row each time it opens. A table that cannot be read becomes a note, never an error.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Callable

from ... import months as mo
from ...errors import TableUnreadable
from ...format import NUMERIC, month_name
from ...months import Window
from ...store import select
from ...tables import Drilldown, Table, column_key, to_csv  # noqa: F401  (re-exported)
from . import breakdowns as bd
from .anomalies import HISTORY, Anomaly, flag
from .kpis import forecast_parts
from .payload import monthly_trend
from .series import SERIES, Monthly, Series, read_monthly
from .source import ExecSource


from .catalogue import CARD_DRILLDOWN, DRILLDOWNS  # noqa: E402,F401  (re-exported: the catalogue lives there)

# What an alert is about, by the words that name its metric, most specific first:
# an alert opens the drill-down that shows the number it quotes.
ALERT_METRICS: tuple[tuple[str, str], ...] = (
    (r"uptime|time to repair|mttr|mtbf|restart", "operations/uptime"),
    (r"doa|dead[- ]on[- ]arrival|defect|warranty|service cost", "operations/uptime"),
    (r"backlog", "supply"),
    (r"lead[- ]time|cogs|freight|component cost|inventory|turns|safety stock", "supply/inventory_turns"),
    (r"cac|payback|acquisition cost|cost per acquired", "finance/payback"),
    (r"nrr|net revenue retention|churn|expansion|renewal", "finance/nrr"),
    (r"gross margin|margin", "finance/gm"),
    (r"arr|recurring|subscription", "finance/arr"),
    (r"pipeline|win rate|leads|mqls?|webinar|funnel", "sales/pipeline"),
    (r"forecast", "sales/revenue"),
    (r"referrals?|customers?|feedback|nps", "customers"),
    (r"utili[sz]ation|telemetry|active devices|consumption", "telemetry"),
    (r"revenue|billings|bookings", "finance/revenue"),
)
_ALERT_METRIC_RES = tuple((re.compile(rf"\b(?:{words})\b", re.IGNORECASE), key)
                          for words, key in ALERT_METRICS)

# the fallback when no metric is named: the alert's type
ALERT_DRILLDOWN: dict[str, str] = {
    "ops": "operations/uptime", "operations": "operations/uptime", "uptime": "operations/uptime",
    "supply": "supply/inventory_turns", "backlog": "supply", "inventory": "supply/inventory_turns",
    "sales": "sales/pipeline", "marketing": "sales/pipeline", "pipeline": "sales/pipeline",
    "finance": "finance/revenue", "revenue": "finance/revenue", "retention": "finance/nrr",
    "churn": "finance/nrr", "customers": "customers", "customer": "customers",
    "telemetry": "telemetry", "quality": "operations/uptime",
}


def drilldown_for_alert(alert: dict) -> str:
    """The drill-down an alert opens: by the metric its title names, else its description's,
    else its type; Finance › Revenue when nothing says."""
    for field in ("title", "description"):
        text = str(alert.get(field) or "")
        for pattern, key in _ALERT_METRIC_RES:
            if pattern.search(text):
                return key
    kind = str(alert.get("type") or "").strip().lower()
    return ALERT_DRILLDOWN.get(kind, "finance/revenue")


# -- readers ----------------------------------------------------------------

class _Reader:
    """Reads with one connection; a table it cannot read becomes a note."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.notes: list[str] = []

    def read(self, fn: Callable, *args, default=()):
        try:
            return fn(self.conn, *args)
        except TableUnreadable as exc:
            self.notes.append(f"table {exc.table} {exc.reason}")
            return default

    def query(self, table: str, sql: str, params: tuple = ()) -> list[tuple]:
        return self.read(select, table, sql, params, default=[])


def _series(rd: _Reader, spec: Series, w: Window) -> Table:
    """A catalogue series as a table: the same rows the API route serves."""
    rows = rd.read(read_monthly, spec, w, default=Monthly((), 0)).rows
    return Table(spec.title, ("Period", *(c.label for c in spec.cols)),
                 tuple((mo.fmt_month(m), *vals) for m, vals in rows), ("period", *(c.fmt for c in spec.cols)))


def _trend_table(src: ExecSource, w: Window) -> Table:
    rows = tuple((r["period"], r["recognized"], r["booked"], r["backlog"]) for r in monthly_trend(src, w))
    return Table("Revenue trend", ("Period", "Recognized", "Booked", "Backlog"), rows,
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
    rows = tuple((t, amount, profit, profit / amount_wp if amount_wp else None, n)
                 for t, amount, profit, amount_wp, n in bd.orders_by_type(rd.conn, src, w))
    return Table("Orders by type", ("Type", "Amount", "Profit", "Gross margin", "Orders"), rows,
                 ("text", "currency", "currency", "ratio", "int"))


# -- one builder per drill-down ----------------------------------------------

def _operations_uptime(rd, src, w):
    tables = tuple(_series(rd, spec, w) for spec in SERIES["operations"].values())
    return tables, tables[0]


def _sales_pipeline(rd, src, w):
    # stage values are money: the forecast is the SQL stage x the win rate
    funnel = Table("Funnel", ("Stage", "Value"), tuple(rd.read(bd.funnel_now)), ("text", "currency"))
    daily = tuple((day, *(v.get(s) for s in bd.STAGES)) for day, v in rd.read(bd.funnel_by_day, w))
    daily_t = Table("Funnel by day", ("Day", *bd.STAGES), daily, ("date", *("currency",) * len(bd.STAGES)))
    return (funnel, daily_t, _series(rd, SERIES["sales"]["winrate"], w)), daily_t


def _sales_revenue(rd, src, w):
    parts = forecast_parts(src, w.end)
    rows = [(k.replace("_", " "), v) for k, v in parts.items()]
    forecast = Table(f"Forecast for {mo.fmt_month(w.end)}: how it was computed", ("Item", "Value"),
                     tuple((k, "" if v is None else v) for k, v in rows), ("text", "text"))
    trend = _trend_table(src, w)
    chart = Table(trend.title, trend.columns[:3], tuple(r[:3] for r in trend.rows), trend.formats[:3])
    return (chart, forecast), chart


def _supply_inventory(rd, src, w):
    supply = SERIES["supply"]
    cogs, _ = rd.read(bd.cogs_breakdown, default=([], 0.0))
    cogs_t = Table("COGS breakdown", ("Component", "Cost", "Share"), tuple(cogs), ("text", "currency", "ratio"))
    turns = _series(rd, supply["inventory-turns"], w)
    return (turns, _series(rd, supply["lead-time"], w), cogs_t, _series(rd, supply["cogs-variance"], w)), turns


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
    nrr = _series(rd, SERIES["finance"]["nrr"], w)
    risk_t = Table("At-risk customers (MRR x risk)", ("Customer", "MRR", "Risk", "MRR at risk", "Reason"),
                   tuple(rd.read(bd.at_risk)), ("text", "currency", "ratio", "currency", "text"))
    return (nrr, risk_t), Table(nrr.title, nrr.columns[:2], tuple(r[:2] for r in nrr.rows), nrr.formats[:2])


def _finance_gm(rd, src, w):
    by_month = _orders_by_month(src, w)
    chart = Table("Gross margin", ("Period", "Gross margin"), tuple((r[0], r[3]) for r in by_month.rows),
                  ("period", "ratio"))
    return (by_month, _orders_by_type(rd, src, w)), chart


def _expenses_by_month(rd, src, w) -> Table:
    spend = rd.query("expenses", "SELECT substr(date, 1, 7) AS m, sum(cost) FROM expenses "
                     "WHERE date >= ? AND date < ? GROUP BY m ORDER BY m",
                     (mo.first_day(w.start), mo.first_day(w.end + 1)))
    return Table("Expenses by month", ("Period", "Cost"), tuple(spend), ("period", "currency"))


def _finance_payback(rd, src, w):
    # an executive's words: what the figure is and why it does not follow the range
    row = rd.query("executive_kpis", "SELECT label, value, delta FROM executive_kpis WHERE key = 'payback'")
    kpi = Table("CAC payback, as entered", ("Measure", "Months to earn back acquisition cost",
                                            "Change as entered"),
                tuple(row), ("text", "months", "ratio"))
    spend_t = _expenses_by_month(rd, src, w)
    rd.notes.append("CAC payback is the number of months a new customer takes to pay back what it cost "
                    "to win them. It is entered in the data file with its own change, not worked out "
                    "from orders or spend, so it stays the same whatever range is shown.")
    return (kpi, spend_t), spend_t


def _recurring_by_month(rd, src, w) -> Table:
    rows = []
    for m in w.months:
        o = src.orders.get(m)
        if o is not None:
            rows.append((mo.fmt_month(m), o.recurring, 12 * o.recurring))
    return Table("Recurring orders by month", ("Period", "Recurring (MRR)", "ARR (12 x MRR)"), tuple(rows),
                 ("period", "currency", "currency"))


def _finance_arr(rd, src, w):
    t = _recurring_by_month(rd, src, w)
    return (t,), t


def _customers(rd, src, w):
    top = rd.read(bd.top_products, w, 20, default=None)
    if top is not None and top.note:
        rd.notes.append(top.note)
    top_t = Table("Top products", ("Product", "Revenue", "Share"), tuple(top.rows if top else ()),
                  ("text", "currency", "ratio"))
    fb, _ = rd.read(bd.feedback_by_type, w, default=([], 0))
    fb_t = Table("Feedback by type", ("Type", "Count", "Share"), tuple(fb), ("text", "int", "ratio"))
    pf_t = Table("Product feedback", ("Category", "Type", "Count"), tuple(rd.read(bd.product_feedback, w)),
                 ("text", "text", "int"))
    sc_t = Table("Feedback scores", ("Aspect", "Mean score", "Responses"), tuple(rd.read(bd.feedback_scores, w)),
                 ("text", "number", "int"))
    return (top_t, fb_t, pf_t, sc_t), None


def _telemetry(rd, src, w):
    tables = tuple(_series(rd, spec, w) for spec in SERIES["telemetry"].values())
    return tables, tables[-1]


_BUILDERS = {
    "operations/uptime": _operations_uptime, "sales/pipeline": _sales_pipeline,
    "sales/revenue": _sales_revenue, "supply/inventory_turns": _supply_inventory,
    "supply": _supply, "finance/revenue": _finance_revenue, "finance/nrr": _finance_nrr,
    "finance/gm": _finance_gm, "finance/payback": _finance_payback, "finance/arr": _finance_arr,
    "customers": _customers, "telemetry": _telemetry,
}


_USES_ORDERS = {"finance/revenue", "finance/gm", "finance/arr"}


def _skipped_notes(src: ExecSource, w: Window) -> list[str]:
    """Orders the sums of this window could not read, said in words: '2 orders skipped in
    this period: the amount is not a number.'"""
    words = {"an order amount that is not a number": "the amount is not a number",
             "an order profit that is not a number": "the profit is not a number (left out of the margin)",
             "an order date that is not a date": "the order date is not a date (in no period)"}
    out = []
    for s in src.skipped_for("gm", w):
        out.append(f"{s['rows']:,} order{'s' if s['rows'] != 1 else ''} skipped: {words.get(s['why'], s['why'])}.")
    return out


# -- anomalies on the chart ----------------------------------------------------------

def _trend_history(rd, src, w):
    return _trend_table(src, w)


def _catalogue(group: str, metric: str):
    return lambda rd, src, w: _series(rd, SERIES[group][metric], w)


# The chart's columns over the HISTORY months before the window (matched by column
# label), so its first months are judged against real history, as on the trend.
# In-memory for trend and order charts; one small query for the others. The
# daily funnel (sales/pipeline) is not monthly and gets none.
_CHART_HISTORY: dict[str, Callable[["_Reader", ExecSource, Window], Table]] = {
    "operations/uptime": _catalogue("operations", "uptime"),
    "sales/revenue": _trend_history, "supply": _trend_history, "finance/revenue": _trend_history,
    "supply/inventory_turns": _catalogue("supply", "inventory-turns"),
    "finance/nrr": _catalogue("finance", "nrr"),
    "finance/gm": lambda rd, src, w: _orders_by_month(src, w),
    "finance/payback": _expenses_by_month,
    "finance/arr": _recurring_by_month,
    "telemetry": _catalogue("telemetry", "active-devices"),
}


def _chart_anomalies(key: str, conn: sqlite3.Connection, src: ExecSource, w: Window,
                     chart: Table | None, sensitivity: str = "normal") -> tuple[Anomaly, ...]:
    if chart is None or not chart.rows or chart.formats[0] != "period" or key not in _CHART_HISTORY:
        return ()
    # its own reader: a table missing here is already a note of the drill-down
    before = _CHART_HISTORY[key](_Reader(conn), src, Window(w.start - HISTORY, w.start - 1))
    out: list[Anomaly] = []
    for i, (label, fmt) in enumerate(zip(chart.columns, chart.formats)):
        if i == 0 or fmt not in NUMERIC:
            continue
        j = before.columns.index(label) if label in before.columns else None
        history = [(r[0], r[j]) for r in before.rows] if j is not None else []
        rows = history + [(r[0], r[i]) for r in chart.rows]
        out += flag(column_key(label), label, fmt, [str(p) for p, _ in rows], [v for _, v in rows],
                    first=len(history), sensitivity=sensitivity)
    return tuple(out)


def build_drilldown(key: str, conn: sqlite3.Connection, src: ExecSource, window: Window,
                    sensitivity: str = "normal") -> Drilldown:
    """The tables of one drill-down over the window. KeyError for an unknown key.

    `sensitivity` is the unusual-months setting (anomalies.SENSITIVITY)."""
    builder = _BUILDERS[key]
    rd = _Reader(conn)
    tables, chart = builder(rd, src, window)
    if key in _USES_ORDERS and "orders" in src.reasons:
        rd.notes.append(src.reasons["orders"])
    if key in _USES_ORDERS:
        rd.notes += _skipped_notes(src, window)
    # the window's words, as on the dashboard: 'Nov 2025 – Oct 2026 (12 months)'
    span = f"{month_name(mo.fmt_month(window.start))} \u2013 {month_name(mo.fmt_month(window.end))}"
    notes = [f"{span} ({window.length} months)"] + rd.notes
    return Drilldown(key, DRILLDOWNS[key], tuple(tables), tuple(notes), chart,
                     _chart_anomalies(key, conn, src, window, chart, sensitivity))
