"""The drill-down routes: /api/{operations,supply,telemetry,sales,customers}/{metric}.

Each answers one table of seed 000 over the window, in the style of
api-contract.md: rows of snake_case objects, rates as 0-1 ratios, monthly or
quarterly. The series and readers are the core's (series.py, breakdowns.py),
the same the window's drill-downs use. A missing table gives 503 naming it,
on that route only.
"""


import sqlite3
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from .. import months as mo
from ..errors import MissingTablesError, TableMissing, TableUnreadable
from ..months import Window
from ..packs.executive import breakdowns as bd
from ..packs.executive.payload import resolve_window
from ..packs.executive.series import SERIES, Series, aggregate, by_quarter, read_monthly
from ..store import open_reader, table_names
from .common import R304, R422, R503, AsOfQ, GranularityQ, RangeQ, ctx_of, json_entry, reply
from .context import ApiContext, Entry
from .schemas import Drilldown

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
            raise TableMissing(str(path), t)


# -- monthly series -------------------------------------------------------------------
def _series(spec: Series, conn, w: Window, granularity: str) -> tuple[list, dict, list]:
    monthly = read_monthly(conn, spec, w)
    keys = [c.key for c in spec.cols]
    notes = [f"{monthly.skipped} row(s) of {spec.table} outside the window or unreadable skipped"
             ] if monthly.skipped else []
    if granularity == "month":
        rows = [{"period": mo.fmt_month(m), **dict(zip(keys, vals))} for m, vals in monthly.rows]
    else:
        rows = [{"period": mo.fmt_quarter(q), **dict(zip(keys, vals)), "partial": partial}
                for q, vals, partial in by_quarter(monthly.rows, spec, w)]
    summary = dict(zip(keys, aggregate(monthly.rows, spec)))
    summary["months"] = len(monthly.rows)
    if monthly.rows:
        summary["latest_period"] = mo.fmt_month(monthly.rows[-1][0])
    return rows, summary, notes


# -- the non-series routes ------------------------------------------------------------
def _cogs_breakdown(conn, w, granularity):
    rows, total = bd.cogs_breakdown(conn)
    out = [{"component": name, "cost": cost, "share": share} for name, cost, share in rows]
    return ("COGS breakdown", "supply_cogs_breakdown",
            [("component", "Component", "text"), ("cost", "Cost", "currency"), ("share", "Share", "ratio")],
            out, {"total_cost": total, "components": len(out)}, {}, [])


def _pipeline(conn, w, granularity):
    last_day: dict[int, tuple[str, dict]] = {}
    for day, vals in bd.funnel_by_day(conn, w):  # oldest first: the bucket keeps its last day
        idx = mo.parse_month(day)
        last_day[idx if granularity == "month" else idx - idx % 3] = (day, vals)
    rows = []
    for bucket, (day, vals) in sorted(last_day.items()):
        row = {"period": mo.fmt_month(bucket) if granularity == "month" else mo.fmt_quarter(bucket),
               "day": day, **{s.lower(): vals.get(s) for s in bd.STAGES}}
        if granularity == "quarter":
            row["partial"] = bucket < w.start or bucket + 2 > w.end
        rows.append(row)
    notes = []
    try:
        current = bd.funnel_now(conn)
    except TableUnreadable:
        current, notes = [], ["table pipeline_stages is missing: no current funnel"]
    funnel = [{"stage": s, "value": v} for s, v in current]
    summary = dict(rows[-1]) if rows else {}
    summary.pop("partial", None)
    if summary.get("leads") and summary.get("won") is not None:
        summary["won_per_lead"] = summary["won"] / summary["leads"]
    return ("Pipeline by stage (value on the period's last day)", "pipeline_stages_daily",
            [("period", "Period", "period"), ("day", "Day", "text")] +
            [(s.lower(), s, "number") for s in bd.STAGES], rows, summary, {"stages": funnel}, notes)


def _at_risk(conn, w, granularity):
    rows = [{"customer": c, "mrr": m, "risk": r, "reason": why, "mrr_at_risk": e}
            for c, m, r, e, why in bd.at_risk(conn)]
    total = sum(x["mrr_at_risk"] or 0.0 for x in rows)
    return ("Customers at risk (by MRR x risk)", "retention_at_risk",
            [("customer", "Customer", "text"), ("mrr", "MRR", "currency"), ("risk", "Risk", "ratio"),
             ("reason", "Reason", "text"), ("mrr_at_risk", "MRR at risk", "currency")],
            rows, {"customers": len(rows), "mrr_at_risk": total}, {}, [])


def _top_products(conn, w, granularity, limit=10):
    top = bd.top_products(conn, w, limit)
    rows = [{"rank": i + 1, "name": name, "revenue": r, "share": share}
            for i, (name, r, share) in enumerate(top.rows)]
    return ("Top products by revenue", top.table,
            [("rank", "Rank", "int"), ("name", "Product", "text"), ("revenue", "Revenue", "currency"),
             ("share", "Share", "ratio")], rows, {"total_revenue": top.total, "products": len(rows)}, {},
            [top.note] if top.note else [])


def _feedback(conn, w, granularity):
    by_type, total = bd.feedback_by_type(conn, w)
    rows = [{"type": t, "count": n, "share": share} for t, n, share in by_type]
    extra, notes = {}, []
    try:
        extra["scores"] = [{"aspect": a, "mean_score": s, "responses": n} for a, s, n in bd.feedback_scores(conn, w)]
    except TableUnreadable:
        notes.append("table feedback_scores is missing")
    try:
        extra["product"] = [{"category": c, "type": t, "count": n} for c, t, n in bd.product_feedback(conn, w)]
    except TableUnreadable:
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
            rows, summary, notes = _series(spec, conn, w, granularity)
            title, columns, extra = spec.title, [("period", "Period", "period")] + [
                (c.key, c.label, c.fmt) for c in spec.cols], {}
            agg = "day-weighted mean" if spec.agg == "mean" else "last month"
        else:
            fn = SPECIAL[(group, metric)]
            kw = {"limit": limit} if metric == "top-products" else {}
            title, table, columns, rows, summary, extra, notes = fn(conn, w, granularity, **kw)
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
