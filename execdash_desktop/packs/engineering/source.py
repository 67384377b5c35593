"""What the Engineering dashboard needs from a file, read once into an `EngSource`.

One scan of `bugs` (bug_sql.py, started by load.py) returns numbers only;
they land in numpy arrays, so the counts at any as-of moment are vector
operations, never another query. The small tables (projects, monthly and
portfolio snapshots) are read whole. Text (titles, names) is read only for
the rows a list shows (texts.py); revenue and hours only for the bugs a
payload needs them for, or whole when the bug table asks (extras.py).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ... import months as mo
from ...moments import SQL_EPOCH
from ...store import is_demo, table_columns
from ...values import to_float
from . import catalogue as cat
from . import stamps
from .bug_sql import NULL, PACK, PACK_BITS, SEV_LIST, STATUS_LIST, TIMES, ChunkReader, moment_ms
from .extras import Extras, ints_of, seconds_of
from .load import load_source  # noqa: F401 - the entry point (numpy-free) lives in load.py


def _position_codes(listing: str, codes: dict[str, int]) -> np.ndarray:
    """instr() position -> code lookup table (unknown -> the code for ''), 64 entries (a 6-bit field)."""
    assert len(listing) < 64
    table = np.full(64, codes[""], dtype=np.int8)
    for name, code in codes.items():
        if name:
            table[listing.index("," + name + ",") + 1] = code
    return table


_SEV_CODES = _position_codes(SEV_LIST, {"": -1, **{s: i for i, s in enumerate(cat.SEVERITIES)}})
_STATUS_WORDS = _position_codes(STATUS_LIST, {"": -1, **{s: i for i, s in enumerate(cat.STATUSES)}})
_STATUS_CODES = _position_codes(STATUS_LIST, {
    "": cat.ST_UNKNOWN, **{s: cat.ST_ACTIVE for s in cat.ACTIVE_STATUSES},
    **{s: cat.ST_RESOLVED for s in cat.RESOLVED_STATUSES}, "deferred": cat.ST_DEFERRED})


@dataclass(frozen=True)
class Bugs:
    """One entry per bug (numpy arrays of equal length); NaN where a value is missing."""

    created: np.ndarray  # epoch s; NaN: no (readable) created_at, "exists, with no age"
    resolution: np.ndarray  # epoch s when status is shipped/closed (resolved_at, else updated_at, else created_at); +inf otherwise
    sev: np.ndarray  # int8: index in SEVERITIES, -1 unknown
    status: np.ndarray  # int8: ST_*
    status_word: np.ndarray  # int8: index in STATUSES (the bug table's filter), -1 unknown
    blocker: np.ndarray  # bool
    sla: np.ndarray  # hours; 0: none (never breached)
    project: np.ndarray  # int32 index into EngSource.projects, -1 none
    rowid: np.ndarray  # int64: the row, to read its text when a list shows it
    # revenue_impact_daily and actual_hours, read when asked (extras.py); None in a subset (rules.may_be_open)
    extras: Extras | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.rowid)

    @property
    def revenue(self) -> np.ndarray:
        """Revenue impact per day of every bug (0 when NULL): read in one more scan the first time."""
        assert self.extras is not None, "a subset of the bugs has no extra columns"
        return self.extras.column("revenue")

    @property
    def actual_hours(self) -> np.ndarray:
        """Hours spent on every bug (0 when NULL): read in one more scan the first time."""
        assert self.extras is not None, "a subset of the bugs has no extra columns"
        return self.extras.column("actual_hours")


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


def _column(conn: sqlite3.Connection, expr: str, lo: int, hi: int) -> np.ndarray:
    return ints_of(conn.execute(f"SELECT group_concat({expr}, ',') FROM bugs NOT INDEXED WHERE rowid >= ? AND rowid < ?",
                              (lo, hi)).fetchone()[0])


def _parse(conn: sqlite3.Connection, reader: ChunkReader, i: int, raw: tuple) -> dict[str, np.ndarray]:
    """A chunk's aggregates (bug_sql.Chunks) -> int64 arrays: the small numbers were written as one
    comma-separated text per expression that numpy parses in C, the timestamps as blocks of
    fixed-width text (stamps.py) that numpy reads without SQLite's date functions; no Python object
    per value, which is what a row-by-row fetch of a million bugs costs. A timestamp column in
    another form, or rowids with gaps, are read again by SQLite for this range (same numbers)."""
    lo, hi = reader.chunks.ranges[i]
    n, *values = raw
    out = {}
    for k, col in enumerate(TIMES):
        ms = stamps.epoch_ms(values[k], n, NULL)
        out[col] = ms if ms is not None else _column(conn, moment_ms(col), lo, hi)
    for name, text in zip(reader.chunks.ints, values[len(TIMES):]):
        out[name] = ints_of(text)
    if n == hi - lo:  # every rowid of the range is there
        out["rowid"] = np.arange(lo, hi, dtype=np.int64)
    else:
        out["rowid"] = _column(conn, "rowid", lo, hi)
    return out


_DEFAULT_SLA = np.array([cat.SLA_HOURS[s] for s in cat.SEVERITIES] + [0], dtype=np.float64)  # sev -1 -> 0


def _finish(cols: dict[str, np.ndarray], lookup: np.ndarray | None) -> dict:
    """One chunk's packed integers -> the Bugs columns, by the rules of engineering-pack.md. Runs in
    the thread that read the chunk, so it overlaps the other reader's SQL (numpy releases the
    interpreter lock in its loops). Also the chunk's latest updated/resolved moment (ms)."""
    codes = cols["codes"]
    if "project" in cols:
        rid = cols["project"]
    else:
        rid, codes = (codes >> PACK_BITS) - 1, codes & (PACK - 1)
    created_ms, updated, resolved = cols["created_at"], cols["updated_at"], cols["resolved_at"]
    top = max(int(updated.max(initial=NULL)), int(resolved.max(initial=NULL)))  # NULL is below every moment
    sev = _SEV_CODES.take(codes & 63)  # codes are >= 0: bit operations for % and //
    status_pos = (codes >> 6) & 63
    status = _STATUS_CODES.take(status_pos)
    # resolved_at, else updated_at, else created_at: the moment a shipped/closed bug stopped being open
    res_ms = np.where(resolved != NULL, resolved, np.where(updated != NULL, updated, created_ms))
    resolution = np.full(len(codes), np.inf)
    done = (status == cat.ST_RESOLVED) & (res_ms != NULL)
    resolution[done] = res_ms[done].astype(np.float64) / 1000
    project = np.full(len(codes), -1, dtype=np.int32)
    if lookup is not None:
        ok = rid >= 0
        project[ok] = lookup[rid[ok]]
    sla = cols["sla"]
    return {"created": seconds_of(created_ms, np.nan), "resolution": resolution, "sev": sev, "status": status,
            "status_word": _STATUS_WORDS.take(status_pos),
            "blocker": codes >= 4096,
            "sla": np.where(sla > 0, sla.astype(np.float64) / 1000, _DEFAULT_SLA.take(sev)),  # NULL is < 0
            "project": project, "rowid": cols["rowid"], "top": top}


