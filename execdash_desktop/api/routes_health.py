"""GET /api/health: the file, its schema version, row counts, the server's uptime and counters."""

from __future__ import annotations

import os
import sqlite3
import time

from fastapi import APIRouter, Request

from .. import __version__
from ..packs import all_packs, packs_in
from ..store import open_reader, schema_version, table_names, unreadable_reason
from .common import R503, ctx_of
from .. import rollup
from .context import ApiContext
from .schemas import Health

router = APIRouter(prefix="/api", tags=["health"])

def _file_facts(ctx: ApiContext) -> tuple[int, dict[str, int], list[str], list[str], dict[str, str]]:
    """Schema version and row counts, counted once per version of the file."""
    stamp = rollup.file_stamp(ctx.path)
    cached = ctx.row_counts
    if cached is not None and cached[0] == stamp:
        return cached[1]
    conn = open_reader(ctx.path)
    try:
        version = schema_version(conn)
        present = table_names(conn)
        counts, unreadable = {}, {}
        for t in sorted(present):
            if t.startswith("sqlite_"):
                continue
            try:  # names come from sqlite_master, quoted; no input reaches this SQL
                counts[t] = int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
                # count(*) may read only an index: touch the table's own pages too
                conn.execute(f'SELECT * FROM "{t}" LIMIT 1').fetchall()
            except sqlite3.Error as exc:  # a damaged page, a broken view: that table only
                counts[t] = -1
                unreadable[t] = unreadable_reason(t, exc)
    finally:
        conn.close()
    expected = dict.fromkeys(t for p in all_packs() for t in p.tables)
    facts = (version, counts, [t for t in expected if t not in present],
             [p.name for p in packs_in(present)], unreadable)
    ctx.row_counts = (stamp, facts)
    return facts


@router.get("/health", response_model=Health, responses=R503, summary="Server and data file status")
async def health(request: Request):
    ctx = ctx_of(request)
    version, counts, missing, packs, unreadable = await ctx.run_db(_file_facts, ctx)
    stamp = ctx.valid_stamp
    seen = {t: why for t, (at, why) in list(ctx.unreadable_seen.items()) if at == stamp}
    unreadable = {**seen, **unreadable}
    events = {"async": ctx.settings.events_async, "written": 0, "target": None, "side_file": None}
    if ctx.writer_opened:
        w = ctx.writer
        events.update(written=w.written, target=str(w.target_path), side_file=w.uses_side_file)
    if ctx.batcher is not None:
        events["batches"] = ctx.batcher.batches
    return {
        # degraded: some route answers 503 (the dashboard's table is missing,
        # or a table cannot be read: a damaged page, a broken view)
        "status": "degraded" if "revenue_trend" in missing or unreadable else "ok",
        "unreadable_tables": unreadable,
        "version": __version__, "file": str(ctx.path), "file_bytes": os.path.getsize(ctx.path),
        "schema_version": version, "tables": counts, "missing_tables": missing, "packs": packs,
        "uptime_s": round(time.monotonic() - ctx.t0, 3),
        "started_at": ctx.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "computations": ctx.computations, "source_loads": ctx.engine.loads,
        "cache": ctx.cache_info(), "events": events,
    }
