"""The demo's annual lists and monthly reports: deterministic, and shaped like a real year."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from keyprojects.demo.loader import load_demo
from keyprojects.lib.dates import month_end
from keyprojects.lib.workdays import add_workdays
from keyprojects.orgs.models import User
from keyprojects.plans.completion_selectors import completion_totals
from keyprojects.plans.models import (
    AnnualEntry,
    AnnualList,
    Batch,
    Category,
    MonthLock,
    MonthlyReport,
    ReportAdjustment,
)
from keyprojects.plans.tests.conftest import CAST_TODAY
from keyprojects.projects.models import Project
from keyprojects.test import SharedWorld

pytestmark = pytest.mark.django_db
PROJECTS = 400
# October's reports are coming in (its deadline is 6 November), September's month is locked.
TODAY = dt.date(2026, 11, 5)


def snapshot():
    """Everything the lists and reports hold, without ids (sequences differ after a rollback)."""
    entries = list(
        AnnualEntry.objects.order_by("annual_list__year", "project__name").values_list(
            "annual_list__year",
            "project__name",
            "batch__number",
            "category",
            "planned_investment",
            "baseline_investment",
            "completed_before_year",
            "goal",
            "planned_start_month",
            "planned_completion_month",
            "monthly_plan",
            "leader__username",
        )
    )
    reports = list(
        MonthlyReport.objects.order_by(
            "entry__annual_list__year", "entry__project__name", "month"
        ).values_list(
            "entry__project__name", "month", "amount", "status", "progress", "problems", "submitted_at"
        )
    )
    return entries, reports


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo city for the module's tests, which only read it: loaded once (on the plans tests' day)
    in a transaction that each test's own nests in and that is rolled back after the last of them."""
    shared = SharedWorld(django_db_blocker)
    with time_machine.travel(CAST_TODAY, tick=True):
        shared.get("demo", lambda: load_demo(projects=PROJECTS, today=TODAY))
    yield
    shared.close()


def test_it_is_deterministic():
    with transaction.atomic():
        load_demo(projects=PROJECTS, today=TODAY)
        first = snapshot()
        transaction.set_rollback(True)
    assert not AnnualEntry.objects.exists()
    load_demo(projects=PROJECTS, today=TODAY)
    assert snapshot() == first
    assert first[0] and first[1]


def test_it_publishes_two_lists_in_two_batches(demo):
    assert list(AnnualList.objects.order_by("year").values_list("year", flat=True)) == [2025, 2026]
    for annual_list in AnnualList.objects.all():
        batches = list(annual_list.batches.order_by("number").values_list("name", "status"))
        assert batches == [("第一批", Batch.Status.PUBLISHED), ("第二批", Batch.Status.PUBLISHED)]
        assert annual_list.entries.filter(batch__number=2).exists()
    categories = Counter(
        AnnualEntry.objects.filter(annual_list__year=2026).values_list("category", flat=True)
    )
    assert set(categories) == set(Category.values)


@pytest.mark.parametrize("year", [2025, 2026])
def test_it_puts_projects_in_the_category_their_dates_say(demo, year):
    for entry in AnnualEntry.objects.filter(annual_list__year=year).select_related("project"):
        project = entry.project
        started, done = project.start_date, project.completion_date
        assert project.parent_id is None
        assert done is None or done.year >= year  # nothing completed before the year
        if entry.category == Category.CONTINUING:
            assert started and started.year < year
            assert done is None or done.year > year
        elif entry.category == Category.NEW_START:
            assert started is None or started.year >= year
            assert 1 <= entry.planned_start_month <= 12
        elif entry.category == Category.COMPLETING:
            assert started.year < year and entry.planned_completion_month
            assert done is None or done.year == year
        else:
            assert entry.planned_investment is None
            assert started is None or started.year > year
        if entry.planned_investment:
            assert entry.baseline_investment
            assert entry.planned_investment % 10_000 == 0  # whole 万元, as published
        if entry.monthly_plan:
            assert len(entry.monthly_plan) == 12
            assert sum(entry.monthly_plan) == entry.planned_investment


