"""The project page as the one place for a project: this year's plan and monthly completion with its
chart, the reports, tasks, problems, warnings and land work, each through its own app's access rules and
each linking on to its full page; in a fixed number of queries however much the project has."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyprojects.alerts.models import Level, ProjectWarning, WarningRule
from keyprojects.coordination.models import Problem
from keyprojects.dashboard.tests.project_world import project_world
from keyprojects.dashboard.tests.world import problem, report
from keyprojects.land.models import LandTask
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category, MonthlyReport
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.projects.models import Project
from keyprojects.tasks.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def world(cast):
    return project_world(cast)


def _page(client, user, project):
    client.force_login(user)
    response = client.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 200
    return response


def _section(html, section_id):
    match = re.search(rf'<section class="card[^"]*" id="{section_id}">(.*?)</section>', html, re.S)
    assert match, f"no #{section_id} on the page"
    return match.group(1)


def _chart(html):
    match = re.search(r'<script id="plan-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_it_shows_the_plan_and_this_years_months_with_their_reports(client, world):
    html = _page(client, world.staff, world.project_a).content.decode()

    plan = _section(html, "plan")
    assert "2026年度计划与完成" in plan
    assert "新开工" in plan and "120,000 万元" in plan and "完成主体结构施工" in plan
    # January approved and February submitted count; March is a draft: 3,000 of 120,000 万元.
    assert re.search(r'id="plan-ytd">3,000 万元（2.5%）', plan)
    months = re.findall(r'<tr[^>]*data-month="(\d+)">(.*?)</tr>', plan, re.S)
    rows = dict((int(m), row) for m, row in months)
    assert "已审核" in rows[1] and "已报送" in rows[2] and "草稿" in rows[3]
    assert "未报送" not in rows[3]  # a draft is there, just not handed in
    assert reverse("report_detail", args=[world.entry_a.reports.get(month=1).pk]) in rows[1]
    chart = _chart(html)
    assert chart["amount"][:4] == ["2000.0000", "1000.0000", None, None]
    assert chart["ytd"][:3] == ["2000.0000", "3000.0000", None]
    assert chart["planned"][11] == "120000.0000"
    assert reverse("entry_detail", args=[world.entry_a.pk]) in plan
    assert reverse("report_entry", args=[world.entry_a.pk]) in plan


def test_it_lists_earlier_years_with_what_was_reported(client, world):
    html = _page(client, world.staff, world.project_b).content.decode()

    earlier = re.search(r'id="earlier-years">(.*?)</table>', html, re.S).group(1)
    assert "2025" in earlier and "已报 2 个月" in earlier and "500" in earlier
    assert reverse("report_entry", args=[world.entry_b_2025.pk]) in earlier


def test_it_shows_tasks_problems_warnings_and_land_each_linking_on(client, world):
    html = _page(client, world.staff, world.project_a).content.decode()
    a = world.project_a.pk

    tasks = _section(html, "project-tasks")
    assert "共 3 项：未完成 2 项（其中逾期 1 项），已完成 1 项。" in tasks
    assert tasks.index("取得施工许可") < tasks.index("完成桩基施工") and "完成初步设计" not in tasks
    assert reverse("task_project", args=[a]) in tasks

    problems = _section(html, "project-problems")
    assert "共 2 个：未解决 2 个（其中超时 1 个），已销号 0 个。" in problems
    assert f"{reverse('problem_list')}?project={a}" in problems

    warnings = _section(html, "project-warnings")
    assert "红灯 1" in warnings and "黄灯 1" in warnings
    assert warnings.index('data-level="red"') < warnings.index('data-level="yellow"')

    land = _section(html, "project-land")
    assert "综合完成率 <strong>32.5%</strong>" in land  # (40% + 25%) ÷ 2
    assert reverse("land_project", args=[a]) in land


def test_its_warnings_link_opens_the_warning_centre_on_that_projects_lights(client, world):
    html = _page(client, world.staff, world.project_a).content.decode()
    link = re.search(r'href="([^"]+)" id="project-warnings-link"', html).group(1).replace("&amp;", "&")

    page = client.get(link).content.decode()

    rows = re.findall(r'<tr data-subject="[^"]*" data-level="(\w+)">(.*?)</tr>', page, re.S)
    assert sorted(level for level, _row in rows) == ["red", "yellow"]
    assert all(world.project_a.name in row for _level, row in rows)
    assert world.project_b.name not in page  # B has a red light too
    assert 'id="filter-project"' in page


def test_each_role_sees_only_what_its_access_rules_give_it(client, world):
    Problem.objects.create(
        project=world.project_a,
        category=Problem.Category.FUNDING,
        title="配套资金未落实",
        description="—",
        source=Problem.Source.OFFICE,
        raised_by=world.staff,
        raised_by_org=world.office,
        lead_unit=world.other_department,
        status=Problem.Status.HANDLING,
        level=1,
        level_since=dt.date(2026, 4, 1),
        level_deadline=dt.date(2026, 4, 20),
    )

    office = _section(_page(client, world.staff, world.project_a).content.decode(), "project-problems")
    department = _section(
        _page(client, world.department_user, world.project_a).content.decode(), "project-problems"
    )

    assert "配套资金未落实" in office and "共 3 个" in office
    # The department leads the other two, not this one (coordination.access).
    assert "配套资金未落实" not in department and "共 2 个" in department


def test_it_keeps_an_unpublished_entry_to_the_office(client, world):
    Batch.objects.filter(pk=world.batch.pk).update(status=Batch.Status.DRAFT)

    office = _section(_page(client, world.staff, world.project_a).content.decode(), "plan")
    owner = _section(_page(client, world.owner, world.project_a).content.decode(), "plan")

    assert "未发布" in office and "120,000 万元" in office
    assert "该项目未列入 2026 年重点项目清单。" in owner and "120,000" not in owner


def test_it_says_so_when_a_section_is_empty(client, cast):
    html = _page(client, cast.staff, cast.project_b).content.decode()

    assert 'id="plan-none"' in html
    assert "该项目还没有任务。" in _section(html, "project-tasks")
    assert "该项目没有问题。" in _section(html, "project-problems")
    assert "该项目目前没有预警。" in _section(html, "project-warnings")
    assert "该项目尚未建立征地拆迁任务。" in _section(html, "project-land")


def test_it_draws_the_chart_and_names_levels_in_the_readers_language(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _page(client, world.staff, world.project_a).content.decode()
    chart = _chart(html)

    assert chart["labels"] == {
        "amount": "This month",
        "ytd": "Completed to date",
        "planned": "Planned to date",
        "unit": "10k yuan",
    }
    assert chart["months"][0] == "Month 1"
    problems = _section(html, "project-problems")
    assert "Responsible unit" in problems and "责任单位办理" not in problems


def test_it_requires_login_hides_projects_out_of_scope_and_refuses_other_methods(client, world):
    url = reverse("project_detail", args=[world.project_a.pk])
    assert client.get(url).status_code == 302
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.owner_b_user)
    assert client.get(url).status_code == 404
    client.force_login(world.staff)
    assert client.post(url).status_code == 405


# --------------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------------


def _grow(world, project, n):
    """N tasks, N problems (half of them overdue), N lights and N monthly reports on PROJECT: the
    reports fill this year's entry and then earlier years' lists."""
    for i in range(n):
        Task.objects.create(
            project=project,
            title=f"任务{i}",
            responsible_unit=world.department,
            created_by=world.staff,
            deadline=dt.date(2026, 3 + i % 6, 1),
        )
        problem(world, project, Problem.Category.APPROVAL, 1 + i % 3, dt.date(2026, 4, 1 + i % 28))
    rule = WarningRule.objects.get_or_create(code=WarningRule.Code.TASK)[0]
    ProjectWarning.objects.bulk_create(
        ProjectWarning(
            rule=rule,
            project=project,
            subject=f"task:{project.pk}-{i}",
            level=(Level.RED, Level.YELLOW)[i % 2],
            message="—",
            level_since=timezone.now(),
            first_raised_at=timezone.now(),
        )
        for i in range(n)
    )
    entries = {2026: AnnualEntry.objects.get(project=project, annual_list__year=2026)}
    for i in range(n):
        year, month = 2026 - i // 12, 1 + i % 12
        if year not in entries:
            annual = AnnualList.objects.get_or_create(year=year)[0]
            batch = Batch.objects.get_or_create(
                annual_list=annual, number=1, defaults={"name": "第一批", "status": Batch.Status.PUBLISHED}
            )[0]
            entries[year] = AnnualEntry.objects.create(
                annual_list=annual, batch=batch, project=project, category=Category.CONTINUING
            )
        report(entries[year], month, 100 + i, MonthlyReport.Status.APPROVED)
    LandTask.objects.create(project=project, responsible_unit=world.district_a, land_to_acquire=10)


@pytest.mark.parametrize("username", ["staff", "district", "department_user", "owner"])
def test_it_costs_the_same_queries_for_3_or_30_tasks_problems_and_reports(client, cast, username):
    world = plans_cast(cast)
    Project.objects.filter(pk=world.project_b.pk).update(district=world.district_a, owner=world.owner_a)
    world.project_b.departments.add(world.department)
    few, many = world.project_a, world.project_b
    _grow(world, few, 3)
    _grow(world, many, 30)
    assert MonthlyReport.objects.filter(entry__project=many).count() == 30
    client.force_login(getattr(world, username))
    counts = []
    for project in (few, many):
        url = reverse("project_detail", args=[project.pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
    # Seven sections a few queries each, two working-day calendars (tasks, problems), the layout's own.
    assert counts[1] <= 28, counts
