"""The one writer of RUM events into `user_events` + `user_event_meta` (or the side file)."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from .. import data_time, rollup, store
from ..errors import DataFileError, MetricsNotSaved
from ..paths import file_key, user_data_dir
from .events import _EVENT_COLS, _META_COLS, _READONLY_MARKERS, Event, _check_event

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
