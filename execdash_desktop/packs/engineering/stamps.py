"""Timestamps in the one form files usually hold, read by numpy instead of SQLite.

'YYYY-MM-DDTHH:MM:SSZ' (UTC, whole seconds) is what the demo, the imports
and the snapshots write. A column of them reaches Python as one block of
text (SQLite joins the values, 20 bytes each, NULL as 20 spaces, by '|'),
and numpy turns the block into epoch milliseconds in a few vector
operations: no date function per row in SQLite, no Python object per value.
Any value in another form (a time zone, a fraction, a date alone, a number,
an out-of-range field) makes `epoch_ms` answer None, and the caller reads
that column with SQLite's own date functions: the same numbers either way.
"""

from __future__ import annotations

import numpy as np

from ...moments import days_from_civil
from .bug_sql import STAMP_BLANK as BLANK  # noqa: F401 - the block's NULL
from .bug_sql import STAMP_SEP
from .bug_sql import STAMP_WIDTH as WIDTH
from .bug_sql import block_sql  # noqa: F401 - the SQL that writes a block (numpy-free, for load.py)

_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_MARKS = np.array([4, 7, 10, 13, 16, 19])
_MARK_BYTES = np.frombuffer(b"--T::Z", np.uint8)
_SEP = STAMP_SEP.encode()


def epoch_ms(block: bytes | None, n: int, null: int) -> np.ndarray | None:
    """n stamps of a block (bug_sql.block_sql) -> int64 epoch milliseconds (`null` for NULL); None when
    any value is in another form, or the values do not line up."""
    if n == 0:
        return np.empty(0, np.int64)
    # Lined up: read as n records of WIDTH bytes with a '|' between each two, every record blank or a
    # stamp, the block holds exactly n - 1 '|' (records hold none), so no value holds one and the
    # n - 1 separators group_concat wrote are those: each value is its record.
    if block is None or len(block) != (WIDTH + 1) * n - 1:
        return None
    raw = np.frombuffer(block, np.uint8)
    if not (raw[WIDTH::WIDTH + 1] == _SEP[0]).all():
        return None
    # the records, in place: record i is bytes (WIDTH + 1) * i ..+ WIDTH, the last one ending the block
    a = np.lib.stride_tricks.as_strided(raw, shape=(n, WIDTH), strides=(WIDTH + 1, 1), writeable=False)
    blank = a[:, 0] == 32
    some_blank = bool(blank.any())
    if some_blank:
        if not (a[blank] == 32).all():
            return None
        a = a[~blank]
    if not (a[:, _MARKS] == _MARK_BYTES).all():
        return None
    d = a[:, _DIGITS] - np.uint8(48)  # a byte below '0' wraps above 9
    if d.size and d.max() > 9:
        return None
    d = d.astype(np.int32)
    y = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    mo, dd = d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    hh, mi, ss = d[:, 8] * 10 + d[:, 9], d[:, 10] * 10 + d[:, 11], d[:, 12] * 10 + d[:, 13]
    if y.size and ((mo < 1) | (mo > 12) | (dd < 1) | (dd > 31) | (hh > 23) | (mi > 59) | (ss > 59)
                   | (y < 1)).any():
        return None  # SQLite's own reading decides these (hour 24, day 0, ...)
    ms = days_from_civil(y, mo, dd).astype(np.int64) * 86_400_000 + (hh * 3600 + mi * 60 + ss).astype(np.int64) * 1000
    if not some_blank:
        return ms
    out = np.full(n, null, dtype=np.int64)
    out[~blank] = ms
    return out
