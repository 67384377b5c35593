"""One door to the payload for the command line, the API and the window.

`Engine` keeps the last ExecSource per data file, keyed by the file's stamp, so
a repeat call costs two stat() calls and a pure rebuild; concurrent callers for
the same file wait for one load (single-flight) instead of each querying.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from . import rollup
from .packs.executive.payload import build_payload
from .packs.executive.source import ExecSource, load_source
from .store import check_path


class Engine:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: dict[str, tuple[list, ExecSource]] = {}
        self._loading: dict[str, threading.Lock] = {}
        self.loads = 0  # how many times a file was actually queried (tests, benchmarks)

    def source(self, path: str | os.PathLike, progress: rollup.Progress | None = None) -> ExecSource:
        key = str(check_path(path))
        with self._lock:
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:  # single-flight: the second caller finds the first one's result
            stamp = rollup.file_stamp(key)
            hit = self._sources.get(key)
            if hit is not None and hit[0] == stamp:
                return hit[1]
            src = load_source(key, progress)
            self.loads += 1
            if rollup.file_stamp(key) == stamp:
                self._sources[key] = (stamp, src)
            return src

    def payload(self, path: str | os.PathLike, range_: str = "12m", granularity: str = "month",
                as_of: str | None = None, progress: rollup.Progress | None = None) -> dict:
        return build_payload(self.source(path, progress), range_, granularity, as_of)

    def forget(self, path: str | os.PathLike) -> None:
        with self._lock:
            self._sources.pop(str(Path(path).resolve()), None)
