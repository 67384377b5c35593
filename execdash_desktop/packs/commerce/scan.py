"""The big tables read in one pass each: fulfilment and conversations (the stock counts: stock.py).

The first pass keeps each row's UTC day and rowid and lists the rows failing
the table's data-quality check: the two timestamp columns travel as blocks of
fixed-width text that numpy reads (stamps.py: no date function per row), or,
in a chunk holding another form, SQLite reduces each row to one packed
integer. A window's rows are read later (rows.DayRows) the same packed way:
their UTC day, the codes the rules use and a small number such as days to
ship. SQLite writes a chunk of rows as one comma-separated text
(group_concat) that numpy parses in C, so no Python object is made per row. Chunks follow the rowid (a range
seek, no extra scan) so that no single step holds the interpreter for long:
the window keeps painting while a large file loads; a big table is read in
parts (consecutive rowid ranges), each on its own connection and thread
(SQLite lets go of the interpreter while it works). The readings are sqlread's fast forms, equal to the
plain ones for every value (tests/test_commerce_scan.py).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from ...errors import DataFileError
from . import catalogue as cat
from . import stamps
from .rows import distinct
from .quality_sql import FULFILLED, FULFILLMENT_TIMES_FAST, RESPONSE_TIMES_FAST
from .sqlread import boolean_fast, day_fast, enum, enum_case, epoch, num, num_fast

if TYPE_CHECKING:
    import numpy as np

# numpy is imported where the first chunk's text is parsed, not with this module: a fresh process (the
# CLI, the API) then imports it while SQLite already scans on the other threads (source.load_source)

NO_DAY = -(10 ** 9)
CHUNK_ROWS = 200_000  # rowids per chunk: ~10 ms of parsing each; below 2 ** ROWID_BITS
VALUE_MAX, VALUE_OTHER = 4093, 4095  # the value slot of a packed row (12 bits)
ROWID_BITS = 18  # a row's place in its chunk (CHUNK_ROWS rowids at most)


def _chunks(conn, table: str, part: int = 0, parts: int = 1) -> list[str]:  # CHUNK_ROWS read at call time
    """WHERE clauses that split the table by rowid ("" for one pass: a view or a table without rowid).

    `part` of `parts`: the chunks of that share of the rowid range only (another connection reads the
    others, on another core); a table read in one pass is all part 0's."""
    one_pass = [""] if part == 0 else []
    try:  # two statements: SQLite answers a lone min() or max() of the rowid from the b-tree's ends
        lo = conn.execute(f"SELECT min(rowid) FROM {table}").fetchone()[0]
        hi = conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return one_pass
    if lo is None or not isinstance(lo, int) or not isinstance(hi, int):
        return one_pass
    if hi - lo + 1 > 4 * max(CHUNK_ROWS, conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]):
        return one_pass  # sparse rowids (large ids as the key): ranges would be mostly empty
    first, last = lo + (hi - lo + 1) * part // parts, lo + (hi - lo + 1) * (part + 1) // parts - 1
    return [f" WHERE rowid BETWEEN {a} AND {min(last, a + CHUNK_ROWS - 1)}" for a in range(first, last + 1, CHUNK_ROWS)]


def _ints(text: str | None, n: int, what: str) -> np.ndarray:
    import numpy as np

    out = np.fromstring(text, dtype=np.int64, sep=",") if text else np.empty(0, np.int64)
    if len(out) != n:  # the expressions never give NULL, so this is a reading fault, not data
        raise DataFileError(f"{what}: read {len(out)} values for {n} rows")
    return out


def _floats(text: str | None, n: int, what: str) -> np.ndarray:
    import numpy as np

    out = np.fromstring(text, dtype=float, sep=",") if text else np.empty(0, float)
    if len(out) != n:
        raise DataFileError(f"{what}: read {len(out)} values for {n} rows")
    return out


def _keys(text: str | None) -> list[str]:
    return text.split(chr(30)) if text else []


def _code(col: str, names: tuple[str, ...]) -> str:
    """1 + the position of a known name (any case, padded); 0 for none / blank; len(names) + 1 for another."""
    cases = {"": "0", **{n: str(i + 1) for i, n in enumerate(names)}}
    return f"(CASE WHEN {col} IS NULL THEN 0 ELSE {enum_case(col, cases, str(len(names) + 1))} END)"


