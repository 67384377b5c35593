"""What the routes share: query parameters, documented error responses, cached replies."""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Query, Request
from fastapi.responses import Response

from .. import months as mo
from .context import ApiContext, Entry, make_entry
from .schemas import ErrorBody, GranularityName, RangeName, ValidationErrorBody

# ASCII digits: `\d` also matches other scripts' digits in Python and Rust but
# not in the ECMA regex dialect OpenAPI speaks, so schema and server disagreed
AS_OF_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_AS_OF = re.compile(AS_OF_PATTERN)


def plain_query(query_string: bytes, bys: tuple[str, ...] = ()) -> dict | None:
    """The parameters of a plain, valid query (range, granularity, as_of, and `by` when
    `bys` are given) as the route would read them, else None: the middleware answers
    cache hits for these without routing; anything unusual (an unknown or repeated
    parameter, a value the route would reject) goes the normal way."""
    params: dict = {"range": "12m", "granularity": "month", "as_of": None}
    if bys:
        params["by"] = None
    if query_string:
        try:
            pairs = parse_qsl(query_string.decode("ascii"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            return None
        seen = set()
        for k, v in pairs:
            if k not in params or k in seen:
                return None
            seen.add(k)
            params[k] = v
    as_of, by = params["as_of"], params.get("by")
    if (params["range"] not in mo.RANGES or params["granularity"] not in mo.GRANULARITIES
            or (as_of is not None and not _AS_OF.match(as_of)) or (by is not None and by not in bys)):
        return None
    return params

RangeQ = Annotated[RangeName, Query(description="the window: " + ", ".join(mo.RANGES))]
GranularityQ = Annotated[GranularityName, Query(description="how the trend is bucketed")]
AsOfQ = Annotated[str | None, Query(pattern=AS_OF_PATTERN, description="as-of month YYYY-MM, ASCII "
                                    "digits, one the file has a revenue_trend row for (else 422 naming "
                                    "the months it has; default: the latest revenue_trend month)")]

R422 = {422: {"model": ValidationErrorBody, "description": "a parameter or body field is invalid"}}
R503 = {503: {"model": ErrorBody, "description": "a table this route needs is missing, "
                                                 "or the data file cannot be read"}}
R304 = {304: {"description": "not modified (If-None-Match matched the ETag)"}}


def ctx_of(request: Request) -> ApiContext:
    return request.app.state.ctx


def note(request: Request, cache: str, extra: str | None = None) -> None:
    """Tell the middleware what happened (Server-Timing, request log)."""
    state = request.scope.setdefault("state", {})
    state["cache"] = cache
    timing = [f'cache;desc="{cache}"']
    if extra:
        timing.append(extra)
    state["timing"] = timing


def etag_matches(header: str, etag: str) -> bool:
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or tag == etag or tag.removeprefix("W/") == etag:
            return True
    return False


def reply(request: Request, entry: Entry, cache: str) -> Response:
    note(request, cache)
    headers = {"ETag": entry.etag, "Cache-Control": "no-cache"}
    inm = request.headers.get("if-none-match")
    if inm and etag_matches(inm, entry.etag):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type="application/json", headers=headers)


def clean(value: Any) -> Any:
    """A value from a user's SQLite file made JSON-safe (no NaN, no bytes)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def json_entry(doc: Any, stamp: Any) -> Entry:
    body = json.dumps(clean(doc), ensure_ascii=False, allow_nan=False).encode()
    return make_entry(body, stamp)
