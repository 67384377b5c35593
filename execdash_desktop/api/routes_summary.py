"""GET /api/ai-summary: the dashboard's Now / Reason / Action sentences and unusual months.

Seed 002 planned `/api/ai-summary` with graceful degradation; this one is
written offline by `narrative.build_summary` (the window's Summary panel and
the board pack use the same function), so it needs no model and no network,
and missing data gives fewer sentences, never an error or a wrong one.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..anomalies import describe
from ..dashboards import registry
from ..store import open_reader
from .common import R304, R422, R503, AsOfQ, RangeQ, ctx_of, json_entry, reply
from .context import ApiContext, Entry
from .schemas import Summary

router = APIRouter(prefix="/api", tags=["summary"])


def summary_entry(ctx: ApiContext, range_: str, as_of: str | None) -> Entry:
    stamp = ctx.valid_stamp
    dash = registry.get("executive")  # seed 002's route: the Executive dashboard's summary
    src = ctx.engine.source(ctx.path, dashboard=dash.name)
    payload = dash.payload(src, range_, "month", as_of)  # the summary reads months, whatever the view
    conn = open_reader(ctx.path)
    try:
        summary = dash.summary(conn, src, payload)
    finally:
        conn.close()
    ctx.count_computation()
    unit = payload["meta"].get("currency")
    doc = {
        "sentences": [{"section": s.section, "text": s.text, "figures": list(s.figures), "source": s.source}
                      for s in summary.sentences],
        "anomalies": [{"series": a.series, "label": a.label, "period": a.period, "value": a.value,
                       "median": a.median, "low": a.low, "high": a.high, "direction": a.direction,
                       "text": describe(a, unit)} for a in summary.anomalies],
        "timeframe": payload["timeframe"],
    }
    return json_entry(doc, stamp)


@router.get("/ai-summary", response_model=Summary, responses={**R304, **R422, **R503},
            summary="Now / Reason / Action sentences and unusual months, written offline")
async def ai_summary(request: Request, range: RangeQ = "12m", as_of: AsOfQ = None):
    ctx = ctx_of(request)
    entry, how = await ctx.cached(f"summary|{range}|{as_of or ''}", summary_entry, ctx, range, as_of)
    return reply(request, entry, how)

