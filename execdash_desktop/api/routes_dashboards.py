"""Routes generated from the dashboards' declarations (design/dashboards.md, "The API").

For every registered dashboard: `GET /api/<name>-dashboard` (its payload,
byte for byte what `execdash kpis --dashboard <name> --json` prints) and one
`GET /api/<name>/<drill-down key>` per entry of its drill-down catalogue
(the drill-down's tables as JSON). A path an older module already serves
(the Executive dashboard's /api/executive-dashboard) is left to it, so
every existing route and byte stays as it was.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from ..dashboards import registry
from ..dashboards.spec import Dashboard
from ..format import json_text
from ..store import open_reader
from .common import R304, R422, R503, GranularityQ, RangeQ, ctx_of, json_entry, reply
from .context import ApiContext, Entry, make_entry

_MOMENT = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:\d{2})?$"
AS_OF_QUERY = {  # by Dashboard.as_of
    "month": Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                         description="as-of month YYYY-MM (default: the file's latest)")],
    "timestamp": Annotated[str | None, Query(
        pattern=_MOMENT, description="as-of: a date YYYY-MM-DD (its end) or a timestamp "
                                     "YYYY-MM-DDTHH:MM[:SS][Z|+hh:mm] (default: the file's latest moment)")],
}


def _payload_entry(ctx: ApiContext, dash: Dashboard, range_: str, granularity: str, as_of: str | None) -> Entry:
    stamp = ctx.valid_stamp
    payload = ctx.engine.payload(ctx.path, range_, granularity, as_of, dashboard=dash.name)
    ctx.count_computation()
    return make_entry(json_text(payload).encode(), stamp)  # the command line's bytes


def _drilldown_entry(ctx: ApiContext, dash: Dashboard, key: str, range_: str, granularity: str,
                     as_of: str | None) -> Entry:
    stamp = ctx.valid_stamp
    src = ctx.engine.source(ctx.path, dashboard=dash.name)
    payload = dash.payload(src, range_, "month", as_of)
    conn = open_reader(ctx.path)
    try:
        dd = dash.drilldown(key, conn, src, payload)
    finally:
        conn.close()
    ctx.count_computation()

    def table(t):
        return {"title": t.title, "columns": list(t.columns), "formats": list(t.formats),
                "rows": [list(r) for r in t.rows]}

    doc = {"dashboard": dash.name, "key": dd.key, "title": dd.title, "notes": list(dd.notes),
           "tables": [table(t) for t in dd.tables], "chart": table(dd.chart) if dd.chart else None,
           "timeframe": payload["timeframe"]}
    return json_entry(doc, stamp)


def _add_dashboard(router: APIRouter, dash: Dashboard) -> None:
    async def dashboard_payload(request: Request, range: RangeQ = "12m", granularity: GranularityQ = "month",
                                as_of: str | None = None):
        ctx = ctx_of(request)
        entry, how = await ctx.cached(f"dash|{dash.name}|{range}|{granularity}|{as_of}",
                                      _payload_entry, ctx, dash, range, granularity, as_of)
        return reply(request, entry, how)

    dashboard_payload.__annotations__["as_of"] = AS_OF_QUERY[dash.as_of]  # by the dashboard's kind of as-of
    router.add_api_route(dash.api_route, dashboard_payload, methods=["GET"], name=f"{dash.name}_dashboard",
                         responses={**R304, **R422, **R503}, summary=f"The {dash.title} dashboard's payload",
                         tags=[dash.name])


def _add_drilldown(router: APIRouter, dash: Dashboard, key: str, title: str) -> None:
    async def drilldown(request: Request, range: RangeQ = "12m", granularity: GranularityQ = "month",
                        as_of: str | None = None):
        ctx = ctx_of(request)
        entry, how = await ctx.cached(f"dd|{dash.name}|{key}|{range}|{granularity}|{as_of}",
                                      _drilldown_entry, ctx, dash, key, range, granularity, as_of)
        return reply(request, entry, how)

    drilldown.__annotations__["as_of"] = AS_OF_QUERY[dash.as_of]
    router.add_api_route(f"/api/{dash.name}/{key}", drilldown, methods=["GET"],
                         name=f"{dash.name}_{key.replace('/', '_')}", responses={**R304, **R422, **R503},
                         summary=f"{dash.title}: {title.replace(chr(0x203a), '>')}", tags=[dash.name])


def router_for(taken: set[str]) -> APIRouter:
    """Every dashboard's generated routes whose path is not in `taken` (already served)."""
    router = APIRouter()
    for dash in registry.all_dashboards():
        if dash.api_route not in taken:
            _add_dashboard(router, dash)
        for entry in dash.drilldowns:
            path = f"/api/{dash.name}/{entry.key}"
            if path not in taken:
                _add_drilldown(router, dash, entry.key, entry.title)
    return router
