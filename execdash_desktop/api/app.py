"""`create_app`: the embedded API (issue 4) over one data file.

Routes, guardrails and wire shapes: seed 001 sections 3-4, api-contract.md.
Every error is a JSON body that names what went wrong; a malformed request
never reaches a traceback: 401 (token), 413 (body cap), 422 (a parameter,
naming it and the accepted values), 503 (a missing table, named), 500 only
for a bug, logged.
"""

from __future__ import annotations

import logging
import math
import os
from contextlib import asynccontextmanager
from typing import Any, Iterable

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from .. import __version__
from .. import months as mo
from ..engine import Engine
from ..errors import (DataFileError, InvalidRequestError, MetricsNotSaved, MissingTablesError, TableDamaged,
                      TableMissing, TableUnreadable)
from ..metrics import EVENT_TYPES, METRIC_KEYS
from ..packs.executive.domains import DOMAINS
from ..packs.executive.kpis import KPI_KEYS
from . import (routes_client, routes_dashboard, routes_domains, routes_drilldowns, routes_events, routes_health,
               routes_summary)
from .context import ApiContext, Settings
from .middleware import ApiMiddleware

log = logging.getLogger("execdash_desktop.api")

_META_WORDS = ('{"metric": <key>, "v": <value>} or {<key>: <value>, ...}, at most 32 keys of 1 to 64 '
               'characters; the timing keys ' + ", ".join(METRIC_KEYS) + ' take a number >= 0')


def _domain_of(path: str) -> str | None:
    """'finance' for /api/finance/kpis/..., else None."""
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == "api" and parts[2] == "kpis" and parts[1] in DOMAINS else None


def _accepted(parameter: str, path: str) -> tuple[str, list[str] | None]:
    """What a parameter accepts, in words and (for a fixed set) as a list."""
    leaf = parameter.split(".")[0]
    if leaf == "range":
        return "one of " + ", ".join(mo.RANGES), list(mo.RANGES)
    if leaf == "granularity":
        return "one of " + ", ".join(mo.GRANULARITIES), list(mo.GRANULARITIES)
    if leaf == "as_of":
        return "a month as YYYY-MM that has a revenue_trend row", None
    domain = _domain_of(path)
    if leaf == "key":
        keys = list(DOMAINS[domain].keys) if domain else list(KPI_KEYS)
        return "one of " + ", ".join(keys), keys
    if leaf == "by" and domain:
        return "one of " + ", ".join(DOMAINS[domain].by), list(DOMAINS[domain].by)
    if leaf == "metric":
        group = path.strip("/").split("/")[1] if path.count("/") >= 2 else ""
        choices = list(routes_drilldowns.METRICS.get(group, ()))
        return "one of " + ", ".join(choices), choices or None
    if leaf == "limit":
        return "an integer from 1 to 100", None
    if leaf == "event_type":
        types = sorted(EVENT_TYPES)
        return "one of " + ", ".join(types), types
    if leaf == "event_time":
        return "an ISO-8601 date-time, e.g. 2026-10-31T09:30:00Z (default now)", None
    if leaf == "meta":
        return _META_WORDS, None
    if leaf in ("body", ""):
        return ('a JSON object {"event_type": ..., "event_time": ... (optional), "meta": ...}', None)
    return "see /openapi.json", None


