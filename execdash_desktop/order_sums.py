"""Per-month sums of `orders` in one read transaction: the work behind the rollup.

A `GROUP BY substr(order_date, 1, 7)` over the whole table sorts every row: on
1M orders the sort is most of its cost. With an index on `order_date` (the
app's schema has one) no sort is needed: the months are found by jumping
through the index (one index seek per month), and each month is summed over
its own index range, so every row is still read exactly once, in date order,
whatever the row order of the table. Without a usable index, or when a key
could be read differently by Python and SQLite, the one `GROUP BY` pass is used.

Per row only plain sums and one validity count are computed; a month whose
count says some value is not a plain finite number (NULL, text, blob, an
infinity) is summed again, carefully, each number read or skipped and counted.
"""

from __future__ import annotations

import math
import re
import sqlite3

from . import months as mo

_MAX = "1.7976931348623157e308"  # the largest finite double: above it is an infinity
RECURRING = "type IN ('subscription', 'recurring')"
KEY_CHARS = 7  # a month key is substr(order_date, 1, 7)


def _number(col: str) -> str:
    """The column's value when it reads as a finite number, else NULL.

    Text is a number only when SQLite's own numeric conversion gives it back
    unchanged ('12.5' yes, 'n/a' or '12abc' no); an infinity is not a number
    (a 20-million-digit amount reads as one). A finite 1e308 is one: sums that
    overflow are the KPIs' to report ("too large to add up").
    """
    return (f"CASE typeof({col}) WHEN 'real' THEN CASE WHEN abs({col}) <= {_MAX} THEN {col} END "
            f"WHEN 'integer' THEN {col} "
            f"WHEN 'text' THEN CASE WHEN CAST({col} AS NUMERIC) = {col} "
            f"AND abs(CAST({col} AS REAL)) <= {_MAX} THEN CAST({col} AS REAL) END END")


NUMBER_A, NUMBER_P = _number("amount"), _number("profit")

# The plain sums, and how many rows hold two plain finite numbers: comparisons
# only, no function call per row. Unary + drops the column's affinity, so any
# text or blob sorts above every number and fails the range; a NULL makes the
# row count nothing.
_PLAIN = (f"total(amount), total(profit), total(CASE WHEN {RECURRING} THEN amount END), count(*), "
          f"total(+amount BETWEEN -{_MAX} AND {_MAX} AND +profit BETWEEN -{_MAX} AND {_MAX})")
# one month's rows through the order_date index: the text dates in [key, after(key))
RANGE_SQL = f"SELECT {_PLAIN} FROM orders WHERE order_date >= ? AND order_date < ?"
# no usable index: one pass, sorted by month
GROUPED_SQL = f"SELECT substr(order_date, 1, 7), {_PLAIN} FROM orders GROUP BY 1"
# the next month key at or above a bound: one index seek (SQLite's own substr, as raw bytes)
_NEXT_SQL = ("SELECT typeof(order_date), CAST(substr(order_date, 1, 7) AS BLOB) FROM orders "
             "WHERE order_date >= ? ORDER BY order_date LIMIT 1")

# The careful sums of some rows: each number read or skipped and counted.
_CAREFUL = f"""
SELECT {{month}}, total(a), total(CASE WHEN a IS NOT NULL THEN p END),
       total(CASE WHEN p IS NOT NULL THEN a END), total(CASE WHEN r THEN a END), count(*),
       count(amount) - count(a), count(CASE WHEN a IS NOT NULL AND p IS NULL THEN profit END)
FROM (SELECT order_date, {NUMBER_A} AS a, {NUMBER_P} AS p, amount, profit, {RECURRING} AS r FROM orders
      WHERE {{where}})
GROUP BY 1
"""
# a month's text dates: an index range (a full scan without the index)
MONTH_ROWS = _CAREFUL.format(month="?", where="order_date >= ? AND order_date < ?")
# numbers sort before any text: the Unix-second dates are the index range below ''
EPOCH_ROWS = _CAREFUL.format(month="strftime('%Y-%m', order_date, 'unixepoch')", where="order_date < ''")

# A text SQLite would read as a number when compared with a NUMERIC column (DATE
# is one): such a bound would not compare as text, so it is never used as one.
_NUMERIC_LIKE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_MAX_RANGES = 5000  # more distinct keys than this (dates that are not dates): one sorted pass is cheaper

Sums = list  # [amount, profit, amount_with_profit, recurring, count, bad_amount, bad_profit]


class _NotRanged(Exception):
    """The index walk cannot be trusted for this file: use the sorted pass."""


def after(key: str) -> str | None:
    """The smallest text above every text whose first 7 characters are `key` (None: no text is).

    A shorter key is a whole date: the next text is the key and a NUL. Else,
    SQLite's BINARY order of UTF-8 text being code point order, it is `key`
    with its last character one higher (the highest character carries)."""
    if len(key) < KEY_CHARS:
        return key + "\x00"
    key = key.rstrip("\U0010ffff")
    if not key:
        return None
    c = ord(key[-1]) + 1
    if 0xD800 <= c <= 0xDFFF:  # surrogates are not characters UTF-8 can hold
        c = 0xE000
    return key[:-1] + chr(c)


def _usable(*values) -> bool:
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def _month(conn: sqlite3.Connection, key: str, upper: str, plain: tuple) -> Sums:
    """A month's sums: the plain ones when every row held two finite numbers."""
    amount, profit, recurring, n, clean = plain
    if clean == n and _usable(amount, profit, recurring):
        return [amount, profit, amount, recurring, n, 0, 0]
    row = conn.execute(MONTH_ROWS, (key, key, upper)).fetchone()
    return list(row[1:]) if row else [0.0, 0.0, 0.0, 0.0, 0, 0, 0]


