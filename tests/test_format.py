"""How numbers read on cards, in tables and in the terminal."""

import pytest

from execdash_desktop.format import compact_currency, delta_tone, format_cell, format_delta, format_value


def test_card_values_by_kind():
    assert format_value(1_234_567, "currency", "£") == "£1.2M"
    assert format_value(1.04, "ratio") == "104.0%"
    assert format_value(14.2, "months", "mo") == "14.2 mo"
    assert format_value(1.084, "multiple") == "1.08x"
    assert format_value(None, "ratio") == "\u2014"
    assert compact_currency(-2500, "$") == "-$2.5k"


def test_delta_arrow_sign_and_tone_by_kpi_direction():
    assert format_delta(0.042) == "\u25b2 +4.2%"
    assert format_delta(-0.01) == "\u25bc -1.0%"
    assert format_delta(1.025) == "\u25b2 +102.5%"  # a tenth still shown below 1,000%
    assert format_delta(92.0) == "\u25b2 +9,200%" and format_delta(-12.345) == "\u25bc -1,234%"  # not "+9200.0%"
    assert delta_tone(0.05, "up") == "good" and delta_tone(0.05, "down") == "bad"
    assert delta_tone(0.0005, "up") == "neutral" and delta_tone(None, "up") == "neutral"


@pytest.mark.parametrize("fmt,value,text", [("currency", 1234567.8, "£1,234,568"), ("ratio", 0.4567, "45.7%"),
                                             ("int", 1234.0, "1,234"), ("multiple", 1.084, "1.08x"),
                                             ("months", 3.61, "3.6 mo"), ("currency", None, "\u2014"),
                                             ("hours", 669.34, "669.3 h"), ("days", 53, "53.0 days"),
                                             ("days", None, "\u2014")])
def test_table_cells_show_full_precision_by_column_format(fmt, value, text):
    assert format_cell(value, fmt, "£") == text




def test_month_names_and_dates_are_fixed_english_whatever_the_locale():
    from execdash_desktop.format import month_name, short_date

    assert month_name("2026-08") == "Aug 2026" and month_name("2025-01") == "Jan 2025"
    assert month_name("2026-13") == "2026-13" and month_name("soon") == "soon"
    assert short_date("2026-09-07") == "7 Sep 2026"
    assert short_date("2026-10-09 15:57:44") == "9 Oct 2026"
    assert short_date("next week") == "next week" and short_date(None) == "\u2014"


def test_periods_read_one_way_on_every_axis():
    from execdash_desktop.format import axis_labels, period_name

    assert period_name("2026-08") == "Aug 2026" and period_name("2026-Q3") == "Q3 2026"
    assert period_name("2026-08-15") == "15 Aug 2026" and period_name("Week 3") == "Week 3"
    # months: the year once, on the first label and where it changes; quarters always whole
    assert axis_labels(["2025-11", "2025-12", "2026-01", "2026-02"]) == ["Nov 2025", "Dec", "Jan 2026", "Feb"]
    assert axis_labels(["2025-Q4", "2026-Q1"]) == ["Q4 2025", "Q1 2026"]
    assert axis_labels(["2025-12-29", "2026-01-05", "2026-01-12"]) == ["29 Dec 2025", "5 Jan 2026", "12 Jan"]
    assert axis_labels([]) == []


@pytest.mark.parametrize("reason, label, plain", [
    ("no executive_kpis row for payback", "CAC payback", "No figure entered by hand for CAC payback"),
    ("no retention_nrr row on or before 2026-10", "NRR", "No retention figures on or before Oct 2026"),
    ("table orders is empty", "Gross margin", "The file holds no orders"),
    ("no revenue_trend row in 2025-11..2026-10", "Revenue", "No monthly revenue figures in Nov 2025 \u2013 Oct 2026"),
    ("table ops_uptime has no column fleet_uptime", "Uptime", "The file's uptime figures lack a field this figure needs"),
    ("table orders is damaged in the file (database disk image is malformed)", "ARR",
     "The file's orders cannot be read"),
    ("table retention_nrr: no such column: nrr", "NRR", "The file has no readable retention figures"),
    ("the orders values in 2025-11..2026-10 are too large to add up", "ARR",
     "The orders values in Nov 2025 \u2013 Oct 2026 are too large to add up"),
    (None, "Revenue", "No data for this figure in the file"),
])
def test_why_a_figure_is_missing_in_plain_words(reason, label, plain):
    import re

    from execdash_desktop.words import plain_reason

    said = plain_reason(reason, label)
    assert said == plain
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", said)  # no table or column name


def test_months_in_a_file_s_text_read_as_the_app_says_them():
    from execdash_desktop.words import months_in_words

    assert months_in_words("Backlog up 35% in 2026-08") == "Backlog up 35% in Aug 2026"
    assert months_in_words("in 2025-11..2026-10") == "in Nov 2025 \u2013 Oct 2026"
    assert months_in_words("on 2026-07-20, HR-2026-13") == "on 20 Jul 2026, HR-2026-13"  # a day; not a month
    assert months_in_words("As of 2026-10-31T23:41:43Z") == "As of 31 Oct 2026 23:41"
