"""Two people edit the same record: the later save is refused, with the input kept, never silently applied."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.projects.models import FactorNeed, PrelimItem, Project

CONFLICT = "其他人已修改"


def _hidden_version(response) -> str:
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', response.content.decode())
    assert match, "the form carries no version"
    return match.group(1)


def _form_data(response, **changes) -> dict:
    """What the browser sends back: every field of the rendered form as shown, then the user's changes."""
    form = response.context["form"]
    data = {}
    for bound in form:
        value = bound.value()
        if value is None:
            value = ""
        data[bound.name] = value
    data.update(changes)
    return data


@pytest.fixture
def two(cast):
    """The district coordinator and an office staff member, each in a browser of their own."""
    first, second = Client(), Client()
    first.force_login(cast.staff)
    second.force_login(cast.district)
    return first, second


def test_it_refuses_the_later_of_two_project_edits_and_keeps_the_input(cast, two):
    first, second = two
    url = reverse("project_edit", args=[cast.project_a.pk])
    page_1, page_2 = first.get(url), second.get(url)
    assert _hidden_version(page_1) == _hidden_version(page_2) == "1"

    saved = first.post(url, _form_data(page_1, total_investment="52000"))
    assert saved.status_code == 302

    refused = second.post(url, _form_data(page_2, total_investment="61000.25", location="五象新区"))

    assert refused.status_code == 200
    html = refused.content.decode()
    assert CONFLICT in html
    assert 'name="total_investment" value="61000.25"' in html  # his input, back in the form
    assert 'name="location" value="五象新区"' in html
    assert 'id="conflict"' in html and "52,000" in html  # and what the other person saved
    stored = Project.objects.get(pk=cast.project_a.pk)
    assert (stored.total_investment, stored.location, stored.version) == (520_000_000, "", 2)
    assert AuditEntry.objects.filter(project=cast.project_a, user=cast.district).count() == 0

    # Having seen the latest values, he saves again on purpose: the form now carries version 2.
    assert _hidden_version(refused) == "2"
    again = second.post(url, _form_data(refused))

    assert again.status_code == 302
    stored = Project.objects.get(pk=cast.project_a.pk)
    assert (stored.total_investment, stored.location, stored.version) == (610_002_500, "五象新区", 3)


def test_it_refuses_an_edit_without_a_version(cast, two):
    first, _second = two
    url = reverse("project_edit", args=[cast.project_a.pk])
    data = _form_data(first.get(url), name="无版本号的修改")
    del data["version"]
    response = first.post(url, data)
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    assert Project.objects.get(pk=cast.project_a.pk).name == "南宁市轨道交通5号线二期工程"


def test_it_refuses_an_edit_opened_before_a_stage_move(cast, two):
    from django.utils import timezone

    first, second = two
    url = reverse("project_edit", args=[cast.project_a.pk])
    page = second.get(url)
    first.post(
        reverse("project_stage", args=[cast.project_a.pk]),
        {"to_stage": "preliminary", "on": timezone.localdate().isoformat()},
    )

    response = second.post(url, _form_data(page, name="改名"))

    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    assert Project.objects.get(pk=cast.project_a.pk).stage == "preliminary"


def test_it_refuses_the_later_of_two_prelim_item_edits_and_keeps_the_input(cast, two):
    first, second = two
    item = PrelimItem.objects.create(project=cast.project_a, kind="eia", document_no="南环审〔2025〕1号")
    url = reverse("prelim_item_edit", args=[cast.project_a.pk, "eia"])
    page_1, page_2 = first.get(url), second.get(url)
    assert _hidden_version(page_1) == _hidden_version(page_2) == "1"

    assert first.post(url, _form_data(page_1, document_no="南环审〔2025〕12号")).status_code == 302

    refused = second.post(url, _form_data(page_2, document_no="南环审〔2025〕99号", note="区里补充"))

    assert refused.status_code == 200
    html = refused.content.decode()
    assert CONFLICT in html
    assert "南环审〔2025〕99号" in html and "区里补充" in html
    item.refresh_from_db()
    assert (item.document_no, item.note, item.version) == ("南环审〔2025〕12号", "", 2)

    assert _hidden_version(refused) == "2"
    again = second.post(url, _form_data(refused))
    assert again.status_code == 302
    item.refresh_from_db()
    assert (item.document_no, item.note, item.version) == ("南环审〔2025〕99号", "区里补充", 3)


def test_it_refuses_the_later_of_two_first_entries_of_a_prelim_item(cast, two):
    """Both open an item nobody has filled in yet: the second save must not fail or double the row."""
    first, second = two
    url = reverse("prelim_item_edit", args=[cast.project_a.pk, "tender"])
    page_1, page_2 = first.get(url), second.get(url)

    assert first.post(url, _form_data(page_1, document_no="GXZB-2025-001")).status_code == 302
    refused = second.post(url, _form_data(page_2, document_no="GXZB-2025-002"))

    assert refused.status_code == 200
    assert CONFLICT in refused.content.decode()
    assert list(
        PrelimItem.objects.filter(project=cast.project_a, kind="tender").values_list("document_no", flat=True)
    ) == ["GXZB-2025-001"]

    again = second.post(url, _form_data(refused))
    assert again.status_code == 302
    assert PrelimItem.objects.get(project=cast.project_a, kind="tender").document_no == "GXZB-2025-002"


def test_it_refuses_the_later_of_two_factor_need_edits(cast, two):
    first, second = two
    need = FactorNeed.objects.create(
        project=cast.project_a, kind="funds", fund_source="special_bond", need_yuan=100_000_000
    )
    url = reverse("factor_need_edit", args=[cast.project_a.pk, need.pk])
    page_1, page_2 = first.get(url), second.get(url)

    assert first.post(url, _form_data(page_1, secured_yuan="4000")).status_code == 302
    refused = second.post(url, _form_data(page_2, secured_yuan="6000"))

    assert refused.status_code == 200
    assert CONFLICT in refused.content.decode()
    need.refresh_from_db()
    assert need.secured_yuan == 40_000_000

    assert second.post(url, _form_data(refused)).status_code == 302
    need.refresh_from_db()
    assert need.secured_yuan == 60_000_000
