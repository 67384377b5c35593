"""GET /api/executive-dashboard and GET /api/kpis/{key}.

The dashboard body is `Engine().payload` serialized exactly as
`execdash kpis --json` prints it, so the numbers are byte-identical.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from .. import months as mo
from .. import rollup
from ..months import Window
from ..packs.executive.kpis import BY_KEY, forecast_parts
from ..packs.executive.payload import kpi_entry, resolve_window
from ..errors import TableUnreadable
from ..format import json_text
from ..packs.executive import breakdowns as bd
from ..packs.executive.source import ExecSource
from ..store import open_reader
from .common import R304, R422, R503, AsOfQ, GranularityQ, RangeQ, ctx_of, json_entry, plain_query, reply
from .context import ApiContext, Entry, make_entry
from .schemas import ExecutiveDashboard, KpiDetail, KpiKey

router = APIRouter(prefix="/api", tags=["dashboard"])


DASHBOARD_PATH = "/api/executive-dashboard"


def dashboard_key(range_: str, granularity: str, as_of: str | None) -> str:
    return f"dash|{range_}|{granularity}|{as_of or ''}"


def fast_key(query_string: bytes) -> str | None:
    """The cache key of a plain, valid dashboard query, else None (let the route decide).

    Lets the middleware answer cache hits without the router; anything unusual
    (an unknown or repeated parameter, a value the route would reject) goes
    the normal way, so answers are the same either way.
    """
    params = plain_query(query_string)
    if params is None:
        return None
    return dashboard_key(params["range"], params["granularity"], params["as_of"])


def dashboard_entry(ctx: ApiContext, range_: str, granularity: str, as_of: str | None) -> Entry:
    stamp = ctx.valid_stamp
    payload = ctx.engine.payload(ctx.path, range_, granularity, as_of)
    ctx.count_computation()
    # the command line's json_text(payload), byte for byte
    return make_entry(json_text(payload).encode(), stamp)


@router.get(DASHBOARD_PATH.removeprefix("/api"), response_model=ExecutiveDashboard,
            responses={**R304, **R422, **R503},
            summary="The executive payload (kpi-definitions.md)")
async def executive_dashboard(request: Request, range: RangeQ = "12m",
                              granularity: GranularityQ = "month", as_of: AsOfQ = None):
    ctx = ctx_of(request)
    entry, how = await ctx.cached(dashboard_key(range, granularity, as_of),
                                  dashboard_entry, ctx, range, granularity, as_of)
    return reply(request, entry, how)


# -- one KPI -------------------------------------------------------------------------
def _quarter_history(src: ExecSource, key: str, w: Window) -> list[dict]:
    spec = BY_KEY[key]
    out = []
    q_start = w.start - w.start % 3
    while q_start <= w.end:
        a, b = max(q_start, w.start), min(q_start + 2, w.end)
        out.append({"period": mo.fmt_quarter(q_start), "value": spec.compute(src, Window(a, b))[0],
                    "partial": a != q_start or b != q_start + 2})
        q_start += 3
    return out


def _by_order_type(ctx: ApiContext, src: ExecSource, w: Window, what: str) -> list[dict]:
    conn = open_reader(ctx.path)
    try:
        rows = bd.orders_by_type(conn, src, w)
    finally:
        conn.close()
    total = sum(r[1] for r in rows)
    items = []
    for t, amount, profit, amount_wp, n in rows:
        if what == "gm":
            value = profit / amount_wp if amount_wp else None
        elif what == "arr":
            value = 12.0 * amount
        else:
            value = amount
        items.append({"name": t, "value": value, "amount": amount, "profit": profit, "orders": n,
                      "share": amount / total if total else None})
    return items


def _at_risk_items(ctx: ApiContext) -> list[dict] | None:
    """The same rows as /api/customers/at-risk and the Finance > NRR tab."""
    conn = open_reader(ctx.path)
    try:
        rows = bd.at_risk(conn)
    except TableUnreadable:
        return None
    finally:
        conn.close()
    return [{"name": c, "value": exposure, "mrr": m, "risk": r, "reason": why}
            for c, m, r, exposure, why in rows]


def _breakdown(ctx: ApiContext, src: ExecSource, key: str, w: Window) -> dict | None:
    if key in ("revenue", "gm") and src.orders_present:
        return {"dimension": "order_type", "source": "orders (amount by type, window)",
                "items": _by_order_type(ctx, src, w, key)}
    if key == "arr" and src.orders_present:
        items = [i for i in _by_order_type(ctx, src, Window(w.end, w.end), "arr")
                 if i["name"] in rollup.RECURRING_TYPES]
        return {"dimension": "order_type", "source": "orders (12 x recurring amount, as-of month)",
                "items": items}
    if key == "nrr":
        items = _at_risk_items(ctx)
        if items is not None:
            return {"dimension": "customer", "source": "retention_at_risk (MRR x risk)", "items": items}
    return None


def kpi_detail_entry(ctx: ApiContext, key: str, range_: str, granularity: str,
                     as_of: str | None) -> Entry:
    stamp = ctx.valid_stamp
    src = ctx.engine.source(ctx.path)
    mo.check_granularity(granularity)
    w = resolve_window(src, range_, as_of)
    doc = kpi_entry(src, key, w, with_history=granularity == "month")
    if granularity == "quarter":
        doc["history"] = _quarter_history(src, key, w)
    doc["breakdown"] = _breakdown(ctx, src, key, w)
    if key == "forecast":
        doc["detail"] = forecast_parts(src, w.end)
    doc["timeframe"] = {"range": range_, "granularity": granularity,
                        "start_date": mo.first_day(w.start), "end_date": mo.last_day(w.end),
                        "as_of": mo.fmt_month(w.end)}
    return json_entry(doc, stamp)


@router.get("/kpis/{key}", response_model=KpiDetail, responses={**R304, **R422, **R503},
            summary="One KPI with its history over the window and a breakdown")
async def kpi_detail(request: Request,
                     key: Annotated[KpiKey, Path(description="one of the ten KPI keys")],
                     range: RangeQ = "12m", granularity: GranularityQ = "month",
                     as_of: AsOfQ = None):
    ctx = ctx_of(request)
    entry, how = await ctx.cached(f"kpi|{key}|{range}|{granularity}|{as_of or ''}",
                                  kpi_detail_entry, ctx, key, range, granularity, as_of)
    return reply(request, entry, how)