def _echoable(value: Any) -> Any:
    """An input echoed in a 422 body, made writable as JSON: NaN and infinities
    as their names, a lone surrogate (not UTF-8) as its escape, e.g. \\ud800."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value).replace("inf", "Infinity").replace("nan", "NaN")
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_echoable(k): _echoable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_echoable(v) for v in value]
    return value


def _short(value: Any) -> Any:
    value = _echoable(value)
    try:
        value = jsonable_encoder(value)
    except Exception:
        value = repr(value)
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "..."
    if isinstance(value, (dict, list)) and len(repr(value)) > 400:
        return repr(value)[:400] + "..."
    return value


def _pick_meta_form(errors: list[dict], body: Any) -> list[dict]:
    """`meta` is one of two forms: report only the errors of the form the client meant."""
    meta = body.get("meta") if isinstance(body, dict) else None
    if not isinstance(meta, dict):
        return errors
    drop = "FlatMeta" if "metric" in meta or "v" in meta else "OneMetric"
    kept = [e for e in errors if drop not in (e.get("loc") or ())]
    return kept or errors


def _error_items(errors: Iterable[dict], path: str, body: Any = None) -> list[dict]:
    out, seen = [], set()
    for e in _pick_meta_form(list(errors), body):
        loc = list(e.get("loc") or ())
        where = loc[0] if loc else "body"
        # drop pydantic's union tags ("OneMetric", "FlatMeta", "function-after[...]")
        names = [str(p) for p in loc[1:] if not (isinstance(p, str) and (p[:1].isupper() or "[" in p))]
        parameter = ".".join(names) or ("body" if where == "body" else str(where))
        accepted, choices = _accepted(parameter, path)
        if (where, parameter, e.get("type")) in seen:
            continue
        seen.add((where, parameter, e.get("type")))
        out.append({"loc": [where, *names], "parameter": parameter,
                    "msg": f"invalid {parameter}: {e.get('msg', 'invalid value')}; expected {accepted}",
                    "type": str(e.get("type", "value_error")), "input": _short(e.get("input")),
                    "accepted": accepted, "choices": choices})
    return out


def _invalid(items: list[dict]) -> JSONResponse:
    return JSONResponse(_echoable({"error": "invalid_request", "detail": items}), status_code=422)


async def _on_validation(request: Request, exc: RequestValidationError):
    return _invalid(_error_items(exc.errors(), request.url.path, getattr(exc, "body", None)))


async def _on_invalid_request(request: Request, exc: InvalidRequestError):
    accepted, choices = _accepted(exc.parameter, request.url.path)
    if exc.parameter == "as_of":
        accepted, choices = exc.accepted, None
    where = "path" if exc.parameter in ("key", "metric") else "query"
    return _invalid([{"loc": [where, exc.parameter], "parameter": exc.parameter, "msg": str(exc),
                      "type": "invalid_parameter", "input": _short(exc.value),
                      "accepted": accepted if exc.parameter != "as_of" else exc.accepted,
                      "choices": choices}])


async def _on_data_file(request: Request, exc: DataFileError):
    table = None
    if isinstance(exc, MissingTablesError) and exc.missing:
        table = exc.missing[0]
    elif isinstance(exc, TableUnreadable):
        table = exc.table
    if isinstance(exc, MetricsNotSaved):
        error = "metrics_not_saved"
    elif isinstance(exc, TableDamaged):
        error = "damaged_table"
    elif isinstance(exc, TableUnreadable) and not isinstance(exc, TableMissing):
        error = "unreadable_table"
    else:
        error = "missing_table" if table else "data_file_unavailable"
    if error in ("damaged_table", "unreadable_table"):  # /api/health reports it as degraded
        ctx = request.app.state.ctx
        ctx.unreadable_seen[exc.table] = (ctx.valid_stamp, f"table {exc.table} {exc.reason}")
    return JSONResponse({"error": error, "detail": str(exc), "table": table}, status_code=503,
                        headers={"Retry-After": "5"})


async def _on_http(request: Request, exc: StarletteHTTPException):
    body = {"error": f"http_{exc.status_code}", "detail": str(exc.detail)}
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:  # Starlette names the first route's methods; a path may have several
        headers = {**(headers or {}), "Allow": _allowed(request)}
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def _allowed(request: Request) -> str:
    methods: set[str] = set()
    for route in request.app.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path) and getattr(route, "methods", None):
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _on_crash(request: Request, exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": "internal_error", "detail": f"{type(exc).__name__} (see the server log)"},
                        status_code=500)


def create_app(db_path: str | os.PathLike, *, token: str | None = None,
               cors_origins: Iterable[str] = (), engine: Engine | None = None,
               settings: Settings | None = None) -> FastAPI:
    """The API over one data file. `token`: every request then needs
    `Authorization: Bearer <token>`. `cors_origins`: CORS off when empty.
    Raises DataFileError if the file is not there."""
    ctx = ApiContext(db_path, engine=engine, settings=settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            yield
        finally:
            ctx.close()

    app = FastAPI(title="ExecDash API", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # offline: no CDN for the docs pages
                  description="The embedded API of ExecDash Desktop (seed 001, api-contract.md).")
    app.state.ctx = ctx
    # the domain pages before the drill-downs: /api/sales/overview is not /api/sales/{metric}
    for r in (routes_dashboard.router, routes_domains.router, routes_drilldowns.router, routes_events.router,
              routes_health.router, routes_summary.router, routes_client.router):
        app.include_router(r)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(InvalidRequestError, _on_invalid_request)
    app.add_exception_handler(DataFileError, _on_data_file)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_crash)
    app.add_middleware(ApiMiddleware, token=token, max_body_bytes=ctx.settings.max_body_bytes, ctx=ctx)
    origins = [o for o in cors_origins if o]
    if origins:  # outermost, so preflights are answered before the token check
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "If-None-Match"],
                           expose_headers=["ETag", "Server-Timing"], max_age=600)
    if token:
        _document_bearer(app)
    return app


def _document_bearer(app: FastAPI) -> None:
    base = app.openapi

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = base()
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http", "scheme": "bearer"}
        schema["security"] = [{"bearer": []}]
        for item in schema.get("paths", {}).values():
            for op in item.values():
                op.setdefault("responses", {})["401"] = {
                    "description": "missing or wrong bearer token",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
