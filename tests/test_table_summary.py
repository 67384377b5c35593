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


def test_tables_over_the_same_months_print_as_one():
    from execdash_desktop.table_summary import merge_by_period

    months = ("2026-01", "2026-02")
    up = Table("Uptime", ("Period", "Uptime"), tuple((m, 0.99) for m in months), ("period", "ratio"))
    rel = Table("Reliability", ("Period", "MTBF", "MTTR"), tuple((m, 700.0, 4.0) for m in months),
                ("period", "hours", "hours"))
    other = Table("By type", ("Type", "Amount"), (("new", 1.0),), ("text", "currency"))
    short = Table("Cost", ("Period", "Cost"), (("2026-02", 5.0),), ("period", "currency"))
    merged = merge_by_period((up, rel, other, short))
    assert [t.title for t in merged] == ["Uptime and Reliability", "By type", "Cost"]
    assert merged[0].columns == ("Period", "Uptime", "MTBF", "MTTR")
    assert merged[0].formats == ("period", "ratio", "hours", "hours")
    assert merged[0].rows == (("2026-01", 0.99, 700.0, 4.0), ("2026-02", 0.99, 700.0, 4.0))
    assert merged[1] is other and merged[2] is short  # other months: not merged


def test_the_data_time_ignores_the_apps_own_writes(tmp_path, monkeypatch):
    from execdash_desktop import data_time

    monkeypatch.setenv("EXECDASH_CACHE_DIR", str(tmp_path / "cache"))
    f = tmp_path / "d.sqlite"
    s1 = [[100, 1_000_000_000_000_000_000], [0, 0]]
    s2 = [[120, 1_000_000_500_000_000_000], [0, 0]]  # after our own metrics write
    s3 = [[130, 1_000_000_900_000_000_000], [0, 0]]  # someone else changed the data
    assert data_time.data_changed_at(f, s1) == 1_000_000_000.0
    data_time.note_own_write(f, s1, s2)
    assert data_time.data_changed_at(f, s2) == 1_000_000_000.0  # still the data's time
    assert data_time.data_changed_at(f, s3) == 1_000_000_900.0
    data_time.note_own_write(f, [[131, 1_000_001_000_000_000_000], [0, 0]], s2)  # a change, then ours
    assert data_time.data_changed_at(f, s2) == 1_000_001_000.0


def test_plain_words_for_files_that_are_not_data_files():
    from execdash_desktop.file_check import plain_words

    assert plain_words("/x/a.csv: not a SQLite database (file is not a database)").title == \
        "This is not a dashboard data file"
    p = plain_words("/x/b.sqlite: not an executive data file: missing table(s) revenue_trend")
    assert p.title == "This file has no dashboard data" and "table" not in p.text and not p.retry_helps
    assert plain_words("/x/c.sqlite: locked by another writer").retry_helps
