"""The routes around the seed web client's pages (api-contract.md), answered honestly.

- POST /api/ai-summary: the offline summary (narrative.py) in the seed's
  shape, from the payload the client sends, else from the data file;
- GET /api/users/me and /users/me/settings: the local OS user and the app's
  own settings (theme from its settings file, its fixed date format);
- GET /api/messages, /messages/unread-count, /meetings: a desktop app has
  none, so empty answers of the right shape, never 404;
- GET /api/search: dashboards, domain pages, KPIs and drill-downs by name,
  with the web client's route and the API route of each (search_index.py).
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..packs.executive.anomalies import TREND_SERIES, Anomaly, describe, flag
from ..packs.executive.narrative import Summary, build_summary, compose
from ..packs.executive.payload import build_payload
from ..store import open_reader
from . import local_user
from .common import R422, R503, AsOfQ, RangeQ, ctx_of, json_entry
from .context import ApiContext, Entry
from .schemas import ErrorBody
from .schemas_client import (Meeting, Message, SearchHit, SummaryAnswer, SummaryRequest, UnreadCount,
                             UserMe, UserSettings)
from .search_index import search

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["web client"])
_EMPTY_LIST = b"[]"


def _json(doc) -> Response:
    """Encoded here: the response_model documents the shape, without re-validating each answer."""
    try:
        body = json.dumps(doc, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate echoed from the request: \u-escape it, still JSON
        body = json.dumps(doc).encode()
    return Response(body, media_type="application/json")

DateQ = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
                                    description="YYYY-MM-DD")]


# -- POST /api/ai-summary ------------------------------------------------------------------
def seed_summary(summary: Summary, unit: str | None, meta: dict) -> dict:
    """narrative.Summary in the seed's shape: summary (the 'now' sentences), highlights
    (the 'now' and 'reason' sentences), cautions (the five most unusual months, by period),
    actions (alerts and risks to act on); every sentence with its figures in meta."""
    now = [s.text for s in summary.section("now")]
    return {"source": "heuristic", "summary": " ".join(now),
            "highlights": now + [s.text for s in summary.section("reason")],
            "cautions": [describe(a, unit) for a in sorted(sorted(summary.anomalies, key=lambda a: -a.score)[:5],
                                                         key=lambda a: a.period)],
            "actions": [s.text for s in summary.section("action")],
            "meta": {**meta, "sentences": [{"section": s.section, "text": s.text, "figures": list(s.figures),
                                            "source": s.source} for s in summary.sentences]}}


def payload_anomalies(payload: dict) -> list[Anomaly]:
    """Unusual months of a posted monthly revenueTrend, judged within that trend only
    (a month needs enough months before it in the payload to be judged)."""
    if (payload.get("timeframe") or {}).get("granularity", "month") != "month":
        return []
    trend = sorted((r for r in payload.get("revenueTrend") or () if isinstance(r.get("period"), str)),
                   key=lambda r: r["period"])
    rows = tuple((r["period"], *(r.get(key) for key, _, _ in TREND_SERIES)) for r in trend)
    try:
        return list(_trend_anomalies(rows))
    except TypeError:  # a value that cannot be a cache key: judge it uncached
        return list(_trend_anomalies.__wrapped__(rows))


@functools.lru_cache(maxsize=32)
def _trend_anomalies(rows: tuple) -> tuple[Anomaly, ...]:
    # memoised: the web client posts the dashboard's own payload each time the summary
    # opens, and judging three series costs ~1.5 ms; the result is a pure function of them
    periods = [r[0] for r in rows]
    out: list[Anomaly] = []
    for i, (key, _, label) in enumerate(TREND_SERIES, start=1):
        out += flag(key, label, "currency", periods, [r[i] for r in rows])
    order = {key: i for i, (key, _, _) in enumerate(TREND_SERIES)}
    return tuple(sorted(out, key=lambda a: (a.period, order[a.series])))


def file_summary_entry(ctx: ApiContext, range_: str, as_of: str | None) -> Entry:
    stamp = ctx.valid_stamp
    src = ctx.engine.source(ctx.path)
    payload = build_payload(src, range_, "month", as_of)
    conn = open_reader(ctx.path)
    try:
        summary = build_summary(conn, src, payload)
    finally:
        conn.close()
    meta = {"from": "file", "range": range_, "as_of": payload["timeframe"]["as_of"], "provider": None}
    return json_entry(seed_summary(summary, payload["meta"].get("currency"), meta), stamp)


@router.post("/ai-summary", response_model=SummaryAnswer,
             responses={**R422, **R503, 413: {"model": ErrorBody, "description": "body too large"},
                        400: {"model": ErrorBody, "description": "the body is not readable (not UTF-8 JSON)"}},
             summary="The offline summary in the seed's shape, from the posted payload or the file")
async def ai_summary_post(request: Request, body: SummaryRequest, range: RangeQ = "12m",
                          as_of: AsOfQ = None):
    ctx = ctx_of(request)
    asked = {"question": body.question, "provider_requested": body.provider, "provider": None}
    if body.data is None:
        entry, how = await ctx.cached(f"seed-summary|{range}|{as_of or ''}", file_summary_entry, ctx,
                                      range, as_of)
        doc = json.loads(entry.body)
        doc["meta"].update(asked)
        return _json(doc)
    return _json(posted_summary(body, asked))


def posted_summary(body: SummaryRequest, asked: dict) -> dict:
    """The seed-shaped summary of a posted payload: no file reads, so no drill-down
    reasons, and unusual months judged within the posted trend."""
    payload = body.data.model_dump(exclude_none=True)
    summary = compose(payload, None, payload_anomalies(payload))
    unit = (payload.get("meta") or {}).get("currency")
    tf = payload.get("timeframe") or {}
    return seed_summary(summary, unit, {"from": "payload", "range": tf.get("range"),
                                        "as_of": tf.get("as_of"), **asked})


async def fast_post(ctx: ApiContext, scope: dict, body: bytes) -> bytes | None:
    """POST /api/ai-summary with a payload and no query, without the router
    (ApiMiddleware); None leaves the request to the router (file summaries, errors).
    Validated as FastAPI does: json.loads, then the model in Python mode."""
    if scope.get("query_string"):
        return None
    try:
        body_model = SummaryRequest.model_validate(json.loads(body))
    except ValueError:
        return None
    if body_model.data is None:
        return None
    asked = {"question": body_model.question, "provider_requested": body_model.provider, "provider": None}
    return _json(posted_summary(body_model, asked)).body


# -- the local user and the app's settings ---------------------------------------------------
@router.get("/users/me", response_model=UserMe, summary="The local user (the OS account running the app)")
async def users_me():
    return _json(local_user.me())


@router.get("/users/me/settings", response_model=UserSettings, summary="The app's own display settings")
async def users_me_settings():
    return _json(local_user.settings())


# -- messages and meetings: a desktop app has none ---------------------------------------------
@router.get("/messages", response_model=list[Message], responses=R422,
            summary="Messages: always empty (the desktop app has no inbox)")
async def messages(read: bool | None = None, archived: bool | None = None,
                   limit: Annotated[int, Query(ge=1, le=100)] = 50):
    return Response(_EMPTY_LIST, media_type="application/json")


@router.get("/messages/unread-count", response_model=UnreadCount, summary="Unread messages: always 0")
async def unread_count():
    return Response(b'{"count":0}', media_type="application/json")


@router.get("/meetings", response_model=list[Meeting], responses=R422,
            summary="Meetings: always empty (the desktop app has no calendar)")
async def meetings(start_date: DateQ = None, end_date: DateQ = None):
    return Response(_EMPTY_LIST, media_type="application/json")


# -- search ---------------------------------------------------------------------------------------
@router.get("/search", response_model=list[SearchHit], responses=R422,
            summary="Dashboards, pages, KPIs and drill-downs whose name matches q")
async def search_route(q: Annotated[str, Query(max_length=200, description="words to find (all must match)")] = "",
                       limit: Annotated[int, Query(ge=1, le=100)] = 10):
    return _json(search(q, limit))
