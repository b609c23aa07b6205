"""The land pages: the ledger with its chart and filters, the Excel export, a project's page, editing,
monthly progress and the one-click problem — as the users see them."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.coordination.models import Problem
from keyprojects.land import services
from keyprojects.land.models import LandProgress, LandTask
from keyprojects.test import make_project


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 16, 10), tick=False):
        yield


@pytest.fixture
def world(cast):
    cast.task_a = services.land_task_save(
        by=cast.staff,
        project=cast.project_a,
        responsible_unit=cast.district_a,
        land_to_acquire=100,
        households_to_relocate=20,
        start_date=dt.date(2026, 1, 1),
        target_date=dt.date(2026, 12, 31),
    )
    services.land_progress_record(
        by=cast.staff, land_task=cast.task_a, year=2026, month=10, land_acquired=20, households_signed=4
    )
    cast.task_b = services.land_task_save(
        by=cast.staff, project=cast.project_b, responsible_unit=cast.district_b, land_to_acquire=10
    )
    return cast


def _more_tasks(world, n):
    for i in range(n):
        project = make_project(
            name=f"测试道路{i}号", owner=world.owner_a, district=world.district_a, sector=world.sector
        )
        task = LandTask.objects.create(project=project, responsible_unit=world.district_a, land_to_acquire=50)
        LandProgress.objects.create(
            land_task=task, year=2026, month=9, land_acquired=10, reported_by=world.staff
        )
        LandProgress.objects.create(
            land_task=task, year=2026, month=10, land_acquired=20, reported_by=world.staff
        )


def test_it_shows_the_ledger_with_a_chart_beside_the_table(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("land_ledger"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "南宁市轨道交通5号线二期工程" in html and "西乡塘区老旧小区改造项目" in html
    assert 'id="land-chart"' in html and 'id="land-data"' in html
    assert "滞后" in html


def test_it_filters_the_ledger_by_district_and_lag(client, world):
    client.force_login(world.staff)
    html = client.get(reverse("land_ledger"), {"district": world.district_b.pk}).content.decode()
    assert "西乡塘区老旧小区改造项目" in html and "南宁市轨道交通5号线二期工程" not in html
    html = client.get(reverse("land_ledger"), {"lagging": "1"}).content.decode()
    assert "南宁市轨道交通5号线二期工程" in html and "西乡塘区老旧小区改造项目" not in html


def test_it_shows_a_district_only_its_own_land_tasks(client, world):
    client.force_login(world.district)
    html = client.get(reverse("land_ledger")).content.decode()
    assert "南宁市轨道交通5号线二期工程" in html and "西乡塘区老旧小区改造项目" not in html


def test_it_keeps_the_ledger_query_count_fixed(client, world, django_assert_max_num_queries):
    client.force_login(world.staff)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("land_ledger"))
    _more_tasks(world, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("land_ledger"))
    assert response.content.decode().count("测试道路") >= 40


def test_it_exports_the_filtered_ledger_to_excel(client, world):
    client.force_login(world.district)
    response = client.get(reverse("land_export"))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][0] == "重点项目征地拆迁工作台账"
    assert rows[2][1] == "项目名称"
    assert rows[3][1] == "南宁市轨道交通5号线二期工程" and rows[3][4] == 100 and rows[3][5] == 20
    assert len(rows) == 5  # title, date, header, one project, note


def test_it_shows_a_project_page_with_its_monthly_chart(client, world):
    client.force_login(world.owner)
    html = client.get(reverse("land_project", args=[world.project_a.pk])).content.decode()
    assert 'id="land-project-chart"' in html and "2026-10" in html
    assert "填报月度进展" not in html  # the owner reads


def test_it_lets_the_district_record_a_month(client, world):
    client.force_login(world.district)
    url = reverse("land_progress_add", args=[world.project_a.pk])
    data = {
        "year": 2026,
        "month": 11,
        "land_acquired": "35.5",
        "households_signed": 6,
        "area_demolished": 0,
        "land_handed_over": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert LandProgress.objects.get(land_task=world.task_a, month=11).land_acquired == Decimal("35.5")
    response = client.post(url, {**data, "month": 11, "land_acquired": "10"})
    assert "累计已征收土地为累计数，不能少于2026年10月的 20" in response.content.decode()


def test_it_tells_the_user_who_edits_on_an_old_version(client, world):
    client.force_login(world.district)
    url = reverse("land_task_edit", args=[world.project_a.pk])
    data = {
        "responsible_unit": world.district_a.pk,
        "land_to_acquire": 110,
        "households_to_relocate": 20,
        "area_to_demolish": 0,
        "land_to_hand_over": 0,
        "version": world.task_a.version,
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "land_to_acquire": 120})
    assert "其他人已修改了这条记录" in response.content.decode()
    assert LandTask.objects.get(pk=world.task_a.pk).land_to_acquire == 110


def test_it_raises_a_land_problem_in_one_click(client, world):
    client.force_login(world.district)
    url = reverse("land_raise_problem", args=[world.project_a.pk])
    form = client.get(url).context["form"]
    assert "需征收 100 亩，已征收 20 亩（20.0%）" in form.initial["description"]
    response = client.post(url, form.initial)
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert (problem.category, problem.source, problem.lead_unit) == ("land", "land", world.district_a)
