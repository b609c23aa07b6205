"""The completion page: headline in the official style, a table and a chart per breakdown, rows that lead
to the annual list, scope, and a query count that does not grow with the list."""

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyprojects.plans.completion_selectors import BREAKDOWNS
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category, MonthlyReport
from keyprojects.plans.tests.cast import plans_cast
from keyprojects.projects.models import Project

URL = reverse("completion")
WAN = 10_000
YI = 100_000_000


@pytest.fixture
def world(cast):
    plans_cast(cast)
    last = AnnualList.objects.create(year=2025, title="2025年清单")
    batch = Batch.objects.create(annual_list=last, number=1, name="第一批", status=Batch.Status.PUBLISHED)
    old = AnnualEntry.objects.create(
        annual_list=last,
        batch=batch,
        project=cast.project_a,
        category=Category.NEW_START,
        planned_investment=YI,
    )
    MonthlyReport.objects.create(entry=old, month=3, amount=5_0000 * WAN, status="approved")
    # 1-10月: 11.6 亿 of 12.5 亿 = 92.8%, 9.5 points ahead of 83.3; last year 5 亿: +132.0%.
    MonthlyReport.objects.create(entry=cast.entry_a, month=4, amount=11_0000 * WAN, status="approved")
    MonthlyReport.objects.create(entry=cast.entry_b, month=10, amount=6000 * WAN, status="submitted")
    return cast


def _chart(response):
    match = re.search(
        r'<script id="completion-data" type="application/json">(.*?)</script>', response.text, re.S
    )
    assert match, "no chart data in the page"
    return json.loads(match.group(1))


def test_it_says_the_headline_in_the_official_style(client, world):
    client.force_login(world.staff)
    response = client.get(URL, {"year": 2026, "month": 10})
    assert response.status_code == 200
    text = response.text
    assert (
        "1-10月累计完成投资11.60亿元，占年度投资计划的92.8%，超过时间进度9.5个百分点，同比增长132.0%。"
        in text
    )
    assert (
        "新开工项目计划1-10月开工1项，实际已开工0项，完成计划开工的0.0%；其中提前开工0项，未按计划开工1项。"
        in text
    )


def test_it_says_behind_time_progress_as_below(client, world):
    client.force_login(world.staff)
    response = client.get(URL, {"year": 2026, "month": 12})
    assert "低于时间进度7.2个百分点" in response.text


def test_it_shows_every_breakdown_with_a_chart_and_links_to_the_annual_list(client, world):
    client.force_login(world.staff)
    expected = {
        "district": ("district", world.district_a.pk),
        "sector": ("sector", world.sector.pk),
        "category": ("category", "new_start"),
        "department": ("department", world.department.pk),
        "leader": ("leader", world.leader.pk),
        "over_yi": ("over_yi", "1"),
    }
    for slug, (param, value) in expected.items():
        response = client.get(URL, {"year": 2026, "month": 10, "by": slug})
        assert response.status_code == 200
        assert 'id="completion-chart"' in response.text
        chart = _chart(response)
        links = [row["link"] for row in chart["rows"] if row["link"]]
        assert links, slug
        queries = [parse_qs(urlsplit(link).query) for link in links]
        assert {urlsplit(link).path for link in links} == {reverse("annual_list")}
        assert all(q["year"] == ["2026"] for q in queries)
        assert [str(value)] in [q.get(param) for q in queries], slug
        # The table's rows lead to the same place as the chart's bars.
        assert f'data-href="{links[0]}"'.replace("&", "&amp;") in response.text
    assert chart["rows"][0]["rate"] == "91.7"  # 超亿元: entry_a alone, 11 亿 of 12 亿


def test_it_gives_the_chart_exact_figures(client, world):
    client.force_login(world.staff)
    chart = _chart(client.get(URL, {"year": 2026, "month": 10}))
    by_name = {row["name"]: row for row in chart["rows"]}
    assert by_name["青秀区"]["ytd"] == "110000.0000"
    assert by_name["西乡塘区"]["plan"] == "5000.0000"
    assert by_name["西乡塘区"]["rate"] == "120.0"
    assert chart["timeProgress"] == "83.3"


def test_it_answers_htmx_with_the_panel_alone(client, world):
    client.force_login(world.staff)
    response = client.get(URL, {"year": 2026, "month": 10, "by": "sector"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="completion-table"' in response.text
    assert "基础设施" in response.text


def test_it_falls_back_to_the_default_period_on_nonsense(client, world):
    client.force_login(world.staff)
    response = client.get(URL, {"year": "abc", "month": "13", "by": "nothing"})
    assert response.status_code == 200
    assert response.context["year"] == 2026
    assert response.context["by"] == "district"


def test_it_opens_on_the_latest_month_with_reports_in_and_says_how_many_are_missing(client, world):
    beijing = dt.timezone(dt.timedelta(hours=8))
    world.batch.published_at = dt.datetime(2025, 12, 26, 16, tzinfo=beijing)
    world.batch.save()
    # 20 November: October's reports are due; one of the two entries has reported.
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=beijing), tick=False):
        client.force_login(world.staff)
        response = client.get(URL)
        assert (response.context["year"], response.context["month"]) == (2026, 10)
        assert "数据截至2026年10月，该月尚有 1 个项目未报送。" in response.text
        response = client.get(URL, {"year": 2026, "month": 4})
        assert "数据截至2026年4月，该月尚有 1 个项目未报送。" in response.text
        # The official table opens on the same month.
        assert client.get(reverse("completion_table")).status_code == 200


