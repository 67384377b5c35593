"""What the Engineering panels show besides the payload: run on a worker thread.

Every function takes (conn, src, payload) (spec.Panel.query) and returns
plain rows. `bug_table` returns a `BugQuery` (tables.PagedQuery) bound to the
payload's as-of moment: a lazy model asks it for `count` and `page`s.

The bug table's order (the bugs open at T first, each group by priority at
T, highest first, then row order) is
computed once per as-of moment over every bug with numpy and kept in the
source; severity and status filter on the arrays the load read, the other filters are
an SQL query returning row ids (indexed columns); a page
reads its ~100 rows by row id. So scrolling a million bugs reads 100 rows at
a time, never the table.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Mapping, Sequence

import numpy as np

from ... import moments
from ... import months as mo
from ...moments import HOUR, SQL_EPOCH
from ...store import table_columns, table_names
from ...tables import Page
from . import catalogue as cat
from . import rules
from .source import EngSource


def as_of_moment(src: EngSource, payload: dict) -> float:
    t = moments.parse(payload.get("asOf"))
    return t if t is not None else (src.latest or 0.0)


def as_of_options(src: EngSource) -> list[str]:
    """The as-of picker: every month end inside the data, then the latest moment (oldest first)."""
    if src.latest is None:
        return []
    first = src.first if src.first is not None else src.latest
    out = []
    for m in range(moments.month_index(first), moments.month_index(src.latest)):
        out.append(mo.last_day(m))
    out.append(moments.fmt(src.latest))
    return out


def severity_mix(conn, src: EngSource, payload: dict) -> list[dict]:
    """Open bugs by severity at T: [{severity, open, share}] in severity order."""
    counts = rules.facts(src, as_of_moment(src, payload)).counts
    total = sum(counts)
    return [{"severity": s, "open": n, "share": (n / total if total else None)}
            for s, n in zip(cat.SEVERITIES, counts)]


def top_risks(conn, src: EngSource, payload: dict, limit: int = 5) -> list[dict]:
    """Projects at HIGH or MEDIUM risk, with the reason in words (the page's order)."""
    out = []
    for p in payload.get("projects", []):
        if p["risk_level"] == "LOW":
            continue
        if p["risk_level"] == "HIGH":
            why = f"{p['blocker_count']} open blocker{'s' if p['blocker_count'] != 1 else ''}"
        else:
            n = p["critical_count"] + p["high_count"]
            why = f"{n} open critical or high bugs"
        out.append({"name": p["name"], "risk_level": p["risk_level"], "reason": why,
                    "dcf_valuation": p["dcf_valuation"], "status": p["status"]})
    return out[:limit]


def portfolio_bubbles(conn, src: EngSource, payload: dict) -> list[dict]:
    """One bubble per project with a complexity and an ROI: x complexity, y ROI, size DCF, colour risk."""
    out = []
    for p in payload.get("projects", []):
        if p["complexity"] is None or p["roi_score"] is None:
            continue
        out.append({"name": p["name"], "x": p["complexity"], "y": p["roi_score"],
                    "size": p["dcf_valuation"] or 0.0, "risk_level": p["risk_level"], "status": p["status"],
                    "client_appeal": p["client_appeal"], "blocker_count": p["blocker_count"],
                    "estimated_days_to_completion": p["estimated_days_to_completion"]})
    return out


def created_vs_resolved(conn, src: EngSource, payload: dict) -> list[dict]:
    return [{"period": r["period"], "created": r["created"], "resolved": r["resolved"]}
            for r in payload.get("bugTrend", [])]


def audit_log(conn: sqlite3.Connection, src: EngSource, payload: dict, limit: int = 200) -> list[dict]:
    """The newest audit_log rows on or before T (user named), newest first; [] without the table."""
    if "audit_log" not in table_names(conn):
        return []
    users = "users" in table_names(conn) and "name" in table_columns(conn, "users")
    sql = ("SELECT a.created_at, " + ("u.name" if users else "a.user_id") + ", a.action, a.entity_type, "
           "a.entity_id, a.details FROM audit_log a "
           + ("LEFT JOIN users u ON u.id = a.user_id " if users else "")
           + f"WHERE {SQL_EPOCH('a.created_at')} <= ? OR a.created_at IS NULL "
           "ORDER BY a.created_at DESC, a.rowid DESC LIMIT ?")
    keys = ("created_at", "user", "action", "entity_type", "entity_id", "details")
    return [dict(zip(keys, r)) for r in conn.execute(sql, (as_of_moment(src, payload) + 0.0005, limit))]


def bug_table(conn, src: EngSource, payload: dict) -> "BugQuery":
    return BugQuery(src, as_of_moment(src, payload))


_FILTERS = ("severity", "status", "project", "assignee")


class BugQuery:
    """Every bug, filtered and sorted by priority at T (tables.PagedQuery)."""

    columns = ("Bug", "Title", "Severity", "Status", "Project", "Assignee", "Priority", "Created",
               "Hours open", "Revenue / day", "Blocker")
    formats = ("text", "text", "text", "text", "text", "text", "int", "date", "hours", "currency", "text")

    def __init__(self, src: EngSource, t: float):
        self.src, self.t = src, t

    def choices(self, conn: sqlite3.Connection) -> Mapping[str, Sequence[str]]:
        tables = table_names(conn)
        projects = [r[0] for r in conn.execute("SELECT DISTINCT name FROM projects WHERE name IS NOT NULL "
                                               "ORDER BY name")] if "projects" in tables else []
        people = [r[0] for r in conn.execute(
            "SELECT DISTINCT u.name FROM users u WHERE u.name IS NOT NULL AND u.id IN "
            "(SELECT assigned_to FROM bugs) ORDER BY u.name")] if "users" in tables else []
        return {"severity": cat.SEVERITIES, "status": cat.STATUSES, "project": projects, "assignee": people}

    def _order(self) -> np.ndarray:
        """Indexes of every bug: the open ones first, each group by priority at T (highest first), then row order."""
        src, key = self.src, ("order", self.t)
        with src._lock:
            hit = src._memo.get(key)
        if hit is None:
            pr = rules.priority(src.bugs, self.t)
            closed = ~rules.facts(src, self.t).open
            hit = np.lexsort((src.bugs.rowid, -pr, closed)), pr
            with src._lock:
                src._memo[key] = hit
        return hit[0]

    def _priority(self) -> np.ndarray:
        self._order()
        with self.src._lock:
            return self.src._memo[("order", self.t)][1]

    def _where(self, filters: Mapping[str, Any]) -> tuple[str, list]:
        """The filters SQLite answers (by index or by text); severity and status are answered by _mask."""
        conds, params = [], []
        if v := filters.get("project"):
            conds.append("project_id IN (SELECT id FROM projects WHERE name = ?)")
            params.append(str(v))
        if v := filters.get("assignee"):
            conds.append("assigned_to IN (SELECT id FROM users WHERE name = ?)")
            params.append(str(v))
        if v := str(filters.get("search") or "").strip():
            conds.append("title LIKE ? ESCAPE '\\'")
            params.append("%" + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        return " AND ".join(conds), params

    def _mask(self, filters: Mapping[str, Any]) -> np.ndarray | None:
        """Severity and status from the arrays the load read (the same lower(trim()) reading), with no
        scan of the table: on a million bugs SQLite took ~0.6 s to match lower(trim(severity))."""
        b, mask = self.src.bugs, None
        for key, words, codes in (("severity", cat.SEVERITIES, b.sev), ("status", cat.STATUSES, b.status_word)):
            if v := filters.get(key):
                v = str(v).strip().lower()
                hit = codes == words.index(v) if v in words else np.zeros(len(codes), dtype=bool)
                mask = hit if mask is None else mask & hit
        return mask

    def _filtered(self, conn: sqlite3.Connection, filters: Mapping[str, Any]) -> np.ndarray:
        where, params = self._where(filters)
        mask = self._mask(filters)
        order = self._order()
        if not where and mask is None:
            return order
        key = ("filtered", self.t, where, tuple(params),
               tuple(str(filters.get(k) or "").strip().lower() for k in ("severity", "status")))
        with self.src._lock:
            hit = self.src._memo.get(key)
        if hit is not None:
            return hit
        keep = np.ones(len(order), dtype=bool) if mask is None else mask[order]
        if where:
            ids = np.fromiter((r[0] for r in conn.execute(f"SELECT rowid FROM bugs WHERE {where}", params)),
                              dtype=np.int64)
            keep &= np.isin(self.src.bugs.rowid[order], ids)
        out = order[keep]
        with self.src._lock:
            self.src._memo[key] = out
        return out

    def count(self, conn: sqlite3.Connection, filters: Mapping[str, Any]) -> int:
        return int(len(self._filtered(conn, filters)))

    def page(self, conn: sqlite3.Connection, filters: Mapping[str, Any], offset: int, limit: int) -> Page:
        rows_idx = self._filtered(conn, filters)
        offset = max(0, int(offset))
        part = rows_idx[offset:offset + max(0, int(limit))]
        b, pr = self.src.bugs, self._priority()
        rowids = [int(r) for r in b.rowid[part]]
        texts = _page_texts(conn, rowids)
        rows = []
        for i, rid in zip(part.tolist(), rowids):
            t = texts.get(rid, {})
            created = b.created[i]
            end = min(b.resolution[i], self.t)
            hours = None if np.isnan(created) else max(0.0, float(end - created) / HOUR)
            rows.append((t.get("bug_number"), t.get("title"), t.get("severity"), t.get("status"),
                         t.get("project"), t.get("assignee"), int(pr[i]), t.get("created_at"), hours,
                         float(b.revenue[i]), "yes" if b.blocker[i] else ""))
        return Page(self.columns, self.formats, tuple(rows), offset, int(len(rows_idx)))


def _page_texts(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, dict]:
    if not rowids:
        return {}
    tables = table_names(conn)
    has_p, has_u = "projects" in tables, "users" in tables
    sql = ("SELECT b.rowid, b.bug_number, b.title, trim(b.severity), trim(b.status), "
           + ("p.name" if has_p else "NULL") + ", " + ("u.name" if has_u else "NULL") + ", b.created_at FROM bugs b"
           + (" LEFT JOIN projects p ON p.id = b.project_id" if has_p else "")
           + (" LEFT JOIN users u ON u.id = b.assigned_to" if has_u else "")
           + f" WHERE b.rowid IN ({', '.join('?' * len(rowids))})")
    keys = ("bug_number", "title", "severity", "status", "project", "assignee", "created_at")
    return {r[0]: dict(zip(keys, r[1:])) for r in conn.execute(sql, rowids)}