def test_it_keeps_entry_departments_among_the_projects(demo):
    project_links = set(Project.departments.through.objects.values_list("project_id", "organisation_id"))
    entry_links = set(
        AnnualEntry.departments.through.objects.values_list("annualentry__project_id", "organisation_id")
    )
    assert entry_links and entry_links <= project_links
    assert not AnnualEntry.objects.filter(departments=None).exists()
    big = AnnualEntry.objects.filter(planned_investment__gte=100_000_000)
    assert big.filter(leader__isnull=False).count() > big.count() // 2


def test_it_reports_2025_in_full_and_2026_through_october(demo):
    months = MonthlyReport.objects.values_list("entry__annual_list__year", "month").distinct()
    assert {m for y, m in months if y == 2025} == set(range(1, 13))
    assert {m for y, m in months if y == 2026} == set(range(1, 11))
    october = Counter(
        MonthlyReport.objects.filter(entry__annual_list__year=2026, month=10).values_list("status", flat=True)
    )
    entries_2026 = AnnualEntry.objects.filter(annual_list__year=2026).count()
    assert october["submitted"] > october["approved"] > 0
    assert october["draft"] > 0 and october["returned"] > 0
    assert sum(october.values()) < entries_2026  # some have not reported yet
    old = Counter(
        MonthlyReport.objects.filter(entry__annual_list__year=2025).values_list("status", flat=True)
    )
    assert old["approved"] > 0.97 * sum(old.values())
    assert "draft" not in old
    # A few came in after the deadline.
    late = [
        r
        for r in MonthlyReport.objects.filter(entry__annual_list__year=2026, month__lte=9).exclude(
            submitted_at=None
        )
        if timezone.localtime(r.submitted_at).date() > add_workdays(month_end(2026, r.month), 5)
    ]
    assert (
        0
        < len(late)
        < 0.1 * MonthlyReport.objects.filter(entry__annual_list__year=2026, month__lte=9).count()
    )


def test_it_records_corrections_to_locked_months_as_adjustments(demo):
    adjustments = list(ReportAdjustment.objects.select_related("report"))
    assert adjustments
    for adjustment in adjustments:
        assert adjustment.reason and adjustment.old_amount != adjustment.new_amount
        assert adjustment.report.amount == adjustment.new_amount
        assert adjustment.report.status == MonthlyReport.Status.APPROVED


def test_it_locks_the_months_whose_deadline_passed(demo):
    locks = set(MonthLock.objects.values_list("annual_list__year", "month"))
    assert locks == {(2025, m) for m in range(1, 13)} | {(2026, m) for m in range(1, 10)}
    september = MonthLock.objects.get(annual_list__year=2026, month=9)
    assert september.locked_at.date() < TODAY


def test_it_never_reports_a_negative_or_an_unstarted_investment(demo):
    assert not MonthlyReport.objects.filter(amount__lt=0).exists()
    unstarted = MonthlyReport.objects.filter(
        entry__category__in=(Category.NEW_START, Category.PREPARATORY), entry__project__start_date=None
    )
    assert unstarted.exists()
    assert unstarted.aggregate(total=Sum("amount"))["total"] == 0


def test_it_runs_a_little_behind_time_progress_city_wide(demo):
    staff = User.objects.get(username="staff")
    october = completion_totals(user=staff, year=2026, month=10)
    ratio = october.rate / october.time_progress
    assert 0.8 <= ratio <= 1.0, (october.rate, october.time_progress)
    full_2025 = completion_totals(user=staff, year=2025, month=12)
    assert 85 <= full_2025.rate <= 105
    assert october.growth is not None
    assert 0 < october.start_rate <= 100
    assert october.started_early + october.not_started > 0
