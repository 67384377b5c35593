"""The `import_logs` table (seed 003's ImportLog): one row per import, what it did.

Created here when the file lacks it (the Engineering schema, when a file has
it, declares the same table; whichever came first is used as it is, and the
row is written with the columns that table has).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass

IMPORT_LOGS_SQL = """
CREATE TABLE IF NOT EXISTS import_logs (
    id               TEXT PRIMARY KEY,
    source           TEXT NOT NULL CHECK (source IN ('csv', 'xlsx', 'ods', 'postgresql', 'github', 'manual')),
    records_imported INTEGER NOT NULL DEFAULT 0,
    records_failed   INTEGER NOT NULL DEFAULT 0,
    errors           TEXT NOT NULL DEFAULT '[]',
    metadata         TEXT,
    timestamp        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""
MAX_LOGGED_ERRORS = 200  # the log keeps the first ones; --report has them all


@dataclass(frozen=True)
class LogEntry:
    id: str
    source: str
    records_imported: int
    records_failed: int
    errors: tuple
    metadata: dict
    timestamp: str


def write_log(conn: sqlite3.Connection, source: str, imported: int, failed: int,
              errors: list[dict], metadata: dict) -> str:
    """Insert one row (inside the caller's transaction); returns its id."""
    conn.execute(IMPORT_LOGS_SQL)
    have = {r[1] for r in conn.execute("PRAGMA table_info(import_logs)")}
    log_id = str(uuid.uuid4())
    row = {"id": log_id, "source": source, "records_imported": imported, "records_failed": failed,
           "errors": json.dumps(errors[:MAX_LOGGED_ERRORS], ensure_ascii=False),
           "metadata": json.dumps(metadata, ensure_ascii=False)}
    row = {k: v for k, v in row.items() if k in have}
    sql = f"INSERT INTO import_logs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
    try:
        conn.execute(sql, tuple(row.values()))
    except sqlite3.IntegrityError:  # an older table whose CHECK knows only csv/github/manual
        row["source"] = "csv" if source != "postgresql" else "manual"
        conn.execute(sql, tuple(row.values()))
    return log_id


def read_logs(conn: sqlite3.Connection, limit: int = 500) -> list[LogEntry]:
    """The newest rows first; a file without the table has none."""
    try:
        have = {r[1] for r in conn.execute("PRAGMA table_info(import_logs)")}
        if not have:
            return []
        order = "timestamp" if "timestamp" in have else "rowid"
        rows = conn.execute(f"SELECT * FROM import_logs ORDER BY {order} DESC LIMIT ?", (limit,))
        names = [d[0] for d in rows.description]
        out = []
        for r in rows.fetchall():
            d = dict(zip(names, r))
            out.append(LogEntry(str(d.get("id")), str(d.get("source") or ""),
                                int(d.get("records_imported") or 0), int(d.get("records_failed") or 0),
                                tuple(_json(d.get("errors"), [])), _json(d.get("metadata"), {}) or {},
                                str(d.get("timestamp") or "")))
        return out
    except sqlite3.Error:
        return []


def _json(text, fallback):
    try:
        return json.loads(text) if text else fallback
    except (TypeError, ValueError):
        return fallback
