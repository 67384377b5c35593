"""RUM / analytics events: one writer into `user_events` + `user_event_meta`, and the P95 gates.

Seed 002 sections 8-9 and api-contract.md: the window and the embedded API
record timing events (`meta` keys such as `ttfb_ms`) and the app judges them
against the PRD's targets by their P95 over the last 7 and 30 days.

- events.py: what an event may hold (types, metric keys), checked and
  normalised (`normalize_meta`, `to_utc_text`);
- writer.py: `MetricsWriter`, the only code that writes to a user's data
  file, and only to `user_events` / `user_event_meta`, one transaction per
  event (or per batch). It never creates a table in a user's file: a
  read-only or table-less file sends events to a side file in the user data
  folder (`side_file_for`). After each commit it re-stamps the orders rollup
  (`rollup.note_own_write`), since metric writes never touch `orders`;
- gates.py: `quality_gates`, `passes` and the `TARGETS`.

No Qt here: the window calls it from a worker thread, the API from its pool.
"""

from __future__ import annotations

from .. import store  # noqa: F401  (tests patch store through here)
from ..paths import user_data_dir  # noqa: F401
from .events import (EVENT_TYPES, MAX_META_KEY_CHARS, MAX_META_KEYS, MAX_RAW_BYTES, METRIC_KEYS, Event, MetaRows,
                     client_meta_rows, normalize_meta, to_utc_text)
from .gates import TARGETS, passes, quality_gates
from .writer import MetricsWriter, metrics_schema_sql, side_file_for

__all__ = ["EVENT_TYPES", "MAX_META_KEY_CHARS", "MAX_META_KEYS", "MAX_RAW_BYTES", "METRIC_KEYS", "Event", "MetaRows",
           "client_meta_rows", "normalize_meta", "to_utc_text", "TARGETS",
           "passes", "quality_gates", "MetricsWriter", "metrics_schema_sql", "side_file_for"]
