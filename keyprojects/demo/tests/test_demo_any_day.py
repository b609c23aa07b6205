"""The demo city is alive on whatever day it is loaded: built around --today, it looks like a working
office's, and the scheduled jobs run once on the same day find no backlog to work off."""

import datetime as dt
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from keyprojects.alerts.models import ProjectWarning
from keyprojects.coordination.models import DispatchMeeting, EscalationLevel, Problem, ProblemAction
from keyprojects.lib.scheduler import JOBS
from keyprojects.lib.workdays import WorkCalendar
from keyprojects.orgs.models import User
from keyprojects.plans.completion_selectors import latest_reported_month
from keyprojects.plans.models import AnnualList, Batch, MonthLock
from keyprojects.tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=False)
TZ = ZoneInfo("Asia/Shanghai")


def _load(today, projects):
    call_command("load_demo", "--today", today.isoformat(), "--projects", str(projects), stdout=StringIO())


@pytest.mark.parametrize(
    ("today", "projects", "month"),
    [
        # November's deadline is today: most reports are in, so the pages open on November.
        (dt.date(2026, 12, 7), 1200, (2026, 11)),
        # The first working day of a year: the new list has no reports yet, December's are coming in.
        (dt.date(2027, 1, 4), 200, (2026, 12)),
        # Mid-June: May's deadline has passed and May is locked.
        (dt.date(2027, 6, 15), 200, (2027, 5)),
    ],
)
def test_it_builds_a_working_office_that_the_days_jobs_find_in_order(today, projects, month):
    with time_machine.travel(dt.datetime.combine(today, dt.time(8, 30), tzinfo=TZ), tick=False):
        _load(today, projects)
        calendar = WorkCalendar.for_years(range(today.year - 1, today.year + 2))

        # This year's list, published last December; last year's reported in full.
        this_year = AnnualList.objects.get(year=today.year)
        first = this_year.batches.get(number=1)
        assert first.status == Batch.Status.PUBLISHED
        assert first.published_at.astimezone(TZ).date() == dt.date(today.year - 1, 12, 26)
        assert MonthLock.objects.filter(annual_list__year=today.year - 1).count() >= 11

        # The pages open on the latest month with reports in, and say how many are missing.
        reported = latest_reported_month(user=User.objects.get(username="staff"), today=today)
        assert (reported.year, reported.month) == month
        state = reported.reporting
        assert state.is_in and state.expected > 0
        assert 0 < state.missing <= state.expected // 2

        # Problems on every level, each clock where the ladder puts it; a handful waiting for 交办.
        handling = Problem.objects.filter(status=Problem.Status.HANDLING)
        levels = Counter(handling.values_list("level", flat=True))
        assert set(levels) == {1, 2, 3, 4}
        assert levels[4] < levels[1] and levels[4] < handling.count() / 4
        limits = dict(EscalationLevel.objects.values_list("level", "deadline_workdays"))
        for problem in handling:
            assert problem.level_since <= today
            limit = limits[problem.level]
            if limit is None:
                assert problem.level_deadline is None
            else:
                assert problem.level_deadline == calendar.add(problem.level_since, limit)
                assert calendar.between(problem.level_deadline, today) <= 2  # never more than 2 days over
        waiting = Problem.objects.filter(status=Problem.Status.OPEN)
        assert 1 <= waiting.count() <= 20
        assert all(calendar.between(p.created_at.astimezone(TZ).date(), today) <= 2 for p in waiting)

        # Tasks due today (or the next working day), due soon, and overdue by a few days; no pile of
        # long-forgotten ones.
        open_tasks = Task.objects.filter(status__in=Task.OPEN)
        due_day = today
        while not calendar.is_workday(due_day):
            due_day += dt.timedelta(days=1)
        assert open_tasks.filter(deadline=due_day).exists()
        assert open_tasks.filter(deadline__gt=due_day, deadline__lte=today + dt.timedelta(days=7)).exists()
        assert open_tasks.filter(deadline__lt=today, deadline__gte=today - dt.timedelta(days=7)).exists()
        assert open_tasks.filter(deadline__lt=today - dt.timedelta(days=30)).count() <= 10

        # A dispatch meeting coming up.
        assert DispatchMeeting.objects.filter(
            status=DispatchMeeting.Status.PLANNED, date__gte=today, date__lte=today + dt.timedelta(days=40)
        ).exists()

        # The day's jobs, once: nothing to lock, a few escalations by one level, the lights as they were.
        unresolved = Problem.objects.filter(status__in=Problem.UNRESOLVED).count()
        escalations = ProblemAction.objects.filter(kind=ProblemAction.Kind.AUTO_ESCALATE)
        before = (MonthLock.objects.count(), escalations.count(), ProjectWarning.objects.count())
        lights = dict(ProjectWarning.objects.values_list("pk", "level"))
        for name, _every in JOBS:
            call_command(name, stdout=StringIO(), stderr=StringIO())
        assert MonthLock.objects.count() == before[0]
        moved = escalations.count() - before[1]
        assert moved <= max(3, unresolved // 20)
        assert not Problem.objects.filter(level__gt=4).exists()
        after = dict(ProjectWarning.objects.values_list("pk", "level"))
        changed = sum(1 for pk, level in after.items() if lights.get(pk) != level)
        assert changed <= max(5, len(lights) // 50)
