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
from execdash_desktop.dashboards import registry
from execdash_desktop.engine import Engine
from execdash_desktop.store import is_writable, open_reader, table_names


@dataclass(frozen=True)
class Job:
    """What to run: `kind` picks the handler; `path` and `args` are the key."""

    kind: str  # a key of HANDLERS: source | holdings | drilldown | summary | panel | page | board_pack_data...
    path: str
    args: tuple = ()
    payload: Any = field(default=None, compare=False, hash=False, repr=False)
    dashboard: str = "executive"  # whose data: one file's dashboards load side by side


@dataclass(frozen=True)
class SourceResult:
    src: Any  # the dashboard's frozen source (ExecSource for the Executive one)
    stamp: tuple  # rollup.file_stamp at load
    changed: bool  # False: the file is as it was at the last load (own writes excluded)
    loaded_in_ms: float = 0.0
    data_mtime: float | None = None  # when the data last changed, the app's own writes aside
    read_only: bool = False  # the app keeps its metrics in a side file, not in this file
    # ((range, as_of), the month payload) built in the worker for the state asked, or None
    monthly: tuple | None = field(default=None, compare=False, repr=False)

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
    """Per (file, dashboard): the source last loaded and the file stamp it belongs to.

    The metrics writer re-stamps an entry after each of its own commits while
    holding `lock`, so a check never sees the app's own write as a change.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._entries: dict[tuple[str, str], tuple[tuple, Any]] = {}

    def get(self, path: str, dashboard: str = "executive") -> tuple[tuple, Any] | None:
        with self.lock:
            return self._entries.get((path, dashboard))

    def put(self, path: str, stamp: tuple, src: Any, dashboard: str = "executive") -> None:
        with self.lock:
            self._entries[(path, dashboard)] = (stamp, src)

    def forget(self, path: str) -> None:
        with self.lock:
            for key in [k for k in self._entries if k[0] == path]:
                del self._entries[key]

    def note_own_write(self, path: str, before, after) -> None:
        with self.lock:
            for key, hit in list(self._entries.items()):
                if key[0] == path and hit[0] == _freeze(before):
                    self._entries[key] = (_freeze(after), hit[1])


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
        self._apart = None  # load_apart.ApartLoader, started with the first load a dashboard wants apart
        self._apart_lock = threading.Lock()

    def loader(self, dashboard: str, want) -> Callable[[str, Any], Any] | None:
        """How to read `dashboard`'s source: in the loader process when the dashboard asks for it
        (its month payload for `want` built there too); None: on this thread, its own `load`. If the
        process cannot serve, on this thread after all (unless the service is closing)."""
        dash = registry.get(dashboard)
        if not dash.load_apart or os.environ.get("EXECDASH_LOAD_APART", "1") == "0":
            return None
        from execdash_desktop.load_apart import ApartLoader, LoaderUnavailable

        with self._apart_lock:
            if self._apart is None:
                self._apart = ApartLoader()
            apart = self._apart

        def load(path: str, progress):
            try:
                return apart.load(dashboard, path, want, progress)
            except LoaderUnavailable:
                if self.closing:
                    raise
                return dash.load(path, progress)

        return load

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

    def drop_writer(self, path: str) -> None:
        """Close the metrics writer of a file that was replaced (it holds the old one open)."""
        with self.book.lock:
            w = self._writers.pop(path, None)
            if w is not None:
                try:
                    w.close()
                except Exception:
                    pass

    def _close_apart(self) -> None:
        """Stop the loader process: a load in flight there ends now."""
        with self._apart_lock:
            if self._apart is not None:
                self._apart.close()

    def interrupt_all(self) -> None:
        self._close_apart()
        with self._readers_lock:
            for conn in self._readers:
                try:
                    conn.interrupt()
                except Exception:
                    pass

    def close(self) -> None:
        self._close_apart()
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
    path, dash = job.path, job.dashboard
    force = bool(job.args and job.args[0])
    t0 = time.perf_counter()
    # Held through the load: the metrics writer waits, so its own writes can never
    # interleave with a load and be taken for a change of the data.
    with ctx.book.lock:
        stamp = _freeze(rollup.file_stamp(path))
        hit = ctx.book.get(path, dash)
        when = data_time.data_changed_at(path, stamp)
        read_only = not is_writable(path) or not {"user_events", "user_event_meta"} <= table_names(ctx.reader(path))
        if hit is not None and hit[0] == stamp and not force:
            ctx.book.put(path, stamp, hit[1], dash)
            return SourceResult(hit[1], stamp, False, 0.0, when, read_only)
        if force:
            ctx.engine.forget(path)
        src = ctx.engine.source(path, progress=lambda f, m: progress(f, m), dashboard=dash,
                                load=ctx.loader(dash, job.payload))
        ctx.book.put(path, stamp, src, dash)  # the stamp from before: a change during the load reloads
    changed = hit is None or hit[1] is not src
    return SourceResult(src, stamp, changed, (time.perf_counter() - t0) * 1000, when, read_only,
                        _month_payload(dash, src, job.payload))


def _month_payload(dash: str, src, want) -> tuple | None:
    """The month payload for `want` = (range, as_of), built here, off the GUI thread (a big
    Commerce file's first payload took 100-250 ms there); None when it cannot be built
    (the session then builds it itself and reports the reason)."""
    if not want:
        return None
    try:
        return want, registry.get(dash).payload(src, want[0], "month", want[1])
    except Exception:  # an as-of the file no longer covers...: the session's path handles it
        return None


def _run_holdings(ctx: Context, job: Job, progress) -> tuple[str, ...]:
    """The names of the dashboards whose tables the file holds (sidebar order); their pages' modules
    imported here, off the GUI thread."""
    from ..dashboard.page import import_page_modules

    found = registry.dashboards_in(ctx.reader(job.path))
    for d in found:
        import_page_modules(d)
    return tuple(d.name for d in found)


def _run_drilldown(ctx: Context, job: Job, progress):
    """args: (key, window, data generation[, unusual-months sensitivity]); payload: (source, monthly payload)."""
    src, payload = job.payload
    sensitivity = job.args[3] if len(job.args) > 3 else "normal"
    return registry.get(job.dashboard).drilldown(job.args[0], ctx.reader(job.path), src, payload, sensitivity)


def _run_summary(ctx: Context, job: Job, progress):
    """The Now / Reason / Action sentences of a monthly payload (job.payload = (src, payload))."""
    src, payload = job.payload
    sensitivity = job.args[3] if len(job.args) > 3 else "normal"
    return registry.get(job.dashboard).summary(ctx.reader(job.path), src, payload, sensitivity)


def _run_panel(ctx: Context, job: Job, progress):
    """A panel's own query (args[0]: its name); job.payload = (src, payload)."""
    src, payload = job.payload
    return registry.get(job.dashboard).panel(job.args[0]).query(ctx.reader(job.path), src, payload)


def _paged_query(ctx: Context, job: Job):
    """The paged query a panel's `query` builds (cheap: it reads nothing yet)."""
    src, payload = job.payload[:2]
    return registry.get(job.dashboard).panel(job.args[0]).query(ctx.reader(job.path), src, payload)


def _run_choices(ctx: Context, job: Job, progress):
    """What a paged panel's filters offer. args: (panel name, window key)."""
    return _paged_query(ctx, job).choices(ctx.reader(job.path))


def _run_page(ctx: Context, job: Job, progress):
    """One page of a paged panel (tables.Page, with the total the filters match).
    args: (panel name, window key, filters as sorted (key, value) pairs, offset, limit).
    job.payload: (src, payload) or (src, payload, shown): then (page, shown(page)), the page's
    cells as the panel shows them, made here so that the GUI thread only looks them up."""
    _, _, filters, offset, limit = job.args
    page = _paged_query(ctx, job).page(ctx.reader(job.path), dict(filters), offset, limit)
    shown = job.payload[2] if len(job.payload) > 2 else None
    return page if shown is None else (page, shown(page))


def _run_board_pack_data(ctx: Context, job: Job, progress):
    """Everything a board pack shows (boardpack.PackData), read here so that the GUI thread,
    which renders it, never waits on SQLite. args[0]: the drill-down keys; job.payload:
    (src, payload, monthly payload, window, {other dashboard: (src, monthly payload)}) of the view
    being exported and the file's other dashboards."""
    from execdash_desktop.boardpack import gather

    src, payload, monthly, window, others = job.payload
    progress(0.1, "Reading the board pack's data")

    def other(name: str):  # another dashboard's sections: its source and monthly payload, as on screen
        if name not in others:
            raise KeyError(f"the {name} dashboard is not loaded yet")
        return others[name]

    sensitivity = job.args[4] if len(job.args) > 4 else "normal"
    return gather(ctx.reader(job.path), src, payload, window, job.args[0], job.path, monthly,
                  dashboard=job.dashboard, others=other, sensitivity=sensitivity)


def _run_gates(ctx: Context, job: Job, progress):
    from execdash_desktop.metrics import quality_gates

    return quality_gates(job.path)


def _run_demo(ctx: Context, job: Job, progress):
    """The demo file with every dashboard's tables (args: ("force", bool) and, per
    dashboard, (name, ((option, value), ...)) such as ("executive", (("orders", 200_000),)))."""
    from execdash_desktop.demo import write_demo

    args = dict(job.args)
    force = bool(args.pop("force", False))
    options = {name: dict(opts) for name, opts in args.items()}
    return write_demo(job.path, None, force=force, progress=lambda f, m: progress(f, m), options=options)


def _run_snapshot(ctx: Context, job: Job, progress):
    """File > Refresh from database: payload is a dataio.snapshot_dialog.SnapshotRequest."""
    result = job.payload.run(job.path, progress)
    ctx.drop_writer(job.path)  # the file was replaced: metric writes go to the new one
    return result


def _run_snapshot_info(ctx: Context, job: Job, progress):
    from execdash_desktop.snapshot import last_snapshot

    return last_snapshot(job.path)


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
    "source": _run_source, "holdings": _run_holdings, "drilldown": _run_drilldown, "summary": _run_summary,
    "panel": _run_panel, "choices": _run_choices, "page": _run_page,
    "board_pack_data": _run_board_pack_data, "gates": _run_gates,
    "demo": _run_demo, "api_start": _run_api_start, "api_stop": _run_api_stop,
    "snapshot": _run_snapshot, "snapshot_info": _run_snapshot_info,
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
