"""Working days against the real 2025 and 2026 State Council holiday notices, the provisional calendar
of years nobody has entered, and the override table."""

import datetime as dt

import pytest
from chinese_calendar import constants as cc

from keyprojects.lib.models import CalendarOverride
from keyprojects.lib.workdays import (
    WorkCalendar,
    add_workdays,
    is_provisional,
    is_workday,
    official_years,
    workdays_between,
)

D = dt.date


# The package data the tests below rely on (chinesecalendar 1.11.0 carries the 2026 notice).


def test_it_carries_the_2026_notice_in_the_package_data():
    spring = [D(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)]  # Sun Feb 15 … Mon Feb 23
    national = [D(2026, 10, 1) + dt.timedelta(days=i) for i in range(7)]  # Thu Oct 1 … Wed Oct 7
    for day in spring + national:
        assert day in cc.holidays, day
    for day in (D(2026, 2, 14), D(2026, 2, 28), D(2026, 9, 20), D(2026, 10, 10)):
        assert day in cc.workdays, day
    assert D(2026, 2, 24) not in cc.holidays
    assert D(2026, 10, 8) not in cc.holidays


# is_workday


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day, expected",
    [
        # 2025 Spring Festival: Jan 28 – Feb 4 off, make-up Sun Jan 26 and Sat Feb 8.
        (D(2025, 1, 24), True),  # Friday before
        (D(2025, 1, 25), False),  # ordinary Saturday
        (D(2025, 1, 26), True),  # Sunday make-up
        (D(2025, 1, 27), True),
        (D(2025, 1, 28), False),  # Tuesday, 除夕
        (D(2025, 1, 31), False),
        (D(2025, 2, 3), False),  # Monday inside the holiday
        (D(2025, 2, 4), False),
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),  # Saturday make-up
        (D(2025, 2, 9), False),
        # 2025 National Day + Mid-Autumn: Oct 1–8 off, make-up Sun Sep 28 and Sat Oct 11.
        (D(2025, 9, 28), True),
        (D(2025, 10, 1), False),
        (D(2025, 10, 6), False),  # Monday
        (D(2025, 10, 8), False),  # Wednesday
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),
        (D(2025, 10, 12), False),
        # 2026 Spring Festival: Feb 15–23 off, make-up Sat Feb 14 and Sat Feb 28.
        (D(2026, 2, 13), True),
        (D(2026, 2, 14), True),
        (D(2026, 2, 16), False),  # Monday
        (D(2026, 2, 20), False),  # Friday
        (D(2026, 2, 23), False),  # Monday
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),
        (D(2026, 3, 1), False),
        # 2026 National Day: Oct 1–7 off, make-up Sun Sep 20 and Sat Oct 10.
        (D(2026, 9, 20), True),
        (D(2026, 10, 1), False),
        (D(2026, 10, 5), False),  # Monday
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),
        (D(2026, 10, 11), False),
        # Plain weeks.
        (D(2026, 3, 4), True),
        (D(2026, 3, 7), False),
    ],
)
def test_it_knows_real_holidays_and_make_up_days(day, expected):
    assert is_workday(day) is expected


# add_workdays


@pytest.mark.django_db
def test_it_counts_the_sunday_make_up_day_when_adding_across_the_2025_spring_festival():
    # Fri Jan 24 → Sun 26 (1), Mon 27 (2), [Jan 28 – Feb 4 off], Wed Feb 5 (3), Thu 6 (4), Fri 7 (5).
    assert add_workdays(D(2025, 1, 24), 1) == D(2025, 1, 26)
    assert add_workdays(D(2025, 1, 24), 2) == D(2025, 1, 27)
    assert add_workdays(D(2025, 1, 24), 3) == D(2025, 2, 5)
    assert add_workdays(D(2025, 1, 24), 5) == D(2025, 2, 7)
    assert add_workdays(D(2025, 1, 24), 6) == D(2025, 2, 8)  # the Saturday make-up day
    assert add_workdays(D(2025, 1, 24), 7) == D(2025, 2, 10)


@pytest.mark.django_db
def test_it_goes_backward_for_a_negative_count():
    # Fri Feb 7 ← Thu 6 (1), Wed 5 (2), [holiday], Mon Jan 27 (3), Sun Jan 26 (4), [Sat 25], Fri Jan 24 (5).
    assert add_workdays(D(2025, 2, 7), -1) == D(2025, 2, 6)
    assert add_workdays(D(2025, 2, 7), -3) == D(2025, 1, 27)
    assert add_workdays(D(2025, 2, 7), -4) == D(2025, 1, 26)
    assert add_workdays(D(2025, 2, 7), -5) == D(2025, 1, 24)
    assert add_workdays(D(2025, 10, 13), -1) == D(2025, 10, 11)  # Monday back to the Saturday make-up


