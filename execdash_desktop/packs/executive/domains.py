"""The seed web client's five domain pages (api-contract.md), Qt-free.

`/api/{finance,sales,marketing,supply,manufacturing}/overview` and
`/api/{domain}/kpis/{key}?by=` are built here from the numbers the window
already shows: the ten executive KPIs from the KPI engine (kpis.py, so a
finance card and its page agree), the monthly tables from the series
catalogue (series.py, the drill-down tabs' rows and aggregation), and the
other tables from breakdowns.py and domain_readers.py.

A `Measure` says how to get its value over any window: the page's value is
`over(W)`, a month's point `over(month)`, a quarter's `over(quarter within
W)`, so the series, the quarters and the headline cannot disagree. Flows are
summed, stocks take the last month, rates are day-weighted means (as the
catalogue) or ratios of sums. Where the file has no such table the value is
null and the table is named in `notes`; never a 5xx.

Two measures are defined here because the seed file has no table for them:
`csat` is the share of 1-5 feedback scores that are 4 or 5, and `nps` is the
share of 5s minus the share of 1-3s, in points (-100..100), read from the same
`feedback_scores` rows (the file has no 0-10 "would you recommend" answer).
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from typing import Callable

from ... import months as mo
from ...errors import TableUnreadable
from ...months import Window
from . import breakdowns as bd
from . import domain_readers as dr
from .kpis import BY_KEY, forecast_parts
from .payload import monthly_trend
from .series import SERIES, aggregate, read_monthly
from .source import ExecSource


class Reads:
    """One request's reads over the page's window W: each reader runs once;
    a table it cannot read becomes a note and its measures null.

    `kept`: reads that do not depend on the window (a month's order cube, the
    customers), which the caller may keep for the file's version (the API
    keeps them per data-file stamp), so other windows and pages reuse them.
    """

    def __init__(self, conn: sqlite3.Connection, src: ExecSource, w: Window, kept: dict | None = None):
        self.conn, self.src, self.w = conn, src, w
        self.notes: list[str] = []
        self._memo: dict = {}
        self._kept = kept if kept is not None else {}

    def get(self, name: str, fn: Callable, *args):
        if name not in self._memo:
            try:
                self._memo[name] = fn(self.conn, *args)
            except TableUnreadable as exc:
                self._memo[name] = None
                note = f"table {exc.table} {exc.reason}"
                if note not in self.notes:
                    self.notes.append(note)
        return self._memo[name]

    def keep(self, name: str, fn: Callable, *args):
        """Like get, but a successful read is kept in `kept` across requests."""
        if name in self._kept:
            return self._kept[name]
        value = self.get(name, fn, *args)
        if value is not None:
            self._kept[name] = value
        return value

    def orders_by(self, dimension: str, w: Window, recurring_only: bool = False) -> list[tuple] | None:
        """domain_readers.orders_by over W's months (None when orders or customers cannot be read)."""
        customers = self.keep("customers", dr.customer_dimensions)
        cubes = [self.keep(f"orders-month:{m}", dr.orders_month_by_customer, m) for m in w.months]
        if customers is None or any(c is None for c in cubes):
            return None
        return dr.orders_by(cubes, customers, dimension, recurring_only)


Over = Callable[[Reads, Window], "float | None"]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    column: str  # its column in the series and the overview's trends
    unit: str | None  # "currency": the file's currency symbol
    fmt: str  # currency | ratio | multiple | months | days | hours | number | int | points
    over: Over
    monthly: bool = True  # False: the table has no period (no series)


