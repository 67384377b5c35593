"""RUM / analytics events: one writer into `user_events` + `user_event_meta`, and the P95 gates.

Seed 002 sections 8-9 and api-contract.md: the window and the embedded API
record timing events (`meta` keys such as `ttfb_ms`) and the app judges them
against the PRD's targets by their P95 over the last 7 and 30 days.

Rules this module keeps:
- It is the only code that writes to a user's data file, and only to
  `user_events` / `user_event_meta`, one transaction per event (or per batch).
- It never creates a table in a user's file. When the file is read-only or has
  no usable metrics tables, events go to a side file in the user data folder
  (`side_file_for`), which holds just those two tables; nothing is lost.
- After each commit to the data file it re-stamps the orders rollup
  (`rollup.note_own_write`), since metric writes never touch `orders`.

No Qt here: the window calls it from a worker thread, the API from its pool.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable, Mapping

from . import data_time, rollup, store
from .errors import DataFileError, MetricsNotSaved
from .paths import file_key, user_data_dir

EVENT_TYPES: frozenset[str] = frozenset({
    # the seed's analytics events (001 section 2, 002 section 4)
    "switch_range_or_granularity", "drilldown", "alert_click", "export_csv",
    # the app's own timing events
    "page_load", "refresh", "switch", "alerts_poll", "drilldown_timing", "app_start",
})

METRIC_KEYS: tuple[str, ...] = ("ttfb_ms", "render_total_ms", "switch_latency_ms",
                                "alerts_poll_interval_ms", "drilldown_duration_ms",
                                "drilldown_clicks")

# The PRD's acceptance numbers (002 sections 2 and 9), judged on the P95.
# comparison: P95 "<" or "<=" `target`, or "between": low <= P95 <= high (the 30 s
# alerts poll, with the seed's +-5 s jitter). `text` is for display.
TARGETS: dict[str, dict] = {
    "ttfb_ms": {"target": 300.0, "comparison": "<", "unit": "ms", "text": "< 300 ms"},
    "render_total_ms": {"target": 1000.0, "comparison": "<", "unit": "ms", "text": "< 1000 ms"},
    "switch_latency_ms": {"target": 200.0, "comparison": "<", "unit": "ms", "text": "< 200 ms"},
    "alerts_poll_interval_ms": {"target": 30000.0, "comparison": "between", "low": 25000.0,
                                "high": 35000.0, "unit": "ms", "text": "~30000 ms (25000..35000)"},
    "drilldown_duration_ms": {"target": 1000.0, "comparison": "<", "unit": "ms", "text": "< 1000 ms"},
    "drilldown_clicks": {"target": 2.0, "comparison": "<=", "unit": "clicks", "text": "<= 2 clicks"},
}

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


# The side file ---------------------------------------------------------------
def side_file_for(data_path: str | os.PathLike) -> Path:
    """Where events of a read-only / table-less data file go (user data folder)."""
    d = user_data_dir() / "metrics"
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{file_key(data_path)}.sqlite"


def _metrics_folder() -> Path | None:
    try:
        return user_data_dir() / "metrics"
    except OSError:
        return None


def _not_saved(folder: Path | str | None, exc: BaseException) -> str:
    why = getattr(exc, "strerror", None) or str(exc)
    where = folder or os.environ.get("EXECDASH_DATA_DIR") or "the app's data folder"
    return f"the metrics could not be saved in {where} ({why}); the dashboard's numbers are unaffected"


def _create_side_file(side: Path) -> None:
    """A new side file with the two tables, built under a temporary name: a full
    disk leaves no half-made file that later opens would trip over."""
    tmp = side.with_name(f".{side.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        init = sqlite3.connect(tmp)
        try:
            init.executescript(metrics_schema_sql())
            init.commit()
        finally:
            init.close()
        os.replace(tmp, side)
    finally:
        for p in (tmp, Path(f"{tmp}-journal")):
            p.unlink(missing_ok=True)


def metrics_schema_sql() -> str:
    """The statements of init_schema.sql that create the two metrics tables and their indexes."""
    keep = []
    for stmt in store.schema_sql().split(";"):
        body = "\n".join(line for line in stmt.splitlines() if not line.strip().startswith("--")).strip()
        if re.match(r"CREATE\s+(TABLE|INDEX)", body, re.I) and re.search(
                r"\b(TABLE\s+IF\s+NOT\s+EXISTS\s+user_event(s|_meta)\b|ON\s+user_event(s|_meta)\s*\()",
                body, re.I):
            keep.append(body + ";")
    return "\n".join(keep)


def _has_metric_tables(conn: sqlite3.Connection, schema: str = "main") -> bool:
    names = {r[0] for r in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type='table'")}
    if "user_events" not in names or "user_event_meta" not in names:
        return False
    ev = {r[1] for r in conn.execute(f'PRAGMA {schema}.table_info("user_events")')}
    me = {r[1] for r in conn.execute(f'PRAGMA {schema}.table_info("user_event_meta")')}
    return _EVENT_COLS <= ev and _META_COLS <= me


def _is_readonly_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(m in text for m in _READONLY_MARKERS)


class _Unusable(Exception):
    """The data file cannot take our rows (read-only, odd table shape): use the side file."""


# The writer -------------------------------------------------------------------
class MetricsWriter:
    """The one writer of RUM events for a data file; thread-safe.

    Opens a single connection lazily (store.open_writer): to the data file when
    it is writable and already has `user_events` + `user_event_meta`, else to
    the side file. `listeners` are called with (stamp_before, stamp_after)
    after each commit to the data file, so caches keyed by the file's stamp can
    tell the app's own writes from a real change.
    """

    def __init__(self, data_path: str | os.PathLike):
        self.data_path = Path(data_path).expanduser().resolve()
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._target: Path | None = None
        self._closed = False
        self.listeners: list[Callable[[list, list], None]] = []
        self.written = 0  # events committed by this writer

    # -- target ----------------------------------------------------------------
    @property
    def target_path(self) -> Path:
        with self._lock:
            self._ensure()
            assert self._target is not None
            return self._target

    @property
    def uses_side_file(self) -> bool:
        return self.target_path != self.data_path

    def _data_file_usable(self) -> bool:
        """Writable, and already has both metrics tables (checked read-only first,
        so a file we will not write to is not even switched to WAL)."""
        if not store.is_writable(self.data_path):
            return False
        reader = store.open_reader(self.data_path)
        try:
            return _has_metric_tables(reader)
        finally:
            reader.close()

    def _ensure(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("MetricsWriter is closed")
        if self._conn is not None:
            return self._conn
        store.check_path(self.data_path)
        if self._data_file_usable():
            conn = None
            try:
                conn = store.open_writer(self.data_path, wal=False)
                self._switch_journal(conn)
                usable = _has_metric_tables(conn)
            except (DataFileError, sqlite3.Error) as exc:
                if conn is not None:
                    conn.close()
                if not _is_readonly_error(exc):
                    raise
                usable = False
            if usable:
                self._conn, self._target = conn, self.data_path
                return conn
            if conn is not None:  # the tables went away under us
                conn.close()
        return self._open_side()

    def _open_side(self) -> sqlite3.Connection:
        folder = _metrics_folder()
        try:
            side = side_file_for(self.data_path)
            if not side.exists():
                _create_side_file(side)
            conn = store.open_writer(side)
            try:
                if not _has_metric_tables(conn):
                    conn.executescript(metrics_schema_sql())
            except sqlite3.Error:
                conn.close()
                raise
        except (OSError, sqlite3.Error, DataFileError) as exc:
            raise MetricsNotSaved(_not_saved(folder, exc)) from exc
        self._conn, self._target = conn, side
        return conn

    def _switch_to_side(self) -> sqlite3.Connection:
        """The data file refused our rows (read-only after all, odd table shape)."""
        if self._conn is not None:
            try:
                self._own_change(self._conn, lambda c: c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())
            except sqlite3.Error:
                pass
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None
        return self._open_side()

    # -- writing ---------------------------------------------------------------
    def record(self, event_type: str, meta: dict[str, float | int | None] | None = None,
               event_time: datetime | str | None = None, raw: dict | None = None) -> int:
        """Validate and store one event with its metrics in one transaction; return its id.

        `meta`: {metric: number >= 0 or None} (flat) or {"metric": key, "v": number};
        keys from METRIC_KEYS. `event_time`: datetime or ISO-8601 text (no offset
        = UTC), default now; stored UTC `YYYY-MM-DD HH:MM:SS.fff`. `raw`: optional
        JSON-able context kept in the `raw` column of the event's meta rows.
        Raises ValueError naming the bad type, key or value (nothing stored), or
        DataFileError when the file stays locked past busy_timeout."""
        return self._write([_check_event(event_type, meta, event_time, raw)])[0]

    def record_many(self, events: Iterable[Event]) -> list[int]:
        """Store a batch in one transaction: all or nothing. Each item is
        (event_type, meta, event_time) or (event_type, meta, event_time, raw)."""
        checked = []
        for i, ev in enumerate(events):
            if not isinstance(ev, (tuple, list)) or not 1 <= len(ev) <= 4:
                raise ValueError(f"invalid event #{i}: expected (event_type, meta, event_time[, raw])")
            ev = tuple(ev) + (None,) * (4 - len(ev))
            try:
                checked.append(_check_event(*ev))
            except ValueError as exc:
                raise ValueError(f"event #{i}: {exc}") from None
        if not checked:
            return []
        return self._write(checked)

    def try_record(self, event_type: str, meta: dict[str, float | int | None] | None = None,
                   event_time: datetime | str | None = None, raw: dict | None = None) -> int | None:
        """record() only if it needs no waiting: the writer is open and free and the
        file is not locked. Else None and nothing is stored (call record() from a
        worker thread then). For an event loop that must never block on a lock."""
        checked = [_check_event(event_type, meta, event_time, raw)]
        if not self._lock.acquire(blocking=False):
            return None
        try:
            conn = self._conn
            if conn is None or self._closed:
                return None  # opening does file work and may wait: not here
            try:
                conn.execute("PRAGMA busy_timeout=0")
                try:
                    conn.execute("BEGIN IMMEDIATE")
                finally:
                    conn.execute(f"PRAGMA busy_timeout={store.busy_timeout_ms()}")
            except sqlite3.Error:
                return None  # busy, or read-only: the blocking path handles it
            own = self._target == self.data_path
            try:
                return self._commit(conn, checked, own_file=own, begun=True)[0]
            except _Unusable:
                return None  # rolled back; record() moves to the side file
        finally:
            self._lock.release()

    def _write(self, checked: list[tuple]) -> list[int]:
        with self._lock:
            conn = self._ensure()
            if self._target == self.data_path:
                try:
                    return self._commit(conn, checked, own_file=True)
                except _Unusable:
                    conn = self._switch_to_side()
            return self._commit(conn, checked, own_file=False)

    def data_version(self) -> int | None:
        """PRAGMA data_version of the writer's connection: it changes only when
        *another* connection commits, so it tells an outside write from ours."""
        with self._lock:
            if self._conn is None:
                return None
            try:
                return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None

    def _commit(self, conn: sqlite3.Connection, checked: list[tuple], own_file: bool,
                begun: bool = False) -> list[int]:
        dv_before = self.data_version() if own_file else None
        stamp_before = rollup.file_stamp(self.data_path) if own_file else None
        ids: list[int] = []
        if not begun:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if own_file and _is_readonly_error(exc):
                    raise _Unusable(str(exc)) from exc
                raise DataFileError(f"{self._target}: cannot write events ({exc})") from exc
        try:
            for event_type, when, rows, _raw in checked:
                cur = conn.execute("INSERT INTO user_events(event_type, event_time) VALUES (?, ?)",
                                   (event_type, when))
                eid = int(cur.lastrowid)
                if rows:
                    conn.executemany(
                        "INSERT INTO user_event_meta(event_id, metric, v, raw) VALUES (?, ?, ?, ?)",
                        [(eid, k, v, r) for k, v, r in rows])
                ids.append(eid)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if own_file and (_is_readonly_error(exc) or isinstance(exc, sqlite3.IntegrityError)
                             or "no column" in str(exc) or "no such" in str(exc)):
                raise _Unusable(str(exc)) from exc
            if not own_file:
                raise MetricsNotSaved(_not_saved(self._target.parent, exc)) from exc
            raise DataFileError(f"{self._target}: cannot write events ({exc})") from exc
        self.written += len(ids)
        if own_file:
            stamp_after = rollup.file_stamp(self.data_path)
            # another connection committing between the two stamps would be
            # credited to us: re-stamp only when nobody else wrote meanwhile
            if self.data_version() == dv_before:
                self._after_own_write(stamp_before, stamp_after)
        return ids

    def _switch_journal(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL and keep the rollup valid, if nobody else committed meanwhile.

        The switch rewrites the header (its change counter + 1) and makes a
        -wal file; neither touches `orders` (listeners hear of it like a
        commit). It also resets the connection's data_version, so another
        commit before it shows as a counter more than one ahead, and one after
        it as a data_version that moved.
        """
        stamp_before = rollup.file_stamp(self.data_path)
        store.enable_wal(conn)
        dv = conn.execute("PRAGMA data_version").fetchone()[0]
        stamp_after = rollup.file_stamp(self.data_path)
        if stamp_after == stamp_before or conn.execute("PRAGMA data_version").fetchone()[0] != dv:
            return
        db_before, db_after = stamp_before[0], stamp_after[0]
        if stamp_before[1] != [0, 0] or len(db_before) < 7 or len(db_after) < 7:
            return  # it was WAL already: any change is someone else's
        if int.from_bytes(bytes(db_after[3:7]), "big") - int.from_bytes(bytes(db_before[3:7]), "big") == 1:
            self._after_own_write(stamp_before, stamp_after)

    def _own_change(self, conn: sqlite3.Connection, change) -> None:
        """Run `change(conn)` (a journal switch, a checkpoint) and keep the rollup valid,
        only when no other connection committed from the stamp before to the stamp after."""
        dv_before = conn.execute("PRAGMA data_version").fetchone()[0]
        stamp_before = rollup.file_stamp(self.data_path)
        change(conn)
        stamp_after = rollup.file_stamp(self.data_path)
        if conn.execute("PRAGMA data_version").fetchone()[0] == dv_before:
            self._after_own_write(stamp_before, stamp_after)

    def _after_own_write(self, stamp_before: list, stamp_after: list | None = None) -> None:
        stamp_after = stamp_after or rollup.file_stamp(self.data_path)
        rollup.note_own_write(self.data_path, stamp_before, stamp_after)
        data_time.note_own_write(self.data_path, stamp_before, stamp_after)
        for fn in list(self.listeners):
            try:
                fn(stamp_before, stamp_after)
            except Exception:  # a listener never breaks the write path
                pass

    def close(self) -> None:
        """Close the connection (SQLite may checkpoint the WAL: re-stamp the rollup)."""
        with self._lock:
            self._closed = True
            conn, self._conn = self._conn, None
            if conn is None:
                return
            own = self._target == self.data_path
            try:
                if own:  # checkpoint now, while we can tell whether anyone else committed
                    self._own_change(conn, lambda c: c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())
            except sqlite3.Error:
                pass
            finally:
                conn.close()  # the WAL is empty: closing it changes no stamp

    def __enter__(self) -> "MetricsWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# Quality gates ----------------------------------------------------------------
