"""Deadlines in working days across the real 2025/2026 holidays (Spring Festival, National Day with
their make-up Saturdays and Sundays) and across the office's override table."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from keyprojects.lib.models import CalendarOverride
from keyprojects.tasks import services
from keyprojects.tasks.models import Task, TaskTemplate, TaskTemplateItem
from keyprojects.tasks.selectors import with_countdowns

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


def _at(day):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ), tick=False)


def _create(cast, **kwargs):
    return services.task_create(
        by=cast.staff, project=cast.project_a, title="可研批复", responsible_unit=cast.department, **kwargs
    )


@pytest.mark.parametrize(
    ("start", "n", "deadline"),
    [
        # National Day 2025: 1–8 October off; Sunday 28 September and Saturday 11 October worked.
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 26), 3, D(2025, 9, 30)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),
        # Spring Festival 2026: 15–23 February off; Saturdays 14 and 28 February worked.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
        (D(2026, 2, 13), 7, D(2026, 3, 2)),
        # National Day 2026: 1–7 October off; Sunday 20 September and Saturday 10 October worked.
        (D(2026, 9, 19), 1, D(2026, 9, 20)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
    ],
)
def test_it_counts_working_days_across_the_real_holidays(cast, start, n, deadline):
    task = _create(cast, start_date=start, deadline_workdays=n)
    assert task.deadline == deadline
    assert Task.objects.get(pk=task.pk).deadline == deadline


def test_it_counts_into_a_year_the_package_does_not_know_on_the_provisional_calendar(cast):
    task = _create(cast, start_date=D(2026, 12, 31), deadline_workdays=1)
    assert task.deadline == D(2027, 1, 4)  # 1 January a holiday by rule, then the weekend

    CalendarOverride.objects.create(date=D(2027, 1, 4), is_workday=False, note="临时放假")
    task = _create(cast, start_date=D(2026, 12, 31), deadline_workdays=1)
    assert task.deadline == D(2027, 1, 5)  # a single override still corrects its day


def test_it_lets_an_override_move_a_day_in_a_known_year(cast):
    CalendarOverride.objects.create(date=D(2026, 3, 2), is_workday=False, note="临时调整")
    CalendarOverride.objects.create(date=D(2026, 3, 7), is_workday=True, note="调休上班")
    assert _create(cast, start_date=D(2026, 2, 27), deadline_workdays=2).deadline == D(2026, 3, 3)
    assert _create(cast, start_date=D(2026, 3, 6), deadline_workdays=1).deadline == D(2026, 3, 7)


def _template(*offsets):
    template = TaskTemplate.objects.create(category="new_start", name="测试模板")
    for order, offset in enumerate(offsets):
        TaskTemplateItem.objects.create(
            template=template, order=order, title=f"事项{order}", offset_workdays=offset
        )
    return template


def test_it_sets_template_deadlines_back_from_the_planned_start_month(cast):
    # 1 March 2026 is a Sunday; 28 February a make-up Saturday; 15–23 February the Spring Festival.
    template = _template(0, -1, -5, -6, -7, 3)
    with _at(D(2026, 1, 5)):
        result = services.tasks_generate_from_template(
            by=cast.staff, project=cast.project_a, template=template, planned_start=D(2026, 3, 20)
        )
    deadlines = {t.title: t.deadline for t in result.created}
    assert deadlines == {
        "事项0": D(2026, 3, 1),
        "事项1": D(2026, 2, 28),
        "事项2": D(2026, 2, 24),
        "事项3": D(2026, 2, 14),
        "事项4": D(2026, 2, 13),
        "事项5": D(2026, 3, 4),
    }


def test_it_generates_a_template_into_a_provisional_year(cast):
    # 2027 is provisional: weekends and the statutory holidays by rule (清明 Mon 5 April; 劳动节 Sat 1 May
    # with Mon 3 and Tue 4 observed), so 40 working days before Tue 1 June is Thu 1 April.
    template = _template(-40, 0)
    result = services.tasks_generate_from_template(
        by=cast.staff, project=cast.project_a, template=template, planned_start=D(2027, 6, 1)
    )
    assert {t.title: t.deadline for t in result.created} == {"事项0": D(2027, 4, 1), "事项1": D(2027, 6, 1)}


def test_it_shows_remaining_and_overdue_working_days(cast):
    with _at(D(2026, 9, 20)):
        before_holiday = _create(cast, deadline=D(2026, 10, 9))
        soon = _create(cast, deadline=D(2026, 9, 30))
        late = _create(cast, deadline=D(2026, 9, 21))
    with _at(D(2026, 9, 30)):
        rows = {t.pk: t.countdown for t in with_countdowns(Task.objects.all())}
    assert rows[before_holiday.pk].label == "剩余 2 个工作日"  # 8 and 9 October
    assert rows[soon.pk].label == "今日到期"
    assert rows[late.pk].label == "逾期 6 个工作日"  # 22–30 September less 25 (Mid-Autumn) and 26/27
    with _at(D(2026, 10, 12)):
        rows = {t.pk: t.countdown for t in with_countdowns(Task.objects.all())}
    assert rows[soon.pk].label == "逾期 4 个工作日"  # 8, 9, 10 (Saturday worked) and 12 October
    assert rows[soon.pk].level == "red"
    assert rows[before_holiday.pk].label == "逾期 2 个工作日"


def test_it_turns_yellow_within_three_working_days(cast):
    with _at(D(2026, 9, 28)):
        task = _create(cast, deadline=D(2026, 10, 8))
        (row,) = with_countdowns([task])
    assert row.countdown.label == "剩余 3 个工作日"  # 29, 30 September and 8 October
    assert row.countdown.level == "yellow"


def test_it_plans_a_task_list_from_next_years_list_once_the_project_is_on_it(cast):
    from keyprojects.plans.models import AnnualEntry, AnnualList, Category
    from keyprojects.tasks.selectors import project_category, project_plan_year

    this_year, next_year = AnnualList.objects.create(year=2026), AnnualList.objects.create(year=2027)
    AnnualEntry.objects.create(annual_list=this_year, project=cast.project_a, category=Category.CONTINUING)
    AnnualEntry.objects.create(annual_list=this_year, project=cast.project_b, category=Category.CONTINUING)
    AnnualEntry.objects.create(annual_list=next_year, project=cast.project_a, category=Category.NEW_START)
    december = D(2026, 12, 7)
    assert project_plan_year(cast.project_a, today=december) == 2027
    assert project_category(cast.project_a, year=2027) == Category.NEW_START
    assert project_plan_year(cast.project_b, today=december) == 2026
