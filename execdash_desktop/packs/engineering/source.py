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
from ...store import is_demo, open_reader, table_columns, table_names
from ...values import to_float
from . import catalogue as cat
from . import stamps

REQUIRED = ("bugs",)
OPTIONAL = tuple(t for t in cat.TABLES if t not in REQUIRED)
CHUNK = 16384


# Severity and status by their position in a list (one lower/trim per row, no CASE
# chain); numpy maps the positions to codes. 0: not in the list (unknown).
_SEV_LIST = "," + ",".join(cat.SEVERITIES) + ","
_STATUS_LIST = "," + ",".join(cat.STATUSES) + ","


def _position_codes(listing: str, codes: dict[str, int]) -> np.ndarray:
    """instr() position -> code lookup table (unknown -> the code for '')."""
    table = np.full(len(listing) + 1, codes[""], dtype=np.int64)
    for name, code in codes.items():
        if name:
            table[listing.index("," + name + ",") + 1] = code
    return table


_SEV_CODES = _position_codes(_SEV_LIST, {"": -1, **{s: i for i, s in enumerate(cat.SEVERITIES)}})
_STATUS_CODES = _position_codes(_STATUS_LIST, {
    "": cat.ST_UNKNOWN, **{s: cat.ST_ACTIVE for s in cat.ACTIVE_STATUSES},
    **{s: cat.ST_RESOLVED for s in cat.RESOLVED_STATUSES}, "deferred": cat.ST_DEFERRED})


def bool_sql(col: str) -> str:
    """1, true, t, yes (any case) are true; everything else false."""
    return (f"(CASE typeof({col}) WHEN 'integer' THEN {col} = 1 WHEN 'real' THEN {col} = 1.0 "
            f"ELSE lower(trim({col})) IN ('1', 'true', 't', 'yes') END)")


def num_sql(col: str) -> str:
    """A number stored as a number or as text ('1,200.5'); NULL (or blank text) stays NULL."""
    return (f"(CASE typeof({col}) WHEN 'text' THEN nullif(CAST(replace(trim({col}), ',', '') AS REAL), 0.0) "
            f"ELSE {col} END)")


_NULL = -(2 ** 62)  # an integer no real value takes: NULL in the packed columns


def _ms(expr: str) -> str:
    return f"ifnull(CAST(round({expr} * 1000) AS INTEGER), {_NULL})"


def _moment_raw(col: str) -> str:
    """Epoch milliseconds of a timestamp column (NULL when unreadable): unixepoch() (fast) unless it
    has a fraction of a second."""
    return (f"CASE WHEN instr({col}, '.') THEN CAST(round({SQL_EPOCH(col)} * 1000) AS INTEGER) "
            f"ELSE unixepoch({col}) * 1000 END")


def _moment_ms(col: str) -> str:
    return f"ifnull({_moment_raw(col)}, {_NULL})"


def _num_ms(col: str) -> str:
    """A number x 1000 as an integer: stored numbers directly, text through num_sql."""
    return (f"CASE typeof({col}) WHEN 'integer' THEN {col} * 1000 "
            f"WHEN 'real' THEN CAST(round({col} * 1000) AS INTEGER) WHEN 'null' THEN {_NULL} "
            f"ELSE {_ms(num_sql(col))} END")


def _code(col: str, listing: str, names: tuple[str, ...]) -> str:
    """A clean value by an exact match (cheap); anything else through lower(trim()) and instr()."""
    exact = " ".join(f"WHEN '{n}' THEN {listing.index(',' + n + ',') + 1}" for n in names)
    return f"CASE {col} {exact} ELSE ifnull(instr('{listing}', ',' || lower(trim({col})) || ','), 0) END"


# Columns of the scan (each one costs a pass of formatting and parsing, so small codes share one:
# severity position + 64 x status position + 4096 x blocker; `resolution` is resolved_at, else updated_at).
_BUG_COLS = ("created", "resolution", "codes", "sla", "revenue", "project", "actual_hours", "rowid")
_PACK = 8192  # codes < _PACK: severity position + 64 x status position + 4096 x blocker
_SCALE = {"created": 1000, "resolution": 1000, "sla": 1000, "revenue": 1000, "actual_hours": 1000}


_PROJECT_BY_ID = "ifnull((SELECT p.rowid FROM projects p WHERE p.id = bugs.project_id), -1)"
_LITERAL_PROJECTS = 64  # up to this many, a CASE of literals before the lookup


