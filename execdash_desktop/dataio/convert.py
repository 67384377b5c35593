"""Text cells to the values a column holds, a whole column at a time (pandas, vectorised).

Each converter returns (values, bad): `values` a Python list for SQLite (None
for an empty cell), `bad` a boolean mask of the cells that are not of the
column's kind. The forms accepted are those of kpi-definitions.md and
engineering-pack.md: dates `YYYY-MM-DD` or a full timestamp (space or `T`,
optional seconds, fraction, `Z` or `+hh:mm`); numbers with thousands
separators, a currency sign, or a `%` (12.5% is 0.125); booleans
1/0, true/false, t/f, yes/no.
"""

from __future__ import annotations

import math

DATE_RE = r"\d{4}-\d{2}-\d{2}"
TIME_RE = r"(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
ZONE_RE = r"(?:Z|[+-]\d{2}:?\d{2})?"
DATE_FORMS = "a date YYYY-MM-DD (or YYYY-MM-DD HH:MM:SS)"
TIMESTAMP_FORMS = "a date and time YYYY-MM-DD HH:MM[:SS] (T or space, optional Z or +hh:mm)"
_CLEAN = r"^([+-]?)[£$€¥]?\s*([0-9]{1,3}(?:[, ][0-9]{3})+(?:\.[0-9]*)?|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)$"
TRUE = frozenset({"1", "true", "t", "yes", "y"})
FALSE = frozenset({"0", "false", "f", "no", "n"})


def expected_of(kind: str) -> str:
    return {"integer": "a whole number", "real": "a number", "numeric": "a number",
            "date": DATE_FORMS, "timestamp": TIMESTAMP_FORMS,
            "boolean": "true or false (1/0, yes/no)"}.get(kind, "text")


def _numbers(arr, empty):
    """Text -> float64 array (NaN where empty or unreadable), and the unreadable mask."""
    import re

    import numpy as np
    import pandas as pd

    try:  # numpy's own parser: five times pandas' to_numeric, when every cell is a plain number
        num = np.where(empty, "nan", arr).astype("float64")
    except ValueError:
        num = np.array(pd.to_numeric(arr, errors="coerce"), dtype="float64")
    bad = np.isnan(num) & ~empty
    if bad.any():  # the rare messy cells: 1,234.5  £1,200  12.5%  -3 %
        clean = re.compile(_CLEAN)
        for i in bad.nonzero()[0].tolist():
            text = arr[i]
            pct = text.endswith("%")
            m = clean.match(text.rstrip("%").strip())
            if m:
                v = float(m.group(1) + m.group(2).replace(",", "").replace(" ", ""))
                num[i] = v / 100.0 if pct else v
        bad = np.isnan(num) & ~empty
    infinite = np.isinf(num)
    if infinite.any():
        bad |= infinite
        num[infinite] = np.nan
    return num, bad


def _none_where(values: list, mask) -> list:
    for i in mask.nonzero()[0].tolist():
        values[i] = None
    return values


def to_real(arr, empty):
    import numpy as np

    num, bad = _numbers(arr, empty)
    return _none_where(num.tolist(), np.isnan(num)), bad


def to_integer(arr, empty):
    import numpy as np

    num, bad = _numbers(arr, empty)
    frac = ~np.isnan(num) & ((np.mod(num, 1) != 0) | (np.abs(num) >= 2.0 ** 63))
    bad = bad | frac
    missing = np.isnan(num) | frac
    return _none_where(np.where(missing, 0, num).astype("int64").tolist(), missing), bad


def to_date(arr, empty, with_zone: bool):
    import re

    import numpy as np
    import pandas as pd

    n = len(arr)
    # the common case at C speed: a plain YYYY-MM-DD (10 characters: zero-padded, nothing after)
    ok = (np.fromiter(map(len, arr), dtype=np.int64, count=n) == 10) & \
        pd.to_datetime(arr, format="%Y-%m-%d", errors="coerce").notna()
    rest = (~ok & ~empty).nonzero()[0]
    if len(rest):  # timestamps and the odd cell: the full pattern, and a real calendar day
        match = re.compile(DATE_RE + TIME_RE + ("?" + ZONE_RE if with_zone else "?")).fullmatch
        sub = arr[rest]
        shaped = np.fromiter((match(v) is not None for v in sub), dtype=bool, count=len(sub))
        real = pd.to_datetime(np.array([v[:10] for v in sub], dtype=object), format="%Y-%m-%d",
                              errors="coerce").notna()
        ok[rest] = shaped & real
    bad = ~ok & ~empty
    return _none_where(arr.tolist(), bad | empty), bad


def to_boolean(arr, empty):
    import numpy as np

    low = [v.lower() for v in arr]
    t = np.fromiter((v in TRUE for v in low), dtype=bool, count=len(low))
    f = np.fromiter((v in FALSE for v in low), dtype=bool, count=len(low))
    return _none_where(np.where(t, 1, 0).tolist(), ~(t | f)), ~(t | f) & ~empty


def to_text(arr, empty):
    import numpy as np

    return _none_where(arr.tolist(), empty), np.zeros(len(arr), dtype=bool)


def convert(kind: str, arr, empty):
    """`arr`: a numpy object array of stripped text; `empty`: its blank cells."""
    if kind == "integer":
        return to_integer(arr, empty)
    if kind in ("real", "numeric"):
        return to_real(arr, empty)
    if kind in ("date", "timestamp"):
        return to_date(arr, empty, kind == "timestamp")
    if kind == "boolean":
        return to_boolean(arr, empty)
    return to_text(arr, empty)


def same_key(v):
    """A key value as a set member: 3, 3.0 and '3' are one key to SQLite's integer columns."""
    if isinstance(v, float) and v.is_integer() and not math.isinf(v):
        return int(v)
    return v