def _packed(conn, table: str, chunks: list[str], day_col: str, code: str, bits: int, value_col: str,
            extra: str = "NULL", check: tuple[str, str] | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str]]:
    """Per row: UTC day (NO_DAY when unreadable), code, num(value_col) (NaN for none); `extra` listed
    (comma-separated, NULLs skipped) for the rows where it is not NULL; the keys of the rows failing the
    data-quality `check` (condition, key), counted in the same pass.

    One integer per row: (day << bits | code) << 12 | v, where v is 0 for no value, value + 1 for a
    stored integer from 0 to 4093 (days, minutes: nearly every row), 4095 for any other value, whose
    readings a second query of that chunk then lists (in row order; none on a file of plain numbers)."""
    small = f"typeof({value_col}) = 'integer' AND {value_col} BETWEEN 0 AND {VALUE_MAX}"
    v = f"(CASE WHEN {value_col} IS NULL THEN 0 WHEN {small} THEN {value_col} + 1 ELSE {VALUE_OTHER} END)"
    other = f"(CASE WHEN {value_col} IS NULL OR ({small}) THEN NULL ELSE ifnull({num(value_col)}, 'nan') END)"
    packed = f"(ifnull({day_fast(day_col)}, {NO_DAY}) * {1 << bits} + {code}) * {VALUE_OTHER + 1} + {v}"
    failing = "NULL" if check is None else f"group_concat(CASE WHEN {check[0]} THEN CAST({check[1]} AS TEXT) END, char(30))"
    days, codes, values, extras, keys = [], [], [], [], []
    for where in chunks:
        n, p, x, f = conn.execute(f"SELECT count(*), group_concat({packed}, ','), group_concat({extra}, ','),"
                                  f" {failing} FROM {table}{where}").fetchone()
        day, code, value, is_other = _unpacked(_ints(p, n, table), bits)
        if is_other.any():
            o = conn.execute(f"SELECT group_concat({other}, ',') FROM {table}{where}").fetchone()[0]
            value[is_other] = _floats(o, int(is_other.sum()), table)
        days.append(day)
        codes.append(code)
        values.append(value)
        extras += x.split(",") if x else []
        keys += _keys(f)
    return _join(days, "int32"), _join(codes, "int16"), _join(values, "float64"), extras, keys


def _unpacked(p: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """_packed's integers as (day, code, value: NaN for none, whether the value is read separately)."""
    import numpy as np

    vc = p & VALUE_OTHER
    value = np.where(vc == 0, np.nan, vc - 1.0)
    p >>= 12
    # NO_DAY and every julianday day fit in 32 bits
    return (p >> bits).astype(np.int32), (p & ((1 << bits) - 1)).astype(np.int16), value, vc == VALUE_OTHER


def _join(parts: list[np.ndarray], dtype) -> np.ndarray:
    import numpy as np

    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)


def joined(parts: list[dict]) -> dict:
    """The parts of one table's read (fulfilment or conversations, in rowid order) as one: arrays and
    lists end to end, the failing rows' keys sorted. A part without rows counts for nothing (the later
    parts of a table read in one pass have none, and no rowids)."""
    import numpy as np

    parts = [p for p in parts if len(p["days"])] or parts[:1]
    out = dict(parts[0]) if len(parts) == 1 else {
        k: (_join([p[k] for p in parts], parts[0][k].dtype) if isinstance(parts[0][k], np.ndarray)
            else [x for p in parts for x in p[k]]) for k in parts[0]}
    out["failing"] = sorted(out["failing"])
    return out


_FUL = "fulfillment_tracking"
_CX = "cx_conversations"


def _ful_code() -> str:
    st = enum_case("fulfillment_status", {"fulfilled": "0", "cancelled": "1", "unfulfilled": "2", "partial": "2"}, "2")
    return (f"{st} + 4 * {boolean_fast('is_sla_breach')} + 8 * {boolean_fast('has_issue')}"
            f" + 16 * {_code('issue_type', cat.ISSUE_TYPES)} + 128 * {_code('issue_severity', cat.SEVERITIES)}")


def _cx_code() -> str:
    resolved = enum_case("status", {"resolved": "1", "closed": "1", "open": "0", "pending": "0"}, "0")
    return (f"{resolved} + 2 * {boolean_fast('is_sla_breach')} + 4 * {boolean_fast('is_escalated')}"
            f" + 8 * {_code('sentiment', cat.SENTIMENTS)}")


