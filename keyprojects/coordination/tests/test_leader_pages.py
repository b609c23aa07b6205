"""Leader links, frontline service visits, a leader's "我联系的项目" page and the 超亿元 coverage list."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from keyprojects.alerts.models import ProjectWarning, WarningRule
from keyprojects.coordination import leader_selectors, leader_services
from keyprojects.coordination.models import LeaderLink, Problem, ServiceVisit
from keyprojects.coordination.tests.support import raise_problem
from keyprojects.dashboard.selectors import leader_projects
from keyprojects.orgs.models import Organisation
from keyprojects.plans.models import AnnualEntry, Category, MonthlyReport
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.test import make_project


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 16, 10), tick=False):
        yield


@pytest.fixture
def world(cast):
    return plans_cast(cast)


def _warning(project, level, n=1):
    rule, _created = WarningRule.objects.get_or_create(code=WarningRule.Code.TASK)
    now = timezone.now()
    for i in range(n):
        ProjectWarning.objects.create(
            rule=rule,
            project=project,
            subject=f"task:{project.pk}{level}{i}",
            level=level,
            message=f"任务逾期{i}",
            level_since=now,
            first_raised_at=now,
        )


def _project_for_leader(world, i):
    project = make_project(
        name=f"联系项目{i}", owner=world.owner_a, district=world.district_a, sector=world.sector
    )
    LeaderLink.objects.create(leader=world.leader, project=project)
    entry = AnnualEntry.objects.create(
        annual_list=world.annual_list,
        batch=world.batch,
        project=project,
        category=Category.CONTINUING,
        planned_investment=200_000_000,
        baseline_investment=200_000_000,
    )
    MonthlyReport.objects.create(
        entry=entry, month=9, amount=50_000_000, status=MonthlyReport.Status.APPROVED
    )
    _warning(project, "red")
    raise_problem(world, user=world.staff, project=project, title=f"问题{i}")
    ServiceVisit.objects.create(
        date=dt.date(2026, 10, 1), place="现场", project=project, created_by=world.staff
    )
    return project


def test_it_lists_a_leaders_projects_with_warnings_problems_and_progress(world):
    MonthlyReport.objects.create(entry=world.entry_a, month=9, amount=300_000_000, status="approved")
    _warning(world.project_a, "red")
    _warning(world.project_a, "yellow", 2)
    _warning(world.project_b, "red")  # not the leader's
    raise_problem(world, title="用地预审迟迟未批复")
    data = leader_projects(leader=world.leader)
    [project] = data["projects"]
    assert project == world.project_a
    assert (project.red, project.yellow, project.open_problems) == (1, 2, 1)
    assert (project.plan, project.ytd, project.rate) == (1_200_000_000, 300_000_000, Decimal("25.0"))
    assert len(data["warnings"]) == 3 and data["warnings"][0].level == "red"
    assert [p.title for p in data["problems"]] == ["用地预审迟迟未批复"]


def test_it_counts_projects_linked_directly_and_through_a_key_enterprise(world):
    LeaderLink.objects.create(leader=world.leader, enterprise=world.owner_b)
    names = {p.name for p in leader_projects(leader=world.leader)["projects"]}
    assert names == {world.project_a.name, world.project_b.name}


def test_it_keeps_the_leader_page_query_count_fixed(client, world, django_assert_max_num_queries):
    client.force_login(world.leader)
    _project_for_leader(world, 0)
    url = reverse("leader_page", args=[world.leader.pk])
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    for i in range(1, 25):
        _project_for_leader(world, i)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    html = response.content.decode()
    assert "联系项目24" in html and "我联系的项目" in html


def test_it_sends_a_leader_to_their_own_page(client, world):
    client.force_login(world.leader)
    response = client.get(reverse("leader_mine"))
    assert response.url == reverse("leader_page", args=[world.leader.pk])


def test_it_flags_over_100m_projects_without_a_liaison_leader_or_a_visit(world):
    big_b = AnnualEntry.objects.get(pk=world.entry_b.pk)
    big_b.planned_investment = 150_000_000
    big_b.save()
    flagged = leader_selectors.over_yi_entries(user=world.staff, year=2026, missing="leader")
    assert [e.project for e in flagged] == [world.project_b]
    no_visit = leader_selectors.over_yi_entries(user=world.staff, year=2026, missing="visit")
    assert {e.project for e in no_visit} == {world.project_a, world.project_b}
    ServiceVisit.objects.create(
        date=dt.date(2026, 10, 1), place="现场", enterprise=world.owner_b, created_by=world.staff
    )
    LeaderLink.objects.create(leader=world.leader, enterprise=world.owner_b)
    assert leader_selectors.over_yi_entries(user=world.staff, year=2026, missing="leader").count() == 0
    assert [
        e.project for e in leader_selectors.over_yi_entries(user=world.staff, year=2026, missing="visit")
    ] == [world.project_a]


def test_it_shows_the_over_100m_page_within_scope(client, world):
    client.force_login(world.district_b_user)
    html = client.get(reverse("leader_over_yi")).content.decode()
    assert world.project_a.name not in html  # district A's; and project B plans only 5,000 万元
    client.force_login(world.staff)
    html = client.get(reverse("leader_over_yi")).content.decode()
    assert world.project_a.name in html and "无服务记录" in html


def test_it_turns_problems_met_on_a_visit_into_problems(world):
    visit = leader_services.visit_create(
        by=world.staff,
        date=dt.date(2026, 11, 10),
        place="5号线二期广西大学站",
        leader=world.leader,
        project=world.project_a,
        participants="市领导、市重点办、青秀区",
        summary="现场查看施工进度，听取业主汇报。",
        problems=[
            leader_services.VisitProblem(
                category=Problem.Category.LAND,
                title="站点地块 3 户未签约",
                description="仍有 3 户未签搬迁协议。",
                lead_unit=world.district_a,
            ),
            leader_services.VisitProblem(
                category=Problem.Category.APPROVAL,
                title="施工许可待办",
                description="待市住建局办理。",
                lead_unit=world.department,
            ),
        ],
    )
    problems = Problem.objects.filter(source_visit=visit).order_by("id")
    assert [(p.title, p.source, p.lead_unit) for p in problems] == [
        ("站点地块 3 户未签约", "visit", world.district_a),
        ("施工许可待办", "visit", world.department),
    ]


def test_it_writes_nothing_when_a_visit_problem_is_bad(world):
    with pytest.raises(ValidationError):
        leader_services.visit_create(
            by=world.staff,
            date=dt.date(2026, 11, 10),
            place="现场",
            project=world.project_a,
            problems=[
                leader_services.VisitProblem(category="land", title="", description="", lead_unit=None)
            ],
        )
    assert not ServiceVisit.objects.exists() and not Problem.objects.exists()


def test_it_records_a_visit_with_its_problems_from_the_form(client, world):
    client.force_login(world.staff)
    data = {
        "date": "2026-11-10",
        "place": "项目现场",
        "project": world.project_a.pk,
        "leader": world.leader.pk,
        "problems-TOTAL_FORMS": 3,
        "problems-INITIAL_FORMS": 0,
        "problems-0-category": "land",
        "problems-0-title": "3 户未签约",
        "problems-0-description": "需协调。",
        "problems-0-lead_unit": world.district_a.pk,
        "problems-1-category": "land",
        "problems-2-category": "land",
    }
    response = client.post(reverse("visit_create"), data)
    visit = ServiceVisit.objects.get()
    assert response.url == reverse("visit_detail", args=[visit.pk])
    assert Problem.objects.get().source_visit == visit
    html = client.get(response.url).content.decode()
    assert "3 户未签约" in html


def test_it_links_a_leader_once_to_a_project_or_an_enterprise(world):
    leader_services.leader_link_create(by=world.staff, leader=world.leader, project=world.project_b)
    with pytest.raises(ValidationError) as error:
        leader_services.leader_link_create(by=world.staff, leader=world.leader, project=world.project_b)
    assert "已联系" in str(error.value)
    with pytest.raises(ValidationError) as error:
        leader_services.leader_link_create(
            by=world.staff, leader=world.leader, project=world.project_a, enterprise=world.owner_a
        )
    assert "二选一" in str(error.value)
    with pytest.raises(ValidationError):
        leader_services.leader_link_create(by=world.staff, leader=world.staff, project=world.project_a)
    district = Organisation.objects.get(name="青秀区")
    with pytest.raises(ValidationError) as error:
        leader_services.leader_link_create(by=world.staff, leader=world.leader, enterprise=district)
    assert "重点企业须为项目业主单位" in str(error.value)
