"""The jobs the query service runs, and the state its workers share.

Each job is a core function given a snapshot of its inputs (`Job`: frozen and
hashable, its identity the single-flight key; `payload` rides along outside the
key). Only `query_service.py` runs them, on its worker threads; nothing here
touches a widget or emits a signal.

`StampBook` remembers, per file, the ExecSource last loaded and the file stamp
it belongs to; the app's own metric writes re-stamp it (the book listens to
each `MetricsWriter`, which tells its own commits from others' with SQLite's
`PRAGMA data_version`), so they are never taken for a change of the data (no
refresh loops), while a real change always is.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable

from execdash_desktop import data_time, rollup
from execdash_desktop.engine import Engine
from execdash_desktop.store import is_writable, open_reader, table_names


@dataclass(frozen=True)
class Job:
    """What to run: `kind` picks the handler; `path` and `args` are the key."""

    kind: str  # a key of HANDLERS: source | drilldown | summary | board_pack_data | gates | demo | api_*
    path: str
    args: tuple = ()
    payload: Any = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class SourceResult:
    src: Any  # ExecSource
    stamp: tuple  # rollup.file_stamp at load
    changed: bool  # False: the file is as it was at the last load (own writes excluded)
    loaded_in_ms: float = 0.0
    data_mtime: float | None = None  # when the data last changed, the app's own writes aside
    read_only: bool = False  # the app keeps its metrics in a side file, not in this file

    @property
    def mtime(self) -> float:
        """When the file last changed (seconds since the epoch)."""
        return max(s[1] for s in self.stamp) / 1e9

    @property
    def data_changed_at(self) -> float:
        return self.data_mtime if self.data_mtime is not None else self.mtime


def _freeze(stamp) -> tuple:
    return tuple(tuple(s) for s in stamp)


class StampBook:
    """Per file: the ExecSource last loaded and the file stamp it belongs to.

    The metrics writer re-stamps an entry after each of its own commits while
    holding `lock`, so a check never sees the app's own write as a change.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._entries: dict[str, tuple[tuple, Any]] = {}

    def get(self, path: str) -> tuple[tuple, Any] | None:
        with self.lock:
            return self._entries.get(path)

    def put(self, path: str, stamp: tuple, src: Any) -> None:
        with self.lock:
            self._entries[path] = (stamp, src)

    def forget(self, path: str) -> None:
        with self.lock:
            self._entries.pop(path, None)

    def note_own_write(self, path: str, before, after) -> None:
        with self.lock:
            hit = self._entries.get(path)
            if hit is not None and hit[0] == _freeze(before):
                self._entries[path] = (_freeze(after), hit[1])


