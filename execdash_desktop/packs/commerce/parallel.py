"""A few jobs on a few threads, their results as each lands (source.py's scans).

Threads and a queue rather than concurrent.futures: importing that (logging
with it) cost a cold process (`execdash kpis`, the API's first request) ~8 ms
before the first scan could start.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterator


class Parallel:
    """`jobs` run on `workers` threads in list order (the first ones first) from the `with`'s start;
    `results()` yields (index, result) as each job ends and raises the first job's error (no job starts
    after one failed); leaving the `with` starts no more jobs and waits for the running ones."""

    def __init__(self, jobs: list[Callable[[], Any]], workers: int) -> None:
        self._jobs = jobs
        self._order = iter(range(len(jobs)))
        self._lock = threading.Lock()
        self._stopped = False
        self._ended: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"commerce-scan-{k}", daemon=True)
                         for k in range(min(workers, len(jobs)))]

    def __enter__(self) -> "Parallel":
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._stopped = True
        for t in self._threads:
            t.join()

    def _work(self) -> None:
        while True:
            with self._lock:
                i = None if self._stopped else next(self._order, None)
            if i is None:
                return
            try:
                self._ended.put((i, self._jobs[i](), None))
            except BaseException as exc:  # handed to the caller, which raises it; no job starts after it
                with self._lock:
                    self._stopped = True
                self._ended.put((i, None, exc))

    def results(self) -> Iterator[tuple[int, Any]]:
        for _ in self._jobs:
            i, result, exc = self._ended.get()
            if exc is not None:
                raise exc
            yield i, result
