"""Each rule of the warning centre at its boundaries, with time frozen; recomputation is idempotent and
keeps the history of every light (yellow, red, green again)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from keyprojects.alerts.models import (
    Level,
    OperatingActual,
    OperatingTarget,
    ProjectWarning,
    WarningChange,
    WarningRule,
)
from keyprojects.alerts.services import warning_rule_update, warnings_recompute_all, warnings_refresh
from keyprojects.plans.models import Category, MonthlyReport
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.projects.models import (
    FactorNeed,
    PrelimItem,
    Sector,
    Stage,
)
from keyprojects.tasks.models import Task
from keyprojects.test import make_project

SHANGHAI = ZoneInfo("Asia/Shanghai")
Code = WarningRule.Code


def at(year, month, day):
    return time_machine.travel(dt.datetime(year, month, day, 10, 0, tzinfo=SHANGHAI), tick=False)


def lights(code, project=None):
    """{subject: level} of the warnings of rule CODE (of PROJECT), recomputed now."""
    warnings_recompute_all()
    rows = ProjectWarning.objects.filter(rule__code=code)
    if project is not None:
        rows = rows.filter(project=project)
    return dict(rows.values_list("subject", "level"))


def light(code, project=None):
    values = list(lights(code, project).values())
    assert len(values) <= 1, values
    return values[0] if values else Level.GREEN


@pytest.fixture
def world(cast):
    plans_cast(cast)
    # Published before the year: every month of 2026 is owed.
    cast.batch.published_at = dt.datetime(2025, 12, 20, tzinfo=SHANGHAI)
    cast.batch.save()
    return cast


def make_task(world, deadline, **extra):
    return Task.objects.create(
        project=world.project_b,
        title="完成施工图审查",
        responsible_unit=world.department,
        deadline=deadline,
        created_by=world.staff,
        **extra,
    )


def report(entry, month, amount, status=MonthlyReport.Status.APPROVED):
    return MonthlyReport.objects.create(entry=entry, month=month, amount=amount, status=status)


# Task: yellow with ≤ 3 working days left, red when overdue (National Day 2026: 1–7 October off).


def test_it_turns_a_task_yellow_three_working_days_before_its_deadline(world):
    make_task(world, dt.date(2026, 10, 12))  # Monday after National Day; 10 October is a make-up workday
    with at(2026, 9, 30):
        assert light(Code.TASK) == Level.GREEN  # 9 (make-up Sat) … 12: four working days left
    with at(2026, 10, 8):
        assert light(Code.TASK) == Level.YELLOW  # 9, 10 (Sat, make-up), 12: three
    with at(2026, 10, 12):
        assert light(Code.TASK) == Level.YELLOW  # due today
    with at(2026, 10, 13):
        assert light(Code.TASK) == Level.RED
        warning = ProjectWarning.objects.get(rule__code=Code.TASK)
        assert "逾期 1 个工作日" in warning.message
        assert warning.figures["完成时限"] == "2026-10-12"


def test_it_turns_a_done_task_green_again_and_keeps_the_history(world):
    task = make_task(world, dt.date(2026, 11, 10))
    with at(2026, 11, 6):
        assert light(Code.TASK) == Level.YELLOW
    with at(2026, 11, 11):
        assert light(Code.TASK) == Level.RED
        task.status = Task.Status.DONE
        task.completed_date = dt.date(2026, 11, 11)
        task.save()
        warnings_refresh(project_ids=[world.project_b.pk])
        warning = ProjectWarning.objects.get(rule__code=Code.TASK)
    assert warning.level == Level.GREEN
    history = list(warning.changes.values_list("from_level", "to_level"))
    assert history == [("", "yellow"), ("yellow", "red"), ("red", "green")]


# Preliminary items: yellow once the planned date has passed, red more than 30 days after it.


def test_it_lights_a_preliminary_item_after_its_planned_date(world):
    PrelimItem.objects.create(project=world.project_b, kind="eia", planned_date=dt.date(2026, 6, 1))
    with at(2026, 6, 1):
        assert light(Code.PRELIM) == Level.GREEN
    with at(2026, 6, 2):
        assert light(Code.PRELIM) == Level.YELLOW
    with at(2026, 7, 1):
        assert light(Code.PRELIM) == Level.YELLOW  # 30 days
    with at(2026, 7, 2):
        assert light(Code.PRELIM) == Level.RED  # 31 days


def test_it_uses_the_red_threshold_the_office_set(world):
    PrelimItem.objects.create(project=world.project_b, kind="eia", planned_date=dt.date(2026, 6, 1))
    WarningRule.objects.filter(code=Code.PRELIM).update(params={"red_after_days": 5})
    with at(2026, 6, 7):
        assert light(Code.PRELIM) == Level.RED


# Start: a 新开工 entry not started in its planned month (March) → yellow; 3 months late → red.


def test_it_lights_a_new_start_not_started_in_its_planned_month(world):
    with at(2026, 3, 31):
        assert light(Code.START, world.project_a) == Level.GREEN
    with at(2026, 4, 1):
        assert light(Code.START, world.project_a) == Level.YELLOW
    with at(2026, 5, 31):
        assert light(Code.START, world.project_a) == Level.YELLOW
    with at(2026, 6, 1):
        assert light(Code.START, world.project_a) == Level.RED
        assert ProjectWarning.objects.get(rule__code=Code.START).figures["滞后月数"] == 3


def test_it_turns_the_start_warning_green_when_the_project_starts(world):
    with at(2026, 6, 1):
        assert light(Code.START, world.project_a) == Level.RED
        world.project_a.stage = Stage.CONSTRUCTION
        world.project_a.start_date = dt.date(2026, 5, 30)
        world.project_a.save()
        assert light(Code.START, world.project_a) == Level.GREEN


# Investment: 10–30 points behind time progress → yellow; more than 30 → red. Entry B: 5,000 万元 for
# the year, split evenly; on 20 November October's deadline (6 November) has passed: 10 months due.
PLAN = 50_000_000
DUE = PLAN * 10 // 12


def with_ytd(world, total):
    for month in range(1, 10):
        report(world.entry_b, month, 0)
    report(world.entry_b, 10, total)


@pytest.mark.parametrize(
    ("behind", "level"),
    [
        (PLAN * 10 // 100 - 1, Level.GREEN),
        (PLAN * 10 // 100, Level.YELLOW),  # exactly 10 points
        (PLAN * 30 // 100, Level.YELLOW),  # exactly 30 points
        (PLAN * 30 // 100 + 1, Level.RED),
    ],
)
def test_it_compares_investment_with_time_progress_at_the_boundaries(world, behind, level):
    with_ytd(world, DUE - behind)
    with at(2026, 11, 20):
        assert light(Code.INVESTMENT, world.project_b) == level


def test_it_counts_only_submitted_and_approved_reports_for_investment(world):
    with_ytd(world, DUE)
    MonthlyReport.objects.filter(entry=world.entry_b, month=10).update(status=MonthlyReport.Status.DRAFT)
    with at(2026, 11, 20):
        assert light(Code.INVESTMENT, world.project_b) == Level.RED
        warning = ProjectWarning.objects.get(rule__code=Code.INVESTMENT, project=world.project_b)
        assert warning.figures["落后百分点"] == "83.3"


# Investment measured on the project's own curve from its planned start (entry A, 新开工): the plan
# is spread evenly over the months from the planned start month to December, nothing before it.


def planned(world, *, start, plan, curve=None, started=None):
    entry = world.entry_a
    entry.planned_start_month, entry.planned_investment, entry.monthly_plan = start, plan, curve
    entry.save()
    if started:
        world.project_a.stage = Stage.CONSTRUCTION
        world.project_a.start_date = started
        world.project_a.save()
    return entry


def test_it_expects_nothing_of_a_project_before_its_planned_start_month(world):
    planned(world, start=11, plan=12_000_000)  # 1,200 万元 from November
    with at(2026, 11, 20):  # 1–10月 due: the plan owes nothing before November
        assert light(Code.INVESTMENT, world.project_a) == Level.GREEN
        assert light(Code.START, world.project_a) == Level.GREEN  # November is not over
        assert light(Code.COMBINED) == Level.GREEN
    with at(2026, 12, 20):  # November's deadline (7 December) passed: 1–11月 due
        # 12,000,000 × (11 − 11 + 1) ÷ (13 − 11) = 6,000,000 due, 0 done: 50.0 points behind → red;
        # the start is one month late → yellow; together one combined red light.
        assert light(Code.INVESTMENT, world.project_a) == Level.RED
        warning = ProjectWarning.objects.get(rule__code=Code.INVESTMENT, project=world.project_a)
        assert warning.message == "1-11月完成投资落后序时进度 50.0 个百分点"
        assert warning.figures["1-11月计划（万元）"] == "600"
        assert warning.figures["序时进度"] == "50.0%"
        assert warning.figures["序时进度口径"] == "自11月计划开工起按月均摊"
        assert light(Code.START, world.project_a) == Level.YELLOW
        assert light(Code.COMBINED) == Level.RED


@pytest.mark.parametrize(
    ("done", "level"),
    [
        # 1,800 万元 from April: 200 万元 a month over 9 months, 1,400 万元 due by October (77.8%).
        (12_500_000, Level.GREEN),  # 150 万元 behind: 8.3 points (the whole-year split said 13.9)
        (12_200_000, Level.YELLOW),  # 180 万元: exactly 10.0 points
        (8_600_000, Level.YELLOW),  # 540 万元: exactly 30.0 points
        (8_599_999, Level.RED),
    ],
)
def test_it_measures_investment_from_the_planned_start_month(world, done, level):
    entry = planned(world, start=4, plan=18_000_000, started=dt.date(2026, 4, 10))
    report(entry, 4, done)
    with at(2026, 11, 20):
        assert light(Code.INVESTMENT, world.project_a) == level


def test_it_follows_the_monthly_curve_where_the_entry_has_one(world):
    # A curve of 100 万元 a month wins over the planned start: 1,000 万元 due by October, none done.
    planned(world, start=11, plan=12_000_000, curve=[1_000_000] * 12)
    with at(2026, 11, 20):
        assert light(Code.INVESTMENT, world.project_a) == Level.RED
        warning = ProjectWarning.objects.get(rule__code=Code.INVESTMENT, project=world.project_a)
        assert warning.figures["落后百分点"] == "83.3"
        assert warning.figures["序时进度口径"] == "分月计划"


def test_it_keeps_the_thresholds_that_fired_a_light_on_it_and_its_history(world):
    PrelimItem.objects.create(project=world.project_b, kind="eia", planned_date=dt.date(2026, 6, 1))
    with at(2026, 7, 2):  # 31 days late: red under the default (more than 30 days)
        assert light(Code.PRELIM) == Level.RED
    rule = WarningRule.objects.get(code=Code.PRELIM)
    with at(2026, 7, 3):
        warning_rule_update(
            rule=rule,
            by=world.staff,
            expected_version=rule.version,
            is_active=True,
            remind=True,
            remind_workdays_before=3,
            params={"red_after_days": 40},
        )  # 32 days: yellow under the new threshold
    warning = ProjectWarning.objects.get(rule__code=Code.PRELIM)
    assert warning.level == Level.YELLOW
    assert warning.thresholds == {"red_after_days": 40}
    history = [(c.from_level, c.to_level, c.thresholds) for c in warning.changes.all()]
    assert history == [
        ("", Level.RED, {"red_after_days": 30}),
        (Level.RED, Level.YELLOW, {"red_after_days": 40}),
    ]


def test_it_keeps_the_last_thresholds_on_a_light_that_turned_green(world):
    item = PrelimItem.objects.create(project=world.project_b, kind="eia", planned_date=dt.date(2026, 6, 1))
    with at(2026, 7, 2):
        assert light(Code.PRELIM) == Level.RED
        WarningRule.objects.filter(code=Code.PRELIM).update(params={"red_after_days": 45})
        item.actual_date = dt.date(2026, 7, 2)
        item.save()
        assert light(Code.PRELIM) == Level.GREEN
    warning = ProjectWarning.objects.get(rule__code=Code.PRELIM)
    assert warning.thresholds == {"red_after_days": 30}  # those it was red on
    assert warning.changes.last().thresholds == {"red_after_days": 45}  # those it no longer reaches


# Reporting: a month's report missing after its deadline → yellow; two months → red.


def test_it_lights_a_missing_report_only_after_the_deadline(world):
    for month in range(1, 10):
        report(world.entry_b, month, 1_000_000)
    with at(2026, 11, 6):  # October's deadline: 5th working day after 31 October
        assert light(Code.REPORTING, world.project_b) == Level.GREEN
    with at(2026, 11, 7):
        assert light(Code.REPORTING, world.project_b) == Level.YELLOW
    MonthlyReport.objects.filter(entry=world.entry_b, month=9).update(status=MonthlyReport.Status.RETURNED)
    with at(2026, 11, 7):
        assert light(Code.REPORTING, world.project_b) == Level.RED


# 入统: started and not registered 1 month later → yellow, 2 months → red.


def test_it_lights_a_started_project_not_registered_in_the_statistics(world):
    project = world.project_b
    project.stage = Stage.CONSTRUCTION
    project.start_date = dt.date(2026, 3, 15)
    project.save()
    with at(2026, 4, 14):
        assert light(Code.STATISTICS, project) == Level.GREEN
    with at(2026, 4, 15):
        assert light(Code.STATISTICS, project) == Level.YELLOW
    with at(2026, 5, 14):
        assert light(Code.STATISTICS, project) == Level.YELLOW
    with at(2026, 5, 15):
        assert light(Code.STATISTICS, project) == Level.RED
    project.statistics_registered = True
    project.statistics_date = dt.date(2026, 5, 15)
    project.save()
    with at(2026, 5, 15):
        assert light(Code.STATISTICS, project) == Level.GREEN


# Funds: 资金到位率 below 60 % → yellow.


def test_it_lights_funds_in_place_below_the_share(world):
    need = FactorNeed.objects.create(
        project=world.project_b,
        kind="funds",
        fund_source="special_bond",
        need_yuan=10_000_000,
        secured_yuan=6_000_000,
    )
    with at(2026, 11, 20):
        assert light(Code.FUNDS, world.project_b) == Level.GREEN
        need.secured_yuan = 5_999_999
        need.save()
        assert light(Code.FUNDS, world.project_b) == Level.YELLOW
        assert ProjectWarning.objects.get(rule__code=Code.FUNDS).figures["资金到位率"] == "60.0%"


# Combined: late to start and behind on investment → one combined warning.


def test_it_flags_a_late_start_behind_on_investment_as_one_combined_warning(world):
    with at(2026, 11, 20):
        assert lights(Code.COMBINED) == {f"project:{world.project_a.pk}": Level.RED}
        warning = ProjectWarning.objects.get(rule__code=Code.COMBINED)
        # Planned for March, 12 亿元 spread over March–December: 8 of 10 months due by October, none
        # done. The rule's name is shown beside the message, never inside it.
        assert warning.message == (
            "新开工项目计划3月开工，至今未开工，滞后 8 个月；1-10月完成投资落后序时进度 80.0 个百分点"
        )
        assert warning.figures["滞后月数"] == 8
        assert warning.thresholds == {"red_months": 3, "yellow_points": 10, "red_points": 30}
    world.entry_a.category = Category.CONTINUING
    world.entry_a.save()
    with at(2026, 11, 20):
        assert light(Code.COMBINED) == Level.GREEN


# Operating: a completed industrial project not producing within its target months.


def test_it_lights_a_completed_industrial_project_not_producing(world):
    industry = Sector.objects.get(name="产业")  # seeded by the migrations
    project = make_project(
        name="新能源电池产业园",
        owner=world.owner_a,
        district=world.district_a,
        sector=industry,
        stage=Stage.COMPLETED,
        start_date=dt.date(2025, 3, 1),
        completion_date=dt.date(2025, 11, 10),
    )
    OperatingTarget.objects.create(project=project, months_to_produce=6)
    with at(2026, 5, 9):
        assert light(Code.OPERATING, project) == Level.GREEN  # 5 months
    with at(2026, 5, 10):
        assert light(Code.OPERATING, project) == Level.YELLOW  # 6 months
    with at(2026, 11, 10):
        assert light(Code.OPERATING, project) == Level.RED  # 12 months
        OperatingActual.objects.create(
            project=project, year=2026, month=10, output_value=1, created_by=world.staff
        )
        assert light(Code.OPERATING, project) == Level.GREEN


def test_it_changes_nothing_when_recomputed_twice(world):
    make_task(world, dt.date(2026, 11, 10))
    PrelimItem.objects.create(project=world.project_b, kind="eia", planned_date=dt.date(2026, 6, 1))
    with at(2026, 11, 20):
        first = warnings_recompute_all()
        warnings = list(ProjectWarning.objects.order_by("id").values())
        changes = WarningChange.objects.count()
        second = warnings_recompute_all()
    assert first["created"] >= 4
    assert second == {"created": 0, "changed": 0, "green": 0}
    assert list(ProjectWarning.objects.order_by("id").values()) == warnings
    assert WarningChange.objects.count() == changes


def test_it_turns_warnings_green_when_their_rule_is_switched_off(world):
    PrelimItem.objects.create(project=world.project_b, kind="eia", planned_date=dt.date(2026, 6, 1))
    with at(2026, 11, 20):
        assert light(Code.PRELIM) == Level.RED
        WarningRule.objects.filter(code=Code.PRELIM).update(is_active=False)
        assert light(Code.PRELIM) == Level.GREEN
