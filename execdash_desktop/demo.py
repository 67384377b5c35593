"""`execdash demo`: one demo file holding every dashboard's tables (or the ones chosen).

Each dashboard's `demo(conn, seed=, end=, progress=, **options)` adds its
tables to one new file, built under a temporary name in the target's folder
and moved into place only when complete: never a half-written file, never
over an existing one without `force`.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

from .dashboards import registry
from .errors import DataFileError
from .store import DEMO_APPLICATION_ID

Progress = Callable[[float, str], None]


def parse_names(text: str | None) -> tuple[str, ...]:
    """'executive,engineering' -> names (every dashboard with a demo for None); DataFileError names a bad one."""
    known = [d.name for d in registry.all_dashboards() if d.demo is not None]
    if text is None:
        return tuple(known)
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    bad = [n for n in names if n not in known]
    if bad or not names:
        raise DataFileError(f"unknown dashboard {', '.join(bad) or repr(text)}: expected some of {', '.join(known)}")
    return names


def write_demo(path: str | os.PathLike, names: Sequence[str] | None = None, *, seed: int = 7,
               end: str | None = None, force: bool = False, progress: Progress | None = None,
               options: Mapping[str, Mapping[str, object]] | None = None) -> dict:
    """Write the demo file; returns {path, seconds, dashboards: {name: facts}}."""
    t0 = time.perf_counter()
    p = Path(os.fspath(path)).expanduser()
    if p.is_dir():
        raise DataFileError(f"{p}: is a folder, not a data file")
    if not p.parent.is_dir():
        raise DataFileError(f"{p}: folder {p.parent} does not exist")
    if (p.exists() or p.is_symlink()) and not force:
        raise DataFileError(f"{p}: already exists; pass --force to replace it")
    dashboards = [registry.get(n) for n in (names or parse_names(None))]
    report = progress or (lambda f, m: None)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
        os.close(fd)
        os.remove(tmp)  # sqlite makes the file; mkstemp only reserved a free name
    except OSError as exc:
        raise DataFileError(f"{p}: cannot write the demo file ({exc.strerror or exc})") from exc
    facts: dict[str, dict] = {}
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            for i, d in enumerate(dashboards):
                def part(f: float, msg: str, i=i) -> None:
                    report((i + f) / len(dashboards), f"{d.title}: {msg}")

                facts[d.name] = d.demo(conn, seed=seed, end=end, progress=part, **dict((options or {}).get(d.name, {})))
            conn.execute(f"PRAGMA application_id={DEMO_APPLICATION_ID}")  # the window and pack say "Demo data"
        finally:
            conn.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if p.exists() and not force:
            raise DataFileError(f"{p}: already exists; pass --force to replace it")
        for side in ("-wal", "-shm", "-journal"):  # a stale side file would be replayed onto the new one
            try:
                os.remove(str(p) + side)
            except FileNotFoundError:
                pass
        os.replace(tmp, p)
    except BaseException as exc:
        for leftover in (tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"):
            try:
                os.remove(leftover)
            except OSError:
                pass
        if isinstance(exc, sqlite3.Error):  # a full disk, a file size limit: one line
            raise DataFileError(f"{p}: cannot write the demo file ({exc}); nothing was left behind") from exc
        if isinstance(exc, OSError) and not isinstance(exc, DataFileError):
            raise DataFileError(f"{p}: cannot write the demo file ({exc.strerror or exc})") from exc
        raise
    report(1.0, "done")
    return {"path": str(p), "seconds": round(time.perf_counter() - t0, 2), "dashboards": facts}
