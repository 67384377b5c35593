"""One pure-ASGI middleware: bearer token, body cap, Server-Timing, JSON request logs.

Pure ASGI (not BaseHTTPMiddleware) because it wraps every request, including
the cache hits that must cost well under a millisecond.
"""

from __future__ import annotations

import hmac
import json
import logging
import time

from starlette.exceptions import HTTPException

from . import routes_client, routes_events
from .common import etag_matches
from .routes_dashboard import DASHBOARD_PATH, fast_key
from .routes_domains import fast_keys

# cached GETs the middleware answers without routing: path -> cache key of a plain query
FAST_PATHS = {DASHBOARD_PATH: fast_key, **fast_keys()}
# hot POSTs it answers without routing when the body is valid: path -> handler(ctx, scope, body)
# giving the answer's bytes, or None to hand the request to the router (errors, other cases)
FAST_POSTS = {"/api/events": routes_events.fast_post, "/api/ai-summary": routes_client.fast_post}

ACCESS_LOG = logging.getLogger("execdash_desktop.api.access")


def _json_response(status: int, body: dict, extra_headers: list | None = None):
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    return ({"type": "http.response.start", "status": status, "headers": headers + (extra_headers or [])},
            {"type": "http.response.body", "body": data})


def _is_json(scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == b"application/json"
    return False


async def _buffered(receive):
    """The whole body (already capped by its Content-Length), and a receive that
    hands it over again: (None, receive) when the client disconnected first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, receive
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay():
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


class ApiMiddleware:
    def __init__(self, app, token: str | None = None, max_body_bytes: int = 64 * 1024, ctx=None):
        self.app = app
        self._expected = f"Bearer {token}".encode() if token else None
        self.max_body = max_body_bytes
        self.ctx = ctx  # for the dashboard's cache-hit fast path

    def _hit(self, scope) -> tuple | None:
        """A cached answer for a plain GET of the dashboard or a domain page, without routing
        (the hot path)."""
        key_of = FAST_PATHS.get(scope["path"]) if self.ctx is not None and scope["method"] == "GET" else None
        if key_of is None:
            return None
        key = key_of(scope.get("query_string", b""))
        entry = self.ctx.fresh(key) if key is not None else None
        if entry is None:
            return None
        headers = [(b"etag", entry.etag.encode()), (b"cache-control", b"no-cache")]
        for name, value in scope["headers"]:
            if name == b"if-none-match" and etag_matches(value.decode("latin-1"), entry.etag):
                return ({"type": "http.response.start", "status": 304, "headers": headers},
                        {"type": "http.response.body", "body": b""})
        headers += [(b"content-length", str(len(entry.body)).encode()),
                    (b"content-type", b"application/json")]
        return ({"type": "http.response.start", "status": 200, "headers": headers},
                {"type": "http.response.body", "body": entry.body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()
        auth = b""
        length = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                auth = value
            elif name == b"content-length":
                length = value
        info = {"status": 0, "bytes": 0}

        async def reply(status: int, body: dict, headers: list | None = None) -> None:
            start, msg = _json_response(status, body, headers)
            await send_wrapper(start)
            await send_wrapper(msg)

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                info["status"] = message["status"]
                parts = [f"app;dur={(time.perf_counter() - t0) * 1000:.2f}"]
                state = scope.get("state") or {}
                if "timing" in state:
                    parts.extend(state["timing"])
                message = dict(message)
                message["headers"] = [*message.get("headers", ()),
                                      (b"server-timing", ", ".join(parts).encode())]
            elif message["type"] == "http.response.body":
                info["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            if self._expected is not None and not (auth and hmac.compare_digest(auth, self._expected)):
                await reply(401, {"error": "unauthorized",
                                  "detail": "this server needs the header 'Authorization: Bearer <token>'"},
                            [(b"www-authenticate", b'Bearer realm="execdash"')])
                return
            if length is not None:
                try:
                    n = int(length)
                except ValueError:
                    await reply(400, {"error": "bad_request", "detail": "invalid Content-Length"})
                    return
                if n > self.max_body:
                    await reply(413, {"error": "payload_too_large",
                                      "detail": f"request body over {self.max_body} bytes"})
                    return

            hit = self._hit(scope)
            if hit is not None:
                scope.setdefault("state", {})
                scope["state"]["cache"] = "hit"
                scope["state"]["timing"] = ['cache;desc="hit"']
                await send_wrapper(hit[0])
                await send_wrapper(hit[1])
                return

            if length is not None and scope["method"] == "POST" and self.ctx is not None:
                handler = FAST_POSTS.get(scope["path"])
                if handler is not None and _is_json(scope):
                    body, receive = await _buffered(receive)
                    if body is None:
                        return  # the client went away
                    answer = await handler(self.ctx, scope, body)
                    if answer is not None:
                        await send_wrapper({"type": "http.response.start", "status": 200, "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(answer)).encode())]})
                        await send_wrapper({"type": "http.response.body", "body": answer})
                        return

            seen = 0
            max_body = self.max_body

            async def capped_receive():
                nonlocal seen
                message = await receive()
                if message["type"] == "http.request":
                    seen += len(message.get("body", b""))
                    if seen > max_body:
                        raise HTTPException(413, f"request body over {max_body} bytes")
                return message

            await self.app(scope, capped_receive, send_wrapper)
        finally:
            if ACCESS_LOG.isEnabledFor(logging.INFO):
                ACCESS_LOG.info(json.dumps({
                    "ts": round(time.time(), 3), "method": scope["method"], "path": scope["path"],
                    "query": scope.get("query_string", b"").decode("latin-1")[:200],
                    "status": info["status"], "bytes": info["bytes"],
                    "ms": round((time.perf_counter() - t0) * 1000, 3),
                    "client": (scope.get("client") or ("", 0))[0],
                    "cache": (scope.get("state") or {}).get("cache"),
                }))
