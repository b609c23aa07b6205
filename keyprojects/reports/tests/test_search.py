"""Global search: simplified, traditional and pinyin initials; grouped by kind; never outside the scope."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyprojects.coordination.models import Problem
from keyprojects.reports.search import global_search, term_regex
from keyprojects.tasks.models import Task
from keyprojects.test import make_project


def _problem(world, project, title, lead_unit, co_units=()):
    problem = Problem.objects.create(
        project=project,
        category=Problem.Category.LAND,
        title=title,
        description=title,
        source=Problem.Source.OFFICE,
        raised_by=world.staff,
        raised_by_org=world.office,
        lead_unit=lead_unit,
        level_since=dt.date(2026, 11, 2),
    )
    problem.co_units.set(co_units)
    return problem


def _task(world, project, title, unit):
    return Task.objects.create(
        project=project,
        title=title,
        responsible_unit=unit,
        deadline=dt.date(2026, 12, 31),
        created_by=world.staff,
    )


@pytest.fixture
def world(cast):
    cast.problem_a = _problem(cast, cast.project_a, "南宁市轨道交通站点征地拆迁滞后", cast.department)
    cast.problem_other = _problem(cast, cast.project_a, "南湖站管线迁改协调", cast.other_department)
    cast.problem_b = _problem(cast, cast.project_b, "西乡塘区小区改造资金缺口", cast.district_b)
    cast.task_a = _task(cast, cast.project_a, "完成南宁市轨道交通5号线环评批复", cast.department)
    cast.task_b = _task(cast, cast.project_b, "西乡塘区老旧小区施工许可办理", cast.owner_b)
    return cast


def _found(user, query):
    return {g.kind: [h.title for h in g.hits] for g in global_search(user=user, query=query, limit=50)}


def test_it_finds_a_project_by_traditional_characters_and_by_pinyin_initials(world):
    for query in ("南宁市轨道", "南寧市軌道", "nnsgd", "NNSGD", "nanning", "5号线", "2411-450100"):
        assert _found(world.staff, query)["project"] == ["南宁市轨道交通5号线二期工程"], query


def test_it_finds_owners_problems_and_tasks_by_characters_and_initials(world):
    found = _found(world.staff, "nnsgd")
    assert found["problem"] == ["南宁市轨道交通站点征地拆迁滞后"]
    assert found["task"] == ["完成南宁市轨道交通5号线环评批复"]
    assert _found(world.staff, "nngdjt")["owner"] == ["南宁轨道交通集团有限责任公司"]
    assert _found(world.staff, "南寧軌道交通集團")["owner"] == ["南宁轨道交通集团有限责任公司"]
    assert _found(world.staff, "zdcq")["problem"] == ["南宁市轨道交通站点征地拆迁滞后"]  # 征地拆迁
    assert _found(world.staff, "環評")["task"] == ["完成南宁市轨道交通5号线环评批复"]
    assert _found(world.staff, "5hxhp")["task"] == ["完成南宁市轨道交通5号线环评批复"]


def test_it_groups_results_by_kind_with_counts(world):
    groups = global_search(user=world.staff, query="xxt", limit=1)
    by_kind = {g.kind: g for g in groups}
    assert [g.kind for g in groups] == ["project", "owner", "problem", "task"]
    assert by_kind["project"].count == 1
    assert by_kind["owner"].count == 1 and by_kind["owner"].hits[0].title == "广西西乡塘城市建设投资有限公司"
    assert by_kind["problem"].count == 1 and by_kind["task"].count == 1
    assert by_kind["project"].hits[0].url == reverse("project_detail", args=[world.project_b.pk])


def test_it_never_shows_what_lies_outside_the_users_scope(world):
    # District A: nothing of district B, by name or by initials.
    for query in ("西乡塘", "xxt", "廣西西鄉塘"):
        assert _found(world.district, query) == {"project": [], "owner": [], "problem": [], "task": []}, query
    assert _found(world.district, "nnsgd")["project"] == ["南宁市轨道交通5号线二期工程"]
    # The department: only the problems it leads or co-handles, though it sees the project.
    found = _found(world.department_user, "nn")
    assert found["problem"] == ["南宁市轨道交通站点征地拆迁滞后"]
    assert "南湖站管线迁改协调" not in _found(world.department_user, "南湖站")["problem"]
    assert _found(world.department_user, "xxt") == {"project": [], "owner": [], "problem": [], "task": []}
    # An owner: its own projects and itself, no other owner.
    assert _found(world.owner_b_user, "nngd")["owner"] == []
    assert _found(world.owner_b_user, "xxt")["owner"] == ["广西西乡塘城市建设投资有限公司"]
    # The outsider: nothing at all.
    assert all(not hits for hits in _found(world.outsider, "n").values())


def test_it_shows_the_department_a_problem_it_co_handles(world):
    world.problem_other.co_units.add(world.department)
    assert "南湖站管线迁改协调" in _found(world.department_user, "nhz")["problem"]


def test_it_answers_with_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    client.force_login(world.district)
    url = reverse("search") + "?q=nn"
    client.get(url)  # warm: the pinyin table is built once per process
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(25):
        project = make_project(
            name=f"南宁测试项目{i}", owner=world.owner_a, district=world.district_a, sector=world.sector
        )
        _problem(world, project, f"南宁测试问题{i}", world.district_a)
        _task(world, project, f"南宁测试任务{i}", world.department)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert "南宁测试任务0" in response.content.decode()


def test_it_pages_through_one_kind(client, world):
    for i in range(25):
        _task(world, world.project_a, f"南宁任务{i:02d}", world.department)
    client.force_login(world.staff)
    response = client.get(reverse("search"), {"q": "nnrw", "kind": "task", "page": 2})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="kind-count">25<' in html
    assert "南宁任务24" in html and "南宁任务00" not in html


def test_it_drops_down_grouped_hits_under_the_header_box(client, world):
    client.force_login(world.district)
    response = client.get(reverse("search_quick"), {"q": "nnsgd"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "南宁市轨道交通5号线二期工程" in html and "项目" in html
    assert "西乡塘" not in html
    assert client.get(reverse("search_quick"), {"q": ""}).content.decode().strip() == ""
    assert "没有找到" in client.get(reverse("search_quick"), {"q": "不存在的东西"}).content.decode()


def test_it_puts_the_search_box_in_the_header(client, world):
    client.force_login(world.owner)
    html = client.get(reverse("home")).content.decode()
    assert 'id="global-search-input"' in html and reverse("search_quick") in html


def test_it_builds_one_pattern_for_python_and_postgresql(world):
    pattern = term_regex("n宁5-")
    assert pattern.startswith("[n") and "南" in pattern.split("]")[0]
    assert "[宁寧]" in pattern and pattern.endswith("5.")
