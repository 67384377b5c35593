"""Daily drill-down tables summed up by month for slides and the board pack."""

from execdash_desktop.packs.executive.drilldowns import Table
from execdash_desktop.table_summary import by_month


def _daily(days: int) -> Table:
    import datetime as dt

    start = dt.date(2026, 1, 1)
    rows = tuple(((start + dt.timedelta(d)).isoformat(), float(d)) for d in range(days))
    return Table("Funnel by day", ("Day", "Leads"), rows, ("date", "currency"))


def test_a_long_daily_table_becomes_one_row_a_month_with_the_month_end_value():
    t = by_month(_daily(365))
    assert t.title == "Funnel by month (month end)"
    assert t.columns == ("Month", "Leads") and t.formats == ("period", "currency")
    assert len(t.rows) == 12
    assert t.rows[0] == ("2026-01", 30.0)  # 31 Jan is day 30
    assert t.rows[-1] == ("2026-12", 364.0)


def test_short_or_monthly_tables_are_left_alone():
    short = _daily(40)
    assert by_month(short) is short
    monthly = Table("Backlog", ("Period", "Backlog"), (("2026-01", 1.0),) * 100, ("period", "currency"))
    assert by_month(monthly) is monthly
