"""A year's official holiday schedule: refused with the reason when incomplete or inconsistent, confirmed
in one audited transaction, after which it — and not the provisional rule — counts the working days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.audit.models import AuditEntry
from keyprojects.calendars import services
from keyprojects.lib.models import CalendarOverride, CalendarYear
from keyprojects.lib.selectors import calendar_banner, calendar_year_list, calendar_year_preview
from keyprojects.lib.tests.notices import schedule_2027
from keyprojects.lib.workdays import (
    WorkCalendar,
    add_workdays,
    is_provisional,
    is_workday,
    official_years,
    workdays_between,
)

D = dt.date
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 6, 10, 0, tzinfo=TZ), tick=False):
        yield


def _confirm(cast, holidays=None, workdays=None, **kwargs):
    h, w = schedule_2027()
    return services.calendar_year_confirm(
        year=2027,
        holidays=h if holidays is None else holidays,
        workdays=w if workdays is None else workdays,
        by=cast.admin,
        **kwargs,
    )


def test_it_counts_across_2026_into_2027_provisionally_then_on_the_confirmed_schedule(cast):
    # Provisional: Thu 4 Feb → [Fri 5 除夕 … Wed 10 by rule], Thu 11 (1), Fri 12 (2), Mon 15 (3).
    assert add_workdays(D(2027, 2, 4), 3) == D(2027, 2, 15)
    assert workdays_between(D(2026, 12, 31), D(2027, 2, 1)) == 21  # 20 in January (1st off), Mon 1 Feb
    assert is_workday(D(2027, 1, 31)) is False
    assert is_provisional(D(2027, 2, 15))

    result = _confirm(cast, source_text="国务院办公厅关于2027年部分节假日安排的通知……")

    assert result.calendar_year.status == CalendarYear.Status.CONFIRMED
    assert result.calendar_year.confirmed_by == cast.admin
    assert not is_provisional(D(2027, 2, 15))
    assert 2027 in official_years()
    # Official: [Feb 5–13 off], Mon 15 (1), Tue 16 (2), Wed 17 (3); Sun 31 January and Sat 20 February worked.
    assert add_workdays(D(2027, 2, 4), 3) == D(2027, 2, 17)
    assert is_workday(D(2027, 1, 31)) is True
    assert is_workday(D(2027, 2, 20)) is True
    assert is_workday(D(2027, 2, 11)) is False
    assert workdays_between(D(2026, 12, 31), D(2027, 2, 1)) == 22
    assert add_workdays(D(2027, 2, 17), -3) == D(2027, 2, 4)


def test_it_keeps_the_confirmation_in_the_history(cast):
    _confirm(cast)
    entry = AuditEntry.objects.get(model="lib.CalendarYear")
    assert entry.user == cast.admin
    assert entry.changes["状态"] == ["草稿", "已确认"]
    assert "2027-02-05 至 2027-02-13 春节" in entry.changes["放假"][1]
    assert "2027-01-31 春节" in entry.changes["调休上班"][1]


def test_it_refuses_make_up_days_that_are_not_weekend_days(cast):
    h, w = schedule_2027()
    with pytest.raises(ValidationError) as refused:
        _confirm(cast, workdays={**w, D(2027, 2, 15): "春节"})  # a Monday
    assert "2027-02-15（周一）" in " ".join(refused.value.messages)
    assert "周六或周日" in " ".join(refused.value.messages)
    assert not CalendarYear.objects.exists()
    assert is_provisional(D(2027, 2, 15))


def test_it_refuses_holidays_outside_the_year(cast):
    h, w = schedule_2027()
    with pytest.raises(ValidationError) as refused:
        _confirm(cast, holidays={**h, D(2028, 1, 1): "元旦"})
    assert "2028-01-01" in refused.value.messages[0] and "不在 2027 年内" in refused.value.messages[0]


def test_it_refuses_a_schedule_that_leaves_a_statutory_holiday_out(cast):
    h, w = schedule_2027()
    without = {d: n for d, n in h.items() if n not in ("中秋节", "清明节")}
    with pytest.raises(ValidationError) as refused:
        _confirm(cast, holidays=without)
    message = " ".join(refused.value.messages)
    assert "清明节（4月5日）" in message and "中秋节（9月15日）" in message
    # Its main day is enough: 春节 without the days around 初一 still counts as covered.
    spring_main_only = {d: n for d, n in h.items() if n != "春节"} | {D(2027, 2, 6): "春节"}
    assert services.calendar_year_problems(year=2027, holidays=spring_main_only, workdays=w) == []


def test_it_refuses_a_day_both_off_and_worked_and_a_year_the_package_has(cast):
    h, w = schedule_2027()
    with pytest.raises(ValidationError) as refused:
        _confirm(cast, workdays={**w, D(2027, 2, 6): "春节"})  # Saturday 初一, also a holiday
    assert "既是放假日又是调休上班日" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError) as refused:
        services.calendar_year_confirm(year=2026, holidays={}, workdays={}, by=cast.admin)
    assert "日历包" in refused.value.messages[0]


def test_it_lets_only_the_office_enter_a_schedule(cast):
    h, w = schedule_2027()
    with pytest.raises(PermissionDenied):
        services.calendar_year_confirm(year=2027, holidays=h, workdays=w, by=cast.district)
    with pytest.raises(PermissionDenied):
        services.calendar_year_save_draft(year=2027, holidays=h, workdays=w, by=cast.owner)


def test_it_keeps_a_draft_provisional_until_it_is_confirmed(cast):
    h, w = schedule_2027()
    services.calendar_year_save_draft(year=2027, holidays=h, workdays=w, by=cast.staff)
    assert CalendarYear.objects.get().status == CalendarYear.Status.DRAFT
    assert is_provisional(D(2027, 1, 31)) and is_workday(D(2027, 1, 31)) is False
    states = {s.year: s.state for s in calendar_year_list(today=D(2026, 12, 6))}
    assert states[2026] == "package" and states[2027] == "draft" and states[2028] == "provisional"
    _confirm(cast)
    assert is_workday(D(2027, 1, 31)) is True
    with pytest.raises(ValidationError):
        services.calendar_year_save_draft(year=2027, holidays=h, workdays=w, by=cast.staff)


def test_it_corrects_a_confirmed_year_by_confirming_again(cast):
    h, w = schedule_2027()
    _confirm(cast)
    fewer = {d: n for d, n in w.items() if d != D(2027, 1, 31)}
    _confirm(cast, workdays=fewer)
    assert is_workday(D(2027, 1, 31)) is False
    assert AuditEntry.objects.filter(model="lib.CalendarYear").count() == 2


def test_it_lets_an_override_correct_a_day_of_a_confirmed_year(cast):
    _confirm(cast)
    CalendarOverride.objects.create(date=D(2027, 2, 20), is_workday=False, note="取消调休")
    assert is_workday(D(2027, 2, 20)) is False
    assert not is_provisional(D(2027, 2, 20))


def test_it_loads_the_confirmed_schedule_in_the_same_single_query(cast, django_assert_num_queries):
    _confirm(cast)
    CalendarOverride.objects.create(date=D(2027, 3, 1), is_workday=False)
    with django_assert_num_queries(1):
        calendar = WorkCalendar.for_years([2026, 2027])
    assert calendar.is_workday(D(2027, 1, 31)) and not calendar.is_workday(D(2027, 3, 1))
    assert calendar.confirmed_years == {2027}
    with django_assert_num_queries(1):
        add_workdays(D(2026, 1, 5), 400)


def test_it_previews_the_working_days_by_month(cast):
    h, w = schedule_2027()
    preview = calendar_year_preview(year=2027, holidays=h, workdays=w)
    months = {m.month: m for m in preview["months"]}
    # January: 21 weekdays, 元旦 off, Sunday 31 worked. February: 20 weekdays, six off, Saturday 20 worked.
    assert (months[1].workdays, months[1].holidays, months[1].makeup, months[1].provisional) == (21, 1, 1, 20)
    assert (months[2].workdays, months[2].holidays, months[2].makeup, months[2].provisional) == (15, 6, 1, 16)
    assert months[2].difference == -1
    assert preview["total"] == sum(m.workdays for m in preview["months"])
    assert preview["chart"]["series"][0]["data"][:2] == [21, 15]
    rule = calendar_year_preview(year=2027)
    assert rule["total"] == rule["provisional_total"]


@pytest.mark.parametrize(
    ("today", "confirmed", "shown"),
    [
        (D(2026, 10, 30), False, None),
        (D(2026, 11, 2), False, 2027),
        (D(2026, 12, 31), False, 2027),
        (D(2026, 11, 2), True, None),
        (D(2027, 1, 4), False, 2027),  # the new year began unentered: still reminded
    ],
)
def test_it_reminds_office_admins_of_next_years_schedule_from_november(cast, today, confirmed, shown):
    if confirmed:
        _confirm(cast)
    banner = calendar_banner(user=cast.admin, today=today, official=official_years())
    assert (banner["year"] if banner else None) == shown
    assert calendar_banner(user=cast.staff, today=today, official=official_years()) is None
