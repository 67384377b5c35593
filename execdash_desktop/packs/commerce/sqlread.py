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
