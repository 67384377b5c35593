"""The state one API app holds: settings, the response cache, the event writer.

Seed 001 section 4 and its flags (section 10):
- `EDB_CACHE_TTL_SECONDS` (45): serialized responses kept per key
  (`range|granularity|as_of` and the route), dropped when the data file's
  stamp changes for a reason other than our own event writes;
- `EDB_SINGLEFLIGHT` (1): concurrent misses of one key wait for one compute;
- `EDB_MAX_CONCURRENCY` (12): at most that many database jobs at once;
- `EDB_EVENTS_ASYNC` (0): events go through a batching writer (events.py);
- `EDB_SQLITE_WAL` (1): read by store.open_writer.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from starlette.concurrency import run_in_threadpool

from .. import rollup
from ..engine import Engine
from ..metrics import MetricsWriter
from ..store import check_path

MAX_ENTRIES = 1024


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    try:
        return max(minimum, int(os.environ.get(name, default)))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    cache_ttl_s: float = 45.0
    singleflight: bool = True
    max_concurrency: int = 12
    events_async: bool = False
    max_body_bytes: int = 64 * 1024

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(cache_ttl_s=max(0.0, _env_float("EDB_CACHE_TTL_SECONDS", 45.0)),
                   singleflight=os.environ.get("EDB_SINGLEFLIGHT", "1") != "0",
                   max_concurrency=_env_int("EDB_MAX_CONCURRENCY", 12),
                   events_async=os.environ.get("EDB_EVENTS_ASYNC", "0") == "1",
                   max_body_bytes=_env_int("EDB_MAX_BODY_BYTES", 64 * 1024))


@dataclass
class Entry:
    """One serialized response: what a cache hit sends."""

    body: bytes
    etag: str
    stamp: Any
    expires: float = 0.0


def make_entry(body: bytes, stamp: Any) -> Entry:
    return Entry(body, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"', stamp)


class ApiContext:
    def __init__(self, db_path: str | os.PathLike, engine: Engine | None = None,
                 settings: Settings | None = None):
        self.path: Path = check_path(db_path)
        self.engine = engine or Engine()
        self.settings = settings or Settings.from_env()
        self.started_at = datetime.now(timezone.utc)
        self.t0 = time.monotonic()
        self.computations = 0
        self.hits = 0
        self.misses = 0
        self.coalesced = 0
        self._count_lock = threading.Lock()
        self._cache: OrderedDict[str, Entry] = OrderedDict()
        self._inflight: dict[str, asyncio.Future] = {}
        self._stamp_lock = threading.Lock()
        self._valid_stamp = rollup.file_stamp(self.path)
        self._own_writes_in_flight = 0
        self._sem: asyncio.Semaphore | None = None
        self._sem_loop: asyncio.AbstractEventLoop | None = None
        self._writer: MetricsWriter | None = None
        self._writer_lock = threading.Lock()
        self.batcher = None  # events.BatchWriter when EDB_EVENTS_ASYNC=1
        self.row_counts: tuple[Any, dict] | None = None
        # table -> (stamp, reason): tables a route found unreadable (a damaged
        # page past the first rows), so /api/health says degraded too
        self.unreadable_seen: dict[str, tuple[Any, str]] = {}
        self._kept: tuple[Any, dict] = (None, {})

    # -- counters ------------------------------------------------------------
    def count_computation(self) -> None:
        with self._count_lock:
            self.computations += 1

    # -- the data file's stamp -------------------------------------------------
    def check_stamp(self) -> None:
        """Drop every cached response if the data file changed (not by our own writes)."""
        stamp = rollup.file_stamp(self.path)
        with self._stamp_lock:
            if stamp == self._valid_stamp:
                return
            if self._own_writes_in_flight:
                return  # our writer is mid-commit; its listener moves the stamp
            self._valid_stamp = stamp
            self._cache.clear()

    def _on_own_write(self, before: list, after: list) -> None:
        with self._stamp_lock:
            if self._valid_stamp == before:
                self._valid_stamp = after

    @property
    def valid_stamp(self):
        with self._stamp_lock:
            return self._valid_stamp

    # -- the event writer ------------------------------------------------------
    @property
    def writer(self) -> MetricsWriter:
        with self._writer_lock:
            if self._writer is None:
                self._writer = MetricsWriter(self.path)
                self._writer.listeners.append(self._on_own_write)
            return self._writer

    @property
    def writer_opened(self) -> bool:
        return self._writer is not None

    def write_events(self, fn: Callable, *args):
        """Run a writer call, telling the cache that the stamp change is ours."""
        with self._stamp_lock:
            self._own_writes_in_flight += 1
        try:
            return fn(*args)
        finally:
            with self._stamp_lock:
                self._own_writes_in_flight -= 1

    def kept_for(self, stamp) -> dict:
        """Reads kept for one version of the data file (the domain pages' order cubes):
        a new stamp starts an empty dict, so a changed file is never answered from old reads."""
        with self._stamp_lock:
            if self._kept[0] != stamp:
                self._kept = (stamp, {})
            return self._kept[1]

    # -- running database work -------------------------------------------------
    @property
    def semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._sem is None or self._sem_loop is not loop:  # one per event loop
            self._sem = asyncio.Semaphore(self.settings.max_concurrency)
            self._sem_loop = loop
        return self._sem

    async def run_db(self, fn: Callable, *args):
        """A database job on the thread pool, at most EDB_MAX_CONCURRENCY at once."""
        async with self.semaphore:
            return await run_in_threadpool(fn, *args)

    def fresh(self, key: str) -> Entry | None:
        """A cached, unexpired entry for the key, counted as a hit; else None."""
        self.check_stamp()
        entry = self._cache.get(key)
        if entry is not None and entry.expires > time.monotonic():
            self.hits += 1
            return entry
        return None

    async def cached(self, key: str, fn: Callable[..., Entry], *args) -> tuple[Entry, str]:
        """The entry for a key: from the cache, from a compute already running
        (single-flight), or computed now. Returns (entry, "hit"|"shared"|"miss")."""
        entry = self.fresh(key)
        if entry is not None:
            return entry, "hit"
        if not self.settings.singleflight:
            entry = await self.run_db(fn, *args)
            self._keep(key, entry)
            return entry, "miss"
        fut = self._inflight.get(key)
        if fut is not None and fut.get_loop() is asyncio.get_running_loop():
            self.coalesced += 1
            return await asyncio.shield(fut), "shared"
        fut = asyncio.get_running_loop().create_future()
        self._inflight[key] = fut
        try:
            entry = await self.run_db(fn, *args)
        except asyncio.CancelledError:
            fut.cancel()
            raise
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # retrieved: the waiters get it, nobody else logs it
            raise
        finally:
            self._inflight.pop(key, None)
        fut.set_result(entry)
        self._keep(key, entry)
        return entry, "miss"

    def _keep(self, key: str, entry: Entry) -> None:
        self.misses += 1
        if self.settings.cache_ttl_s <= 0:
            return
        self.check_stamp()
        if entry.stamp != self.valid_stamp:
            return  # the file changed while we computed: do not keep a stale answer
        entry.expires = time.monotonic() + self.settings.cache_ttl_s
        self._cache[key] = entry
        self._cache.move_to_end(key)
        while len(self._cache) > MAX_ENTRIES:
            self._cache.popitem(last=False)

    def cache_info(self) -> dict:
        return {"entries": len(self._cache), "hits": self.hits, "misses": self.misses,
                "shared": self.coalesced, "ttl_s": self.settings.cache_ttl_s,
                "singleflight": self.settings.singleflight,
                "max_concurrency": self.settings.max_concurrency}

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        if self.batcher is not None:
            self.batcher.close()
            self.batcher = None
        with self._writer_lock:
            if self._writer is not None:
                self.write_events(self._writer.close)
                self._writer = None