def _day_index(conn, table: str, chunks: list[str], day_col: str, extra: str, check: tuple[str, str],
               blocks: tuple[str, str] | None = None) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Per row (rowid chunks only): UTC day (NO_DAY when unreadable) and rowid; `extra` and the failing
    rows' keys as in _packed. `blocks` (later column, condition): the check is "the later column's time
    is before day_col's, or the condition", which a chunk whose two timestamp columns hold only the
    usual form decides in numpy (_block_chunk); any other chunk is read by SQLite's date functions."""
    import numpy as np

    days, rowids, extras, keys = [], [], [], []
    for where in chunks:
        got = None if blocks is None else _block_chunk(conn, table, where, day_col, extra, check[1], *blocks)
        if got is not None:
            day, ids, x, f = got
        else:
            start = int(where.split()[3])  # " WHERE rowid BETWEEN start AND end"
            n, p, x, f = conn.execute(
                f"SELECT count(*), group_concat(ifnull({day_fast(day_col)}, {NO_DAY}) * {1 << ROWID_BITS}"
                f" + (rowid - {start}), ','), group_concat({extra}, ','), group_concat(CASE WHEN {check[0]}"
                f" THEN CAST({check[1]} AS TEXT) END, char(30)) FROM {table}{where}").fetchone()
            p = _ints(p, n, table)
            ids, day = (p & ((1 << ROWID_BITS) - 1)) + start, (p >> ROWID_BITS).astype(np.int32)
        rowids.append(ids)
        days.append(day)
        extras += x.split(",") if x else []
        keys += _keys(f)
    return _join(days, "int32"), _join(rowids, "int64"), extras, keys


def _block_chunk(conn, table: str, where: str, day_col: str, extra: str, key: str, later_col: str, condition: str
                 ) -> tuple[np.ndarray, np.ndarray, str | None, str | None] | None:
    """One chunk of _day_index with both timestamp columns read as blocks (stamps.py): (days, rowids,
    extra's text, the failing rows' keys' text), or None when a value is in another form. A NULL (or a
    stored row of stamps.NULL_MARK, no time to SQLite either) is never before another; `condition` says
    what else fails the check (the rows a NULL fails, say)."""
    import numpy as np

    # NOT INDEXED: the rows in rowid order (the blocks line up with the rowids), whatever the file's indexes
    start, end = (int(x) for x in where.split()[3::2])  # " WHERE rowid BETWEEN start AND end"
    listed = "NULL" if extra == "NULL" else f"group_concat({extra}, ',')"  # an aggregate of NULLs costs ~5% too
    n, a, b, x, cond = conn.execute(
        f"SELECT count(*), {stamps.block_sql(day_col)}, {stamps.block_sql(later_col)}, {listed},"
        f" group_concat(CASE WHEN {condition} THEN rowid END, ',') FROM {table} NOT INDEXED{where}").fetchone()
    first, later = stamps.read(a, n), stamps.read(b, n, days=False)
    if first is None or later is None:
        return None
    if n == end - start + 1:  # every rowid of the range: no list needed
        rowids = np.arange(start, end + 1, dtype=np.int64)
    else:
        rowids = _ints(conn.execute(f"SELECT group_concat(rowid, ',') FROM {table} NOT INDEXED{where}").fetchone()[0],
                       n, table)
    days = first.day.astype(np.int32)
    if first.blank is not None:
        days[first.blank] = NO_DAY
    failing = rowids[stamps.earlier(later, first)]
    if cond:
        failing = distinct(np.concatenate((failing, np.array(cond.split(","), dtype=np.int64))))
    keys = None
    if len(failing):  # the keys as the one-statement read lists them (NULL skipped; '' alone is none)
        keys = conn.execute(f"SELECT group_concat(CAST({key} AS TEXT), char(30)) FROM {table}"
                            " WHERE rowid IN (SELECT value FROM json_each(?))",
                            ("[" + ",".join(map(str, failing.tolist())) + "]",)).fetchone()[0]
    return days, rowids, x, keys


