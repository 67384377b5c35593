"""RUM events: what an event may hold, checked and normalised before anything is written."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Mapping

EVENT_TYPES: frozenset[str] = frozenset({
    # the seed's analytics events (001 section 2, 002 section 4)
    "switch_range_or_granularity", "drilldown", "alert_click", "export_csv",
    # the app's own timing events
    "page_load", "refresh", "switch", "alerts_poll", "drilldown_timing", "app_start",
})

METRIC_KEYS: tuple[str, ...] = ("ttfb_ms", "render_total_ms", "switch_latency_ms",
                                "alerts_poll_interval_ms", "drilldown_duration_ms",
                                "drilldown_clicks")

MAX_RAW_BYTES = 8192
MAX_META_KEYS = 32  # a client's meta: at most this many keys (rows) per event
MAX_META_KEY_CHARS = 64
_METRIC_SET = frozenset(METRIC_KEYS)
_EVENT_COLS = {"id", "event_type", "event_time"}
_META_COLS = {"event_id", "metric", "v", "raw"}
_READONLY_MARKERS = ("readonly database", "read-only", "unable to open database", "disk i/o error")

Event = tuple  # (event_type, meta, event_time) or (event_type, meta, event_time, raw)


# Validation ------------------------------------------------------------------
def _fmt_time(dt: datetime) -> str:
    # explicit widths: strftime's %Y does not pad years before 1000 on every platform
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} "
            f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}.{dt.microsecond // 1000:03d}")


def to_utc_text(event_time: datetime | str | None, now: datetime | None = None) -> str:
    """An event time as stored: UTC `YYYY-MM-DD HH:MM:SS.fff`.

    Accepts a datetime or ISO-8601 text; a time without an offset is taken as
    UTC already. None means now. Raises ValueError naming the value.
    """
    if event_time is None:
        dt = now or datetime.now(timezone.utc)
    elif isinstance(event_time, datetime):
        dt = event_time
    elif isinstance(event_time, str):
        try:
            dt = datetime.fromisoformat(event_time.strip())
        except ValueError:
            raise ValueError(f"invalid event_time {event_time!r}: expected ISO-8601, "
                             "e.g. 2026-01-31T09:30:00Z") from None
    else:
        raise ValueError(f"invalid event_time {event_time!r}: expected ISO-8601 text or a datetime")
    try:
        if dt.tzinfo is not None:
            dt = dt.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValueError(f"invalid event_time {event_time!r}: out of range in UTC") from None
    return _fmt_time(dt)


def normalize_meta(meta: Mapping | None) -> dict[str, float | None]:
    """Both `meta` forms of api-contract.md -> {metric: value}; ValueError names the problem.

    `{"metric": "ttfb_ms", "v": 123}` (one metric) or `{"ttfb_ms": 123, ...}`
    (flat). Keys must be METRIC_KEYS; values finite numbers >= 0 (not bool), or
    None (stored as NULL, ignored by the gates).
    """
    if meta is None:
        return {}
    if not isinstance(meta, Mapping):
        raise ValueError(f"invalid meta {meta!r}: expected an object")
    if "metric" in meta and set(meta) <= {"metric", "v"}:
        if "v" not in meta:
            raise ValueError("invalid meta: the one-metric form needs both 'metric' and 'v'")
        meta = {meta["metric"]: meta["v"]}
    out: dict[str, float | None] = {}
    for key, value in meta.items():
        if key not in _METRIC_SET:
            raise ValueError(f"unknown metric {key!r}: expected one of {', '.join(METRIC_KEYS)}")
        if value is None:
            out[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"invalid value {value!r} for metric {key}: expected a number")
        v = float(value)
        if not math.isfinite(v) or v < 0:
            raise ValueError(f"invalid value {value!r} for metric {key}: expected a finite number >= 0")
        out[key] = v
    return out


class MetaRows(tuple):
    """A client's meta already in the seed system's storage form: (metric, v, raw) rows."""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def client_meta_rows(meta: Mapping | None) -> MetaRows:
    """A web client's `meta` stored as the seed system stores it (api-contract.md).

    Every key is a row: the number in `v` when the value is a JSON number, else
    `v` NULL, and the pair `{key: value}` as JSON in `raw`. The known timing
    keys (METRIC_KEYS) must be finite numbers >= 0; `{"metric": k, "v": x}`
    (exactly those two keys) is the one-metric form of the pair (k, x).
    At most MAX_META_KEYS keys of at most MAX_META_KEY_CHARS characters.
    ValueError names the key at fault.
    """
    if meta is None:
        return MetaRows()
    if not isinstance(meta, Mapping):
        raise ValueError(f"invalid meta {meta!r}: expected an object")
    pairs = list(meta.items())
    if set(meta) == {"metric", "v"} and isinstance(meta["metric"], str):
        pairs = [(meta["metric"], meta["v"])]
    if len(pairs) > MAX_META_KEYS:
        raise ValueError(f"invalid meta: {len(pairs)} keys, at most {MAX_META_KEYS}")
    rows = []
    for key, value in pairs:
        if not isinstance(key, str) or not key or len(key) > MAX_META_KEY_CHARS:
            raise ValueError(f"invalid meta key {key!r}: expected 1 to {MAX_META_KEY_CHARS} characters")
        v = _number(value)
        if key in _METRIC_SET and (v is None or v < 0):
            raise ValueError(f"invalid value {value!r} for metric {key}: expected a finite number >= 0")
        try:
            raw = json.dumps({key: value}, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid meta {key}: not JSON ({exc})") from None
        try:
            size = len(raw.encode())
        except UnicodeEncodeError:
            raise ValueError(f"invalid meta {key!r}: not valid Unicode (a lone surrogate)") from None
        if size > MAX_RAW_BYTES:
            raise ValueError(f"invalid meta {key}: larger than {MAX_RAW_BYTES} bytes")
        rows.append((key, v, raw))
    return MetaRows(rows)


def _check_event(event_type: object, meta, event_time, raw) -> tuple[str, str, list[tuple], str | None]:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event_type {event_type!r}: expected one of "
                         f"{', '.join(sorted(EVENT_TYPES))}")
    if isinstance(meta, MetaRows):  # checked by client_meta_rows
        return str(event_type), to_utc_text(event_time), list(meta), None
    values = normalize_meta(meta)
    when = to_utc_text(event_time)
    raw_text = None
    if raw is not None:
        if not isinstance(raw, Mapping):
            raise ValueError(f"invalid raw {raw!r}: expected an object")
        try:
            raw_text = json.dumps(raw, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid raw: not JSON ({exc})") from None
        if len(raw_text.encode()) > MAX_RAW_BYTES:
            raise ValueError(f"invalid raw: larger than {MAX_RAW_BYTES} bytes")
    rows = [(k, v, raw_text) for k, v in values.items()]
    if not rows and raw_text is not None:
        rows = [("_raw", None, raw_text)]  # keep the context of an event without metrics
    return str(event_type), when, rows, raw_text
