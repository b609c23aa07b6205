"""Role × endpoint matrix: every URL in the URL conf, every role, inside and outside its scope.

A new URL without an entry here fails test_it_has_a_matrix_entry_for_every_url.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from keyprojects.projects.models import FactorNeed

ROLES = ["anonymous", "office_admin", "office_staff", "leader", "district", "department", "owner", "outsider"]
EVERYONE = dict.fromkeys(ROLES[1:], 200)
LOGIN = 302  # anonymous users are sent to the login page


def row(anonymous=LOGIN, **overrides):
    return {"anonymous": anonymous, **EVERYONE, **overrides}


# Who may change project A (district A, owner A, the department co-responsible).
EDIT_A = row(leader=403, department=403, outsider=404)
# Project B lies outside the district's, the department's and the owner's scope.
EDIT_B = row(leader=403, district=404, department=404, owner=404, outsider=404)
READ_A = row(outsider=404)
READ_B = row(district=404, department=404, owner=404, outsider=404)

# url name → list of (label, args builder, GET statuses, POST statuses or None)
MATRIX = {
    "home": [("", lambda c: [], row(), None)],
    "login": [("", lambda c: [], row(anonymous=200), None)],
    "logout": [("", lambda c: [], dict.fromkeys(ROLES, 405), dict.fromkeys(ROLES, 302))],
    "project_list": [("", lambda c: [], row(), None)],
    "project_export": [("", lambda c: [], row(), None)],
    "project_create": [("", lambda c: [], row(leader=403, department=403), row(leader=403, department=403))],
    "project_detail": [
        ("A", lambda c: [c.project_a.pk], READ_A, None),
        ("B", lambda c: [c.project_b.pk], READ_B, None),
    ],
    "project_edit": [
        ("A", lambda c: [c.project_a.pk], EDIT_A, EDIT_A),
        ("B", lambda c: [c.project_b.pk], EDIT_B, EDIT_B),
    ],
    "project_stage": [
        (
            "A",
            lambda c: [c.project_a.pk],
            row(leader=403, department=403, owner=403, outsider=404),
            row(leader=403, department=403, owner=403, outsider=404),
        ),
        (
            "B",
            lambda c: [c.project_b.pk],
            row(leader=403, district=404, department=404, owner=404, outsider=404),
            row(leader=403, district=404, department=404, owner=404, outsider=404),
        ),
    ],
    "prelim_item_edit": [
        ("A", lambda c: [c.project_a.pk, "eia"], EDIT_A, EDIT_A),
        ("B", lambda c: [c.project_b.pk, "eia"], EDIT_B, EDIT_B),
    ],
    "factor_need_create": [
        ("A", lambda c: [c.project_a.pk], EDIT_A, EDIT_A),
        ("B", lambda c: [c.project_b.pk], EDIT_B, EDIT_B),
    ],
    "factor_need_edit": [
        ("A", lambda c: [c.project_a.pk, c.need_a.pk], EDIT_A, EDIT_A),
        ("B", lambda c: [c.project_b.pk, c.need_b.pk], EDIT_B, EDIT_B),
    ],
    "factor_need_delete": [
        (
            "A",
            lambda c: [c.project_a.pk, c.need_a.pk],
            dict.fromkeys(ROLES, 405),
            {**EDIT_A, **dict.fromkeys(["office_admin", "office_staff", "district", "owner"], 302)},
        ),
        (
            "B",
            lambda c: [c.project_b.pk, c.need_b.pk],
            dict.fromkeys(ROLES, 405),
            {**EDIT_B, **dict.fromkeys(["office_admin", "office_staff"], 302)},
        ),
    ],
    "set_language": [("", lambda c: [], dict.fromkeys(ROLES, 302), None)],
    "admin:*": [("index", lambda c: [], {**dict.fromkeys(ROLES, 302), "office_admin": 200}, None)],
}

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


def _url_names(resolver=None, namespace=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns == "admin":
                yield "admin:*"
            else:
                yield from _url_names(p, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def test_it_has_a_matrix_entry_for_every_url():
    missing = set(_url_names()) - set(MATRIX)
    assert not missing, f"URLs without a role × endpoint matrix entry: {sorted(missing)}"


@pytest.fixture
def world(cast):
    cast.need_a = FactorNeed.objects.create(project=cast.project_a, kind="land", need_quantity=10)
    cast.need_b = FactorNeed.objects.create(project=cast.project_b, kind="land", need_quantity=10)
    return cast


def _client_for(client, world, role):
    if role != "anonymous":
        client.force_login(world.by_role()[role])
    return client


CASES = [(name, label, role) for name, entries in MATRIX.items() for label, *_ in entries for role in ROLES]


@pytest.mark.parametrize(("name", "label", "role"), CASES)
def test_it_answers_each_role_as_the_matrix_says(client, world, name, label, role):
    entry = next(e for e in MATRIX[name] if e[0] == label)
    _label, args, get_statuses, post_statuses = entry
    url = reverse("admin:index") if name == "admin:*" else reverse(name, args=args(world))
    client = _client_for(client, world, role)
    if name != "logout":
        assert client.get(url).status_code == get_statuses[role], f"GET {url} as {role}"
    if post_statuses is not None:
        assert client.post(url, {}).status_code == post_statuses[role], f"POST {url} as {role}"


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
