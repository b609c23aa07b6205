"""The organisation pages: the list, one organisation with its aliases, adding and removing an alias.
Who may open them is in the role matrix (orgs/tests/matrix.py)."""

import pytest
from django.urls import reverse

from keyprojects.orgs.models import OrganisationAlias

pytestmark = pytest.mark.django_db


def test_it_lists_the_organisations_with_their_alias_counts(client, cast, django_assert_max_num_queries):
    OrganisationAlias.objects.create(organisation=cast.department, name="市发改委")
    client.force_login(cast.staff)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("organisation_list"), {"kind": "department"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "市发展和改革委员会" in html
    assert "青秀区" not in html
    assert reverse("organisation_detail", args=[cast.department.pk]) in html


def test_it_shows_an_organisation_with_its_aliases(client, cast):
    OrganisationAlias.objects.create(organisation=cast.department, name="市发改委", created_by=cast.admin)
    client.force_login(cast.staff)

    page = client.get(reverse("organisation_detail", args=[cast.department.pk]))

    assert page.status_code == 200
    assert "市发改委" in page.content.decode()


def test_it_adds_an_alias(client, cast):
    client.force_login(cast.staff)

    response = client.post(reverse("organisation_alias_add", args=[cast.department.pk]), {"name": "市发改委"})

    assert response.status_code == 302
    assert cast.department.aliases.get().name == "市发改委"
    page = client.get(response["Location"])
    assert "已添加别名“市发改委”" in page.content.decode()


def test_it_refuses_an_alias_that_would_make_two_organisations_share_a_name(client, cast):
    client.force_login(cast.staff)

    page = client.post(
        reverse("organisation_alias_add", args=[cast.department.pk]), {"name": "南宁市生态环境局"}
    )

    assert page.status_code == 200
    assert "已是单位“市生态环境局”（市直部门）的名称或别名" in page.content.decode()
    assert not OrganisationAlias.objects.exists()


def test_it_removes_an_alias(client, cast):
    alias = OrganisationAlias.objects.create(organisation=cast.department, name="市发改委")
    client.force_login(cast.admin)

    response = client.post(reverse("organisation_alias_remove", args=[alias.pk]))

    assert response["Location"] == reverse("organisation_detail", args=[cast.department.pk])
    assert not OrganisationAlias.objects.exists()


def test_it_keeps_the_pages_from_anyone_but_the_office(client, cast):
    alias = OrganisationAlias.objects.create(organisation=cast.department, name="市发改委")
    client.force_login(cast.department_user)

    assert client.get(reverse("organisation_detail", args=[cast.department.pk])).status_code == 403
    assert client.post(reverse("organisation_alias_remove", args=[alias.pk])).status_code == 403
    assert OrganisationAlias.objects.exists()