_P95_SQL = """
WITH s AS ({samples}),
w AS (
    SELECT metric, v, 30 AS days FROM s
    UNION ALL
    SELECT metric, v, 7 AS days FROM s WHERE t >= :cut7
),
r AS (
    SELECT metric, days, v,
           ROW_NUMBER() OVER (PARTITION BY metric, days ORDER BY v) AS rn,
           COUNT(*) OVER (PARTITION BY metric, days) AS n
    FROM w
)
SELECT metric, days, n, v FROM r WHERE rn = (n * 95 + 99) / 100
"""

_SAMPLES_SQL = """
SELECT m.metric AS metric, m.v AS v, e.event_time AS t
FROM {schema}.user_events AS e JOIN {schema}.user_event_meta AS m ON m.event_id = e.id
WHERE e.event_time >= :cut30 AND e.event_time <= :now
  AND m.v IS NOT NULL AND m.metric IN ({metrics})
"""


_UNMEASURED_SQL = """
SELECT m.metric, SUM(e.event_time >= :cut7), COUNT(*)
FROM {schema}.user_events AS e JOIN {schema}.user_event_meta AS m ON m.event_id = e.id
WHERE e.event_time >= :cut30 AND e.event_time <= :now
  AND m.v IS NULL AND m.metric IN ({metrics})
GROUP BY m.metric
"""


