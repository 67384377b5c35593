"""POST /api/events and GET /api/quality-gates.

An event is stored in one transaction (event row, then its meta rows) and
answered with its id only once committed. With `EDB_EVENTS_ASYNC=1` requests
are handed to `BatchWriter`, which commits whatever has queued up in one
transaction (group commit): same contract, fewer commits and rollup re-stamps.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
from concurrent.futures import Future
from datetime import datetime, timezone

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from .. import metrics
from .common import R422, R503, ctx_of
from .context import ApiContext
from .schemas import ErrorBody, EventIn, EventLogged, QualityGates

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["events"])

BATCH_MAX = 512


class BatchWriter:
    """A thread that commits queued events in batches; each caller gets its id."""

    def __init__(self, ctx: ApiContext):
        self.ctx = ctx
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="execdash-events", daemon=True)
        self._thread.start()
        self.batches = 0

    def submit(self, event: tuple) -> Future:
        fut: Future = Future()
        self._q.put((event, fut))
        return fut

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            batch = [item]
            stop = False
            while len(batch) < BATCH_MAX:
                try:
                    nxt = self._q.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list) -> None:
        writer = self.ctx.writer
        try:
            ids = self.ctx.write_events(writer.record_many, [ev for ev, _ in batch])
            self.batches += 1
        except ValueError:
            # one bad event must not sink the others: retry one by one
            for ev, fut in batch:
                try:
                    fut.set_result(self.ctx.write_events(writer.record, *ev))
                except Exception as exc:
                    fut.set_exception(exc)
            return
        except Exception as exc:  # locked past busy_timeout, disk full...: each caller gets it (503)
            for _, fut in batch:
                fut.set_exception(exc)
            return
        for (_, fut), eid in zip(batch, ids):
            fut.set_result(eid)

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        self._q.put(None)
        self._thread.join(timeout=30)


@router.post("/events", response_model=EventLogged,
             responses={**R422, **R503, 400: {"model": ErrorBody, "description": "the body is not readable "
                                                          "(not UTF-8 JSON)"},
                        413: {"model": ErrorBody, "description": "body too large"}},
             summary="Record an analytics / RUM event (user_events + user_event_meta)")
async def post_event(request: Request, body: EventIn):
    eid = await log_event(ctx_of(request), body, request.scope)
    # EventLogged, written directly: this route runs a thousand times a second
    return Response(b'{"status":"logged","id":%d}' % eid, media_type="application/json")


def event_of(body: EventIn) -> tuple:
    """(event_type, meta rows, UTC time) to store; RequestValidationError (422, nothing
    stored) for a time or meta the writer refuses. Validated here, not in the writer thread."""
    try:
        when = metrics.to_utc_text(body.event_time or datetime.now(timezone.utc))
        return body.event_type, metrics.client_meta_rows(body.meta_dict()), when
    except ValueError as exc:
        raise invalid("event_time" if "event_time" in str(exc) else "meta", str(exc)) from None


async def log_event(ctx: ApiContext, body: EventIn, scope: dict) -> int:
    """Store one validated event; its id once committed."""
    event = event_of(body)
    scope.setdefault("state", {})["cache"] = "write"
    try:
        if ctx.settings.events_async:
            if ctx.batcher is None:
                ctx.batcher = BatchWriter(ctx)
            return await asyncio.wrap_future(ctx.batcher.submit(event))
        # one transaction per request; inline when it cannot block (a thread
        # hop costs more than the write), on a worker when it may wait
        eid = ctx.write_events(ctx.writer.try_record, *event)
        if eid is None:
            eid = await run_in_threadpool(ctx.write_events, ctx.writer.record, *event)
        return eid
    except ValueError as exc:
        raise invalid("body", str(exc)) from None


async def fast_post(ctx: ApiContext, scope: dict, body: bytes) -> bytes | None:
    """POST /api/events without the router (ApiMiddleware): the answer for a valid event
    written at once, else None and the router handles the request as usual (its 422, a
    wait for a locked file, 503...), so no failure is met twice.

    Validated as FastAPI does (json.loads, then the model in Python mode), so the
    two paths accept exactly the same bodies; the router costs ~1 ms a request."""
    if ctx.settings.events_async:
        return None  # the batch writer's path: the router's
    try:
        event = event_of(EventIn.model_validate(json.loads(body)))
    except (ValueError, RequestValidationError):  # pydantic's ValidationError and JSON errors alike
        return None
    try:
        eid = ctx.write_events(ctx.writer.try_record, *event)  # never waits: None when it would
    except Exception:  # refused before anything was stored: the router answers the error
        return None
    if eid is None:
        return None
    scope.setdefault("state", {})["cache"] = "write"
    return b'{"status":"logged","id":%d}' % eid


def invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": "value_error"}])


@router.get("/quality-gates", response_model=QualityGates, responses=R503,
            summary="P95 of each RUM metric over the last 7 and 30 days against its target")
async def quality_gates(request: Request):
    ctx = ctx_of(request)
    now = datetime.now(timezone.utc)
    gates = await ctx.run_db(metrics.quality_gates, ctx.path, now)

    def overall(field: str):
        seen = [g[field] for g in gates if g[field] is not None]
        return all(seen) if seen else None

    return {"generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "gates": gates,
            "pass_7d": overall("pass_7d"), "pass_30d": overall("pass_30d")}
