"""Timestamps in the form files usually hold ('YYYY-MM-DDTHH:MM:SSZ'), read by numpy instead of SQLite.

The Engineering pack reads its stamps the same way (a pack does not import
another): SQLite hands a column over as one block of text, each value 20
bytes and a 4-byte separator '||||', NULL written as 20 spaces, and numpy
reads the block as three 64-bit words a value, so the big tables' scans
call no date function per row and numpy does a few operations per word.
A block holding any value in another form (another length, a time zone, a
fraction, a date alone, a field SQLite would read otherwise, a day before
1970) is not read (None): the caller then reads those rows with SQLite's
own date functions (sqlread.py), which give the same numbers.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, NamedTuple

from ...moments import days_from_civil

if TYPE_CHECKING:
    import numpy as np

# numpy is imported inside the functions (scan.py says why)

STAMP = "dddd-dd-ddTdd:dd:ddZ"  # a moment's form (d: a digit)
DATE = "dddd-dd-dd"  # a day's
WIDTH = len(STAMP)
# NULL in a block: a value of marks only reads as NULL everywhere (julianday does not read it, trim
# leaves it, so the checks find no time), and is below '0' for the fields' range tests
NULL_MARK = "!"


def _row(shape: str) -> int:
    """A value and its separator: whole 64-bit words (24 bytes a stamp, 16 a date)."""
    return (len(shape) + 8) // 8 * 8


def _sep(shape: str) -> str:
    return "|" * (_row(shape) - len(shape))


def block_sql(col: str, shape: str = STAMP) -> str:
    """The column's values in rowid order as bytes, each followed by '|' up to whole words (the last
    one's added in Python), NULL as NULL_MARKs (a blank row)."""
    return f"CAST(group_concat(ifnull({col}, '{NULL_MARK * len(shape)}'), '{_sep(shape)}') AS BLOB)"


@functools.lru_cache(maxsize=None)
def _word_masks(shape: str):
    """Per word of a row (e.g. 'YYYY-MM-' 'DDTHH:MM' ':SSZ||||'): the expected bytes (a digit as '0'),
    what a byte adds so that its top bit is set when it was above its allowance (9 over '0' for a
    digit, 0 for a mark) once XOR with the expected bytes left every byte's difference, and a blank
    row's words."""
    import numpy as np

    row = shape + _sep(shape)
    words = len(row) // 8
    expected, add = [0] * words, [0] * words
    for i, ch in enumerate(row):
        w, shift = divmod(i, 8)
        shift = 8 * (7 - shift)  # big-endian: the first byte is the word's top
        expected[w] |= (0x30 if ch == "d" else ord(ch)) << shift
        add[w] |= (0x7F - 9 if ch == "d" else 0x7F) << shift
    blank = np.frombuffer((NULL_MARK * len(shape) + _sep(shape)).encode(), np.uint64).byteswap()
    return np.array(expected, dtype=np.uint64), np.array(add, dtype=np.uint64), blank


_LOW7, _TOP = 0x7F7F7F7F7F7F7F7F, 0x8080808080808080


class Stamps(NamedTuple):
    words: np.ndarray  # (n, words) uint64: a value's bytes, big-endian; rows compare as their texts do
    blank: np.ndarray | None  # bool per row: NULL (or a stored row of NULL_MARKs); None when no row is
    day: np.ndarray | None  # int64 UTC day (days since 1970-01-01); 0 for blank


def read(block: bytes | None, n: int, days: bool = True, shape: str = STAMP) -> Stamps | None:
    """n values of a block (block_sql), or None when any value is in another form (a blank text too: the
    checks read it as no time, which a NULL is not for every check). Without `days`, only
    their order is wanted (a text comparison needs the form, not the fields' ranges): day is None.

    Why a bad value cannot hide: a row is accepted only with its bytes digits, marks or spaces and
    '|' after them, so the block's '|' are exactly the n separators, one row after the other: every
    value has the form's length and none is misread as its neighbour's."""
    import numpy as np

    row, sep = _row(shape), _sep(shape)
    if n == 0:
        return Stamps(np.zeros((0, row // 8), np.uint64), None, np.zeros(0, np.int64))
    if block is None or len(block) != row * n - len(sep):
        return None
    w = np.frombuffer(block + sep.encode(), np.uint64).reshape(n, row // 8).byteswap()
    expected, add, blank_words = _word_masks(shape)
    x = w ^ expected  # a digit byte holds its value, a mark 0; the top bit marks a byte off its form
    off = (((x & _LOW7) + add) | x) & _TOP
    blank = None
    if off.any():
        blank = (w[:, 0] == blank_words[0]) & (w[:, 1] == blank_words[1])
        if row > 16:
            blank &= w[:, 2] == blank_words[2]
        if ((off[:, 0] | off[:, 1] | (off[:, 2] if row > 16 else 0)) != 0)[~blank].any():
            return None
    if not days:
        return Stamps(w, blank, None)
    w1 = w[:, 1]
    if shape == STAMP:  # hour 00-23, minutes and seconds 00-59 (two digits compare as their bytes)
        w2 = w[:, 2]
        if ((w1 >> 24) & 0xFFFF).max() > 0x3233 or (w1 & 0xFFFF).max() > 0x3539 or ((w2 >> 40) & 0xFFFF).max() > 0x3539:
            return None  # SQLite reads hour 24 its own way (a blank row's '!!' passes)
    day = _days(w[:, 0], w1 >> np.uint64(48), blank)
    return None if day is None else Stamps(w, blank, day)


def _days(ymd: np.ndarray, dd: np.ndarray, blank: np.ndarray | None) -> np.ndarray | None:
    """Each row's day from its 'YYYY-MM-' and 'DD' words, computed once per run of equal dates (rows are
    usually in time order: a few hundred runs per chunk)."""
    import numpy as np

    n = len(ymd)
    starts = np.flatnonzero(np.concatenate(([True], (ymd[1:] != ymd[:-1]) | (dd[1:] != dd[:-1]))))
    y8, d2 = ymd[starts], dd[starts]
    live = np.ones(len(starts), bool) if blank is None else ~blank[starts]
    digit = [((y8 >> np.uint64(8 * (7 - i))) & np.uint64(15)).astype(np.int64) for i in (0, 1, 2, 3, 5, 6)]
    y = digit[0] * 1000 + digit[1] * 100 + digit[2] * 10 + digit[3]
    mo = digit[4] * 10 + digit[5]
    dday = ((d2 >> np.uint64(8)) & np.uint64(15)).astype(np.int64) * 10 + (d2 & np.uint64(15)).astype(np.int64)
    if ((live & ((mo < 1) | (mo > 12) | (dday < 1) | (dday > 31) | (y < 1970))).any()):
        return None  # SQLite reads month 0, day 0 its own way; before 1970 its day rounds towards zero
    out = np.where(live, days_from_civil(y, np.where(live, mo, 1), dday), 0)
    return np.repeat(out, np.diff(np.append(starts, n)))


def earlier(a: Stamps, b: Stamps) -> np.ndarray:
    """Per row: a's value is before b's as text (both present)."""
    import numpy as np

    x, y = a.words, b.words
    lt = x[:, -1] < y[:, -1]
    for k in range(x.shape[1] - 2, -1, -1):  # the first word that differs decides
        lt = (x[:, k] < y[:, k]) | ((x[:, k] == y[:, k]) & lt)
    for s in (a, b):
        if s.blank is not None:
            lt &= ~s.blank
    return np.asarray(lt)