def _of_rowids(rowids: np.ndarray) -> str:
    """WHERE clause for these rowids (ascending): a range when they are consecutive (rows in time order)."""
    if int(rowids[-1]) - int(rowids[0]) + 1 == len(rowids):
        return f" WHERE rowid BETWEEN {int(rowids[0])} AND {int(rowids[-1])}"
    return f" WHERE rowid IN (SELECT value FROM json_each('[{','.join(map(str, rowids.tolist()))}]'))"


def fulfilment(conn, part: int = 0, parts: int = 1) -> dict:
    """Part `part` of `parts` of the fulfilment rows (joined() puts the parts together); "failing": the
    keys of the rows failing check 6 (fulfilment times), unsorted. A table with rowids gives each row's
    day and rowid ("rowids": fulfilment_rows reads a window's codes later), any other every row's
    codes and days to ship now."""
    chunks = _chunks(conn, _FUL, part, parts)
    if chunks != [""]:
        days, rowids, _, bad = _day_index(conn, _FUL, chunks, "order_created_at", "NULL", FULFILLMENT_TIMES_FAST,
                                          ("fulfilled_at", f"(CASE WHEN fulfilled_at IS NULL THEN {FULFILLED} ELSE 0 END)"))
        return {"days": days, "rowids": rowids, "failing": bad}
    days, codes, dtf, _, bad = _packed(conn, _FUL, chunks, "order_created_at", _ful_code(), 10,
                                       "days_to_fulfill", check=FULFILLMENT_TIMES_FAST)
    return {"days": days, "codes": codes, "dtf": dtf, "failing": bad}


def fulfilment_rows(conn, rowids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day, codes and days to ship of these rows (rowids ascending), in rowid order."""
    chunks = [_of_rowids(rowids)] if len(rowids) else []
    days, codes, dtf, _, _ = _packed(conn, _FUL, chunks, "order_created_at", _ful_code(), 10, "days_to_fulfill")
    return days, codes, dtf


def conversations_rows(conn, rowids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day, codes and first response minutes of these rows (rowids ascending), in rowid order."""
    chunks = [_of_rowids(rowids)] if len(rowids) else []
    days, codes, frt, _, _ = _packed(conn, _CX, chunks, "conversation_created_at", _cx_code(), 6,
                                     "first_response_time_minutes")
    return days, codes, frt


def conversations(conn, part: int = 0, parts: int = 1) -> dict:
    """Part `part` of `parts` of the conversations, with the escalated ones one by one; "failing": the
    keys of the rows failing check 7 (response times), unsorted. Days and rowids, or every row's codes
    and first response minutes, as fulfilment() says."""
    esc = boolean_fast("is_escalated")
    table = _CX
    chunks = _chunks(conn, table, part, parts)
    has_rowid = chunks != [""]
    if has_rowid:
        days, ids, rowids, bad = _day_index(conn, table, chunks, "conversation_created_at",
                                            f"CASE WHEN {esc} THEN rowid END", RESPONSE_TIMES_FAST,
                                            ("first_response_at", f"{num_fast('first_response_time_minutes')} < 0"))
        out = {"days": days, "rowids": ids, "failing": bad}
    else:
        days, codes, frt, rowids, bad = _packed(conn, table, chunks, "conversation_created_at", _cx_code(), 6,
                                                "first_response_time_minutes", "NULL", RESPONSE_TIMES_FAST)
        out = {"days": days, "codes": codes, "frt": frt, "failing": bad}
    # the escalated conversations one by one (a few percent of the rows), fetched by rowid
    cols = (f"SELECT chatwoot_conversation_id, {epoch('conversation_created_at')} AS t, {enum('status')},"
            f" {epoch('resolved_at')}, escalation_reason, {enum('priority')} FROM {table}")
    if not chunks:
        rows = []
    elif has_rowid:
        rows = conn.execute(f"{cols} WHERE rowid IN (SELECT value FROM json_each(?)) AND t IS NOT NULL"
                            " ORDER BY rowid", ("[" + ",".join(rowids) + "]",)).fetchall() if rowids else []
    else:
        from .sqlread import boolean

        rows = conn.execute(f"{cols} WHERE {boolean('is_escalated')} AND t IS NOT NULL").fetchall()
    out["escalated"] = [{"conversation": cid, "created": int(t), "status": status, "resolved": res,
                         "reason": reason, "priority": prio} for cid, t, status, res, reason, prio in rows]
    return out
