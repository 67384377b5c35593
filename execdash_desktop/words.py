"""Why a figure is missing, in an executive's words.

The payload's `reason` of a KPI without a value is written for the data team
("no executive_kpis row for payback", "table orders is empty"): the API and
the terminal keep it byte for byte. The window and the board pack show
`plain_reason` instead: the table as what it holds ("figures entered by
hand"), months as "Oct 2026", no exception text.
"""

from __future__ import annotations

import re

from .format import month_name, short_date

# a table as what it holds; any other table: its name without underscores
TABLE_WORDS = {
    "revenue_trend": "monthly revenue figures",
    "ops_uptime": "uptime figures",
    "retention_nrr": "retention figures",
    "orders": "orders",
    "executive_kpis": "figures entered by hand",
    "pipeline_stages": "pipeline figures",
    "pipeline_daily": "pipeline figures",
    "timeframe_window": "reporting periods",
    "bugs": "bugs",
    "projects": "projects",
    "monthly_metrics": "monthly figures",
    "portfolio_metrics": "portfolio figures",
    "sales_metrics_daily": "daily sales figures",
    "inventory_snapshots": "stock counts",
    "sku_performance": "product figures",
}

_MONTHS = re.compile(r"\b(\d{4}-\d{2})\.\.(\d{4}-\d{2})\b")
_MONTH = re.compile(r"\b\d{4}-(0[1-9]|1[0-2])\b(?!-)")
_IDENT = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case: a table or a column


def table_words(table: str) -> str:
    return TABLE_WORDS.get(table, table.replace("_", " "))


def code_words(code: object) -> str:
    """A stored status or issue code as words: 'missing_items' -> 'Missing items' (None: '')."""
    return "" if code is None else str(code).strip().replace("_", " ").capitalize()


_STAMP = re.compile(r"\b(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_DAY = re.compile(r"\b\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")


def months_in_words(text: str) -> str:
    """'Backlog up 35% in 2026-08' -> 'Backlog up 35% in Aug 2026', '2026-07-20' -> '20 Jul 2026',
    '2026-10-31T23:41:43Z' -> '31 Oct 2026 23:41' (words from the file or a note: the window and
    the pack say dates one way; the API keeps the file's text)."""
    text = _STAMP.sub(lambda m: f"{short_date(m.group(1))} {m.group(2)}", text)
    text = _DAY.sub(lambda m: short_date(m.group(0)), text)
    text = _MONTHS.sub(lambda m: f"{month_name(m.group(1))} \u2013 {month_name(m.group(2))}", text)
    return _MONTH.sub(lambda m: month_name(m.group(0)), text)


def plain_reason(reason: object, label: str = "") -> str:
    """'no executive_kpis row for payback' -> 'No figure entered by hand for CAC payback';
    'table orders is empty' -> 'The file holds no orders'; months as 'Oct 2026'."""
    text = re.sub(r"\s*\([^)]*\)", "", str(reason or "").strip())  # the exception's words: data team only
    if not text:
        return "No data for this figure in the file"
    if m := re.fullmatch(r"table (\w+)(?: is missing|: .*)", text):
        out = f"The file has no readable {table_words(m.group(1))}"
    elif m := re.fullmatch(r"table (\w+) is empty", text):
        out = f"The file holds no {table_words(m.group(1))}"
    elif m := re.fullmatch(r"table (\w+) has no (?:column|\w+) .*", text):
        out = f"The file's {table_words(m.group(1))} lack a field this figure needs"
    elif m := re.fullmatch(r"table (\w+) (?:is damaged|cannot be read).*", text):
        out = f"The file's {table_words(m.group(1))} cannot be read"
    elif m := re.fullmatch(r"no (\w+) row for (\w+)", text):
        what = "figure entered by hand" if m.group(1) == "executive_kpis" else table_words(m.group(1))
        out = f"No {what} for {label or m.group(2).replace('_', ' ')}"
    elif m := re.fullmatch(r"no (\w+) backlog (.*)", text):
        out = f"No backlog figures {m.group(2)}"
    elif m := re.fullmatch(r"no (\w+) row (.*)", text):
        out = f"No {table_words(m.group(1))} {m.group(2)}"
    else:
        out = _IDENT.sub(lambda m: table_words(m.group(0)), text)
    out = months_in_words(out)
    return out[:1].upper() + out[1:]
