"""Which list a page shows for a year, and which period a page opens on (plans.selectors)."""

import datetime as dt

import pytest

from keyprojects.plans.models import AnnualList
from keyprojects.plans.selectors import annual_list_of, default_period


@pytest.mark.parametrize(
    ("today", "years", "period"),
    [
        (dt.date(2026, 11, 29), [2026, 2025], (2026, 10)),
        (dt.date(2027, 1, 3), [2026, 2025], (2026, 12)),
        (dt.date(2027, 1, 3), [2027, 2026], (2026, 12)),
        (dt.date(2027, 3, 3), [2026], (2026, 12)),
        (dt.date(2024, 3, 3), [2026], (2026, 12)),
        (dt.date(2026, 3, 3), [], (2026, 2)),
    ],
)
def test_it_defaults_to_the_last_month_whose_reports_are_due(today, years, period):
    assert default_period(today, years=years) == period


@pytest.mark.parametrize(
    ("today", "period"),
    [
        (dt.date(2026, 11, 29), (2026, 10)),
        (dt.date(2026, 1, 1), (2025, 12)),
        (dt.date(2026, 12, 31), (2026, 11)),
    ],
)
def test_it_opens_on_the_last_ended_month_whatever_the_lists_without_years(today, period):
    assert default_period(today) == period


@pytest.mark.django_db
def test_it_opens_on_the_month_before_the_local_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert default_period() == (2026, 2)


@pytest.fixture
def lists(db):
    return {
        year: AnnualList.objects.create(year=year, title=f"{year}年重点项目清单") for year in (2024, 2026)
    }


def test_it_finds_the_list_of_the_year(lists, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert annual_list_of(2026) == lists[2026]
    assert annual_list_of(2024, fallback="earlier") == lists[2024]
    assert annual_list_of(2024, fallback="latest") == lists[2024]


def test_it_has_no_list_for_a_year_without_one(lists):
    assert annual_list_of(2025) is None
    assert annual_list_of(2027) is None


def test_it_falls_back_to_the_latest_earlier_list_or_to_the_newest(lists, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert annual_list_of(2025, fallback="earlier") == lists[2024]
    assert annual_list_of(2027, fallback="earlier") == lists[2026]
    assert annual_list_of(2023, fallback="earlier") is None
    assert annual_list_of(2025, fallback="latest") == lists[2026]
    assert annual_list_of(2023, fallback="latest") == lists[2026]


def test_it_refuses_an_unknown_fallback(lists):
    with pytest.raises(ValueError):
        annual_list_of(2025, fallback="nearest")
