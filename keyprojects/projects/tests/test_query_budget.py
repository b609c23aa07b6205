"""Pages cost the same number of queries for 20 projects as for 2,000: no query per row."""

from functools import cache

import pytest
from django.core.cache import cache as django_cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.text import search_key
from keyprojects.orgs.models import Organisation
from keyprojects.projects.models import FactorNeed, PrelimItem, Project, Stage, StageChange
from keyprojects.test import make_project

CEILING = 12
# The project page also shows every higher app's section (dashboard.project_page), each a fixed few.
PROJECT_PAGE_CEILING = 25
NAMES = [
    "轨道交通站点",
    "综合管廊",
    "老旧小区改造",
    "污水处理厂",
    "产业园标准厂房",
    "学校扩建",
    "医院门诊楼",
    "城市快速路",
    "保障性住房",
    "物流园",
]
STAGES = [Stage.RESERVE, Stage.PRELIMINARY, Stage.CONSTRUCTION, Stage.CONSTRUCTION, Stage.COMPLETED]


@cache
def _search_text(name, owner):
    return search_key(name, "", owner, "")


def add_projects(cast, count):
    """COUNT more projects spread over both districts, both owners, every main stage; half with a leader."""
    start = Project.objects.count()
    rows = []
    for i in range(start, start + count):
        owner = cast.owner_a if i % 2 else cast.owner_b
        name = f"{NAMES[i % len(NAMES)]}{i}"
        rows.append(
            Project(
                name=name,
                owner=owner,
                district=cast.district_a if i % 3 else cast.district_b,
                sector=cast.sector,
                total_investment=(i + 1) * 1_000_000 + 1234,
                start_year=2024,
                end_year=2026,
                stage=STAGES[i % len(STAGES)],
                leader=cast.leader if i % 2 else None,
                search_text=_search_text(NAMES[i % len(NAMES)], owner.name),
            )
        )
    Project.objects.bulk_create(rows, batch_size=500)
    department_links = [
        Project.departments.through(project_id=pk, organisation_id=cast.department.pk)
        for pk in Project.objects.filter(pk__gt=cast.project_b.pk).values_list("pk", flat=True)[::2]
    ]
    Project.departments.through.objects.bulk_create(department_links, ignore_conflicts=True)


def _count_queries(client, url, params=None) -> int:
    django_cache.clear()  # cached filter choices cold each time: the worst case, whatever ran before
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    form = response.context.get("form")
    assert form is None or not form.errors, form.errors  # the filters were applied, not ignored
    if "page" in response.context:
        assert response.context["page"].object_list, "an empty page would skip the row query"
    return len(queries)


LIST_CASES = [
    ("staff", {}),
    ("staff", {"district": "A", "stage": "construction"}),
    ("staff", {"q": "gdjt", "sort": "name"}),
    ("staff", {"over_yi": "on", "sector": "S", "sort": "updated", "page": "2"}),
    ("leader", {"leader": "L"}),
    ("district", {}),
    ("district", {"stage": "construction", "q": "污水处理"}),
    ("department_user", {}),
    ("owner", {"sort": "code"}),
]


def _params(cast, params):
    ids = {"A": cast.district_a.pk, "S": cast.sector.pk, "L": cast.leader.pk}
    return {k: ids.get(v, v) for k, v in params.items()}


def _list_counts(client, cast):
    counts = {}
    for username, params in LIST_CASES:
        client.force_login(getattr(cast, username))
        key = (username, tuple(params))
        counts[key] = _count_queries(client, reverse("project_list"), _params(cast, params))
        counts[("htmx", *key)] = len(_htmx(client, _params(cast, params)))
    return counts


def _htmx(client, params):
    django_cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("project_list"), params, HTTP_HX_REQUEST="true").status_code == 200
    return queries


def test_it_lists_projects_with_the_same_queries_for_20_and_2000(client, cast):
    add_projects(cast, 18)
    few = _list_counts(client, cast)

    add_projects(cast, 1980)
    assert Project.objects.count() == 2000
    many = _list_counts(client, cast)

    assert many == few
    assert max(many.values()) <= CEILING, many


def test_it_reads_the_filter_choices_from_the_cache_until_an_organisation_changes(client, cast):
    client.force_login(cast.staff)
    cold = _count_queries(client, reverse("project_list"))
    with CaptureQueriesContext(connection) as warm:
        html = client.get(reverse("project_list")).content.decode()
    # Districts, sectors, leaders and the owner names: one query each, the first time only.
    assert len(warm) == cold - 4
    assert cast.owner_a.name in html

    new_district = Organisation.objects.create(kind=Organisation.Kind.DISTRICT, name="新设区")
    html = client.get(reverse("project_list")).content.decode()
    assert f'<option value="{new_district.pk}">新设区</option>' in html
    htmx = client.get(reverse("project_list"), {"district": new_district.pk}, HTTP_HX_REQUEST="true")
    assert htmx.context["form"].is_valid()
    assert "owner-options" not in htmx.content.decode()  # the datalist is for full loads only


def test_it_shows_a_full_page_of_the_filtered_rows(client, cast):
    add_projects(cast, 98)
    client.force_login(cast.district)
    html = client.get(reverse("project_list"), {"stage": "construction"}).content.decode()
    expected = Project.objects.filter(district=cast.district_a, stage=Stage.CONSTRUCTION).count()
    assert f"共 {expected} 个项目" in html
    assert html.count('<a href="/projects/') == 20


# The project page


def _fill(project, cast, n):
    """N of each: stage moves, factor needs, children, history entries; prelim items up to all twelve."""
    today = timezone.localdate()
    kinds = PrelimItem.Kind.values[: min(n, 12)]
    PrelimItem.objects.bulk_create(
        PrelimItem(project=project, kind=k, planned_date=today, document_no=f"文号{k}") for k in kinds
    )
    FactorNeed.objects.bulk_create(
        FactorNeed(
            project=project, kind="funds", fund_source="loan", need_yuan=10_000 * (i + 1), secured_yuan=5
        )
        for i in range(n)
    )
    StageChange.objects.bulk_create(
        StageChange(project=project, from_stage="reserve", to_stage="preliminary", date=today, by=cast.staff)
        for _ in range(n)
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(
            user=(cast.staff, cast.district)[i % 2],
            action="update",
            model="projects.Project",
            object_id=str(project.pk),
            object_repr=project.name,
            project=project,
            changes={"建设地点": [str(i), str(i + 1)]},
        )
        for i in range(n)
    )
    for i in range(n):
        make_project(
            name=f"子项目{project.pk}-{i}",
            owner=cast.owner_a,
            district=cast.district_a,
            sector=cast.sector,
            parent=project,
        )
    project.departments.add(cast.other_department)


@pytest.mark.parametrize("username", ["staff", "district", "owner"])
def test_it_shows_a_project_page_with_queries_that_do_not_grow(client, cast, username):
    few, many = cast.project_a, cast.project_b
    Project.objects.filter(pk=many.pk).update(
        district=cast.district_a, owner=cast.owner_a, leader=cast.leader
    )
    _fill(few, cast, 1)
    _fill(many, cast, 30)
    client.force_login(getattr(cast, username))

    counts = [_count_queries(client, reverse("project_detail", args=[p.pk])) for p in (few, many)]

    assert counts[0] == counts[1]
    assert counts[1] <= PROJECT_PAGE_CEILING, counts
