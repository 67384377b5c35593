"""The drill-down routes: /api/{operations,supply,telemetry,sales,customers}/{metric}.

Each answers one table of seed 000 over the window, in the style of
api-contract.md: rows of snake_case objects, rates as 0-1 ratios, monthly or
quarterly. A missing table gives 503 naming it, on that route only.
Every query is a bound-parameter SELECT on a read-only connection.
"""


import sqlite3
from dataclasses import dataclass
from typing import Annotated, Callable, Literal

from fastapi import APIRouter, Path, Query, Request

from .. import months as mo
from ..errors import DataFileError, MissingTablesError
from ..months import Window
from ..packs.executive.payload import resolve_window
from ..packs.executive.source import ratio01, to_float
from ..store import open_reader, table_names
from .common import R304, R422, R503, AsOfQ, GranularityQ, RangeQ, ctx_of, json_entry, reply
from .context import ApiContext, Entry
from .schemas import Drilldown


class TableMissing(DataFileError):
    def __init__(self, table: str, path: str):
        self.table = table
        super().__init__(f"{path}: table {table} is missing (this route needs it)")


@dataclass(frozen=True)
class Col:
    column: str  # SQL column (a constant, never input)
    key: str
    label: str
    fmt: str
    convert: Callable = to_float


@dataclass(frozen=True)
class Series:
    title: str
    table: str
    cols: tuple[Col, ...]
    agg: str  # how months become a quarter or the window: mean (day-weighted) | last


_RATIO = ratio01
SERIES: dict[str, dict[str, Series]] = {
    "operations": {
        "uptime": Series("Uptime", "ops_uptime", (Col("uptime", "uptime", "Uptime", "ratio", _RATIO),),
                         "mean"),
        "reliability": Series("Reliability", "ops_reliability", (
            Col("mtbf_hours", "mtbf_hours", "MTBF", "hours"),
            Col("mttr_hours", "mttr_hours", "MTTR", "hours")), "mean"),
        "quality": Series("Quality", "ops_quality", (
            Col("doa_pct", "doa", "Dead on arrival", "ratio", _RATIO),
            Col("defect_pct", "defect", "Defects", "ratio", _RATIO),
            Col("warranty_pct", "warranty", "Warranty claims", "ratio", _RATIO)), "mean"),
        "service-cost": Series("Service cost per device", "ops_service_cost", (
            Col("cost_per_device", "cost_per_device", "Cost per device", "currency"),), "mean"),
    },
    "supply": {
        "cogs-variance": Series("COGS variance", "supply_cogs_variance", (
            Col("variance_pct", "variance", "Variance", "ratio", _RATIO),), "mean"),
        "lead-time": Series("Supplier lead time", "supply_lead_time", (
            Col("lead_time_days", "lead_time_days", "Lead time", "days"),), "mean"),
        "inventory-turns": Series("Inventory turns", "supply_inventory_turns", (
            Col("turns_per_year", "turns_per_year", "Turns per year", "number"),), "mean"),
    },
    "telemetry": {
        "utilization": Series("Utilisation", "telemetry_utilization", (
            Col("avg_hours_per_device", "avg_hours_per_device", "Hours per device", "hours"),), "mean"),
        "consumption": Series("Consumption", "telemetry_consumption", (
            Col("grams_per_cycle", "grams_per_cycle", "Grams per cycle", "number"),), "mean"),
        "active-devices": Series("Active devices", "telemetry_active_devices", (
            Col("active_devices", "active_devices", "Active devices", "int"),), "last"),
    },
    "sales": {
        "winrate": Series("Win rate and sales cycle", "pipeline_winrate", (
            Col("win_rate_pct", "win_rate", "Win rate", "ratio", _RATIO),
            Col("sales_cycle_days", "sales_cycle_days", "Sales cycle", "days")), "mean"),
    },
}

METRICS: dict[str, tuple[str, ...]] = {
    "operations": ("uptime", "reliability", "quality", "service-cost"),
    "supply": ("cogs-breakdown", "cogs-variance", "lead-time", "inventory-turns"),
    "telemetry": ("utilization", "consumption", "active-devices"),
    "sales": ("pipeline", "winrate"),
    "customers": ("at-risk", "top-products", "feedback"),
}


