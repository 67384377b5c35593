"""Long day-by-day tables made readable on a slide or a page: one row a month.

A daily table (first column a date) of more than `DAILY_LIMIT` rows is summed
up by month for the board pack and presentation mode; the full table stays in
the CSV export. Daily drill-down values are levels (pipeline by stage on that
day), so a month shows its last day's values, as a month-end balance would.
"""

from __future__ import annotations

from .packs.executive.drilldowns import Table

DAILY_LIMIT = 62  # two months of days read fine; more is a summary's job


def is_daily(table: Table) -> bool:
    return bool(table.formats) and table.formats[0] == "date"


def by_month(table: Table, limit: int = DAILY_LIMIT) -> Table:
    """`table` with one row per month (the month's last day) when it is daily and longer
    than `limit` rows; else `table` itself."""
    if not is_daily(table) or len(table.rows) <= limit:
        return table
    last: dict[str, tuple] = {}
    for row in sorted((r for r in table.rows if r and r[0]), key=lambda r: str(r[0])):
        last[str(row[0])[:7]] = row
    rows = tuple((month, *row[1:]) for month, row in sorted(last.items()))
    title = table.title.replace("by day", "by month") if "by day" in table.title else f"{table.title} by month"
    return Table(f"{title} (month end)", ("Month", *table.columns[1:]), rows, ("period", *table.formats[1:]))