class Context:
    """Shared state of the workers: engine, stamp book, per-thread readers, writers."""

    def __init__(self) -> None:
        self.engine = Engine()
        self.book = StampBook()
        self._local = threading.local()
        self._readers: list = []
        self._readers_lock = threading.Lock()
        self._writers: dict[str, Any] = {}
        self.slow_hook: Callable[[Job, "Context"], None] | None = None
        self.closing = False

    def reader(self, path: str):
        """This thread's read-only connection to `path` (reopened if the file was replaced)."""
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        try:
            ino = os.stat(path).st_ino
        except OSError:
            ino = None
        hit = conns.get(path)
        if hit is not None and hit[0] == ino:
            return hit[1]
        conn = open_reader(path)
        conns[path] = (ino, conn)
        with self._readers_lock:
            self._readers.append(conn)
        return conn

    def writer(self, path: str):
        w = self._writers.get(path)
        if w is None:
            from execdash_desktop.metrics import MetricsWriter

            w = MetricsWriter(path)
            # told of each of its own commits (not of others'): re-stamp the book
            w.listeners.append(partial(self.book.note_own_write, path))
            self._writers[path] = w
        return w

    def interrupt_all(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                try:
                    conn.interrupt()
                except Exception:
                    pass

    def close(self) -> None:
        with self.book.lock:
            for w in self._writers.values():
                try:
                    w.close()
                except Exception:
                    pass
            self._writers.clear()
        with self._readers_lock:
            for conn in self._readers:
                try:
                    conn.close()
                except Exception:
                    pass
            self._readers.clear()


# -- the jobs: core functions over snapshots ------------------------------------------

def _run_source(ctx: Context, job: Job, progress) -> SourceResult:
    path = job.path
    force = bool(job.args and job.args[0])
    t0 = time.perf_counter()
    # Held through the load: the metrics writer waits, so its own writes can never
    # interleave with a load and be taken for a change of the data.
    with ctx.book.lock:
        stamp = _freeze(rollup.file_stamp(path))
        hit = ctx.book.get(path)
        when = data_time.data_changed_at(path, stamp)
        read_only = not is_writable(path) or not {"user_events", "user_event_meta"} <= table_names(ctx.reader(path))
        if hit is not None and hit[0] == stamp and not force:
            ctx.book.put(path, stamp, hit[1])
            return SourceResult(hit[1], stamp, False, 0.0, when, read_only)
        if force:
            ctx.engine.forget(path)
        src = ctx.engine.source(path, progress=lambda f, m: progress(f, m))
        ctx.book.put(path, stamp, src)  # the stamp from before: a change during the load reloads
        changed = hit is None or hit[1] is not src
        return SourceResult(src, stamp, changed, (time.perf_counter() - t0) * 1000, when, read_only)


def _run_drilldown(ctx: Context, job: Job, progress):
    from execdash_desktop.packs.executive.drilldowns import build_drilldown

    key, window = job.args[0], job.args[1]
    sensitivity = job.args[3] if len(job.args) > 3 else "normal"
    return build_drilldown(key, ctx.reader(job.path), job.payload, window, sensitivity)


def _run_summary(ctx: Context, job: Job, progress):
    """The Now / Reason / Action sentences of a monthly payload (job.payload = (src, payload))."""
    from execdash_desktop.packs.executive.narrative import build_summary

    src, payload = job.payload
    sensitivity = job.args[3] if len(job.args) > 3 else "normal"
    return build_summary(ctx.reader(job.path), src, payload, sensitivity)


def _run_board_pack_data(ctx: Context, job: Job, progress):
    """Everything a board pack shows (boardpack.PackData), read here so that the GUI thread,
    which renders it, never waits on SQLite. args[0]: the drill-down keys; job.payload:
    (src, payload, monthly payload, window) of the view being exported."""
    from execdash_desktop.boardpack import gather

    src, payload, monthly, window = job.payload
    progress(0.1, "Reading the board pack's data")
    sensitivity = job.args[4] if len(job.args) > 4 else "normal"
    return gather(ctx.reader(job.path), src, payload, window, job.args[0], job.path, monthly, sensitivity)


def _run_gates(ctx: Context, job: Job, progress):
    from execdash_desktop.metrics import quality_gates

    return quality_gates(job.path)


def _run_demo(ctx: Context, job: Job, progress):
    from execdash_desktop.packs.executive.demo import generate

    kwargs = dict(job.args)
    return generate(job.path, progress=lambda f, m: progress(f, m), **kwargs)


def _run_api_start(ctx: Context, job: Job, progress):
    from execdash_desktop.api.server import ApiServer

    server = ApiServer(job.path)
    server.start()
    return server


def _run_api_stop(ctx: Context, job: Job, progress):
    job.payload.stop()
    return None


AFTER_WRITES = frozenset({"gates"})  # kinds that run on the writer thread, after queued writes

HANDLERS: dict[str, Callable] = {
    "source": _run_source, "drilldown": _run_drilldown, "summary": _run_summary,
    "board_pack_data": _run_board_pack_data, "gates": _run_gates,
    "demo": _run_demo, "api_start": _run_api_start, "api_stop": _run_api_stop,
}


def slow_sqlite(seconds: float) -> Callable[[Job, Context], None]:
    """A test hook: keep the worker busy in SQLite (GIL released) for `seconds`."""

    def hook(job: Job, ctx: Context) -> None:
        conn = ctx.reader(job.path)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not ctx.closing:
            conn.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                         "WHERE x < 200000) SELECT sum(x) FROM c").fetchone()

    return hook


def message_of(exc: BaseException) -> str:
    """A one-line reason fit for the banner."""
    from execdash_desktop.errors import DataFileError, InvalidRequestError

    if isinstance(exc, (DataFileError, InvalidRequestError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def record_event(ctx: Context, path: str, event_type: str, meta, raw, when=None) -> tuple[int, str]:
    """Write one event; the writer's listener re-stamps the book (see Context.writer)."""
    writer = ctx.writer(path)
    target = str(writer.target_path)  # opens the connection (the first may switch to WAL)
    return writer.record(event_type, meta, when, raw=raw), target
