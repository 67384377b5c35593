"""The stock counts (inventory_snapshots) read in one pass: the snapshot days, checks 5 and 8, the alerts.

Each row comes as its day, its codes (stock status, a negative quantity, a
missing SKU) and its SKU text; numpy numbers the SKUs (SKUs of one length,
as files usually hold: one block of bytes, no Python object per row) for
the duplicate count. On a table with rowids, a chunk whose dates are all
'YYYY-MM-DD' sends them as a block (stamps.DATE) and the codes only of the
rows that are not plainly in stock (most rows cost SQLite a comparison or
two), and an alert row's two numbers (quantity, days of cover) are read
when a payload asks for its day (two days a payload), by rowid; otherwise
each row is packed into one integer and the alerts' numbers come along.
Both give what a row-by-row read gives (tests/test_commerce_scan.py).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ...errors import DataFileError
from ...store import open_reader
from . import stamps
from .rows import Unlocked, distinct
from .scan import NO_DAY, _chunks, _ints
from .sqlread import day_fast, enum_case, num_fast

if TYPE_CHECKING:
    import numpy as np

_TABLE = "inventory_snapshots"
_STOCK = {"in_stock": "0", "out_of_stock": "1", "low_stock": "2", "overstock": "3"}  # the usual first: one test
_STOCK_NAMES = {1: "out_of_stock", 2: "low_stock", 3: "overstock"}
_SEP = 31  # between two SKUs in the pass's text


def _typed(col: str) -> str:
    """A number as text that reads back as the same Python value: an integer as itself, a real with
    17 digits (round trip), none as N."""
    return (f"(CASE typeof({col}) WHEN 'integer' THEN {col} WHEN 'real' THEN printf('%!.17g', {col})"
            f" ELSE 'N' END)")


_NUMBERS = f"{_typed(num_fast('quantity_available'))} || ',' || {_typed(num_fast('days_of_cover'))}"
_ST = enum_case("stock_status", _STOCK, "0")
_CODE = f"{_ST} * 4 + ifnull({num_fast('quantity_available')} < 0, 0) * 2 + (sku IS NULL)"
_PACKED = f"ifnull({day_fast('snapshot_date')}, {NO_DAY}) * 16 + {_CODE}"  # day, status, negative, no SKU


def _value(text: str) -> int | float | None:
    if text == "N":
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)


class StockAlerts(Unlocked):
    """Every snapshot's alert rows, made into tuples only for the day asked (a payload needs two days).
    Their numbers came with the pass (`values`: two texts a row), or are read then by rowid from
    `path` (`rowids`) and kept."""

    def __init__(self, days: np.ndarray, sku_ids: np.ndarray, codes: np.ndarray, sku_of: list[str | None],
                 values: list[str] | None = None, path: str | None = None, rowids: np.ndarray | None = None) -> None:
        import numpy as np

        keep = days != NO_DAY
        self._rows = np.flatnonzero(keep)[np.argsort(days[keep], kind="stable")]  # by day, then as stored
        self._days = days[self._rows]
        self._sku_ids, self._codes, self._values, self._sku_of = sku_ids, codes, values, sku_of
        self._path, self._rowids = path, rowids
        self._read: dict[int, list[str]] = {}  # day -> its rows' numbers, read by rowid
        self._lock = threading.Lock()

    def get(self, d: int, default=()) -> list[tuple] | tuple:
        import numpy as np

        a, b = int(np.searchsorted(self._days, d, "left")), int(np.searchsorted(self._days, d, "right"))
        rows = self._rows[a:b].tolist()
        if not rows:
            return default
        values = self._numbers(d, rows)
        return [(d, self._sku_of[int(self._sku_ids[i])], _STOCK_NAMES[int(self._codes[i])],
                 _value(values[2 * k]), _value(values[2 * k + 1])) for k, i in enumerate(rows)]

    def _numbers(self, d: int, rows: list[int]) -> list[str]:
        if self._values is not None:
            return [v for i in rows for v in self._values[2 * i:2 * i + 2]]
        with self._lock:  # the window's and the API's threads may ask at once: one read
            if d not in self._read:
                ids = [int(self._rowids[i]) for i in rows]  # ascending: a day's rows are in stored order
                conn = open_reader(self._path)
                try:
                    got = conn.execute(f"SELECT {_NUMBERS} FROM {_TABLE} WHERE rowid IN"
                                       " (SELECT value FROM json_each(?)) ORDER BY rowid",
                                       ("[" + ",".join(map(str, ids)) + "]",)).fetchall()
                finally:
                    conn.close()
                if len(got) != len(ids):
                    raise DataFileError(f"{self._path}: rows changed while the dashboard was reading them;"
                                        " open it again")
                self._read[d] = [v for (text,) in got for v in text.split(",")]
            return self._read[d]


def _numbered(block: bytes, n: int) -> tuple[np.ndarray, list[str]] | None:
    """Each row's SKU as a number (equal texts, equal numbers) and the texts by number, for SKUs all of
    one length up to 8 bytes (a block of n texts split by char(31)); None for any other block."""
    import numpy as np

    w = block.find(bytes([_SEP])) if n > 1 else len(block)
    if not 0 < w <= 8 or len(block) != n * (w + 1) - 1 or block.count(bytes([_SEP])) != n - 1:
        return None
    a = np.zeros((n, 8), np.uint8)
    a[:, :w] = np.frombuffer(block + bytes([_SEP]), np.uint8).reshape(n, w + 1)[:, :w]
    keys, ids = np.unique(a.view(np.uint64).ravel(), return_inverse=True)
    names = [k.tobytes()[:w].decode("utf-8", "replace") for k in keys.view(np.uint8).reshape(-1, 8)]
    return ids.astype(np.int64), names


def _numbered_in_python(block: bytes, n: int) -> tuple[np.ndarray, list[str]] | None:
    import numpy as np

    skus = block.decode("utf-8", "replace").split(chr(_SEP)) if n else []
    if len(skus) != n:
        return None  # a SKU holds the separator
    raw_id = {x: i for i, x in enumerate(dict.fromkeys(skus))}
    return np.fromiter(map(raw_id.__getitem__, skus), dtype=np.int64, count=n), list(raw_id)


def inventory(conn, path: str | None = None) -> dict | None:
    """None when a SKU holds the separator character (the caller then reads the rows one by one). With
    the file's `path`, on a table with rowids, the alerts' numbers are read when asked (StockAlerts)
    and a chunk whose dates are all 'YYYY-MM-DD' is read by _sparse_chunk."""
    chunks = _chunks(conn, _TABLE)
    lazy = path is not None and chunks != [""]
    numbers = "NULL" if lazy else f"group_concat(CASE WHEN {_ST} > 0 THEN {_NUMBERS} END, ',')"
    parts, blocks, rowids, alert_values = [], [], [], []
    for where in chunks:
        got = _sparse_chunk(conn, where) if lazy else None
        if got is None:
            n, p, s, a = conn.execute(
                f"SELECT count(*), group_concat({_PACKED}, ','), CAST(group_concat(ifnull(sku, ''), char({_SEP}))"
                f" AS BLOB), {numbers} FROM {_TABLE}{' NOT INDEXED' if lazy else ''}{where}").fetchone()
            p = _ints(p, n, _TABLE)
            alert_values += a.split(",") if a else []
            if lazy:
                rowids.append(_rowids(conn, where, n))
        else:
            p, s, ids = got
            rowids.append(ids)
        parts.append(p)
        blocks.append((len(p), s or b""))
    import numpy as np

    p = np.concatenate(parts) if parts else np.empty(0, np.int64)
    n = len(p)
    skus = bytes([_SEP]).join(b for k, b in blocks if k)
    numbered = _numbered(skus, n) or _numbered_in_python(skus, n)
    if numbered is None:
        return None
    ids, raw = numbered
    days, status, neg, null_sku = p >> 4, (p >> 2) & 3, (p & 2) > 0, (p & 1) > 0
    # SKUs as SQLite's trim() reads them (spaces only), None for a NULL; numbered for the duplicate count
    norm_id: dict[str | None, int] = {}
    lut = np.array([norm_id.setdefault(x.strip(" "), len(norm_id)) for x in raw] or [0], dtype=np.int64)
    none_id = norm_id.setdefault(None, len(norm_id))
    sku_id = np.where(null_sku, none_id, lut[ids] if len(ids) else ids)
    sku_of = list(norm_id)  # id -> name (None for none)
    valid = days != NO_DAY
    flagged = status > 0  # the alert rows (unreadable days among them)
    if lazy:
        alerts = StockAlerts(days[flagged], sku_id[flagged], status[flagged], sku_of, path=path,
                             rowids=np.concatenate(rowids)[flagged])
    else:
        if 2 * int(flagged.sum()) != len(alert_values):
            raise DataFileError(f"{_TABLE}: read {len(alert_values)} alert values for {int(flagged.sum())} alerts")
        alerts = StockAlerts(days[flagged], sku_id[flagged], status[flagged], sku_of, values=alert_values)
    keys = days[valid] * len(sku_of) + sku_id[valid]
    uniq, counts = np.unique(keys, return_counts=True)
    dup = [(sku_of[int(k % len(sku_of))], int(k // len(sku_of)), int(c)) for k, c in zip(uniq[counts > 1], counts[counts > 1])]
    negative = [(sku_of[sid], d) for d, sid in zip(days[valid & neg].tolist(), sku_id[valid & neg].tolist())]
    return {"rows": n, "days": distinct(days[valid]), "alerts": alerts, "negative": negative, "dups": dup}


def _sparse_chunk(conn, where: str) -> tuple[np.ndarray, bytes | None, np.ndarray] | None:
    """One chunk of the pass as (packed integers, SKU text, rowids), the dates read as a block by numpy
    (stamps.py) and the codes listed only for rows other than the usual one (in stock, a quantity of 0
    or more stored as a number, a SKU): a few SQL steps for most rows. None when a date is in another form."""
    import numpy as np

    start = int(where.split()[3])
    n, dates, s, other = conn.execute(
        f"SELECT count(*), {stamps.block_sql('snapshot_date', stamps.DATE)}, CAST(group_concat(ifnull(sku, ''),"
        f" char({_SEP})) AS BLOB), group_concat(CASE WHEN stock_status = 'in_stock' AND +quantity_available"
        f" BETWEEN 0 AND 9e999 AND sku IS NOT NULL THEN NULL ELSE (rowid - {start}) * 16 + {_CODE} END, ',')"
        f" FROM {_TABLE} NOT INDEXED{where}").fetchone()
    read = stamps.read(dates, n, shape=stamps.DATE)
    if read is None:
        return None
    rowids = _rowids(conn, where, n)
    days = read.day if read.blank is None else np.where(read.blank, NO_DAY, read.day)
    codes = np.zeros(n, np.int64)
    if other:
        v = np.array(other.split(","), dtype=np.int64)
        codes[np.searchsorted(rowids, start + (v >> 4))] = v & 15
    return days * 16 + codes, s, rowids


def _rowids(conn, where: str, n: int) -> np.ndarray:
    """The rowids of a chunk's n rows (" WHERE rowid BETWEEN start AND end"), in order (NOT INDEXED, here
    and in the chunk's pass: rowid order whatever the file's indexes)."""
    import numpy as np

    start, end = (int(x) for x in where.split()[3::2])
    if n == end - start + 1:
        return np.arange(start, end + 1, dtype=np.int64)
    return _ints(conn.execute(f"SELECT group_concat(rowid, ',') FROM {_TABLE} NOT INDEXED{where}").fetchone()[0], n,
                 _TABLE)
