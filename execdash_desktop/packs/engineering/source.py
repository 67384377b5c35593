"""Read what the Engineering dashboard needs from a file, once, into an `EngSource`.

One scan of `bugs` returns numbers only (SQLite parses the timestamps with
julianday() and matches severity, status and booleans by the messy-data
rules of engineering-pack.md); they land in numpy arrays, so the counts at
any as-of moment are vector operations, never another query. The small
tables (projects, monthly and portfolio snapshots, users) are read whole.
Text (titles, names) is read only for the rows a list shows.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ... import months as mo
from ...errors import DataFileError, MissingTablesError
from ...moments import SQL_EPOCH
from ...store import open_reader, table_columns, table_names
from ...values import to_float
from . import catalogue as cat

REQUIRED = ("bugs",)
OPTIONAL = tuple(t for t in cat.TABLES if t not in REQUIRED)
CHUNK = 65536


def _sev_sql(col: str) -> str:
    return ("CASE lower(trim(" + col + ")) " +
            " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(cat.SEVERITIES)) + " ELSE -1 END")


def _status_sql(col: str) -> str:
    active = ", ".join(f"'{s}'" for s in cat.ACTIVE_STATUSES)
    resolved = ", ".join(f"'{s}'" for s in cat.RESOLVED_STATUSES)
    return (f"CASE WHEN lower(trim({col})) IN ({active}) THEN {cat.ST_ACTIVE} "
            f"WHEN lower(trim({col})) IN ({resolved}) THEN {cat.ST_RESOLVED} "
            f"WHEN lower(trim({col})) = 'deferred' THEN {cat.ST_DEFERRED} ELSE {cat.ST_UNKNOWN} END")


def bool_sql(col: str) -> str:
    """1, true, t, yes (any case) are true; everything else false."""
    return f"(lower(trim(CAST({col} AS TEXT))) IN ('1', 'true', 't', 'yes', '1.0'))"


def num_sql(col: str) -> str:
    """A number stored as a number or as text ('1,200.5'); NULL stays NULL."""
    return (f"(CASE WHEN typeof({col}) IN ('integer', 'real') THEN {col} "
            f"WHEN {col} IS NULL OR trim({col}) = '' THEN NULL "
            f"ELSE CAST(replace(replace(trim({col}), ',', ''), '%', '') AS REAL) END)")


_BUG_COLS = ("created", "updated", "resolved", "sev", "status", "blocker", "sla", "revenue", "project",
             "actual_hours", "rowid")


def _bug_sql(has_projects: bool) -> str:
    project = ("(SELECT p.rowid FROM projects p WHERE p.id = bugs.project_id)" if has_projects else "NULL")
    return (f"SELECT {SQL_EPOCH('created_at')}, {SQL_EPOCH('updated_at')}, {SQL_EPOCH('resolved_at')}, "
            f"{_sev_sql('severity')}, {_status_sql('status')}, {bool_sql('is_blocker')}, "
            f"{num_sql('sla_hours')}, {num_sql('revenue_impact_daily')}, {project}, "
            f"{num_sql('actual_hours')}, rowid FROM bugs")


@dataclass(frozen=True)
class Bugs:
    """One entry per bug (numpy arrays of equal length); NaN where a value is missing."""

    created: np.ndarray  # epoch s; NaN: no (readable) created_at, "exists, with no age"
    resolution: np.ndarray  # epoch s when status is shipped/closed (resolved_at, else updated_at, else created_at); +inf otherwise
    sev: np.ndarray  # int8: index in SEVERITIES, -1 unknown
    status: np.ndarray  # int8: ST_*
    blocker: np.ndarray  # bool
    sla: np.ndarray  # hours; 0: none (never breached)
    revenue: np.ndarray  # per day; 0 when NULL
    project: np.ndarray  # int32 index into EngSource.projects, -1 none
    actual_hours: np.ndarray  # 0 when NULL
    rowid: np.ndarray  # int64: the row, to read its text when a list shows it

    def __len__(self) -> int:
        return len(self.rowid)


@dataclass(frozen=True)
class EngSource:
    path: str
    bugs: Bugs
    latest: float | None  # default as-of T: the latest created/updated/resolved moment
    first: float | None  # the first bug's created_at
    projects: tuple[dict, ...]  # name, status, dcf_valuation, roi_score, complexity, client_appeal, milestones, infra
    monthly: dict[int, dict]  # monthly_metrics rows by month index
    portfolio: tuple[tuple[float, float | None, float | None], ...]  # (snapshot moment, dcf total, deps cost), oldest first
    currency: str = cat.CURRENCY
    notes: tuple[str, ...] = ()  # data-quality notes (unknown values, unreadable rows)
    reasons: dict[str, str] = field(default_factory=dict)  # table -> why it is unusable
    _memo: dict = field(default_factory=dict, compare=False, repr=False)  # facts by as-of moment
    _lock: Any = field(default_factory=threading.Lock, compare=False, repr=False)


def _read_bugs(conn: sqlite3.Connection, has_projects: bool, progress) -> dict[str, np.ndarray]:
    total = conn.execute("SELECT max(rowid) FROM bugs").fetchone()[0] or 0
    parts: list[np.ndarray] = []
    cur = conn.execute(_bug_sql(has_projects))
    done = 0
    while True:
        rows = cur.fetchmany(CHUNK)
        if not rows:
            break
        parts.append(np.array(rows, dtype=np.float64))
        done += len(rows)
        if progress is not None and total:
            progress(min(0.9, done / total), "Reading bugs")
    data = np.concatenate(parts) if parts else np.empty((0, len(_BUG_COLS)))
    data[:, :3] = np.round(data[:, :3], 3)  # julianday's float noise: moments to the millisecond
    return {name: data[:, i] for i, name in enumerate(_BUG_COLS)}


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


_MONTHLY = ("bugs_created", "bugs_resolved", "avg_resolution_days", "eng_hours", "total_cost")


def _monthly(conn, tables: set[str], reasons: dict, notes: list) -> dict[int, dict]:
    if "monthly_metrics" not in tables:
        return {}
    cols = table_columns(conn, "monthly_metrics")
    missing = [c for c in ("month",) + _MONTHLY if c not in cols]
    if missing:
        reasons["monthly_metrics"] = f"table monthly_metrics has no column {', '.join(missing)}"
        return {}
    out: dict[int, dict] = {}
    bad = 0
    for row in conn.execute(f"SELECT month, {', '.join(_MONTHLY)} FROM monthly_metrics ORDER BY month"):
        idx = mo.parse_month(row[0])
        if idx is None:
            bad += 1
            continue
        out[idx] = dict(zip(_MONTHLY, (to_float(v) for v in row[1:])))
    if bad:
        notes.append(f"{bad} monthly_metrics row(s) with an unreadable month were skipped")
    return out


def _portfolio(conn, tables: set[str], reasons: dict) -> tuple:
    if "portfolio_metrics" not in tables:
        return ()
    cols = table_columns(conn, "portfolio_metrics")
    if not {"snapshot_date", "portfolio_dcf_total", "monthly_deps_cost"} <= cols:
        reasons["portfolio_metrics"] = "table portfolio_metrics lacks snapshot_date, portfolio_dcf_total or monthly_deps_cost"
        return ()
    rows = conn.execute(f"SELECT {SQL_EPOCH('snapshot_date')}, portfolio_dcf_total, monthly_deps_cost "
                        "FROM portfolio_metrics").fetchall()
    return tuple(sorted((round(t, 3), to_float(a), to_float(b)) for t, a, b in rows if t is not None))


def load_source(path: str | Path, progress=None, conn: sqlite3.Connection | None = None) -> EngSource:
    """Query a data file for the Engineering dashboard. Raises DataFileError."""
    own = conn is None
    if conn is None:
        conn = open_reader(path)
    try:
        return _load(conn, str(path), progress)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DataFileError(f"{path}: locked by another writer for longer than the busy timeout") from exc
        raise DataFileError(f"{path}: cannot read ({exc})") from exc
    except sqlite3.DatabaseError as exc:
        raise DataFileError(f"{path}: not a SQLite database ({exc})") from exc
    finally:
        if own:
            conn.close()


_BUG_REQUIRED = ("severity", "status", "created_at", "updated_at", "resolved_at", "is_blocker", "sla_hours",
                 "revenue_impact_daily", "project_id", "actual_hours")


def _load(conn: sqlite3.Connection, path: str, progress) -> EngSource:
    tables = table_names(conn)
    if "bugs" not in tables:
        raise MissingTablesError(path, [t for t in cat.TABLES if t not in tables])
    cols = table_columns(conn, "bugs")
    missing = [c for c in _BUG_REQUIRED if c not in cols]
    if missing:
        raise DataFileError(f"{path}: table bugs has no column {', '.join(missing)}")
    reasons: dict[str, str] = {}
    notes: list[str] = []
    projects, index = _projects(conn, tables, reasons)
    raw = _read_bugs(conn, bool(index), progress)
    created, updated, resolved = raw["created"], raw["updated"], raw["resolved"]
    status = raw["status"].astype(np.int8)
    res = np.where(np.isnan(resolved), np.where(np.isnan(updated), created, updated), resolved)
    resolution = np.where((status == cat.ST_RESOLVED) & ~np.isnan(res), res, np.inf)
    project = np.full(len(created), -1, dtype=np.int32)
    if index:
        rid = raw["project"]
        ok = ~np.isnan(rid)
        lookup = np.full(int(max(index)) + 1, -1, dtype=np.int32)
        for k, v in index.items():
            lookup[k] = v
        project[ok] = lookup[rid[ok].astype(np.int64)]
    sev = raw["sev"].astype(np.int8)
    sla = raw["sla"]
    default_sla = np.array([cat.SLA_HOURS[s] for s in cat.SEVERITIES] + [0], dtype=np.float64)
    sla = np.where(np.nan_to_num(sla, nan=0.0) > 0, sla, default_sla[sev])  # sev -1 -> last: 0
    bugs = Bugs(created=created, resolution=resolution, sev=sev, status=status,
                blocker=raw["blocker"].astype(bool), sla=np.nan_to_num(sla, nan=0.0),
                revenue=np.nan_to_num(raw["revenue"], nan=0.0), project=project,
                actual_hours=np.nan_to_num(raw["actual_hours"], nan=0.0),
                rowid=raw["rowid"].astype(np.int64))
    stamps = np.concatenate([created, updated, resolved])
    stamps = stamps[~np.isnan(stamps)]
    latest = float(stamps.max()) if stamps.size else None
    known_created = created[~np.isnan(created)]
    first = float(known_created.min()) if known_created.size else None
    if (n := int((sev < 0).sum())):
        notes.append(f"{n:,} bug(s) with an unknown severity are counted in no severity")
    if (n := int((status == cat.ST_UNKNOWN).sum())):
        notes.append(f"{n:,} bug(s) with an unknown status are neither open nor resolved")
    if (n := int(np.isnan(created).sum())):
        notes.append(f"{n:,} bug(s) without a readable created_at have no age")
    monthly = _monthly(conn, tables, reasons, notes)
    portfolio = _portfolio(conn, tables, reasons)
    src = EngSource(path=path, bugs=bugs, latest=latest, first=first, projects=projects, monthly=monthly,
                    portfolio=portfolio, notes=tuple(notes), reasons=reasons)
    if latest is not None:  # the default as-of's breach rows, read now: its payload needs no query
        from .rules import facts
        from .texts import breach_texts

        breach_texts(src, latest, facts(src, latest), conn)
    return src
