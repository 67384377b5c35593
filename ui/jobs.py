"""The jobs the query service runs, and the state its workers share.

Each job is a core function given a snapshot of its inputs (`Job`: frozen and
hashable, its identity the single-flight key; `payload` rides along outside the
key). Only `query_service.py` runs them, on its worker threads; nothing here
touches a widget or emits a signal.

`StampBook` remembers, per file, the ExecSource last loaded and the file stamp
it belongs to; the app's own metric writes re-stamp it (`record_own_write`),
checked with SQLite's `PRAGMA data_version`, so they are never taken for a
change of the data (no refresh loops), while a real change always is.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from execdash_desktop import rollup
from execdash_desktop.engine import Engine
from execdash_desktop.store import open_reader


@dataclass(frozen=True)
class Job:
    """What to run: `kind` picks the handler; `path` and `args` are the key."""

    kind: str  # source | drilldown | gates | demo | api_start | api_stop
    path: str
    args: tuple = ()
    payload: Any = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class SourceResult:
    src: Any  # ExecSource
    stamp: tuple  # rollup.file_stamp at load
    changed: bool  # False: the file is as it was at the last load (own writes excluded)
    loaded_in_ms: float = 0.0

    @property
    def mtime(self) -> float:
        """When the file last changed (seconds since the epoch)."""
        return max(s[1] for s in self.stamp) / 1e9


def _freeze(stamp) -> tuple:
    return tuple(tuple(s) for s in stamp)


def same_data(a, b) -> bool:
    """Do two file stamps hold the same data? An empty -wal that a reader of a WAL
    file creates (size 0, any mtime) is no change."""
    a, b = _freeze(a), _freeze(b)
    return a == b or (a[0] == b[0] and a[1][0] == 0 and b[1][0] == 0)


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
            if hit is not None and same_data(hit[0], before):
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
        self._sentinels: list = []
        self.data_versions: dict[str, int] = {}  # per file: PRAGMA data_version after our last write
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

            # A read-only connection held open until after the writer closes: then
            # closing the writer never checkpoints and deletes the -wal, so the file's
            # stamp (and with it the orders rollup side file) stays valid for the next
            # start instead of being recomputed.
            try:
                self._sentinels.append(open_reader(path))
            except Exception:  # noqa: BLE001 - only costs the next start some speed
                pass
            w = MetricsWriter(path)
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
            for conn in self._sentinels:  # after the writers (see writer())
                try:
                    conn.close()
                except Exception:
                    pass
            self._sentinels.clear()
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
        if hit is not None and same_data(hit[0], stamp) and not force:
            ctx.book.put(path, stamp, hit[1])
            return SourceResult(hit[1], stamp, False, 0.0)
        if force:
            ctx.engine.forget(path)
        src = ctx.engine.source(path, progress=lambda f, m: progress(f, m))
        after = _freeze(rollup.file_stamp(path))
        if same_data(stamp, after):  # opening a reader may have made an empty -wal
            stamp = after
        ctx.book.put(path, stamp, src)  # else the stamp from before: a change during the load reloads
        changed = hit is None or hit[1] is not src
        return SourceResult(src, stamp, changed, (time.perf_counter() - t0) * 1000)


def _run_drilldown(ctx: Context, job: Job, progress):
    from execdash_desktop.packs.executive.drilldowns import build_drilldown

    key, window = job.args[0], job.args[1]
    return build_drilldown(key, ctx.reader(job.path), job.payload, window)


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
    "source": _run_source, "drilldown": _run_drilldown, "gates": _run_gates,
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


def record_own_write(ctx: Context, path: str, event_type: str, meta, raw, when=None) -> tuple[int, str]:
    """Write one event and, when nothing else wrote meanwhile, re-stamp the book and
    the orders rollup so that the app's own write is not taken for a data change."""
    first = path not in ctx._writers
    pre = rollup.file_stamp(path)
    writer = ctx.writer(path)
    target = str(writer.target_path)  # opens the connection (the first may switch to WAL)
    if first and pre != rollup.file_stamp(path):
        rollup.note_own_write(path, pre)
        ctx.book.note_own_write(path, pre, rollup.file_stamp(path))
    dv0 = writer.data_version()
    before = rollup.file_stamp(path)
    event_id = writer.record(event_type, meta, when, raw=raw)
    after = rollup.file_stamp(path)
    dv1 = writer.data_version()
    last = ctx.data_versions.get(path)
    quiet = dv0 is not None and dv1 == dv0 and last in (None, dv0)
    if dv1 is not None:
        ctx.data_versions[path] = dv1
    if quiet and before != after:
        ctx.book.note_own_write(path, before, after)
    return event_id, target
