"""Long day-by-day tables made readable on a slide or a page: one row a month.

A daily table (first column a date) of more than `DAILY_LIMIT` rows is summed
up by month for the board pack and presentation mode; the full table stays in
the CSV export. Daily drill-down values are levels (pipeline by stage on that
day), so a month shows its last day's values, as a month-end balance would.
"""

from __future__ import annotations

from .tables import Table

DAILY_LIMIT = 62  # two months of days read fine; more is a summary's job


def is_daily(table: Table) -> bool:
    return bool(table.formats) and table.formats[0] == "date"


def by_month(table: Table, limit: int = DAILY_LIMIT) -> Table:
    """`table` with one row per month (the month's last day) when it is daily, of levels, and
    longer than `limit` rows; else `table` itself (see `latest_rows` for long tables of flows)."""
    if not is_daily(table) or table.daily != "level" or len(table.rows) <= limit:
        return table
    last: dict[str, tuple] = {}
    for row in sorted((r for r in table.rows if r and r[0]), key=lambda r: str(r[0])):
        last[str(row[0])[:7]] = row
    rows = tuple((month, *row[1:]) for month, row in sorted(last.items()))
    title = table.title.replace("by day", "by month") if "by day" in table.title else f"{table.title} by month"
    return Table(f"{title} (month end)", ("Month", *table.columns[1:]), rows, ("period", *table.formats[1:]))


PAPER_ROWS = 40  # a long table on paper: a page of rows, the rest in the CSV export


def on_paper(table: Table, limit: int = PAPER_ROWS) -> tuple[Table, str | None]:
    """A table short enough for a document: past `limit` rows, the latest days of a daily
    table or the first rows of any other (drill-downs list the most important first),
    with the sentence that says so; else the table and None."""
    n = len(table.rows)
    if n <= limit:
        return table, None
    if not is_daily(table):
        rows, which = table.rows[:limit], "first"
    elif str(table.rows[0][0]) <= str(table.rows[-1][0]):  # oldest day first
        rows, which = table.rows[-limit:], "latest"
    else:
        rows, which = table.rows[:limit], "latest"
    return (Table(table.title, table.columns, rows, table.formats, table.daily),
            f"{table.title}: the {which} {limit} of {n:,} rows; the CSV export from the window has every row.")


MAX_MERGED_COLUMNS = 8  # a landscape page reads eight columns comfortably


def _join_titles(titles: list[str]) -> str:
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


def merge_by_period(tables: tuple[Table, ...]) -> tuple[Table, ...]:
    """Neighbouring tables over the same periods made one wider table (one period column,
    up to MAX_MERGED_COLUMNS columns): a page shows them in one block instead of three
    short ones. Other tables pass through in their place."""
    out: list[Table] = []
    group: list[Table] = []

    def flush() -> None:
        if len(group) == 1:
            out.append(group[0])
        elif group:
            periods = [r[0] for r in group[0].rows]
            cols, fmts = [group[0].columns[0]], [group[0].formats[0]]
            seen: set[str] = set()
            for t in group:
                for c, f in zip(t.columns[1:], t.formats[1:]):
                    cols.append(c if c not in seen else f"{t.title}: {c}")
                    seen.add(c)
                    fmts.append(f)
            rows = tuple((p, *(v for t in group for v in t.rows[i][1:])) for i, p in enumerate(periods))
            out.append(Table(_join_titles([t.title for t in group]), tuple(cols), rows, tuple(fmts)))
        group.clear()

    for t in tables:
        by_period = bool(t.formats) and t.formats[0] == "period" and bool(t.rows)
        fits = group and by_period and [r[0] for r in t.rows] == [r[0] for r in group[0].rows] \
            and sum(len(g.columns) - 1 for g in group) + len(t.columns) <= MAX_MERGED_COLUMNS
        if fits:
            group.append(t)
            continue
        flush()
        if by_period:
            group.append(t)
        else:
            out.append(t)
    flush()
    return tuple(out)
