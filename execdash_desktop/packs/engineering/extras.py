"""The bugs' numbers the first payload needs for a few bugs only: revenue_impact_daily and actual_hours.

The scan of `bugs` (bug_sql.py) leaves them out: they were a third of its
SQLite work. The payload needs them for a few thousand bugs at most (the
revenue of the bugs breached at the as-of moment, the hours of the bugs
resolved in a month that monthly_metrics does not cover), read by row id;
the bug table's priority order and the drill-downs need them whole, read in
one more scan the first time they ask. Same rules, same numbers: the values
go through the expressions the scan used (bug_sql.num_ms).
"""

from __future__ import annotations

import sqlite3
import threading

import numpy as np

from ...store import open_reader, reading_errors
from .bug_sql import CHUNK, HELPERS, NULL, num_ms

EXPRS = {"revenue": num_ms("revenue_impact_daily", real=True), "actual_hours": num_ms("actual_hours", real=True)}
BY_ROW_SHARE = 8  # by row id up to an eighth of the bugs: a seek costs a few rows of a scan
BATCH = 2000  # row ids per statement (a literal list: SQLite's limit on variables does not apply)
GAP, RUN = 16, 32  # row ids less than GAP apart, RUN or more of them: read as one range (scanning a row
# costs about a quarter of seeking one)


def ints_of(text) -> np.ndarray:
    """A comma-separated text of integers (group_concat) -> int64 array, parsed in C."""
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.empty(0, np.int64)


def _pick(wanted: np.ndarray, ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """values[k] for each wanted row id ids[k] (ids sorted); NULL where the row is not there."""
    pos = np.minimum(np.searchsorted(ids, wanted), max(len(ids) - 1, 0))
    hit = ids[pos] == wanted if len(ids) else np.zeros(len(wanted), bool)
    return np.where(hit, values[pos] if len(ids) else NULL, NULL)


def seconds_of(ms: np.ndarray, null: float = 0.0) -> np.ndarray:
    """Packed milliseconds -> float; `null` where NULL (0: as the rules read a missing revenue or hours)."""
    out = ms.astype(np.float64) / 1000
    out[ms == NULL] = null
    return out


class Extras:
    """The extra columns of one EngSource's bugs (`rowid`: the bugs' row ids, in the source's order).
    `of(name, idx)` gives the values of the bugs at `idx`; `column(name)` all of them. Values read are
    kept; threads may ask at once (one read at a time, the other waits and finds it kept)."""

    def __init__(self, path: str, rowid: np.ndarray) -> None:
        self.path = path
        self._rowid = rowid
        self._lock = threading.RLock()
        self._whole: dict[str, np.ndarray] = {}
        self._some: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # name -> (values, read?) per bug

    def of(self, name: str, idx: np.ndarray) -> np.ndarray:
        idx = np.asarray(idx, dtype=np.intp)
        with self._lock:
            whole = self._whole.get(name)
            if whole is not None:
                return whole[idx]
            if idx.size * BY_ROW_SHARE > len(self._rowid):
                return self.column(name)[idx]
            values, have = self._some.setdefault(name, (np.zeros(len(self._rowid)), np.zeros(len(self._rowid), bool)))
            need = np.unique(idx[~have[idx]])
            if need.size:
                values[need] = self._by_rowid(name, self._rowid[need])
                have[need] = True
            return values[idx]

    def column(self, name: str) -> np.ndarray:
        with self._lock:
            whole = self._whole.get(name)
            if whole is None:
                whole = self._whole[name] = self._scan(name)
                self._some.pop(name, None)
            return whole

    def _by_rowid(self, name: str, rowids: np.ndarray) -> np.ndarray:
        """Values of the bugs with these (sorted) row ids; a row gone from the file since the scan reads 0.
        Where they lie close together (recent bugs mostly do), a range of rows is read in one pass,
        which costs less per row than a seek; the scattered ones are sought."""
        found = np.full(len(rowids), NULL, dtype=np.int64)
        cuts = np.flatnonzero(np.diff(rowids) > GAP) + 1
        starts, ends = np.r_[0, cuts], np.r_[cuts, len(rowids)]
        dense = ends - starts >= RUN
        sought = np.concatenate([np.arange(a, b) for a, b in zip(starts[~dense], ends[~dense])] or [np.empty(0, int)])
        conn = open_reader(self.path)
        try:
            with reading_errors(self.path):
                for a, b in zip(starts[dense].tolist(), ends[dense].tolist()):
                    lo, hi = int(rowids[a]), int(rowids[b - 1])
                    count, text = conn.execute(f"SELECT count(*), group_concat({EXPRS[name]}, ',') FROM bugs "
                                               "NOT INDEXED WHERE rowid >= ? AND rowid <= ?", (lo, hi)).fetchone()
                    if count == hi - lo + 1:  # every row id of the range is there: values by position
                        ids = np.arange(lo, hi + 1, dtype=np.int64)
                    else:
                        ids = ints_of(conn.execute("SELECT group_concat(rowid, ',') FROM bugs NOT INDEXED "
                                                 "WHERE rowid >= ? AND rowid <= ?", (lo, hi)).fetchone()[0])
                    found[a:b] = _pick(rowids[a:b], ids, ints_of(text))
                for i in range(0, len(sought), BATCH):
                    # one row back (aggregates), not one per bug: each row fetched gives up the interpreter
                    # lock and waits to take it back from a busy main thread
                    part = rowids[sought[i:i + BATCH]]
                    ids, text = conn.execute(f"SELECT group_concat(rowid, ','), group_concat({EXPRS[name]}, ',') "
                                             f"FROM bugs WHERE rowid IN ({','.join(map(str, part.tolist()))})"
                                             ).fetchone()
                    ids, values = ints_of(ids), ints_of(text)
                    order = np.argsort(ids, kind="stable")  # SQLite visits them in order; not promised
                    found[sought[i:i + BATCH]] = _pick(part, ids[order], values[order])
        finally:
            conn.close()
        return seconds_of(found)

    def _scan(self, name: str) -> np.ndarray:
        """The whole column, by ranges of the source's row ids, on one reader per core (SQLite releases
        the interpreter lock). A range whose row count changed since the scan is read by row id."""
        n = len(self._rowid)
        pieces = [(a, min(a + CHUNK, n)) for a in range(0, n, CHUNK)]
        out = np.zeros(n)
        todo = list(range(len(pieces)))
        lock, errors = threading.Lock(), []

        def work() -> None:
            try:
                conn = open_reader(self.path)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return
            try:
                with reading_errors(self.path):
                    while True:
                        with lock:
                            if not todo:
                                return
                            a, b = pieces[todo.pop()]
                        out[a:b] = self._range(conn, name, a, b)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                conn.close()

        threads = [threading.Thread(target=work, daemon=True) for _ in range(min(HELPERS, 2, len(pieces)) - 1)]
        for t in threads:
            t.start()
        work()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return out

    def _range(self, conn: sqlite3.Connection, name: str, a: int, b: int) -> np.ndarray:
        rowids = self._rowid[a:b]
        count, text = conn.execute(f"SELECT count(*), group_concat({EXPRS[name]}, ',') FROM bugs NOT INDEXED "
                                   "WHERE rowid >= ? AND rowid <= ?", (int(rowids[0]), int(rowids[-1]))).fetchone()
        if count != len(rowids):  # rows added or deleted since the scan: match them by row id
            return self._by_rowid(name, rowids)
        return seconds_of(ints_of(text))