# -- window -------------------------------------------------------------------------
def _window(ctx: ApiContext, conn: sqlite3.Connection, range_: str, as_of: str | None,
            table: str | None) -> Window:
    """The dashboard's window; without revenue_trend, one ending at the table's latest month."""
    try:
        return resolve_window(ctx.engine.source(ctx.path), range_, as_of)
    except MissingTablesError:
        pass
    if as_of is not None:
        end = mo.require_month(as_of)
    else:
        end = None
        if table is not None:
            try:
                row = conn.execute(f"SELECT max(period) FROM {table}").fetchone()
                end = mo.parse_month(row[0]) if row else None
            except sqlite3.OperationalError:
                end = None
        if end is None:
            from datetime import date
            today = date.today()
            end = mo.month_index(today.year, today.month)
    return mo.window_for(range_, end)


def _timeframe(range_: str, granularity: str, w: Window) -> dict:
    return {"range": range_, "granularity": granularity, "start_date": mo.first_day(w.start),
            "end_date": mo.last_day(w.end), "as_of": mo.fmt_month(w.end)}


def _require(conn: sqlite3.Connection, path, *tables: str) -> None:
    have = table_names(conn)
    for t in tables:
        if t not in have:
            raise TableMissing(t, str(path))


def _query(conn: sqlite3.Connection, table: str, sql: str, params: tuple, path) -> list[tuple]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "no such table" in text:
            raise TableMissing(table, str(path)) from exc
        if "no such column" in text:
            raise DataFileError(f"{path}: table {table}: {text}") from exc
        raise


# -- monthly series -------------------------------------------------------------------
def _aggregate(rows: list[tuple[int, dict]], cols: tuple[Col, ...], agg: str) -> dict:
    out = {}
    for c in cols:
        vals = [(m, r[c.key]) for m, r in rows if r[c.key] is not None]
        if not vals:
            out[c.key] = None
        elif agg == "last":
            out[c.key] = vals[-1][1]
        else:
            den = sum(mo.days_in_month(m) for m, _ in vals)
            out[c.key] = sum(v * mo.days_in_month(m) for m, v in vals) / den
    return out


def _series(ctx, conn, spec: Series, w: Window, granularity: str) -> tuple[list, dict, list]:
    cols = ", ".join(c.column for c in spec.cols)
    raw = _query(conn, spec.table, f"SELECT period, {cols} FROM {spec.table} "
                 "WHERE period >= ? AND period < ? ORDER BY period",
                 (mo.fmt_month(w.start), mo.fmt_month(w.end + 1)), ctx.path)
    monthly: dict[int, dict] = {}
    skipped = 0
    for r in raw:
        idx = mo.parse_month(r[0])
        if idx is None or idx not in w or idx in monthly:
            skipped += 1
            continue
        monthly[idx] = {c.key: c.convert(v) for c, v in zip(spec.cols, r[1:])}
    ordered = sorted(monthly.items())
    notes = [f"{skipped} row(s) of {spec.table} outside the window or unreadable skipped"] if skipped else []
    if granularity == "month":
        rows = [{"period": mo.fmt_month(m), **vals} for m, vals in ordered]
    else:
        rows = []
        by_q: dict[int, list] = {}
        for m, vals in ordered:
            by_q.setdefault(m - m % 3, []).append((m, vals))
        for q, items in by_q.items():
            rows.append({"period": mo.fmt_quarter(q), **_aggregate(items, spec.cols, spec.agg),
                         "partial": q < w.start or q + 2 > w.end})
    summary = _aggregate(ordered, spec.cols, spec.agg)
    summary["months"] = len(ordered)
    if ordered:
        summary["latest_period"] = mo.fmt_month(ordered[-1][0])
    return rows, summary, notes


# -- the non-series routes ------------------------------------------------------------
def _cogs_breakdown(ctx, conn, w, granularity):
    rows = _query(conn, "supply_cogs_breakdown",
                  "SELECT component, cost FROM supply_cogs_breakdown ORDER BY cost DESC, component",
                  (), ctx.path)
    total = sum(to_float(c) or 0.0 for _, c in rows)
    out = [{"component": name, "cost": to_float(cost),
            "share": (to_float(cost) or 0.0) / total if total else None} for name, cost in rows]
    return ("COGS breakdown", "supply_cogs_breakdown",
            [("component", "Component", "text"), ("cost", "Cost", "currency"), ("share", "Share", "ratio")],
            out, {"total_cost": total, "components": len(out)}, {}, [])