@pytest.mark.django_db
def test_it_returns_the_start_for_zero_working_days():
    assert add_workdays(D(2025, 2, 1), 0) == D(2025, 2, 1)


@pytest.mark.django_db
def test_it_adds_across_the_2025_national_day_holiday():
    # Fri Sep 26 → Sun Sep 28 (1), Mon 29 (2), Tue 30 (3), [Oct 1–8 off],
    # Thu Oct 9 (4), Fri 10 (5), Sat 11 (6).
    assert add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert add_workdays(D(2025, 9, 26), 3) == D(2025, 9, 30)
    assert add_workdays(D(2025, 9, 26), 4) == D(2025, 10, 9)
    assert add_workdays(D(2025, 9, 26), 6) == D(2025, 10, 11)
    assert add_workdays(D(2025, 9, 26), 7) == D(2025, 10, 13)


@pytest.mark.django_db
def test_it_adds_across_the_2026_spring_festival_and_national_day():
    # Fri Feb 13 → Sat Feb 14 (1), [Feb 15–23 off], Tue Feb 24 (2).
    assert add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert add_workdays(D(2026, 2, 24), -1) == D(2026, 2, 14)
    # Fri Sep 18 → Sun Sep 20 (1) … Thu Sep 24 (5), [Fri Sep 25 中秋], Mon Sep 28 (6), Tue 29 (7), Wed 30 (8),
    # [Oct 1–7 off], Thu Oct 8 (9), Fri 9 (10), Sat 10 (11).
    assert add_workdays(D(2026, 9, 18), 1) == D(2026, 9, 20)
    assert add_workdays(D(2026, 9, 18), 6) == D(2026, 9, 28)
    assert add_workdays(D(2026, 9, 18), 9) == D(2026, 10, 8)
    assert add_workdays(D(2026, 9, 18), 11) == D(2026, 10, 10)


# workdays_between


@pytest.mark.django_db
def test_it_counts_working_days_between_two_dates():
    assert workdays_between(D(2025, 1, 24), D(2025, 2, 7)) == 5
    assert workdays_between(D(2025, 1, 24), D(2025, 2, 8)) == 6
    assert workdays_between(D(2025, 1, 27), D(2025, 2, 4)) == 0  # only holidays ahead
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 1


@pytest.mark.django_db
def test_it_gives_zero_for_the_same_day():
    assert workdays_between(D(2025, 10, 1), D(2025, 10, 1)) == 0
    assert workdays_between(D(2025, 10, 9), D(2025, 10, 9)) == 0


@pytest.mark.django_db
def test_it_gives_a_negative_count_for_an_overdue_deadline():
    assert workdays_between(D(2025, 2, 7), D(2025, 1, 24)) == -5
    assert workdays_between(D(2026, 2, 24), D(2026, 2, 13)) == -2  # Feb 14 and Feb 13


@pytest.mark.django_db
def test_it_agrees_with_add_workdays():
    start = D(2025, 1, 2)
    for n in (1, 17, 60, 250, 400):
        assert workdays_between(start, add_workdays(start, n)) == n
        assert workdays_between(add_workdays(start, n), start) == -n


@pytest.mark.django_db
def test_it_counts_across_the_new_year():
    # Wed 2025-12-31 → [Thu Jan 1, Fri Jan 2 off, Sat Jan 3], Sun Jan 4 make-up (1), Mon Jan 5 (2).
    assert workdays_between(D(2025, 12, 31), D(2026, 1, 5)) == 2
    assert add_workdays(D(2025, 12, 31), 1) == D(2026, 1, 4)


# The override table


@pytest.mark.django_db
def test_it_keeps_counting_into_a_year_nobody_has_entered_on_the_provisional_calendar():
    # 2027 is in neither the package nor the office's schedules: weekends and the statutory holidays
    # by rule, no make-up days — never an error.
    assert is_provisional(D(2027, 3, 1))
    assert not is_provisional(D(2026, 12, 31))
    assert is_workday(D(2027, 1, 1)) is False  # 元旦, a Friday
    assert is_workday(D(2027, 1, 4)) is True
    # Spring Festival 2027 falls in early February: 除夕 Fri 5, 初一 Sat 6 … and Mon 8 – Wed 10 off.
    for day in (D(2027, 2, 5), D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10)):
        assert is_workday(day) is False, day
    assert is_workday(D(2027, 2, 4)) is True
    assert is_workday(D(2027, 2, 11)) is True
    assert is_workday(D(2027, 2, 20)) is False  # a Saturday: no make-up day on the provisional calendar
    assert is_workday(D(2027, 10, 1)) is False
    assert is_workday(D(2027, 10, 4)) is False  # National Day falls on a weekend: observed by rule
    # Thu 2026-12-31 → [Fri Jan 1, weekend], Mon Jan 4 (1) … Fri Jan 8 (5), Mon Jan 11 (6).
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert add_workdays(D(2026, 12, 31), 6) == D(2027, 1, 11)
    assert workdays_between(D(2026, 12, 1), D(2027, 1, 10)) == 22 + 5
    # Thu Feb 4 → [Feb 5–10 off], Thu Feb 11 (1).
    assert add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 11)
    assert add_workdays(D(2027, 2, 11), -1) == D(2027, 2, 4)
    assert is_workday(D(2003, 5, 5)) is False  # before the package's data: the rule too (observed)
    assert 2027 not in official_years() and 2026 in official_years()


