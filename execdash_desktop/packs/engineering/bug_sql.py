"""The SQL of the one scan of `bugs`, and the reader that runs it in chunks, without numpy.

Each bug becomes numbers inside SQLite (severity, status and booleans
matched by the messy-data rules of engineering-pack.md, timestamps as
fixed-width text blocks or epoch milliseconds), chunk by chunk of rowids.
Nothing here imports numpy: `load.py` starts a second reader on a large
table before numpy is imported, so SQLite works on one core while the
interpreter imports numpy on the other (about 100 ms of a cold process).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any, Callable

from ...moments import SQL_EPOCH
from ...store import open_reader
from . import catalogue as cat

CHUNK = 16384  # rowids per chunk at least; a large table is cut in 16
# Helper readers beside the caller: one per core, so both cores stay in SQLite while one reader holds
# the interpreter lock to parse its chunk (three readers on two cores: ~8% faster on 1M bugs).
HELPERS = max(1, min(3, os.cpu_count() or 1))
NULL = -(2 ** 62)  # an integer no real value takes: NULL in the packed columns
TIMES = ("created_at", "updated_at", "resolved_at")
PACK_BITS = 13
PACK = 1 << PACK_BITS  # codes < PACK: severity position + 64 x status position + 4096 x blocker

# Severity and status by their position in a list (one lower/trim per row, no CASE
# chain); numpy maps the positions to codes. 0: not in the list (unknown).
SEV_LIST = "," + ",".join(cat.SEVERITIES) + ","
STATUS_LIST = "," + ",".join(cat.STATUSES) + ","

# Timestamps in the one form files usually hold ('YYYY-MM-DDTHH:MM:SSZ') travel as a block of
# fixed-width text that stamps.py reads with numpy.
STAMP_WIDTH = 20
STAMP_BLANK = " " * STAMP_WIDTH  # NULL, in the block
STAMP_SEP = "|"  # between two values: where it is, and how often, proves the block lines up


def block_sql(col: str) -> str:
    """The column's values, NULL as STAMP_BLANK, joined by STAMP_SEP, as bytes (rowid order). stamps.py
    checks that they line up (no per-row length check here: it cost a fifth of the scan)."""
    return f"CAST(group_concat(ifnull({col}, '{STAMP_BLANK}'), '{STAMP_SEP}') AS BLOB)"


def bool_sql(col: str) -> str:
    """1, true, t, yes (any case) are true; everything else false."""
    return (f"(CASE typeof({col}) WHEN 'integer' THEN {col} = 1 WHEN 'real' THEN {col} = 1.0 "
            f"ELSE lower(trim({col})) IN ('1', 'true', 't', 'yes') END)")


def flag_sql(col: str) -> str:
    """bool_sql, 0 for NULL; a stored 1 or 0 (what nearly every file holds) answered by one compare.
    Whatever equals 1 (or 0) here is what bool_sql reads as true (or false), so it is a short cut only."""
    return f"(CASE {col} WHEN 1 THEN 1 WHEN 0 THEN 0 ELSE ifnull({bool_sql(col)}, 0) END)"


def num_sql(col: str) -> str:
    """A number stored as a number or as text ('1,200.5'); NULL (or blank text) stays NULL."""
    return (f"(CASE typeof({col}) WHEN 'text' THEN nullif(CAST(replace(trim({col}), ',', '') AS REAL), 0.0) "
            f"ELSE {col} END)")


def _ms(expr: str) -> str:
    return f"ifnull(CAST(round({expr} * 1000) AS INTEGER), {NULL})"


def _moment_raw(col: str) -> str:
    """Epoch milliseconds of a timestamp column (NULL when unreadable): unixepoch() (fast) unless it
    has a fraction of a second."""
    return (f"CASE WHEN instr({col}, '.') THEN CAST(round({SQL_EPOCH(col)} * 1000) AS INTEGER) "
            f"ELSE unixepoch({col}) * 1000 END")


def moment_ms(col: str) -> str:
    return f"ifnull({_moment_raw(col)}, {NULL})"


def num_ms(col: str, real: bool = False) -> str:
    """A number x 1000 as an integer: stored numbers directly, text through num_sql. `real`: the
    column mostly holds reals (REAL columns), so that type is tried first."""
    kinds = {"integer": f"{col} * 1000", "real": f"CAST(round({col} * 1000) AS INTEGER)"}
    order = ("real", "integer") if real else ("integer", "real")
    whens = " ".join(f"WHEN '{k}' THEN {kinds[k]}" for k in order)
    return f"CASE typeof({col}) {whens} WHEN 'null' THEN {NULL} ELSE {_ms(num_sql(col))} END"


# The names most bugs hold first: a CASE compares in order, and over years of history most bugs are
# shipped or closed, most of medium or low severity (the order changes no code, only the work).
SEV_LIKELY = ("medium", "low", "high", "critical")
STATUS_LIKELY = ("shipped", "closed", "deferred", "in_progress", "pending", "verified")


def _code(col: str, listing: str, names: tuple[str, ...]) -> str:
    """A clean value by an exact match (cheap; `names` in the order to try); anything else through
    lower(trim()) and instr(). A value holding a comma is no name ('high,low' would otherwise be
    found inside the list)."""
    exact = " ".join(f"WHEN '{n}' THEN {listing.index(',' + n + ',') + 1}" for n in names)
    return (f"CASE {col} {exact} ELSE (CASE WHEN instr({col}, ',') THEN 0 "
            f"ELSE ifnull(instr('{listing}', ',' || lower(trim({col})) || ','), 0) END) END")


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


def _codes_sql() -> str:
    """Severity, status and blocker in one number (PACK_BITS bits)."""
    return (f"({_code('severity', SEV_LIST, SEV_LIKELY)}) + 64 * ({_code('status', STATUS_LIST, STATUS_LIKELY)})"
            f" + 4096 * {flag_sql('is_blocker')}")


class Chunks:
    """The scan of `bugs` cut by rowid. `read(conn, i)` runs chunk i's statement: its count, the
    three timestamp blocks and one comma-separated text per number column (`ints`, in that order);
    `ints` names those columns. A count equal to the range's width means no rowid is missing (no
    min/max per row). NOT INDEXED: the values come in rowid order (the columns line up by position)
    whatever index a file holds."""

    def __init__(self, conn: sqlite3.Connection, has_projects: bool) -> None:
        # every expression is non-NULL: group_concat skips NULLs, which would misalign the columns.
        # revenue_impact_daily and actual_hours are not here: the first payload needs them for a few
        # bugs only (extras.py), and they were a third of this statement's work.
        codes, sla = _codes_sql(), num_ms("sla_hours")
        project = _project_sql(conn) if has_projects else "-1"
        top = conn.execute("SELECT max(rowid) FROM projects").fetchone()[0] if has_projects else None
        if (top or 0) < 2 ** 40:  # the project's row above the codes: one number less per bug to write and parse
            ints = [("codes", f"({codes}) + {PACK} * (({project}) + 1)"), ("sla", sla)]
        else:
            ints = [("codes", codes), ("sla", sla), ("project", project)]
        self.ints = tuple(name for name, _ in ints)
        self.sql = ("SELECT count(*), "
                    + ", ".join([block_sql(c) for c in TIMES] + [f"group_concat({e}, ',')" for _, e in ints])
                    + " FROM bugs NOT INDEXED WHERE rowid >= ? AND rowid < ?")
        # two statements: SQLite answers a lone min() or max() of the rowid from the b-tree's end, the
        # pair in one statement with a scan of the whole table
        lo = conn.execute("SELECT min(rowid) FROM bugs").fetchone()[0]
        hi = conn.execute("SELECT max(rowid) FROM bugs").fetchone()[0]
        if lo is None:
            self.ranges = [(0, 0)]
        else:
            step = max(CHUNK, -(-(hi - lo + 1) // 16))
            self.ranges = [(a, min(a + step, hi + 1)) for a in range(lo, hi + 1, step)]

    def read(self, conn: sqlite3.Connection, i: int) -> tuple:
        return conn.execute(self.sql, self.ranges[i]).fetchone()


class ChunkReader:
    """Reads the chunks on the caller's connection and, for a large table, on HELPERS more readers in
    threads of their own that start at once (sqlite3 releases the GIL while SQLite works). Each chunk
    is finished (turned into columns: `finish(conn, i, raw)`, numpy) by the thread that read it; the
    helpers read ahead until `finish` is given, so they can start before numpy is imported."""

    def __init__(self, chunks: Chunks, path: str, progress=None) -> None:
        self.chunks = chunks
        self.done: list[Any] = [None] * len(chunks.ranges)
        self._todo = list(range(len(chunks.ranges)))
        self._lock = threading.Lock()
        self._finish: Callable | None = None
        self._given = threading.Event()
        self._progress = progress
        self._helpers: list[threading.Thread] = []
        if len(self._todo) >= 4 and path:
            for _ in range(HELPERS):
                helper = threading.Thread(target=self._help, args=(path,), daemon=True)
                helper.start()
                self._helpers.append(helper)

    def _next(self) -> int | None:
        with self._lock:
            return self._todo.pop(0) if self._todo else None

    def _work(self, conn: sqlite3.Connection) -> None:
        ahead: list[tuple[int, tuple]] = []  # read before `finish` was given (numpy still importing)
        while (i := self._next()) is not None:
            ahead.append((i, self.chunks.read(conn, i)))
            if self._given.is_set():
                self._finish_all(conn, ahead)
        self._given.wait()
        self._finish_all(conn, ahead)

    def _finish_all(self, conn: sqlite3.Connection, ahead: list[tuple[int, tuple]]) -> None:
        while ahead and self._finish is not None:
            i, raw = ahead.pop(0)
            self.done[i] = self._finish(conn, i, raw)
            if self._progress is not None:
                self._progress(0.9 * sum(d is not None for d in self.done) / len(self.done), "Reading bugs")

    def _help(self, path: str) -> None:
        try:
            other = open_reader(path)
        except Exception:  # noqa: BLE001 - the caller reads every chunk a helper leaves
            return
        try:
            self._work(other)
        except Exception:  # noqa: BLE001 - same: a chunk it took but did not finish is read again
            pass
        finally:
            other.close()

    def finish(self, conn: sqlite3.Connection, finish: Callable[[sqlite3.Connection, int, tuple], Any]) -> list:
        """Read the chunks left on `conn`, finishing each (and the helper's) with `finish`; every chunk's
        result, in rowid order."""
        self._finish = finish
        self._given.set()
        self._work(conn)
        self.close()
        for i, d in enumerate(self.done):
            if d is None:  # a helper failed: read what it left here
                self.done[i] = finish(conn, i, self.chunks.read(conn, i))
        return self.done

    def close(self) -> None:
        """Stop the helpers after their chunk (also when the load failed before `finish`)."""
        self._given.set()
        with self._lock:
            self._todo.clear()
        for helper in self._helpers:
            helper.join()
        self._helpers = []