def _pipeline(ctx, conn, w, granularity):
    raw = _query(conn, "pipeline_stages_daily",
                 "SELECT substr(period, 1, 10), stage_name, value FROM pipeline_stages_daily "
                 "WHERE period >= ? AND period < ? ORDER BY period",
                 (mo.first_day(w.start), mo.first_day(w.end + 1)), ctx.path)
    stages = ("Leads", "MQL", "SQL", "Won")
    last_day: dict[int, tuple[str, dict]] = {}
    for day, stage, value in raw:
        idx = mo.parse_month(day)
        if idx is None or stage not in stages:
            continue
        bucket = idx if granularity == "month" else idx - idx % 3
        prev = last_day.get(bucket)
        if prev is None or day > prev[0]:
            last_day[bucket] = (day, {})
        if day == last_day[bucket][0]:
            last_day[bucket][1][stage.lower()] = to_float(value)
    rows = []
    for bucket, (day, vals) in sorted(last_day.items()):
        row = {"period": mo.fmt_month(bucket) if granularity == "month" else mo.fmt_quarter(bucket),
               "day": day, **{s.lower(): vals.get(s.lower()) for s in stages}}
        if granularity == "quarter":
            row["partial"] = bucket < w.start or bucket + 2 > w.end
        rows.append(row)
    notes = []
    try:
        current = conn.execute("SELECT stage_name, value FROM pipeline_stages").fetchall()
    except sqlite3.OperationalError:
        current, notes = [], ["table pipeline_stages is missing: no current funnel"]
    order = {s: i for i, s in enumerate(stages)}
    funnel = [{"stage": s, "value": to_float(v)} for s, v in sorted(current, key=lambda r: order.get(r[0], 9))]
    summary = dict(rows[-1]) if rows else {}
    summary.pop("partial", None)
    if summary.get("leads") and summary.get("won") is not None:
        summary["won_per_lead"] = summary["won"] / summary["leads"]
    return ("Pipeline by stage (value on the period's last day)", "pipeline_stages_daily",
            [("period", "Period", "period"), ("day", "Day", "text")] +
            [(s.lower(), s, "number") for s in stages], rows, summary, {"stages": funnel}, notes)


def _at_risk(ctx, conn, w, granularity):
    raw = _query(conn, "retention_at_risk", "SELECT customer, mrr, risk, reason FROM retention_at_risk",
                 (), ctx.path)
    rows = []
    for customer, mrr, risk, reason in raw:
        m, r = to_float(mrr), ratio01(risk)
        rows.append({"customer": customer, "mrr": m, "risk": r, "reason": reason,
                     "mrr_at_risk": m * r if m is not None and r is not None else None})
    rows.sort(key=lambda x: -(x["mrr_at_risk"] or 0.0))
    total = sum(x["mrr_at_risk"] or 0.0 for x in rows)
    return ("Customers at risk (by MRR x risk)", "retention_at_risk",
            [("customer", "Customer", "text"), ("mrr", "MRR", "currency"), ("risk", "Risk", "ratio"),
             ("reason", "Reason", "text"), ("mrr_at_risk", "MRR at risk", "currency")],
            rows, {"customers": len(rows), "mrr_at_risk": total}, {}, [])


def _top_products(ctx, conn, w, granularity, limit=10):
    bounds = (mo.first_day(w.start), mo.first_day(w.end + 1))
    have = table_names(conn)
    if "top_products_daily" in have:
        raw = _query(conn, "top_products_daily",
                     "SELECT name, sum(revenue) AS r FROM top_products_daily WHERE period >= ? "
                     "AND period < ? GROUP BY name ORDER BY r DESC, name LIMIT ?",
                     (*bounds, limit), ctx.path)
        total = _query(conn, "top_products_daily", "SELECT sum(revenue) FROM top_products_daily "
                       "WHERE period >= ? AND period < ?", bounds, ctx.path)[0][0]
        table, notes = "top_products_daily", []
    elif "top_products" in have:
        raw = _query(conn, "top_products", "SELECT name, revenue FROM top_products "
                     "ORDER BY revenue DESC, name LIMIT ?", (limit,), ctx.path)
        total = _query(conn, "top_products", "SELECT sum(revenue) FROM top_products", (), ctx.path)[0][0]
        table, notes = "top_products", ["no top_products_daily: all-time totals, not the window"]
    else:
        raise TableMissing("top_products_daily", str(ctx.path))
    total = to_float(total) or 0.0
    rows = [{"rank": i + 1, "name": name, "revenue": to_float(r),
             "share": (to_float(r) or 0.0) / total if total else None} for i, (name, r) in enumerate(raw)]
    return ("Top products by revenue", table,
            [("rank", "Rank", "int"), ("name", "Product", "text"), ("revenue", "Revenue", "currency"),
             ("share", "Share", "ratio")], rows, {"total_revenue": total, "products": len(rows)}, {}, notes)