def _read_bugs(conn: sqlite3.Connection, path: str, reader: ChunkReader,
               index: dict[int, int]) -> tuple[Bugs, float | None]:
    lookup = None
    if index:
        lookup = np.full(int(max(index)) + 1, -1, dtype=np.int32)
        for k, v in index.items():
            lookup[k] = v
    parts = reader.finish(conn, lambda c, i, raw: _finish(_parse(c, reader, i, raw), lookup))
    top = max(p.pop("top") for p in parts)
    latest = top / 1000.0 if top != NULL else None  # the latest updated or resolved moment
    cols = {k: np.concatenate([p[k] for p in parts]) if len(parts) > 1 else parts[0][k] for k in parts[0]}
    return Bugs(**cols, extras=Extras(path, cols["rowid"])), latest


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


def assemble(conn: sqlite3.Connection, path: str, tables: set[str], projects: tuple[dict, ...],
             index: dict[int, int], reader: ChunkReader, reasons: dict[str, str]) -> EngSource:
    """The source from the scan `reader` runs (load.py started it) and the small tables."""
    notes: list[str] = []
    bugs, latest_other = _read_bugs(conn, path, reader, index)
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
    if latest is not None:  # the default as-of's reads start now: its payload waits on little or nothing
        from .payload import read_ahead

        read_ahead(src)
    return src
