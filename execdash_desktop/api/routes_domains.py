"""The seed web client's domain pages: /api/{domain}/overview and /api/{domain}/kpis/{key}.

api-contract.md "Routes the seed system's web client also calls". The
numbers are packs/executive/domains.py's (the KPI engine and the series
catalogue the window uses). Included before the drill-down router, so
`/api/sales/overview` is this route and not `/api/sales/{metric}` with an
unknown metric; `/api/sales/kpis/x` has two segments and never matches those.
"""


from typing import Annotated, Callable, Literal

from fastapi import APIRouter, Path, Query, Request

from ..packs.executive.domains import DOMAINS, default_by, kpi_detail, overview
from ..packs.executive.payload import resolve_window
from ..store import open_reader
from .common import R304, R422, R503, AsOfQ, GranularityQ, RangeQ, ctx_of, json_entry, plain_query, reply
from .context import ApiContext, Entry
from .schemas_client import DOMAIN_OVERVIEW_MODELS, DomainKpiDetail

router = APIRouter(prefix="/api", tags=["domain pages"])
_RESPONSES = {**R304, **R422, **R503}


def overview_key(domain: str, range_: str, granularity: str, as_of: str | None) -> str:
    return f"domain|{domain}|overview|{range_}|{granularity}|{as_of or ''}"


def kpi_key(domain: str, key: str, by: str, range_: str, granularity: str, as_of: str | None) -> str:
    return f"domain|{domain}|kpi|{key}|{by}|{range_}|{granularity}|{as_of or ''}"


def fast_keys() -> dict[str, Callable[[bytes], str | None]]:
    """Path -> the cache key of a plain GET of it, so the middleware answers cache hits
    without routing (as it does for the dashboard); anything unusual goes the normal way."""
    out: dict[str, Callable[[bytes], str | None]] = {}
    for domain, d in DOMAINS.items():
        def ov(qs: bytes, domain=domain):
            p = plain_query(qs)
            return overview_key(domain, p["range"], p["granularity"], p["as_of"]) if p else None
        out[f"/api/{domain}/overview"] = ov
        for key in d.keys:
            def kp(qs: bytes, domain=domain, key=key, bys=d.by):
                p = plain_query(qs, bys)
                return kpi_key(domain, key, p["by"] or default_by(domain, key), p["range"], p["granularity"],
                               p["as_of"]) if p else None
            out[f"/api/{domain}/kpis/{key}"] = kp
    return out


def overview_entry(ctx: ApiContext, domain: str, range_: str, granularity: str, as_of: str | None) -> Entry:
    stamp = ctx.valid_stamp
    src = ctx.engine.source(ctx.path)
    w = resolve_window(src, range_, as_of)
    conn = open_reader(ctx.path)
    try:
        doc = overview(conn, src, domain, w, range_, granularity, ctx.kept_for(stamp))
    finally:
        conn.close()
    return json_entry(doc, stamp)


def kpi_entry(ctx: ApiContext, domain: str, key: str, by: str | None, range_: str, granularity: str,
              as_of: str | None) -> Entry:
    stamp = ctx.valid_stamp
    src = ctx.engine.source(ctx.path)
    w = resolve_window(src, range_, as_of)
    conn = open_reader(ctx.path)
    try:
        doc = kpi_detail(conn, src, domain, key, by, w, range_, granularity, ctx.kept_for(stamp))
    finally:
        conn.close()
    return json_entry(doc, stamp)


def _make(domain: str) -> None:
    d = DOMAINS[domain]
    Key = Literal[d.keys]  # type: ignore[valid-type]
    By = Literal[d.by]  # type: ignore[valid-type]
    keys, bys = ", ".join(d.keys), ", ".join(d.by)

    async def overview_route(request: Request, range: RangeQ = "12m", granularity: GranularityQ = "month",
                             as_of: AsOfQ = None):
        ctx = ctx_of(request)
        entry, how = await ctx.cached(overview_key(domain, range, granularity, as_of),
                                      overview_entry, ctx, domain, range, granularity, as_of)
        return reply(request, entry, how)

    async def kpi_route(request: Request, key: Annotated[Key, Path(description=f"one of {keys}")],
                        by: Annotated[By | None, Query(description=f"breakdown dimension: {bys} "
                                                                   "(default depends on the key)")] = None,
                        range: RangeQ = "12m", granularity: GranularityQ = "month", as_of: AsOfQ = None):
        ctx = ctx_of(request)
        by_ = by or default_by(domain, key)
        entry, how = await ctx.cached(kpi_key(domain, key, by_, range, granularity, as_of),
                                      kpi_entry, ctx, domain, key, by_, range, granularity, as_of)
        return reply(request, entry, how)

    overview_route.__name__ = f"{domain}_overview"
    kpi_route.__name__ = f"{domain}_kpi"
    router.add_api_route(f"/{domain}/overview", overview_route, methods=["GET"],
                         response_model=DOMAIN_OVERVIEW_MODELS[domain], responses=_RESPONSES,
                         summary=f"{d.title} page: its KPIs and trends over the window")
    router.add_api_route(f"/{domain}/kpis/{{key}}", kpi_route, methods=["GET"], response_model=DomainKpiDetail,
                         responses=_RESPONSES,
                         summary=f"{d.title} KPI ({keys}): series over the window and a breakdown by {bys}")


for _domain in DOMAINS:
    _make(_domain)