def _feedback(ctx, conn, w, granularity):
    bounds = (mo.first_day(w.start), mo.first_day(w.end + 1))
    raw = _query(conn, "feedback", "SELECT type, count(*) AS n FROM feedback WHERE created_at >= ? "
                 "AND created_at < ? GROUP BY type ORDER BY n DESC, type", bounds, ctx.path)
    total = sum(n for _, n in raw)
    rows = [{"type": t, "count": n, "share": n / total if total else None} for t, n in raw]
    extra, notes = {}, []
    try:
        extra["scores"] = [{"aspect": a, "mean_score": to_float(s), "responses": n} for a, s, n in conn.execute(
            "SELECT aspect, avg(score), count(*) FROM feedback_scores WHERE created_at >= ? "
            "AND created_at < ? GROUP BY aspect ORDER BY aspect", bounds)]
    except sqlite3.OperationalError:
        notes.append("table feedback_scores is missing")
    try:
        extra["product"] = [{"category": c, "type": t, "count": n} for c, t, n in conn.execute(
            "SELECT category, type, count(*) AS n FROM product_feedback WHERE created_at >= ? "
            "AND created_at < ? GROUP BY category, type ORDER BY n DESC, category, type", bounds)]
    except sqlite3.OperationalError:
        notes.append("table product_feedback is missing")
    return ("Customer feedback by type", "feedback",
            [("type", "Type", "text"), ("count", "Count", "int"), ("share", "Share", "ratio")],
            rows, {"total": total}, extra, notes)


SPECIAL = {("supply", "cogs-breakdown"): _cogs_breakdown, ("sales", "pipeline"): _pipeline,
           ("customers", "at-risk"): _at_risk, ("customers", "top-products"): _top_products,
           ("customers", "feedback"): _feedback}
PRIMARY = {("supply", "cogs-breakdown"): "supply_cogs_breakdown",
           ("sales", "pipeline"): "pipeline_stages_daily", ("customers", "at-risk"): "retention_at_risk",
           ("customers", "top-products"): None, ("customers", "feedback"): "feedback"}


def drilldown_entry(ctx: ApiContext, group: str, metric: str, range_: str, granularity: str,
                    as_of: str | None, limit: int = 10) -> Entry:
    stamp = ctx.valid_stamp
    mo.check_range(range_)
    mo.check_granularity(granularity)
    conn = open_reader(ctx.path)
    try:
        spec = SERIES.get(group, {}).get(metric)
        table = spec.table if spec else PRIMARY[(group, metric)]
        if table is not None:
            _require(conn, ctx.path, table)
        w = _window(ctx, conn, range_, as_of, spec.table if spec else None)
        if spec is not None:
            rows, summary, notes = _series(ctx, conn, spec, w, granularity)
            title, columns, extra = spec.title, [("period", "Period", "period")] + [
                (c.key, c.label, c.fmt) for c in spec.cols], {}
            agg = "day-weighted mean" if spec.agg == "mean" else "last month"
        else:
            fn = SPECIAL[(group, metric)]
            kw = {"limit": limit} if metric == "top-products" else {}
            title, table, columns, rows, summary, extra, notes = fn(ctx, conn, w, granularity, **kw)
            agg = None
    finally:
        conn.close()
    doc = {"group": group, "metric": metric, "title": title, "table": table,
           "granularity": granularity, "aggregation": agg, "timeframe": _timeframe(range_, granularity, w),
           "columns": [{"key": k, "label": lbl, "format": f} for k, lbl, f in columns],
           "rows": rows, "summary": summary, "extra": extra,
           "notes": [f"{w.label()} ({w.length} months)"] + notes}
    return json_entry(doc, stamp)


router = APIRouter(prefix="/api", tags=["drill-downs"])
_RESPONSES = {**R304, **R422, **R503}


def _make(group: str):
    Metric = Literal[METRICS[group]]  # type: ignore[valid-type]
    choices = ", ".join(METRICS[group])

    async def route(request: Request,
                    metric: Annotated[Metric, Path(description=f"one of {choices}")],
                    range: RangeQ = "12m", granularity: GranularityQ = "month",
                    as_of: AsOfQ = None,
                    limit: Annotated[int, Query(ge=1, le=100, description="rows, for top-products")] = 10):
        ctx = ctx_of(request)
        lim = limit if metric == "top-products" else 10
        entry, how = await ctx.cached(f"{group}|{metric}|{range}|{granularity}|{as_of or ''}|{lim}",
                                      drilldown_entry, ctx, group, metric, range, granularity, as_of, lim)
        return reply(request, entry, how)

    route.__name__ = f"{group}_drilldown"
    router.add_api_route(f"/{group}/{{metric}}", route, methods=["GET"], response_model=Drilldown,
                         responses=_RESPONSES, summary=f"{group.capitalize()} drill-down: {choices}")


for _group in METRICS:
    _make(_group)
