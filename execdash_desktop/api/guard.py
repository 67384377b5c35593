"""Slow and greedy clients: read deadlines and a cap on open connections.

uvicorn's h11 protocol has a keep-alive timeout but no deadline for a request
that is still arriving, and it accepts connections until the process runs out
of file descriptors: 1,100 clients sending half their headers starved every
other request. `guarded_protocol` adds, per connection:

- a header deadline: from the connection's opening (or the end of the previous
  response) to the end of the request's headers; missed: 408 and close;
- a body deadline: from the end of the headers to the end of the body; missed:
  408 if no response was started, and close (the app sees a disconnect);
- a cap on open connections: beyond it a new one is answered 503 at once and
  closed, so its descriptor is freed before any request is read.

All of this happens before the token is checked: no request reaches the app
until its headers are in.
"""

from __future__ import annotations

import asyncio
import json
import os

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 5.0
BODY_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 512
# asyncio accepts up to `backlog` connections per wake-up, and a refused one
# keeps its descriptor for three more loop turns (protocol task, connection_made,
# connection_lost), while each turn may accept another batch: the cap plus four
# batches must stay under the process's limit (uvicorn's default backlog of 2048
# alone passes 1024; with one batch of headroom a CI run hit EMFILE)
ACCEPT_BACKLOG = 100
_BATCHES_IN_FLIGHT = 4
_FD_HEADROOM = 64  # descriptors kept for the data file, its readers, logs...


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def connection_cap() -> int:
    """`EDB_MAX_CONNECTIONS` (default 512), kept below the process's descriptor limit."""
    try:
        cap = int(os.environ.get("EDB_MAX_CONNECTIONS", MAX_CONNECTIONS))
    except ValueError:
        cap = MAX_CONNECTIONS
    try:
        import resource  # Unix only

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft != resource.RLIM_INFINITY:
            cap = min(cap, max(8, soft - _FD_HEADROOM - _BATCHES_IN_FLIGHT * ACCEPT_BACKLOG))
    except (ImportError, OSError, ValueError):
        pass
    return max(1, cap)


def _raw_response(status: int, reason: str, error: str, detail: str, retry_after: int | None = None) -> bytes:
    body = json.dumps({"error": error, "detail": detail}).encode()
    head = [f"HTTP/1.1 {status} {reason}", "content-type: application/json",
            f"content-length: {len(body)}", "connection: close"]
    if retry_after is not None:
        head.append(f"retry-after: {retry_after}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class _GuardedH11(H11Protocol):
    header_timeout = HEADER_TIMEOUT_S
    body_timeout = BODY_TIMEOUT_S
    max_connections = MAX_CONNECTIONS
    refused = 0  # connections refused over the cap (per server: each gets its own class)

    # one timer per connection, re-armed only when it fires early: moving the
    # deadline on each request is two attribute writes, not a heap push + cancel
    _timer: asyncio.TimerHandle | None = None
    _deadline_for: str | None = None  # "headers", "body", or None (the app is answering)
    _deadline_at = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            type(self).refused += 1
            if type(self).refused % 100 == 1:  # a flood of refusals is one line per hundred
                self.logger.warning("refused connection #%d: %d open, the cap is %d",
                                    type(self).refused, len(self.connections) - 1, self.max_connections)
            transport.write(_raw_response(
                503, "Service Unavailable", "too_many_connections",
                f"the server has {self.max_connections} connections open, its limit; retry shortly", 1))
            transport.close()
            return
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    # -- deadlines -------------------------------------------------------------
    def _waiting_for(self) -> str | None:
        """What the connection waits on from the client: headers, body, or nothing."""
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return "headers"  # no request yet, or between keep-alive requests
        if cycle.more_body and not cycle.response_started:
            return "body"
        return None  # the app is answering

    def _follow(self) -> None:
        want = self._waiting_for()
        if want == self._deadline_for:
            return  # still on the same clock (a slow body does not reset it)
        self._deadline_for = want
        if want is None:
            return
        self._deadline_at = self.loop.time() + (self.header_timeout if want == "headers" else self.body_timeout)
        if self._timer is None and not self.transport.is_closing():
            self._timer = self.loop.call_at(self._deadline_at, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if self.transport.is_closing() or self._deadline_for is None:
            return
        if self.loop.time() < self._deadline_at:  # the deadline moved on meanwhile
            self._timer = self.loop.call_at(self._deadline_at, self._on_timer)
            return
        self._on_deadline(self._deadline_for)

    def _on_deadline(self, what: str) -> None:
        cycle = self.cycle
        idle = what == "headers" and (cycle is None or cycle.response_complete) and not self.conn.trailing_data[0]
        if not idle:  # a request is under way: tell the client why it ends
            timeout = self.header_timeout if what == "headers" else self.body_timeout
            self.transport.write(_raw_response(
                408, "Request Timeout", "request_timeout",
                f"the request's {what} did not arrive within {timeout:g} s"))
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        self.transport.close()


def guarded_protocol(header_timeout: float | None = None, body_timeout: float | None = None,
                     max_connections: int | None = None) -> type[H11Protocol]:
    """The h11 protocol class with these limits (defaults: `EDB_HEADER_TIMEOUT_S`,
    `EDB_BODY_TIMEOUT_S`, `EDB_MAX_CONNECTIONS`, else 5 s, 10 s, 512)."""
    attrs = {
        "refused": 0,
        "header_timeout": header_timeout or _env_float("EDB_HEADER_TIMEOUT_S", HEADER_TIMEOUT_S),
        "body_timeout": body_timeout or _env_float("EDB_BODY_TIMEOUT_S", BODY_TIMEOUT_S),
        "max_connections": max_connections or connection_cap(),
    }
    return type("GuardedH11Protocol", (_GuardedH11,), attrs)