def _unmeasured_rows(conn: sqlite3.Connection, schemas: list[str], now: datetime) -> dict:
    """metric -> (7-day, 30-day) count of waits the app could not measure (stored as NULL:
    the screen never painted, say a hidden window), so they are counted, not made up."""
    metrics = ", ".join(f"'{m}'" for m in METRIC_KEYS)
    params = {"now": _fmt_time(now), "cut7": _fmt_time(now - timedelta(days=7)),
              "cut30": _fmt_time(now - timedelta(days=30))}
    out: dict[str, tuple[int, int]] = {}
    for schema in schemas:
        for metric, n7, n30 in conn.execute(_UNMEASURED_SQL.format(schema=schema, metrics=metrics), params):
            a, b = out.get(metric, (0, 0))
            out[metric] = (a + int(n7 or 0), b + int(n30 or 0))
    return out


def passes(metric: str, p95: float | None) -> bool | None:
    """Does a P95 meet the metric's target? None when there is no sample."""
    if p95 is None:
        return None
    t = TARGETS[metric]
    if t["comparison"] == "<":
        return p95 < t["target"]
    if t["comparison"] == "<=":
        return p95 <= t["target"]
    return t["low"] <= p95 <= t["high"]


def _p95_rows(conn: sqlite3.Connection, schemas: list[str], now: datetime) -> dict:
    if not schemas:
        return {}
    metrics = ", ".join(f"'{m}'" for m in METRIC_KEYS)  # our constants, not input
    samples = "\nUNION ALL\n".join(_SAMPLES_SQL.format(schema=s, metrics=metrics) for s in schemas)
    params = {"now": _fmt_time(now), "cut7": _fmt_time(now - timedelta(days=7)),
              "cut30": _fmt_time(now - timedelta(days=30))}
    out = {}
    for metric, days, n, v in conn.execute(_P95_SQL.format(samples=samples), params):
        out[(metric, days)] = (int(n), float(v))
    return out


