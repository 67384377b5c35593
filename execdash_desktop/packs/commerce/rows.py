"""Fulfilment and conversation rows as the payload uses them: by day, a window at a time.

`Grouped` holds rows column by column, sorted by day. `DayRows` holds only
every row's day and rowid (read with the data-quality check in one pass,
scan.py) and reads a window's codes and values when a payload first asks for
it (a 7-day window is ~1.5% of the rows: the first payload reads a third less
of a big table than reading every row's codes would). `ful_columns` /
`cx_columns` turn a read's packed codes into the columns the rules sum.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ...errors import DataFileError
from ...store import open_reader

if TYPE_CHECKING:
    import numpy as np

WINDOWS_KEPT = 12  # windows remembered per table (a payload asks for up to two; the as-of list is browsed)


@dataclass
class Grouped:
    """Rows of a table: column name -> array (same length), sorted by "day"; `n` counts rows."""

    cols: dict[str, np.ndarray]

    @classmethod
    def by_day(cls, cols: dict[str, np.ndarray]) -> "Grouped":
        import numpy as np

        d = cols["day"]
        if len(d) > 1 and not bool(np.all(d[1:] >= d[:-1])):  # files usually hold rows in time order
            order = np.argsort(d, kind="stable")
            cols = {k: v[order] for k, v in cols.items()}
        return cls(cols)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.cols[key]

    def window(self, lo: int, hi: int) -> "Grouped":
        import numpy as np

        d = self.cols["day"]
        a, b = int(np.searchsorted(d, lo, "left")), int(np.searchsorted(d, hi, "right"))
        return Grouped({k: v[a:b] for k, v in self.cols.items()})

    @property
    def first_day(self) -> int | None:
        d = self.cols["day"]
        return int(d[0]) if len(d) else None


def distinct(values: np.ndarray) -> np.ndarray:
    """np.unique(values) for integers, without its first call's import of numpy.ma (~15 ms of a cold
    process's first payload: np.unique asks numpy.ma whether the array is masked)."""
    import numpy as np

    v = np.sort(values)
    return v[np.concatenate(([True], v[1:] != v[:-1]))] if len(v) else v


def ful_columns(days: np.ndarray, codes: np.ndarray, dtf: np.ndarray) -> dict[str, np.ndarray]:
    """scan.fulfilment's codes as the columns payload.fulfillment sums."""
    import numpy as np

    return {"day": days, "fulfilled": (codes & 3) == 0, "cancelled": (codes & 3) == 1,
            "breach": (codes & 4) > 0, "open_issue": ((codes & 8) > 0) & ((codes & 3) != 0),
            "issue_type": ((codes >> 4) & 7).astype(np.int8), "issue_severity": (codes >> 7).astype(np.int8),
            "dtf": dtf, "n": np.ones(len(days), dtype=np.int32)}


def cx_columns(days: np.ndarray, codes: np.ndarray, frt: np.ndarray) -> dict[str, np.ndarray]:
    """scan.conversations' codes as the columns payload.cx sums."""
    import numpy as np

    return {"day": days, "resolved": (codes & 1) > 0, "breach": (codes & 2) > 0,
            "escalated": (codes & 4) > 0, "sentiment": (codes >> 3).astype(np.int8),
            "frt": frt, "n": np.ones(len(days), dtype=np.int32)}


class Unlocked:
    """Pickles without its `_lock` (a source read in another process, load_apart.py) and gets a new one."""

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


class DayRows(Unlocked):
    """Every row's day (readable days only) and rowid; `window(lo, hi)` reads those days' rows from the file
    (`read(conn, rowids)` -> the columns, in rowid order; conn None for no rows) on first use and keeps
    the last few windows.

    The source is made again when the file changes (Engine checks its stamp before each payload), so a
    window read later reads the rows that were counted; if the rows are gone it says so."""

    def __init__(self, path: str, days: np.ndarray, rowids: np.ndarray,
                 read: Callable[[object, np.ndarray], dict[str, np.ndarray]]) -> None:
        import numpy as np

        order = np.argsort(days, kind="stable") if len(days) > 1 and not bool(np.all(days[1:] >= days[:-1])) else None
        self._days = days if order is None else days[order]
        self._rowids = rowids if order is None else rowids[order]
        self._path, self._read = path, read
        self._lock = threading.Lock()
        self._windows: OrderedDict[tuple[int, int], Grouped] = OrderedDict()

    @property
    def first_day(self) -> int | None:
        return int(self._days[0]) if len(self._days) else None

    def window(self, lo: int, hi: int) -> Grouped:
        import numpy as np

        with self._lock:  # the window's and the API's threads may ask at once: one read
            hit = self._windows.get((lo, hi))
            if hit is None:
                a, b = int(np.searchsorted(self._days, lo, "left")), int(np.searchsorted(self._days, hi, "right"))
                hit = Grouped.by_day(self._fetch(np.sort(self._rowids[a:b])))
                self._windows[(lo, hi)] = hit
                while len(self._windows) > WINDOWS_KEPT:
                    self._windows.popitem(last=False)
            else:
                self._windows.move_to_end((lo, hi))
            return hit

    def _fetch(self, rowids: np.ndarray) -> dict[str, np.ndarray]:
        if not len(rowids):
            return self._read(None, rowids)  # no rows: the empty columns, without opening the file
        conn = open_reader(self._path)
        try:
            cols = self._read(conn, rowids)
        finally:
            conn.close()
        if len(cols["day"]) != len(rowids):
            raise DataFileError(f"{self._path}: rows changed while the dashboard was reading them; open it again")
        return cols
