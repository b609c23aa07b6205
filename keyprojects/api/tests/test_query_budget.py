"""Lists cost the same number of queries for 2 rows as for 60: no query per row."""

import datetime as dt

import pytest
from django.utils import timezone

from keyprojects.alerts.models import Level, ProjectWarning
from keyprojects.api.tests.world import _problem
from keyprojects.plans.models import AnnualEntry, Category, MonthlyReport
from keyprojects.tasks.models import Task
from keyprojects.test import make_project

LISTS = [
    "/api/projects/",
    "/api/entries/",
    "/api/reports/",
    "/api/tasks/",
    "/api/problems/",
    "/api/warnings/",
    "/api/organisations/",
]


def _queries(client, url, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", LISTS)
def test_it_lists_in_a_fixed_number_of_queries(client, world, url, django_assert_max_num_queries):
    client.force_login(world.staff)
    small = _queries(client, url, django_assert_max_num_queries, 12)
    for i in range(30):
        project = make_project(
            name=f"预算测试项目{i}", owner=world.owner_a, district=world.district_a, sector=world.sector
        )
        project.departments.add(world.department)
        entry = AnnualEntry.objects.create(
            annual_list=world.annual_list, batch=world.batch, project=project, category=Category.CONTINUING
        )
        entry.departments.add(world.department)
        MonthlyReport.objects.create(entry=entry, month=5, amount=10_000)
        Task.objects.create(
            project=project,
            title="任务",
            responsible_unit=world.owner_a,
            deadline=dt.date(2026, 12, 1),
            created_by=world.staff,
        )
        _problem(world, project, raiser=world.owner, lead_unit=world.department).co_units.add(
            world.district_a
        )
        ProjectWarning.objects.create(
            rule=world.api_warning_a.rule,
            project=project,
            subject=f"project:{project.pk}",
            level=Level.RED,
            message="预警",
            level_since=timezone.now(),
            first_raised_at=timezone.now(),
        )
    assert _queries(client, url, django_assert_max_num_queries, 12) == small
