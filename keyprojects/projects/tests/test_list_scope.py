"""The project list, its export and its search show each role only the rows in its scope."""

import pytest
from django.urls import reverse

from keyprojects.matrix import ROLES
from keyprojects.projects.models import FactorNeed
from keyprojects.projects.tests.matrix import prepare

# Rows each role sees in the list and the export (project A, project B).
VISIBLE = {
    "office_admin": {"A", "B"},
    "office_staff": {"A", "B"},
    "leader": {"A", "B"},
    "district": {"A"},
    "department": {"A"},
    "owner": {"A"},
    "outsider": set(),
}


@pytest.fixture
def world(cast):
    prepare(cast)
    return cast


def _client_for(client, world, role):
    if role != "anonymous":
        client.force_login(world.by_role()[role])
    return client


@pytest.mark.parametrize("role", ROLES[1:])
def test_it_lists_and_exports_only_the_rows_in_scope(client, world, role):
    from io import BytesIO

    from openpyxl import load_workbook

    client = _client_for(client, world, role)
    names = {"A": world.project_a.name, "B": world.project_b.name}
    page = client.get(reverse("project_list")).content.decode()
    assert {k for k, n in names.items() if n in page} == VISIBLE[role]
    sheet = load_workbook(BytesIO(client.get(reverse("project_export")).content)).active
    exported = {r[1] for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}
    assert {k for k, n in names.items() if n in exported} == VISIBLE[role]


@pytest.mark.parametrize("role", ROLES[1:])
def test_it_searches_only_within_scope(client, world, role):
    client = _client_for(client, world, role)
    page = client.get(reverse("project_list"), {"q": "xxtqlj"}).content.decode()  # 西乡塘区老旧…
    assert (world.project_b.name in page) == ("B" in VISIBLE[role])


def test_it_refuses_deleting_another_projects_factor_through_an_allowed_project(client, world):
    """The factor id must belong to the project in the URL: A's URL cannot reach B's factor."""
    client.force_login(world.owner)
    url = reverse("factor_need_delete", args=[world.project_a.pk, world.need_b.pk])
    assert client.post(url).status_code == 404
    assert FactorNeed.objects.filter(pk=world.need_b.pk).exists()


def test_the_filters_tick_boxes_sit_with_the_search_button_and_stay_ticked(client, world):
    import re

    client.force_login(world.by_role()["office_staff"])
    page = client.get(reverse("project_list"), {"over_yi": "on", "q": "西乡塘"}).content.decode()
    checks = re.findall(r'<div class="form-check form-check-inline">(<input[^>]*>)<label[^>]*>([^<]*)', page)
    assert [(label, " checked" in box) for box, label in checks] == [
        ("总投资亿元以上", True),
        ("只看主项目", False),
    ]
    assert 'name="q" value="西乡塘"' in page
    assert page.count('type="checkbox"') == 2  # not also among the select boxes