def quality_gates(data_path: str | os.PathLike, now: datetime | None = None) -> list[dict]:
    """P95 of each RUM metric over the last 7 and 30 days, against TARGETS.

    One dict per metric, in METRIC_KEYS order: metric, target (text, e.g.
    "< 300 ms"), comparison, threshold, low, high, unit, samples_7d, p95_7d,
    samples_30d, p95_30d, pass_7d, pass_30d (None when there is no sample), unmeasured_7d,
    unmeasured_30d (waits recorded without a time: counted, not in the P95).
    Samples come from the data file's metrics tables and the side file's (if
    any), combined; P95 is the nearest rank, computed in SQLite with window
    functions. Raises DataFileError when the data file cannot be read.
    """
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is not None:
        now = now.astimezone(timezone.utc).replace(tzinfo=None)
    conn = store.open_reader(data_path)
    try:
        schemas = ["main"] if _has_metric_tables(conn) else []
        side = side_file_for(store.check_path(data_path))
        if side.exists():
            try:
                conn.execute("ATTACH DATABASE ? AS side", (store._uri(side, mode="ro"),))
                if _has_metric_tables(conn, "side"):
                    schemas.append("side")
            except sqlite3.Error:
                pass  # an unreadable side file only loses its samples
        try:
            found = _p95_rows(conn, schemas, now)
            unmeasured = _unmeasured_rows(conn, schemas, now)
        except sqlite3.OperationalError as exc:
            raise DataFileError(f"{data_path}: cannot read events ({exc})") from exc
    finally:
        conn.close()
    gates = []
    for metric in METRIC_KEYS:
        t = TARGETS[metric]
        n7, p7 = found.get((metric, 7), (0, None))
        n30, p30 = found.get((metric, 30), (0, None))
        gates.append({"metric": metric, "target": t["text"], "comparison": t["comparison"],
                      "threshold": t["target"], "low": t.get("low"), "high": t.get("high"),
                      "unit": t["unit"], "samples_7d": n7, "p95_7d": p7, "samples_30d": n30,
                      "p95_30d": p30, "pass_7d": passes(metric, p7), "pass_30d": passes(metric, p30),
                      "unmeasured_7d": unmeasured.get(metric, (0, 0))[0],
                      "unmeasured_30d": unmeasured.get(metric, (0, 0))[1]})
    return gates
