"""Long drill-down tables on paper (table_summary.on_paper, boardpack.for_paper)."""

from __future__ import annotations

from execdash_desktop.boardpack import for_paper
from execdash_desktop.table_summary import PAPER_ROWS, by_month, on_paper
from execdash_desktop.tables import Drilldown, Table


def _days(n: int, daily: str = "level") -> Table:
    rows = tuple((f"2026-{7 + i // 31:02d}-{1 + i % 31:02d}", float(i)) for i in range(n))
    return Table("Sales by day", ("Day", "Revenue"), rows, ("date", "currency"), daily=daily)


def test_a_day_of_sales_is_never_printed_as_a_month():
    flows = _days(90, daily="flow")
    assert by_month(flows) is flows  # a month's last day would read as the month's sales
    assert len(by_month(_days(90)).rows) == 3  # levels: one row a month, the month end


def test_long_tables_keep_a_page_of_rows_and_say_which():
    flows = _days(90, daily="flow")
    short, note = on_paper(flows)
    assert short.rows == flows.rows[-PAPER_ROWS:] and short.daily == "flow"
    assert note == f"Sales by day: the latest {PAPER_ROWS} of 90 rows; the CSV export from the window has every row."
    newest_first = Table("x", ("Day", "v"), tuple(reversed(flows.rows)), flows.formats, "flow")
    assert on_paper(newest_first)[0].rows == newest_first.rows[:PAPER_ROWS]
    ranked = Table("Late orders", ("Order", "Days late"), tuple((f"#{i}", 100 - i) for i in range(186)),
                   ("text", "days"))
    short, note = on_paper(ranked)
    assert short.rows == ranked.rows[:PAPER_ROWS] and "the first 40 of 186 rows" in note
    assert on_paper(ranked, limit=500) == (ranked, None)


def test_the_pack_adds_the_note_to_the_drill_down():
    dd = Drilldown("k", "Fulfilment", (_days(90, daily="flow"), _days(10)), notes=("As of 28 Oct 2026",))
    paper = for_paper(dd)
    assert [len(t.rows) for t in paper.tables] == [PAPER_ROWS, 10]
    assert paper.notes[0] == "As of 28 Oct 2026" and "latest 40 of 90" in paper.notes[1]
