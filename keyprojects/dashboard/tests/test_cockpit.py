"""The cockpit: its figures against the hand-counted world, each role's scope, the links behind the
charts, and a query count that does not grow with the data."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyprojects.dashboard.selectors import cockpit
from keyprojects.dashboard.tests.world import TODAY, cockpit_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def world(cast):
    return cockpit_world(cast)


def _data(response):
    match = re.search(
        r'<script id="cockpit-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


def _get(client, user, url=None):
    client.force_login(user)
    response = client.get(url or f"{reverse('cockpit')}?year=2026&month=3")
    assert response.status_code == 200
    return response


def test_it_computes_the_citys_figures_as_counted_by_hand(world):
    c = cockpit(user=world.staff, year=2026, month=3, today=TODAY)
    assert c.total.ytd == 4000 * 10_000
    assert c.total.plan == 125_000 * 10_000
    assert c.total.rate == Decimal("3.2")
    assert c.total.time_progress == Decimal("25.0")
    assert c.total.ytd_last_year == 400 * 10_000
    assert c.total.growth == Decimal("900.0")
    assert (c.total.started, c.total.planned_starts, c.total.start_rate) == (1, 1, Decimal("100.0"))
    assert c.funds["rate"] == Decimal("31.8")  # 3,500 of 11,000
    assert (c.completing["due"], c.completing["on_time"], c.completing["rate"]) == (2, 1, Decimal("50.0"))
    assert (c.problems["open"], c.problems["overdue"]) == (3, 2)
    levels = {r["level"]: (r["open"], r["overdue"]) for r in c.problems["by_level"]}
    assert levels[1] == (2, 2) and levels[2] == (1, 0)
    assert c.warnings == {"red": 2, "yellow": 1, "red_projects": 2, "yellow_projects": 1}
    stages = {s["stage"]: s["count"] for s in c.stages}
    assert (stages["preliminary"], stages["construction"], stages["completed"]) == (1, 1, 1)


def test_it_draws_the_cumulative_curve_against_plan_and_last_year(world):
    c = cockpit(user=world.staff, year=2026, month=3, today=TODAY)
    assert c.curve["this_year"] == [3000 * 10_000, 4000 * 10_000, 4000 * 10_000]
    assert c.curve["last_year"][:5] == [400 * 10_000] * 4 + [500 * 10_000]
    assert len(c.curve["last_year"]) == 12
    expected = [world.entry_a.planned_through(m) + world.entry_b.planned_through(m) for m in range(1, 13)]
    assert c.curve["plan"] == expected
    assert c.curve["plan"][2] == c.total.plan_through  # the curve and the headline agree
    assert c.curve["this_year"][-1] == c.total.ytd


def test_it_ranks_districts_by_completion_rate(world, client):
    data = _data(_get(client, world.staff))
    names = [d["name"] for d in data["districts"]]
    assert names == ["西乡塘区", "青秀区"]  # 20.0% before 2.5%
    assert [d["rate"] for d in data["districts"]] == ["20.0", "2.5"]


def test_it_shows_the_headline_figures_on_the_page(world, client):
    page = _get(client, world.staff).content.decode()
    assert "1-3月累计完成投资0.40亿元，占年度投资计划的3.2%" in page
    assert 'id="kpi-funds">31.8%' in page
    assert 'id="kpi-completion">50.0%' in page
    assert 'id="kpi-start-rate">100.0%' in page
    assert "未解决问题 3 个，其中超时 2 个" in page


def test_it_counts_overdue_problems_exactly_as_the_problem_ledger_does(world, client):
    from keyprojects.coordination.models import Problem
    from keyprojects.dashboard.tests.world import problem

    C, S = Problem.Category, Problem.Status
    # Beside the world's: one 待交办 past the office's assignment limit (a stale level deadline too:
    # waiting problems have no level clock), one resolved past its deadline, one at the top level.
    waiting = problem(world, world.project_a, C.OTHER, 1, dt.date(2026, 4, 1), S.OPEN)
    Problem.objects.filter(pk=waiting.pk).update(assign_deadline=dt.date(2026, 4, 10))
    problem(world, world.project_b, C.OTHER, 2, dt.date(2026, 4, 1), S.RESOLVED)
    problem(world, world.project_b, C.OTHER, 4, None)

    response = _get(client, world.staff)
    problems = response.context["c"].problems
    ledger = client.get(f"{reverse('problem_list')}?state=unresolved&overdue=1")
    assert problems["overdue"] == ledger.context["page"].paginator.count == 2
    for row in problems["by_level"]:
        if row["limited"]:
            assert client.get(row["overdue_link"]).context["page"].paginator.count == row["overdue"], row
    top = problems["by_level"][-1]
    assert (top["level"], top["open"], top["limited"]) == (4, 1, False)
    levels_table = re.search(r'<table[^>]*id="problem-levels".*?</table>', response.content.decode(), re.S)[0]
    assert levels_table.count("无时限") == 1 and levels_table.count("超时 ") == 3
    # The office is told about the problem waiting past its own assignment limit; the ledger agrees.
    assert (problems["waiting"], problems["assign_overdue"]) == (1, 1)
    assert "待交办 1 个，其中超过交办时限 1 个" in response.content.decode()
    waiting_list = client.get(f"{reverse('problem_list')}?state=open&assign_overdue=1")
    assert waiting_list.context["page"].paginator.count == 1
    assert 'id="problem-waiting"' not in _get(client, world.district).content.decode()


def test_it_shows_a_district_only_its_own_district(world, client):
    data = _data(_get(client, world.district))
    assert [d["name"] for d in data["districts"]] == ["青秀区"]
    c = cockpit(user=world.district, year=2026, month=3, today=TODAY)
    assert c.total.ytd == 3000 * 10_000
    assert c.curve["last_year"][-1] == 0  # project B's 2025 reports are not theirs
    assert c.funds["rate"] == Decimal("25.0")
    assert (c.problems["open"], c.problems["overdue"]) == (2, 1)
    assert c.warnings["red"] == 1 and c.warnings["yellow"] == 1
    assert sum(s["count"] for s in c.stages) == 1


def test_it_shows_an_outsider_an_empty_cockpit(world, client):
    data = _data(_get(client, world.outsider))
    assert data["districts"] == [] and data["curve"]["thisYear"] == ["0.0000"] * 3
    assert all(v == 0 for c in data["problems"]["categories"] for v in c["values"])


def test_it_links_every_chart_element_to_the_list_behind_it(world, client):
    data = _data(_get(client, world.staff))
    district_b = next(d for d in data["districts"] if d["name"] == "西乡塘区")
    assert district_b["link"] == f"{reverse('annual_list')}?year=2026&district={world.district_b.pk}"
    # Following it shows the district's entries, and not the other district's.
    listing = client.get(district_b["link"]).content.decode()
    assert world.project_b.name in listing and world.project_a.name not in listing
    assert data["curve"]["links"]["thisYear"][1] == f"{reverse('completion')}?year=2026&month=2"
    assert data["curve"]["links"]["lastYear"][0] == f"{reverse('completion')}?year=2025&month=1"
    funnel = {f["name"]: f["link"] for f in data["funnel"]}
    assert funnel["在建"] == f"{reverse('project_list')}?stage=construction"
    assert world.project_a.name in client.get(funnel["在建"]).content.decode()
    assert list(funnel) == ["前期", "在建", "竣工", "投产达效"]
    approval = next(c for c in data["problems"]["categories"] if c["name"] == "审批")
    assert approval["values"][0] == 2
    assert approval["links"][0].endswith("?category=approval&level=1&state=unresolved")
    category = next(c for c in data["categories"] if c["name"] == "竣工投产")
    assert category["link"] == f"{reverse('annual_list')}?year=2026&category=completing"
    sector = data["sectors"][0]
    assert sector["link"] == f"{reverse('annual_list')}?year=2026&sector={world.sector.pk}"


def test_it_shows_the_meeting_room_screen_dark_and_reloading(world, client):
    page = _get(
        client, world.leader, f"{reverse('cockpit_screen')}?year=2026&month=3&refresh=5"
    ).content.decode()
    assert 'data-theme="dark"' in page and 'data-refresh="30"' in page  # never faster than 30 s
    assert "navbar" not in page
    assert "1-3月累计完成投资0.40亿元" in page


def test_it_falls_back_to_the_default_period_for_a_bad_month(world, client):
    response = _get(client, world.staff, f"{reverse('cockpit')}?year=abc&month=13")
    # On 2026-04-15 March has only a draft: the latest month with reports in is February.
    assert _data(response)["month"] == 2
    assert "数据截至2026年2月" in response.content.decode()


def _bulk_world(world, n):
    """N more projects in both districts, each on the 2026 list with three months of reports, a problem
    and a warning."""
    from keyprojects.alerts.models import ProjectWarning, WarningRule
    from keyprojects.coordination.models import Problem
    from keyprojects.plans.models import AnnualEntry, Category, MonthlyReport
    from keyprojects.projects.models import FactorNeed, Project

    start = Project.objects.count()
    projects = Project.objects.bulk_create(
        [
            Project(
                name=f"批量项目{start + i}",
                owner=world.owner_a,
                district=world.district_a if i % 2 else world.district_b,
                sector=world.sector,
                total_investment=10_000 * 10_000,
                start_year=2025,
                end_year=2027,
                stage="construction",
                latitude=22.8,
                longitude=108.3,
            )
            for i in range(n)
        ]
    )
    entries = AnnualEntry.objects.bulk_create(
        [
            AnnualEntry(
                annual_list=world.annual_list,
                batch=world.batch,
                project=p,
                category=Category.CONTINUING,
                planned_investment=1_000 * 10_000,
            )
            for p in projects
        ]
    )
    MonthlyReport.objects.bulk_create(
        [
            MonthlyReport(entry=e, month=m, amount=100 * 10_000, status="approved")
            for e in entries
            for m in (1, 2, 3)
        ]
    )
    FactorNeed.objects.bulk_create(
        [FactorNeed(project=p, kind="funds", need_yuan=100, secured_yuan=50) for p in projects]
    )
    Problem.objects.bulk_create(
        [
            Problem(
                project=p,
                category="land",
                title="t",
                description="d",
                source="office",
                raised_by=world.staff,
                raised_by_org=world.office,
                lead_unit=world.department_user.organisation,
                level=1,
                level_since=dt.date(2026, 3, 1),
                level_deadline=dt.date(2026, 4, 1),
            )
            for p in projects
        ]
    )
    rule = WarningRule.objects.get_or_create(code="reporting")[0]
    from django.utils import timezone

    now = timezone.now()
    ProjectWarning.objects.bulk_create(
        [
            ProjectWarning(
                rule=rule,
                project=p,
                subject=f"p:{p.pk}",
                level="red",
                message="m",
                level_since=now,
                first_raised_at=now,
            )
            for p in projects
        ]
    )


@pytest.mark.parametrize("role", ["staff", "district", "department"])
def test_it_runs_the_same_number_of_queries_for_ten_and_three_hundred_projects(world, client, role):
    user = getattr(world, {"department": "department_user"}.get(role, role))
    client.force_login(user)
    url = f"{reverse('cockpit')}?year=2026&month=3"
    counts = []
    for n in (10, 290):  # 10 projects in all, then 300
        _bulk_world(world, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 18
    if role == "staff":
        assert _data(response)["districts"][0]["entries"] >= 150
