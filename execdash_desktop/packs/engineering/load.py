"""Open a file for the Engineering dashboard: check its tables, start the scan, then build the source.

Nothing here imports numpy. On a large `bugs` table the scan's second
reader starts before `source` (and numpy with it) is imported, so a cold
process (`execdash kpis`, the API's first request) reads with SQLite on
one core while it imports numpy on the other.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ...errors import DataFileError, MissingTablesError
from ...store import open_reader, reading_errors, table_columns, table_names
from ...values import to_float
from . import catalogue as cat
from .bug_sql import ChunkReader, Chunks

_BUG_REQUIRED = ("severity", "status", "created_at", "updated_at", "resolved_at", "is_blocker", "sla_hours",
                 "revenue_impact_daily", "project_id", "actual_hours")


def load_source(path: str | Path, progress=None, conn: sqlite3.Connection | None = None):
    """Query a data file for the Engineering dashboard: its `source.EngSource`. Raises DataFileError."""
    own = conn is None
    if conn is None:
        conn = open_reader(path)
    try:
        with reading_errors(path):
            return _load(conn, str(path), progress)
    finally:
        if own:
            conn.close()


def _load(conn: sqlite3.Connection, path: str, progress):
    tables = table_names(conn)
    if "bugs" not in tables:
        raise MissingTablesError(path, [t for t in cat.TABLES if t not in tables])
    cols = table_columns(conn, "bugs")
    missing = [c for c in _BUG_REQUIRED if c not in cols]
    if missing:
        raise DataFileError(f"{path}: table bugs has no column {', '.join(missing)}")
    reasons: dict[str, str] = {}
    projects, index = _projects(conn, tables, reasons)
    reader = ChunkReader(Chunks(conn, bool(index)), path, progress)
    try:
        from .source import assemble  # numpy: imported while the helpers have SQLite read

        return assemble(conn, path, tables, projects, index, reader, reasons)
    finally:
        reader.close()


def _projects(conn, tables: set[str], reasons: dict) -> tuple[tuple[dict, ...], dict[int, int]]:
    if "projects" not in tables:
        reasons["projects"] = "table projects is missing"
        return (), {}
    cols = table_columns(conn, "projects")
    want = ("name", "status", "dcf_valuation", "roi_score", "complexity", "client_appeal",
            "current_milestone", "total_milestones", "monthly_infra_cost")
    sel = ", ".join(c if c in cols else "NULL" for c in want)
    out, index = [], {}
    for row in conn.execute(f"SELECT rowid, {sel} FROM projects ORDER BY rowid"):
        index[row[0]] = len(out)
        rec = dict(zip(want, row[1:]))
        rec["status"] = str(rec["status"]).strip().lower() if rec["status"] is not None else None
        for k in ("dcf_valuation", "roi_score", "monthly_infra_cost"):
            rec[k] = to_float(rec[k])
        for k in ("complexity", "client_appeal", "current_milestone", "total_milestones"):
            v = to_float(rec[k])
            rec[k] = int(v) if v is not None else None
        rec["name"] = "" if rec["name"] is None else str(rec["name"])
        out.append(rec)
    return tuple(out), index


