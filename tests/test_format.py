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
