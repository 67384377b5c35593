"""SQL text that reads messy values the way commerce-pack.md pins ("Reading messy data").

Each helper returns an SQL expression for one column, so a whole table is
normalised inside SQLite in one scan (no Python object per stored value):
enums trimmed and lower-cased; booleans 1 / true / t / yes in any case;
numbers stored as text read as numbers (anything else NULL: skipped and
counted); timestamps with a space or `T`, optional `Z` or an offset, as UTC
epoch days (SQLite's date functions accept exactly those forms).
"""

from __future__ import annotations


def enum(col: str) -> str:
    return f"lower(trim({col}))"


def before(a: str, b: str) -> str:
    """Moment a is before moment b. Two UTC texts of one shape ('Z', same length and separator)
    compare as text, which costs no date parsing; any other pair is compared through julianday."""
    return (f"(CASE WHEN substr({a}, -1) = 'Z' AND substr({b}, -1) = 'Z' AND length({a}) = length({b})"
            f" AND substr({a}, 11, 1) = substr({b}, 11, 1) THEN {a} < {b}"
            f" ELSE julianday(trim({a})) < julianday(trim({b})) END)")


def boolean(col: str) -> str:
    return (f"(CASE WHEN typeof({col}) IN ('integer','real') THEN {col} <> 0 "
            f"WHEN typeof({col}) = 'text' THEN lower(trim({col})) IN ('1','true','t','yes') ELSE 0 END)")


def num(col: str) -> str:
    return (f"(CASE WHEN typeof({col}) IN ('integer','real') THEN {col} "
            f"WHEN typeof({col}) = 'text' AND trim({col}) <> '' AND trim({col}) GLOB '*[0-9]*' "
            f"AND trim({col}) NOT GLOB '*[^0-9.eE+-]*' THEN CAST(trim({col}) AS REAL) END)")


def epoch(col: str) -> str:
    """Epoch seconds (UTC) of a timestamp or date column, NULL when unreadable."""
    return f"((julianday(trim({col})) - 2440587.5) * 86400.0)"


def day(col: str) -> str:
    """The UTC calendar day (days since 1970-01-01) of a timestamp or date column."""
    return f"CAST(julianday(trim({col})) - 2440587.5 AS INTEGER)"


# ---- the same readings for the big tables' scans, cheap for values stored the usual way. Each is
# equal to the reading above for every stored value (tests/test_commerce_scan.py checks them on
# messy values): SQLite's string functions (trim, lower, substr) allocate a copy per call and
# cost more than the date parse itself, so a value already in the usual form skips them.
def day_fast(col: str) -> str:
    """= day(col): julianday reads trailing but not leading spaces; trim only when the first read fails."""
    return f"CAST(coalesce(julianday({col}), julianday(trim({col}))) - 2440587.5 AS INTEGER)"


def boolean_fast(col: str) -> str:
    """= boolean(col): a stored 1 or 0 answers at once."""
    return f"(CASE {col} WHEN 1 THEN 1 WHEN 0 THEN 0 ELSE {boolean(col)} END)"


def num_fast(col: str) -> str:
    """= num(col): a stored number (every integer and real lies between the two infinities; a text, a blob
    or NULL does not) answers without typeof(). +col: compared without the column's affinity (a TEXT
    column would compare the bounds as text)."""
    return f"(CASE WHEN +{col} BETWEEN -9e999 AND 9e999 THEN {col} ELSE {num(col)} END)"


def enum_case(col: str, cases: dict[str, str], other: str) -> str:
    """CASE over enum(col): a value stored exactly as one of the names matches without lower(trim())."""
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in cases.items())
    return f"(CASE {col} {whens} ELSE (CASE {enum(col)} {whens} ELSE {other} END) END)"


def not_before(a: str, b: str) -> str:
    """True only where before(a, b) is false: a is not earlier as text and not earlier as a moment
    (NULL, so undecided, when either is unreadable without trim)."""
    return f"({a} >= {b} AND julianday({a}) >= julianday({b}))"
