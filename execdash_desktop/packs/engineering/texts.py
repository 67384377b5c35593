"""The text of the bugs a list shows (bug number, title, project, assignee), read by row id, and their revenue impact.

Numbers live in numpy arrays (source.py); text is read only for the rows a
list shows: the SLA breaches at an as-of moment, a page of the bug table.
"""

from __future__ import annotations

import sqlite3
import threading

from ...store import open_reader, table_columns, table_names
from .bug_sql import NULL, num_ms

BATCH = 500


# the revenue impact rides along (the same rows): the scan leaves it out (extras.py)
_REVENUE = num_ms("b.revenue_impact_daily", real=True)


def _join_sql(conn: sqlite3.Connection) -> str:
    tables = table_names(conn)
    has_p = "projects" in tables and "name" in table_columns(conn, "projects")
    has_u = "users" in tables and "name" in table_columns(conn, "users")
    return (f"SELECT b.rowid, b.bug_number, b.title, b.severity, {_REVENUE}, "
            + ("p.name" if has_p else "NULL") + ", " + ("u.name" if has_u else "NULL")
            + " FROM bugs b"
            + (" LEFT JOIN projects p ON p.id = b.project_id" if has_p else "")
            + (" LEFT JOIN users u ON u.id = b.assigned_to" if has_u else ""))


def read_texts(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    base = _join_sql(conn)
    for i in range(0, len(rowids), BATCH):
        part = rowids[i:i + BATCH]
        sql = f"{base} WHERE b.rowid IN ({', '.join('?' * len(part))})"
        for rid, number, title, sev, revenue, project, assignee in conn.execute(sql, part):
            out[rid] = {"bug_number": None if number is None else str(number),
                        "title": None if title is None else str(title),
                        "severity": None if sev is None else str(sev).strip(),
                        "project": project, "assignee": assignee,
                        "revenue": 0.0 if revenue == NULL else revenue / 1000}
    return out


class _Pending:
    """A read under way (concurrent.futures would import logging: ~6 ms of a cold process)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: dict | None = None

    def set(self, value: dict | None) -> None:
        self._value = value
        self._done.set()

    def result(self) -> dict | None:
        self._done.wait()
        return self._value


def breach_texts(src, t: float, facts, conn: sqlite3.Connection | None = None) -> dict[int, dict]:
    """Texts of the bugs breached at t, memoised in the source (reads the file once per moment)."""
    key = ("texts", t)
    with src._lock:
        hit = src._memo.get(key)
    if isinstance(hit, _Pending):  # being read by read_breach_texts_ahead (None: it failed)
        hit = hit.result()
    if hit is not None:
        return hit
    texts = _read_breached(src, facts, conn)
    with src._lock:
        src._memo[key] = texts
    return texts


def _read_breached(src, facts, conn: sqlite3.Connection | None = None) -> dict[int, dict]:
    rowids = [int(r) for r in src.bugs.rowid[facts.breached]]
    if not rowids:
        return {}
    if conn is not None:
        return read_texts(conn, rowids)
    own = open_reader(src.path)
    try:
        return read_texts(own, rowids)
    finally:
        own.close()


def read_breach_texts_ahead(src, t: float, facts) -> None:
    """Start reading the texts of the bugs breached at t on a thread of its own, so SQLite reads them
    while the payload's numbers are worked out; breach_texts waits for them (and reads them itself if
    this failed, where the error reaches the caller)."""
    key, pending = ("texts", t), _Pending()
    with src._lock:
        if key in src._memo:
            return
        src._memo[key] = pending

    def read() -> None:
        texts = None
        try:
            texts = _read_breached(src, facts)
        except Exception:  # noqa: BLE001 - see above
            pass
        with src._lock:
            if src._memo.get(key) is pending:
                if texts is None:
                    del src._memo[key]
                else:
                    src._memo[key] = texts
        pending.set(texts)

    threading.Thread(target=read).start()  # not a daemon: see payload.read_ahead
