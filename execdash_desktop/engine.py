"""One door to the payload for the command line, the API and the window.

`Engine` keeps the last loaded source per (data file, dashboard), keyed by the
file's stamp, so a repeat call costs two stat() calls and a pure rebuild;
concurrent callers for the same file and dashboard wait for one load
(single-flight) instead of each querying. Dashboards are named, never
imported: the registry finds the pack (execdash_desktop.dashboards).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable

from . import rollup
from .dashboards import registry
from .store import check_path

DEFAULT_DASHBOARD = registry.DEFAULT


class Engine:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: dict[tuple[str, str], tuple[list, Any]] = {}
        self._loading: dict[tuple[str, str], threading.Lock] = {}
        self.loads = 0  # how many times a file was actually queried (tests, benchmarks)

    def source(self, path: str | os.PathLike, progress: rollup.Progress | None = None,
               dashboard: str = DEFAULT_DASHBOARD, load: Callable[[str, Any], Any] | None = None) -> Any:
        """The dashboard's frozen source for the file (its `load`, or `load` given: the window's
        read in another process), cached by the file's stamp."""
        dash = registry.get(dashboard)
        key = (str(check_path(path)), dash.name)
        with self._lock:
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:  # single-flight: the second caller finds the first one's result
            stamp = rollup.file_stamp(key[0])
            hit = self._sources.get(key)
            if hit is not None and hit[0] == stamp:
                return hit[1]
            src = (load or dash.load)(key[0], progress)
            self.loads += 1
            if rollup.file_stamp(key[0]) == stamp:
                self._sources[key] = (stamp, src)
            return src

    def payload(self, path: str | os.PathLike, range_: str = "12m", granularity: str = "month",
                as_of: str | None = None, progress: rollup.Progress | None = None,
                dashboard: str = DEFAULT_DASHBOARD) -> dict:
        dash = registry.get(dashboard)
        return dash.payload(self.source(path, progress, dash.name), range_, granularity, as_of)

    def forget(self, path: str | os.PathLike) -> None:
        resolved = str(Path(path).resolve())
        with self._lock:
            for key in [k for k in self._sources if k[0] == resolved]:
                self._sources.pop(key, None)