def _add(months: dict[int, Sums], idx: int, sums: Sums) -> None:
    """A month met again (its Unix-second dates, its dates in other digits) adds up."""
    acc = months.get(idx)
    if acc is None:
        months[idx] = list(sums)
    else:
        for i, v in enumerate(sums):
            acc[i] += v


def _plan(conn: sqlite3.Connection, sql: str, *args) -> str:
    return " | ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))


def _index_used(conn: sqlite3.Connection) -> bool:
    """The month ranges and the next-key seeks go through an order_date index
    in BINARY order (Python's order of the keys), with no sort."""
    m = re.fullmatch(r"SEARCH orders USING (?:COVERING )?INDEX (\S+) \(order_date>\? AND order_date<\?\)",
                     _plan(conn, RANGE_SQL, "", ""))
    if not m or not re.fullmatch(rf"SEARCH orders USING (?:COVERING )?INDEX {re.escape(m.group(1))} "
                                 r"\(order_date>\?\)", _plan(conn, _NEXT_SQL, "")):
        return False
    cols = conn.execute("SELECT coll FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno LIMIT 1",
                        (m.group(1),)).fetchall()
    return cols == [("BINARY",)]


def _numeric_affinity(conn: sqlite3.Connection) -> bool:
    """order_date's declared type gives it numeric affinity (DATE does): SQLite then
    compares a number-like text bound as a number (sqlite.org/datatype3.html 3.1)."""
    row = conn.execute("SELECT upper(type) FROM pragma_table_info('orders') WHERE name = 'order_date'").fetchone()
    t = row[0] if row else ""
    return not ("INT" in t or any(w in t for w in ("CHAR", "CLOB", "TEXT", "BLOB")) or not t)


def _text_months(conn: sqlite3.Connection) -> tuple[dict[int, Sums], int]:
    """The text dates, month by month through the index; (months, rows that are no month)."""
    numeric = _numeric_affinity(conn)
    months: dict[int, Sums] = {}
    undated = 0
    low = ""
    for _ in range(_MAX_RANGES):
        row = conn.execute(_NEXT_SQL, (low,)).fetchone()
        if row is None or row[0] != "text":  # past the last text (blobs sort after it)
            return months, undated
        try:
            key = row[1].decode("utf-8")  # strict: a key Python would read differently is not walked
        except UnicodeDecodeError:
            raise _NotRanged from None
        upper = after(key)
        idx = mo.parse_month(key)
        if key < low or numeric and (_NUMERIC_LIKE.fullmatch(key.strip()) or (
                upper is not None and _NUMERIC_LIKE.fullmatch(upper.strip()))):
            raise _NotRanged
        if upper is None:
            upper = b""  # the smallest blob: every text sorts below it
        plain = conn.execute(RANGE_SQL, (key, upper)).fetchone()
        if not plain[3]:  # the row just found is not in its own range: the orders disagree
            raise _NotRanged
        if idx is None:
            undated += plain[3]
        else:
            _add(months, idx, _month(conn, key, upper, plain))
        if isinstance(upper, bytes):
            return months, undated
        low = upper
    raise _NotRanged


def _other_dates(conn: sqlite3.Connection, months: dict[int, Sums]) -> int:
    """NULL, number and blob dates (index seeks; summed only when there are some).

    NULL and blob dates are no month; numbers are Unix seconds, added to their
    month (those out of range are no month). Returns the rows that are no month."""
    undated = 0
    first = conn.execute("SELECT typeof(order_date) FROM orders ORDER BY order_date LIMIT 1").fetchone()
    if first and first[0] == "null":
        undated += conn.execute("SELECT count(*) FROM orders WHERE order_date IS NULL").fetchone()[0]
    undated += conn.execute("SELECT count(*) FROM orders WHERE order_date >= x''").fetchone()[0]
    if conn.execute("SELECT 1 FROM orders WHERE order_date < '' LIMIT 1").fetchone():
        undated += _add_epoch(conn, months)[1]
    return undated


def _add_epoch(conn: sqlite3.Connection, months: dict[int, Sums]) -> tuple[int, int]:
    """Add the Unix-second dates to their months: (rows added, rows that are no month)."""
    added = skipped = 0
    for key, *sums in conn.execute(EPOCH_ROWS):
        idx = mo.parse_month(key)
        if idx is None:
            skipped += sums[4]
            continue
        added += sums[4]
        _add(months, idx, sums)
    return added, skipped


def _grouped(conn: sqlite3.Connection) -> tuple[dict[int, Sums], int]:
    """The one sorted pass (no usable index): careful sums only for months that need them."""
    months: dict[int, Sums] = {}
    undated = 0
    epoch_seen = False
    for key, *plain in conn.execute(GROUPED_SQL).fetchall():
        idx = mo.parse_month(key)
        if idx is None:  # a Unix-second date, or not a date
            undated += plain[3]
            epoch_seen = epoch_seen or not isinstance(key, str) or not key[:1].isalpha()
            continue
        # the careful sums over the same rows: the texts that start with the key
        _add(months, idx, _month(conn, key, after(key), tuple(plain)))
    if epoch_seen:
        undated -= _add_epoch(conn, months)[0]
    return months, undated


def month_sums(conn: sqlite3.Connection) -> tuple[dict[int, Sums], int, str]:
    """(sums by month index, rows whose date is no month, "index" or "sorted": how).

    `conn` is in a read transaction: every statement sees one version of the file."""
    if _index_used(conn):
        try:
            months, undated = _text_months(conn)
            return months, undated + _other_dates(conn, months), "index"
        except _NotRanged:
            pass
    months, undated = _grouped(conn)
    return months, undated, "sorted"
