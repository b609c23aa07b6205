"""Month boundaries."""

import datetime as dt

from keyprojects.lib.dates import add_months, month_end, month_start, next_month_start, previous_month


def test_it_knows_the_first_and_last_day_of_a_month():
    assert month_start(2026, 3) == dt.date(2026, 3, 1)
    assert month_end(2026, 1) == dt.date(2026, 1, 31)
    assert month_end(2026, 4) == dt.date(2026, 4, 30)
    assert month_end(2026, 12) == dt.date(2026, 12, 31)


def test_it_knows_february_in_leap_years():
    assert month_end(2026, 2) == dt.date(2026, 2, 28)
    assert month_end(2028, 2) == dt.date(2028, 2, 29)
    assert month_end(2100, 2) == dt.date(2100, 2, 28)
    assert month_end(2000, 2) == dt.date(2000, 2, 29)


def test_it_knows_the_start_of_the_next_month_across_the_year_end():
    assert next_month_start(2026, 1) == dt.date(2026, 2, 1)
    assert next_month_start(2026, 11) == dt.date(2026, 12, 1)
    assert next_month_start(2026, 12) == dt.date(2027, 1, 1)


def test_it_gives_the_month_before_across_the_year_end():
    assert previous_month(dt.date(2026, 3, 15)) == (2026, 2)
    assert previous_month(dt.date(2026, 12, 31)) == (2026, 11)
    assert previous_month(dt.date(2026, 1, 1)) == (2025, 12)
    assert previous_month(dt.date(2026, 1, 31)) == (2025, 12)


def test_it_adds_and_takes_away_months():
    assert add_months(dt.date(2026, 5, 15), 1) == dt.date(2026, 6, 15)
    assert add_months(dt.date(2026, 5, 15), -5) == dt.date(2025, 12, 15)
    assert add_months(dt.date(2026, 5, 15), 12) == dt.date(2027, 5, 15)
    assert add_months(dt.date(2026, 5, 15), -17) == dt.date(2024, 12, 15)
    assert add_months(dt.date(2026, 5, 15), 0) == dt.date(2026, 5, 15)


def test_it_ends_on_the_last_day_when_the_target_month_is_shorter():
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 3, 31), -1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 1, 31), 3) == dt.date(2026, 4, 30)