@pytest.mark.django_db
def test_it_lets_single_rows_correct_a_provisional_year_without_making_it_official():
    CalendarOverride.objects.create(date=D(2027, 1, 9), is_workday=True, note="调休")  # a Saturday
    CalendarOverride.objects.create(date=D(2027, 6, 15), is_workday=False, note="临时放假")  # a Tuesday

    assert is_workday(D(2027, 1, 9)) is True
    assert is_workday(D(2027, 6, 15)) is False
    assert is_workday(D(2027, 1, 1)) is False  # the rule's holidays still apply, unlike plain weekdays
    assert is_workday(D(2027, 2, 9)) is False
    assert is_workday(D(2027, 1, 10)) is False  # ordinary Sunday
    # Thu 2026-12-31 → [Fri Jan 1 off, weekend], Mon Jan 4 (1) … Fri Jan 8 (5), Sat Jan 9 (6).
    assert add_workdays(D(2026, 12, 31), 6) == D(2027, 1, 9)
    assert add_workdays(D(2027, 1, 11), -1) == D(2027, 1, 9)
    assert workdays_between(D(2026, 12, 31), D(2027, 1, 9)) == 6
    assert workdays_between(D(2027, 1, 9), D(2026, 12, 31)) == -6
    assert is_provisional(D(2027, 1, 9))
    assert WorkCalendar.for_years([2027]).is_provisional(D(2027, 1, 9))


@pytest.mark.django_db
def test_it_lets_an_override_beat_the_package_in_a_known_year():
    CalendarOverride.objects.create(date=D(2026, 2, 23), is_workday=True, note="改为上班")  # package: holiday
    CalendarOverride.objects.create(date=D(2026, 3, 2), is_workday=False, note="临时放假")  # package: Monday

    assert is_workday(D(2026, 2, 23)) is True
    assert is_workday(D(2026, 3, 2)) is False
    assert is_workday(D(2026, 2, 20)) is False  # the rest of the package still applies
    assert add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 23)
    # Sat Feb 28 (1), [Sun Mar 1, Mon Mar 2 off], Tue Mar 3 (2).
    assert add_workdays(D(2026, 2, 27), 2) == D(2026, 3, 3)
    assert workdays_between(D(2026, 2, 13), D(2026, 3, 3)) == 8  # 14, 23, 24, 25, 26, 27, 28, Mar 3


@pytest.mark.django_db
def test_it_reaches_an_entered_year_on_a_long_walk_forward():
    # Regression: add_workdays loaded overrides only for start.year ± 1, so a walk from 2025 into 2027
    # refused (the old unknown-year error) although 2027 had been entered.
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_workday=False)
    end = add_workdays(D(2025, 1, 2), 600)
    assert end.year == 2027
    assert is_workday(end)
    assert workdays_between(D(2025, 1, 2), end) == 600


@pytest.mark.django_db
def test_it_applies_a_far_override_on_a_long_walk_backward():
    # Regression: the same walk backward ignored an override two years before the start.
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_workday=False)
    start = D(2027, 6, 30)
    before = add_workdays(start, -600)
    assert before.year == 2025
    CalendarOverride.objects.create(date=before, is_workday=False, note="临时放假")
    assert add_workdays(start, -600) < before
    assert workdays_between(add_workdays(start, -600), start) == 600


# Query budget


@pytest.mark.django_db
def test_it_uses_one_query_for_a_long_span(django_assert_num_queries):
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_workday=False)
    with django_assert_num_queries(1):
        add_workdays(D(2025, 1, 2), 600)
    with django_assert_num_queries(1):
        add_workdays(D(2027, 6, 1), -600)
    with django_assert_num_queries(1):
        workdays_between(D(2025, 1, 2), D(2027, 6, 1))
    with django_assert_num_queries(1):
        is_workday(D(2026, 10, 1))