def test_it_names_a_complete_month_complete_only_when_the_page_would_open_on_it(client, world):
    beijing = dt.timezone(dt.timedelta(hours=8))
    world.batch.published_at = dt.datetime(2025, 12, 26, 16, tzinfo=beijing)
    world.batch.save()
    for month in (9, 10):  # both entries: September and October are complete
        for entry in (world.entry_a, world.entry_b):
            MonthlyReport.objects.update_or_create(
                entry=entry, month=month, defaults={"amount": 100 * WAN, "status": "submitted"}
            )
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=beijing), tick=False):
        client.force_login(world.staff)
        complete = "数据截至2026年10月，该月已全部报送。"
        assert complete in client.get(URL).text
        # An address naming the period counts its months only, and says the same.
        named = client.get(URL, {"year": 2026, "month": 10})
        assert complete in named.text
        assert (named.context["year"], named.context["month"]) == (2026, 10)
        older = client.get(URL, {"year": 2026, "month": 9}).text
        assert "数据截至2026年9月" not in older  # complete, but October is the month it opens on
        assert "1-9月累计完成投资" in older
        # A year without a list and no month: both fall back to the month the page opens on.
        fallback = client.get(URL, {"year": 1999, "month": "x"})
        assert (fallback.context["year"], fallback.context["month"]) == (2026, 10)
        assert complete in fallback.text


def test_it_shows_a_district_only_its_own_projects(client, world):
    client.force_login(world.district)
    response = client.get(URL, {"year": 2026, "month": 10})
    names = [row["name"] for row in _chart(response)["rows"]]
    assert names == ["青秀区"]
    assert "西乡塘区" not in response.text
    assert "1-10月累计完成投资11.00亿元" in response.text


def test_it_shows_an_outsider_an_empty_page(client, world):
    client.force_login(world.outsider)
    response = client.get(URL, {"year": 2026, "month": 10})
    assert response.status_code == 200
    assert 'id="no-rows"' in response.text


def test_it_sends_anonymous_users_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def _add_entries(world, count):
    """COUNT more entries on 2026's list, with a report a month for ten months, spread over districts,
    categories, departments and leaders (curves on some)."""
    start = Project.objects.count()
    projects = Project.objects.bulk_create(
        [
            Project(
                name=f"预算项目{i}",
                owner=world.owner_a if i % 2 else world.owner_b,
                district=world.district_a if i % 3 else world.district_b,
                sector=world.sector,
                total_investment=(i + 10) * YI,
                start_year=2025,
                end_year=2027,
            )
            for i in range(start, start + count)
        ]
    )
    categories = [Category.NEW_START, Category.CONTINUING, Category.COMPLETING, Category.PREPARATORY]
    entries = AnnualEntry.objects.bulk_create(
        [
            AnnualEntry(
                annual_list=world.annual_list,
                batch=world.batch,
                project=p,
                category=categories[i % 4],
                planned_investment=(i % 7 + 1) * YI,
                planned_start_month=(i % 12) + 1,
                leader=world.leader if i % 2 else None,
                monthly_plan=[(i % 7 + 1) * YI // 12] * 12 if i % 5 == 0 else None,
            )
            for i, p in enumerate(projects)
        ]
    )
    AnnualEntry.departments.through.objects.bulk_create(
        [
            AnnualEntry.departments.through(annualentry_id=e.pk, organisation_id=world.department.pk)
            for e in entries
        ]
    )
    MonthlyReport.objects.bulk_create(
        [
            MonthlyReport(entry=e, month=m, amount=m * 1000 * WAN, status="approved")
            for e in entries
            for m in range(1, 11)
        ]
    )


def _queries(client, params, headers=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params, headers=headers or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("by", list(BREAKDOWNS))
def test_it_costs_the_same_queries_for_20_entries_as_for_500(client, world, by):
    client.force_login(world.staff)
    params = {"year": 2026, "month": 10, "by": by}
    _add_entries(world, 18)
    few, few_htmx = _queries(client, params), _queries(client, params, {"HX-Request": "true"})
    _add_entries(world, 480)
    assert _queries(client, params) == few
    assert _queries(client, params, {"HX-Request": "true"}) == few_htmx
    assert few <= 8