def _finite(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None


def _kpi(key: str) -> Over:
    spec = BY_KEY[key]
    return lambda r, w: _finite(spec.compute(r.src, w)[0])


def _catalogue(group: str, metric: str, col: str) -> Over:
    spec = SERIES[group][metric]
    i = [c.key for c in spec.cols].index(col)

    def over(r: Reads, w: Window):
        monthly = r.get(f"series:{group}/{metric}", read_monthly, spec, r.w)
        rows = [(m, v) for m, v in (monthly.rows if monthly else ()) if m in w]
        if len(rows) == 1:  # a month is its row, as the drill-down table shows it (not d*v/d)
            return rows[0][1][i]
        return aggregate(rows, spec)[i] if rows else None
    return over


def _count(name: str, reader: Callable) -> Over:
    def over(r: Reads, w: Window):
        data = r.get(name, reader, r.w) or {}
        vals = [v for m, v in data.items() if m in w]
        return float(sum(vals)) if vals else None
    return over


def _last_month(data: dict | None, w: Window):
    for m in reversed(w.months):
        if data and m in data:
            return data[m]
    return None


def _stage(stage: str) -> Over:
    def over(r: Reads, w: Window):
        vals = _last_month(r.get("funnel", dr.funnel_by_month, r.w), w)
        return _finite(vals.get(stage)) if vals else None
    return over


def _conversion(r: Reads, w: Window):
    vals = _last_month(r.get("funnel", dr.funnel_by_month, r.w), w)
    if not vals or not vals.get("Leads") or vals.get("Won") is None:
        return None
    return _finite(vals["Won"] / vals["Leads"])


def _scores(kind: str) -> Over:
    def over(r: Reads, w: Window):
        data = r.get("scores", dr.scores_by_month, r.w) or {}
        n = five = four = low = 0
        for m, (a, b, c, d) in data.items():
            if m in w:
                n, five, four, low = n + a, five + b, four + c, low + d
        if not n:
            return None
        return (five + four) / n if kind == "csat" else 100.0 * (five - low) / n
    return over


def _pipeline(r: Reads, w: Window):
    # the forecast's pipeline: the SQL stage on its latest day <= the last day of the window
    return _finite(forecast_parts(r.src, w.end)["pipeline"])


def _avg_deal(r: Reads, w: Window):
    amount = n = 0.0
    for m in w.months:
        o = r.src.orders.get(m)
        if o is not None:
            amount, n = amount + o.amount, n + o.count
    return amount / n if n else None


def _cogs_total(r: Reads, w: Window):
    got = r.get("cogs", bd.cogs_breakdown)
    return _finite(got[1]) if got and got[0] else None


def _m(key, label, column, unit, fmt, over, monthly=True) -> Measure:
    return Measure(key, label, column, unit, fmt, over, monthly)


_FINANCE = {k.key: _m(k.key, k.label, k.key, k.unit, k.fmt, _kpi(k.key)) for k in BY_KEY.values()}

MEASURES: dict[str, Measure] = {**_FINANCE, **{m.key: m for m in (
    _m("pipeline", "Pipeline (SQL stage)", "pipeline", "currency", "currency", _pipeline),
    _m("win_rate", "Win rate", "win_rate_pct", None, "ratio", _catalogue("sales", "winrate", "win_rate")),
    _m("sales_cycle", "Sales cycle", "sales_cycle_days", "days", "days",
       _catalogue("sales", "winrate", "sales_cycle_days")),
    _m("avg_deal", "Average order", "avg_deal", "currency", "currency", _avg_deal),
    _m("new_customers", "New customers", "new_customers", None, "int",
       _count("new_customers", dr.new_customers_by_month)),
    _m("visits", "Page visits", "visits", None, "int", _count("visits", dr.visits_by_month)),
    _m("leads", "Leads", "leads", "currency", "currency", _stage("Leads")),
    _m("mql", "MQL", "mql", "currency", "currency", _stage("MQL")),
    _m("sql", "SQL", "sql", "currency", "currency", _stage("SQL")),
    _m("won", "Won", "won", "currency", "currency", _stage("Won")),
    _m("nps", "NPS (from 1-5 scores)", "nps", "points", "number", _scores("nps")),
    _m("csat", "CSAT (share scoring 4-5)", "csat", None, "ratio", _scores("csat")),
    _m("conversion", "Lead to won", "conversion", None, "ratio", _conversion),
    _m("lead_time", "Supplier lead time", "lead_time_days", "days", "days",
       _catalogue("supply", "lead-time", "lead_time_days")),
    _m("inventory_turns", "Inventory turns", "turns_per_year", "per year", "number",
       _catalogue("supply", "inventory-turns", "turns_per_year")),
    _m("cogs_variance", "COGS variance", "variance_pct", None, "ratio",
       _catalogue("supply", "cogs-variance", "variance")),
    _m("cogs_total", "COGS (all components)", "cogs_total", "currency", "currency", _cogs_total, False),
    _m("mtbf", "MTBF", "mtbf", "hours", "hours", _catalogue("operations", "reliability", "mtbf_hours")),
    _m("mttr", "MTTR", "mttr", "hours", "hours", _catalogue("operations", "reliability", "mttr_hours")),
    _m("doa", "Dead on arrival", "doa", None, "ratio", _catalogue("operations", "quality", "doa")),
    _m("defect", "Defects", "defect", None, "ratio", _catalogue("operations", "quality", "defect")),
    _m("warranty", "Warranty claims", "warranty", None, "ratio",
       _catalogue("operations", "quality", "warranty")),
    _m("cost_per_device", "Service cost per device", "cost_per_device", "currency", "currency",
       _catalogue("operations", "service-cost", "cost_per_device")),
)}}


# -- the five domains (api-contract.md) -----------------------------------------------
@dataclass(frozen=True)
class Domain:
    name: str
    title: str
    keys: tuple[str, ...]
    by: tuple[str, ...]
    trends: tuple[tuple[str, tuple[str, ...]], ...]  # (payload key, measures) merged by period


DOMAINS: dict[str, Domain] = {d.name: d for d in (
    Domain("finance", "Finance", ("revenue", "backlog", "gm", "arr", "payback", "book_to_bill",
                                  "coverage_months", "uptime", "nrr", "forecast"),
           ("customer", "industry", "source"), ()),
    Domain("sales", "Sales", ("pipeline", "win_rate", "sales_cycle", "avg_deal", "new_customers", "revenue"),
           ("customer", "industry", "source"),
           (("pipelineTrend", ("leads", "mql", "sql", "won")), ("winrateTrend", ("win_rate", "sales_cycle")))),
    Domain("marketing", "Marketing", ("visits", "leads", "mql", "sql", "nps", "csat", "conversion"),
           ("page", "source", "bucket"),
           (("visitsTrend", ("visits",)), ("funnelTrend", ("leads", "mql", "sql")), ("npsTrend", ("nps",)),
            ("csatTrend", ("csat",)))),
    Domain("supply", "Supply", ("lead_time", "inventory_turns", "cogs_variance", "cogs_total"), ("component",),
           (("leadTimeTrend", ("lead_time",)), ("inventoryTurnsTrend", ("inventory_turns",)),
            ("cogsVarianceTrend", ("cogs_variance",)))),
    Domain("manufacturing", "Manufacturing", ("uptime", "mtbf", "mttr", "doa", "defect", "warranty",
                                              "cost_per_device"), ("fault_type", "device_type"),
           (("qualityTrend", ("doa", "defect", "warranty")), ("reliabilityTrend", ("mtbf", "mttr")),
            ("costTrend", ("cost_per_device",)))),
)}


def default_by(domain: str, key: str) -> str:
    if domain == "marketing":
        return "page" if key == "visits" else "bucket" if key in ("nps", "csat") else "source"
    return DOMAINS[domain].by[0]


# -- series ------------------------------------------------------------------------------
def points(r: Reads, m: Measure, granularity: str) -> list[tuple[str, float, bool | None]]:
    """(period, value, partial) per month (or quarter) of W that has a value; partial None for months."""
    w = r.w
    if not m.monthly:
        return []
    if granularity == "month":
        out = [(mo.fmt_month(x), m.over(r, Window(x, x)), None) for x in w.months]
    else:
        out = []
        q = w.start - w.start % 3
        while q <= w.end:
            a, b = max(q, w.start), min(q + 2, w.end)
            out.append((mo.fmt_quarter(q), m.over(r, Window(a, b)), a != q or b != q + 2))
            q += 3
    return [p for p in out if p[1] is not None]


def merged(r: Reads, keys: tuple[str, ...], granularity: str) -> list[dict]:
    """Several measures' points as rows {period, <column>: value, ...} (null where one has none)."""
    rows: dict[str, dict] = {}
    for key in keys:
        m = MEASURES[key]
        for period, value, partial in points(r, m, granularity):
            row = rows.setdefault(period, {"period": period, **{MEASURES[k].column: None for k in keys}})
            row[m.column] = value
            if partial is not None:
                row["partial"] = partial
    return [rows[p] for p in sorted(rows)]


def unit_of(m: Measure, src: ExecSource) -> str | None:
    return src.currency if m.unit == "currency" else m.unit


def kpi_item(r: Reads, key: str) -> dict:
    m = MEASURES[key]
    return {"key": key, "label": m.label, "value": m.over(r, r.w), "unit": unit_of(m, r.src), "format": m.fmt}


# -- breakdowns ---------------------------------------------------------------------------
def _shared(items: list[tuple[str, float | None]], weights: list[float] | None = None,
            counted: bool = False) -> list[dict]:
    weights = weights if weights is not None else [v or 0.0 for _, v in items]
    total = sum(weights)
    out = []
    for (name, value), wt in zip(items, weights):
        name = dr.display_name(name)
        item = {"name": name, "value": value, "share": wt / total if total else None}
        if counted:
            item = {"name": name, "count": int(value or 0), "value": value, "share": item["share"]}
        out.append(item)
    return out


def breakdown(r: Reads, domain: str, key: str, by: str) -> tuple[str, list[dict]]:
    """(what the values are, items {name, value or count, share}) for a KPI by a dimension."""
    w = r.w
    if domain in ("finance", "sales"):
        if key == "new_customers":
            rows = r.get(f"cust:{by}", dr.customers_created_by, w, by) or []
            return "customers created in the window", _shared([(n, float(c)) for n, c in rows], counted=True)
        if key == "arr":
            rows = r.orders_by(by, Window(w.end, w.end), True) or []
            return ("12 x subscription and recurring order amount in the as-of month",
                    _shared([(n, 12.0 * a) for n, a, _, _ in rows]))
        rows = r.orders_by(by, w) or []
        amounts = [a for _, a, _, _ in rows]
        if key == "gm":
            return ("gross margin of the orders dated in the window (share: of order amount)",
                    _shared([(n, p / a if a else None) for n, a, p, _ in rows], amounts))
        if key == "avg_deal":
            return ("average order amount in the window (share: of order amount)",
                    _shared([(n, a / c if c else None) for n, a, _, c in rows], amounts))
        return "order amount dated in the window", _shared([(n, a) for n, a, _, _ in rows])
    if domain == "marketing":
        if by == "page":
            rows, basis = r.get("visits-page", dr.visits_by_page, w), "page visits in the window"
        elif by == "source":
            rows, basis = r.get("cust:source", dr.customers_created_by, w, "source"), \
                "customers created in the window, by acquisition source"
        else:
            rows, basis = r.get("score-buckets", dr.scores_by_bucket, w), "feedback scores in the window"
        return basis, _shared([(n, float(c)) for n, c in rows or []], counted=True)
    if domain == "supply":
        got = r.get("cogs", bd.cogs_breakdown)
        rows = got[0] if got else []
        return "cost by component (the table has no dates)", _shared([(n, v) for n, v, _ in rows])
    rows = r.get(f"faults:{by}", dr.faulty_devices_by, by) or []
    return ("devices with a recorded fault (the table has no dates)",
            _shared([(n, float(c)) for n, c in rows], counted=True))


# -- the two documents --------------------------------------------------------------------
def timeframe(range_: str, granularity: str, w: Window) -> dict:
    return {"range": range_, "granularity": granularity, "start_date": mo.first_day(w.start),
            "end_date": mo.last_day(w.end), "as_of": mo.fmt_month(w.end)}


def _notes(r: Reads) -> list[str]:
    return [f"{r.w.label()} ({r.w.length} months)"] + r.notes


def overview(conn: sqlite3.Connection, src: ExecSource, domain: str, w: Window, range_: str,
             granularity: str, kept: dict | None = None) -> dict:
    d = DOMAINS[domain]
    r = Reads(conn, src, w, kept)
    doc: dict = {"timeframe": timeframe(range_, granularity, w), "kpis": [kpi_item(r, k) for k in d.keys]}
    if domain == "finance":
        doc["revenueTrend"] = mo.bucket_trend(monthly_trend(src, w), w, granularity)
    for name, keys in d.trends:
        doc[name] = merged(r, keys, granularity)
    if domain == "sales":
        top = r.get("top-products", bd.top_products, w, 10)
        doc["topProducts"] = [{"name": dr.display_name(n), "revenue": v, "share": s}
                              for n, v, s in (top.rows if top else [])]
        if top is not None and top.note:
            r.notes.append(top.note)
        rows = r.orders_by("customer", w) or []
        doc["topCustomers"] = [{"name": n, "revenue": a} for n, a, _, _ in rows[:10]]
    elif domain == "marketing":
        doc["breakdown"] = breakdown(r, domain, "visits", "page")[1]
    elif domain == "supply":
        doc["cogsBreakdown"] = breakdown(r, domain, "cogs_total", "component")[1]
    elif domain == "manufacturing":
        doc["breakdown"] = breakdown(r, domain, "defect", "fault_type")[1]
    doc["notes"] = _notes(r)
    return doc


def kpi_detail(conn: sqlite3.Connection, src: ExecSource, domain: str, key: str, by: str | None,
               w: Window, range_: str, granularity: str, kept: dict | None = None) -> dict:
    m = MEASURES[key]
    by = by or default_by(domain, key)
    r = Reads(conn, src, w, kept)
    series = [{"period": p, m.column: v, **({"partial": part} if part is not None else {})}
              for p, v, part in points(r, m, granularity)]
    basis, items = breakdown(r, domain, key, by)
    return {"timeframe": timeframe(range_, granularity, w), "metric": key, "label": m.label,
            "value": m.over(r, w), "unit": unit_of(m, src), "format": m.fmt, "column": m.column,
            "series": series, "by": by, "breakdown_basis": basis, "breakdown": items, "notes": _notes(r)}
