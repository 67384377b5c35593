"""A dashboard's source read in a process of its own, at a lower priority.

Why a process: a big file's scans hold the interpreter lock between SQLite's
steps (numpy parsing the chunks, Python over the small tables). Threads in the
window's process then hold up its GUI thread, which waits for the lock each
time it comes back from Qt: at 10x Commerce, frames of 55-90 ms while the file
loads. A child process has its own interpreter lock, and at a lower priority
it leaves a core to the window whenever the window wants one.

`ApartLoader.load(dashboard, path, want, progress)` returns what the
dashboard's `load` returns (its source, which must pickle), with the month
payload for `want` = (range, as_of) already in the source's memo when the
dashboard keeps one. The child is started on first use (spawn: never a fork of
a process that runs Qt's threads) and serves one load at a time; progress
comes back as the load reports it. If the child cannot be started or dies,
`load` raises `LoaderUnavailable` and the caller reads the file itself.
(EXECDASH_LOAD_APART=0 makes the window read in its own process, for comparison.)

The source comes back so that no single step holds the receiving process's
interpreter lock for long (one pickle of a 10x Commerce source held it ~60 ms):
its arrays travel out of band in 1 MB messages, received straight into their
buffers, and the rest as one pickle per field, a long list in pieces.
"""

from __future__ import annotations

import io
import os
import pickle
import threading
from typing import Any, Callable

NICENESS = 10  # the child's priority below the window's (POSIX)
MESSAGE = 1 << 20  # bytes per message of an array's data: ~0.3 ms of copying each
PIECE = 2000  # list items per pickle: ~2 ms of unpickling each


class LoaderUnavailable(RuntimeError):
    """The child process could not be started, or stopped: read the file in this process instead."""


class ApartLoader:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # one load at a time: the child's own scans use every core
        self._proc = None
        self._conn = None
        self._closed = False

    def load(self, dashboard: str, path: str, want: tuple | None = None,
             progress: Callable[[float, str], None] | None = None) -> Any:
        report = progress or (lambda f, m: None)
        with self._lock:
            conn = self._started()
            try:
                conn.send((dashboard, path, want))
                while True:
                    kind, *rest = conn.recv()  # the pipe's read lets go of the interpreter lock
                    if kind != "progress":
                        break
                    report(*rest)
                if kind == "done":
                    pieces, sizes = rest
                    buffers = [_received(conn, n) for n in sizes]
            except (EOFError, OSError, pickle.PickleError) as exc:
                self._stop()
                raise LoaderUnavailable(f"the loader process stopped ({type(exc).__name__}: {exc})") from None
        if kind == "done":
            return unpickled(pieces, buffers)
        if kind == "unavailable":  # the source would not pickle, say: the caller reads the file itself
            raise LoaderUnavailable(rest[0])
        raise rest[0]

    def close(self) -> None:
        """Stop the child (a load in flight ends with LoaderUnavailable)."""
        self._closed = True
        self._stop()

    def _started(self):
        if self._closed:
            raise LoaderUnavailable("the loader is closed")
        if self._proc is not None and self._proc.is_alive():
            return self._conn
        import multiprocessing

        try:
            mp = multiprocessing.get_context("spawn")
            mine, theirs = mp.Pipe()
            proc = mp.Process(target=serve, args=(theirs,), name="execdash-loader", daemon=True)
            proc.start()
        except Exception as exc:  # a build without multiprocessing support, no resources...
            raise LoaderUnavailable(f"the loader process could not start ({type(exc).__name__}: {exc})") from None
        theirs.close()
        _lower_priority(proc.pid)  # from here, not only once it runs: its start (imports) yields to the window too
        self._proc, self._conn = proc, mine
        return mine

    def _stop(self) -> None:
        proc, conn, self._proc, self._conn = self._proc, self._conn, None, None
        if proc is not None:
            proc.terminate()  # a load in flight: its reader gets EOF
            proc.join(2)
        if conn is not None:
            conn.close()


def _received(conn, n: int) -> bytearray:
    buf = bytearray(n)
    at = 0
    while at < n:
        at += conn.recv_bytes_into(buf, at)
    return buf


# -- the child ----------------------------------------------------------------------------------

def _lower_priority(pid: int) -> None:
    """NICENESS below this process's priority (POSIX; elsewhere the child keeps the same priority)."""
    if hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + NICENESS))
        except OSError:
            pass


def serve(conn) -> None:
    """Load what is asked, one request at a time, until the pipe closes."""
    while True:
        try:
            dashboard, path, want = conn.recv()
        except (EOFError, OSError):
            return
        sending = threading.Lock()  # a load may report progress from its own threads

        def progress(fraction: float, message: str) -> None:
            with sending:
                conn.send(("progress", fraction, message))

        try:
            src = load_one(dashboard, path, want, progress)
        except BaseException as exc:  # handed back and raised there, as an in-process load would
            conn.send(("error", _sendable(exc)))
            continue
        try:
            pieces, buffers = pickled(src)
        except Exception as exc:
            conn.send(("unavailable", f"the source does not pickle ({type(exc).__name__}: {exc})"))
            continue
        del src
        conn.send(("done", pieces, [b.nbytes for b in buffers]))
        for b in buffers:
            for at in range(0, b.nbytes, MESSAGE):
                conn.send_bytes(b, at, min(MESSAGE, b.nbytes - at))


def load_one(dashboard: str, path: str, want: tuple | None, progress) -> Any:
    """The dashboard's source, and its month payload for `want` (range, as_of) built into its memo."""
    from .dashboards import registry

    dash = registry.get(dashboard)
    src = dash.load(path, progress)
    if want:
        try:
            dash.payload(src, want[0], "month", want[1])
        except Exception:  # an as-of the file no longer covers...: the window's own path says why
            pass
    return src


def _sendable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        from .errors import DataFileError

        return DataFileError(str(exc) or type(exc).__name__)


# -- the source as pieces -----------------------------------------------------------------------

def pickled(src: Any) -> tuple[bytes, list[memoryview]]:
    """`src` as a run of pickles that unpickled() reads one at a time (a dataclass field by field, a long
    list in pieces), and the out-of-band data of its arrays. One Pickler: an object that two fields
    share stays one object."""
    import dataclasses

    buffers: list[memoryview] = []
    out_buf = io.BytesIO()
    out = pickle.Pickler(out_buf, protocol=5, buffer_callback=lambda b: buffers.append(b.raw()))
    if not dataclasses.is_dataclass(src) or not hasattr(src, "__dict__"):
        out.dump((None, src))
    else:
        out.dump((type(src), None))
        for name, value in vars(src).items():
            if isinstance(value, list) and len(value) > PIECE:
                for i in range(0, len(value), PIECE):
                    out.dump((name, value[i:i + PIECE], i > 0))
            else:
                out.dump((name, value, False))
    return out_buf.getvalue(), buffers


def unpickled(pieces: bytes, buffers: list) -> Any:
    read = pickle.Unpickler(io.BytesIO(pieces), buffers=buffers)
    cls, whole = read.load()
    if cls is None:
        return whole
    state: dict = {}
    while True:
        try:
            name, value, more = read.load()
        except EOFError:
            break
        if more:
            state[name].extend(value)
        else:
            state[name] = value
    src = cls.__new__(cls)
    src.__dict__.update(state)
    return src