def _project_sql(conn: sqlite3.Connection) -> str:
    """The project's row: a CASE over the projects' text ids (a compare each, cheaper than a lookup
    per bug), the lookup for anything else. Only where both columns compare as plain text (no
    declared collation) and in row order, so the row found is the lookup's own."""
    schema = " ".join(r[0] or "" for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE name IN ('bugs', 'projects')")).upper()
    if "COLLATE" in schema:
        return _PROJECT_BY_ID
    ids = conn.execute("SELECT rowid, id FROM projects WHERE typeof(id) = 'text' ORDER BY rowid LIMIT ?",
                       (_LITERAL_PROJECTS + 1,)).fetchall()
    ids = [(r, i) for r, i in ids if "\x00" not in i]
    if not ids or len(ids) > _LITERAL_PROJECTS:
        return _PROJECT_BY_ID
    whens = " ".join(f"WHEN '{i.replace(chr(39), chr(39) * 2)}' THEN {int(r)}" for r, i in ids)
    return f"CASE bugs.project_id {whens} ELSE {_PROJECT_BY_ID} END"


def _bug_exprs(has_projects: bool, project: str = _PROJECT_BY_ID) -> list[str]:
    project = project if has_projects else "-1"
    # every expression is non-NULL: group_concat skips NULLs, which would misalign the columns
    return [_moment_ms("created_at"),
            f"ifnull(coalesce({_moment_raw('resolved_at')}, {_moment_raw('updated_at')}), {_NULL})",
            f"({_code('severity', _SEV_LIST, cat.SEVERITIES)}) + 64 * ({_code('status', _STATUS_LIST, cat.STATUSES)})"
            f" + 4096 * ifnull({bool_sql('is_blocker')}, 0)",
            _num_ms("sla_hours"), _num_ms("revenue_impact_daily"), project, _num_ms("actual_hours"), "rowid"]


def _bug_sql(has_projects: bool) -> str:
    """One row per bug, numbers only (tests read it row by row)."""
    return "SELECT " + ", ".join(_bug_exprs(has_projects)) + " FROM bugs"


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
    demo: bool = False  # written by the demo generator (store.is_demo): the page and pack say "Demo data"
    _memo: dict = field(default_factory=dict, compare=False, repr=False)  # facts by as-of moment
    _lock: Any = field(default_factory=threading.Lock, compare=False, repr=False)


_TIMES = ("created_at", "updated_at", "resolved_at")


def _ints(text) -> np.ndarray:
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.empty(0, np.int64)


def _column(conn: sqlite3.Connection, expr: str, lo: int, hi: int) -> np.ndarray:
    return _ints(conn.execute(f"SELECT group_concat({expr}, ',') FROM bugs WHERE rowid >= ? AND rowid < ?",
                              (lo, hi)).fetchone()[0])


def _scan(conn: sqlite3.Connection, ints: list[tuple[str, str]], lo: int, hi: int) -> dict[str, np.ndarray]:
    """Bugs with lo <= rowid < hi in one statement: the small numbers as one comma-separated text
    per expression (group_concat, rowid order) that numpy parses in C, the timestamps as blocks of
    fixed-width text (stamps.py) that numpy reads without SQLite's date functions; no Python object
    per value, which is what a row-by-row fetch of a million bugs costs. A timestamp column in
    another form, or rowids with gaps, are read again by SQLite for this range (same numbers)."""
    sql = ("SELECT count(*), min(rowid), max(rowid), "
           + ", ".join([stamps.block_sql(c) for c in _TIMES] + [f"group_concat({e}, ',')" for _, e in ints])
           + " FROM bugs WHERE rowid >= ? AND rowid < ?")
    n, first, last, *values = conn.execute(sql, (lo, hi)).fetchone()
    out = {}
    for i, col in enumerate(_TIMES):
        ms = stamps.epoch_ms(values[2 * i], values[2 * i + 1], n, _NULL)
        out[col] = ms if ms is not None else _column(conn, _moment_ms(col), lo, hi)
    for (name, _), text in zip(ints, values[6:]):
        out[name] = _ints(text)
    if n and last - first + 1 == n:
        out["rowid"] = np.arange(first, last + 1, dtype=np.int64)
    else:
        out["rowid"] = _column(conn, "rowid", lo, hi)
    return out


_DEFAULT_SLA = np.array([cat.SLA_HOURS[s] for s in cat.SEVERITIES] + [0], dtype=np.float64)  # sev -1 -> 0


def _seconds(ms: np.ndarray, null: float) -> np.ndarray:
    """Packed milliseconds -> float seconds; `null` where the value was NULL."""
    out = ms.astype(np.float64) / 1000
    out[ms == _NULL] = null
    return out


def _finish(cols: dict[str, np.ndarray], lookup: np.ndarray | None) -> dict:
    """One chunk's packed integers -> the Bugs columns, by the rules of engineering-pack.md. Runs in
    the thread that read the chunk, so it overlaps the other reader's SQL (numpy releases the
    interpreter lock in its loops). Also the chunk's latest updated/resolved moment (ms)."""
    codes = cols["codes"]
    if "project" in cols:
        rid = cols["project"]
    else:
        rid, codes = codes // _PACK - 1, codes % _PACK
    created_ms, updated, resolved = cols["created_at"], cols["updated_at"], cols["resolved_at"]
    top = max(int(updated.max(initial=_NULL)), int(resolved.max(initial=_NULL)))  # _NULL is below every moment
    sev = _SEV_CODES[codes % 64].astype(np.int8)
    status = _STATUS_CODES[(codes // 64) % 64].astype(np.int8)
    # resolved_at, else updated_at, else created_at: the moment a shipped/closed bug stopped being open
    res_ms = np.where(resolved != _NULL, resolved, np.where(updated != _NULL, updated, created_ms))
    resolution = np.full(len(codes), np.inf)
    done = (status == cat.ST_RESOLVED) & (res_ms != _NULL)
    resolution[done] = res_ms[done].astype(np.float64) / 1000
    project = np.full(len(codes), -1, dtype=np.int32)
    if lookup is not None:
        ok = rid >= 0
        project[ok] = lookup[rid[ok]]
    sla = cols["sla"]
    return {"created": _seconds(created_ms, np.nan), "resolution": resolution, "sev": sev, "status": status,
            "blocker": codes >= 4096,
            "sla": np.where(sla > 0, sla.astype(np.float64) / 1000, _DEFAULT_SLA[sev]),  # NULL is < 0
            "revenue": _seconds(cols["revenue"], 0.0), "project": project,
            "actual_hours": _seconds(cols["actual_hours"], 0.0), "rowid": cols["rowid"], "top": top}


def _read_bugs(conn: sqlite3.Connection, path: str, index: dict[int, int], progress) -> tuple[Bugs, float | None]:
    # two statements: SQLite answers a lone min() or max() of the rowid from the b-tree's end, the
    # pair in one statement with a scan of the whole table
    lo = conn.execute("SELECT min(rowid) FROM bugs").fetchone()[0]
    hi = conn.execute("SELECT max(rowid) FROM bugs").fetchone()[0]
    has_projects = bool(index)
    codes, sla, revenue, project, hours = _bug_exprs(has_projects, _project_sql(conn) if has_projects else "-1")[2:7]
    top = conn.execute("SELECT max(rowid) FROM projects").fetchone()[0] if has_projects else None
    if (top or 0) < 2 ** 40:  # the project's row above the codes: one number less per bug to write and parse
        ints = [("codes", f"({codes}) + {_PACK} * (({project}) + 1)"), ("sla", sla), ("revenue", revenue),
                ("actual_hours", hours)]
    else:
        ints = [("codes", codes), ("sla", sla), ("revenue", revenue), ("project", project), ("actual_hours", hours)]
    lookup = None
    if index:
        lookup = np.full(int(max(index)) + 1, -1, dtype=np.int32)
        for k, v in index.items():
            lookup[k] = v
    if lo is None:
        ranges = [(0, 0)]
    else:
        step = max(CHUNK, -(-(hi - lo + 1) // 16))
        ranges = [(a, min(a + step, hi + 1)) for a in range(lo, hi + 1, step)]
    parts = _parallel(conn, path, ints, ranges, progress, lookup)
    top = max(p.pop("top") for p in parts)
    latest = top / 1000.0 if top != _NULL else None  # the latest updated or resolved moment
    cols = {k: np.concatenate([p[k] for p in parts]) if len(parts) > 1 else parts[0][k] for k in parts[0]}
    return Bugs(**cols), latest


def _parallel(conn, path: str, ints: list[tuple[str, str]], ranges: list[tuple[int, int]], progress,
              lookup: np.ndarray | None) -> list:
    """The ranges on this connection and, for a large table, a second reader on another core
    (sqlite3 releases the GIL while SQLite works)."""
    done: list = [None] * len(ranges)
    if len(ranges) < 4 or not path:
        for i, (a, b) in enumerate(ranges):
            done[i] = _finish(_scan(conn, ints, a, b), lookup)
        return done
    lock = threading.Lock()
    todo = list(range(len(ranges)))

    def work(c) -> None:
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop(0)
            done[i] = _finish(_scan(c, ints, *ranges[i]), lookup)
            if progress is not None:
                progress(0.9 * sum(d is not None for d in done) / len(done), "Reading bugs")

    other = open_reader(path)
    try:
        helper = threading.Thread(target=work, args=(other,), daemon=True)
        helper.start()
        work(conn)
        helper.join()
    finally:
        other.close()
    if any(d is None for d in done):  # the helper failed: read what it left here
        for i, (a, b) in enumerate(ranges):
            if done[i] is None:
                done[i] = _finish(_scan(conn, ints, a, b), lookup)
    return done


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
    bugs, latest_other = _read_bugs(conn, path, index, progress)
    created, sev, status = bugs.created, bugs.sev, bugs.status
    known_created = created[~np.isnan(created)]
    candidates = ([float(known_created.max())] if known_created.size else []) + (
        [latest_other] if latest_other is not None else [])
    latest = max(candidates, default=None)
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
                    portfolio=portfolio, notes=tuple(notes), reasons=reasons, demo=is_demo(conn))
    if latest is not None:  # the default as-of's breach rows, read now: its payload needs no query
        from .rules import facts
        from .texts import breach_texts

        breach_texts(src, latest, facts(src, latest), conn)
    return src
