"""The project's history (修改记录): who changed what, from which value to which, shown on its page."""

import re

import pytest
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.projects.models import FactorNeed, PrelimItem, Project


def _form_data(response, **changes) -> dict:
    """Every field of the rendered form as the browser would send it back, then the user's changes."""
    data = {}
    for bound in response.context["form"]:
        value = bound.value()
        data[bound.name] = "" if value is None else value
    data.update(changes)
    return data


def _history(client, project) -> str:
    """The text of the 修改记录 card on the project page, tags stripped."""
    html = client.get(project.get_absolute_url()).content.decode()
    section = html.split('id="history"')[1].split("</section>")[0]
    assert "修改记录" in section
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


def _edit(client, project, **changes):
    url = reverse("project_edit", args=[project.pk])
    response = client.post(url, _form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["form"].errors
    return response


def test_it_records_a_change_of_total_investment_in_wan(staff_client, cast):
    _edit(staff_client, cast.project_a, total_investment="52000.5")

    entry = AuditEntry.objects.get(project=cast.project_a)
    assert (entry.action, entry.user, entry.model) == (
        AuditEntry.Action.UPDATE,
        cast.staff,
        "projects.Project",
    )
    assert entry.changes == {"总投资（万元）": ["50,000", "52,000.5"]}

    history = _history(staff_client, cast.project_a)
    assert "staff 修改 南宁市轨道交通5号线二期工程" in history
    assert "总投资（万元）：50,000 → 52,000.5" in history


def test_it_records_each_changed_field_and_only_those(staff_client, cast):
    _edit(
        staff_client,
        cast.project_a,
        location="五象新区",
        end_year="2028",
        departments=[cast.department.pk, cast.other_department.pk],
    )

    entry = AuditEntry.objects.get(project=cast.project_a)
    assert entry.changes == {
        "建设地点": ["", "五象新区"],
        "建设截止年": ["2027", "2028"],
        "责任单位": ["市发展和改革委员会", "市发展和改革委员会、市生态环境局"],
    }
    history = _history(staff_client, cast.project_a)
    assert "建设地点：（空） → 五象新区" in history
    assert "建设截止年：2027 → 2028" in history


def test_it_records_nothing_for_an_edit_that_changes_nothing(staff_client, cast):
    Project.objects.filter(pk=cast.project_a.pk).update(latitude="22.817000", longitude="108.366540")
    _edit(staff_client, cast.project_a)
    # The same coordinates typed with fewer zeros are the same place.
    _edit(staff_client, cast.project_a, latitude="22.817", longitude="108.36654")

    assert list(AuditEntry.objects.filter(project=cast.project_a).values_list("changes", flat=True)) == []
    assert "暂无修改记录" in _history(staff_client, cast.project_a)


def test_it_records_a_prelim_item_in_the_projects_history(staff_client, cast):
    url = reverse("prelim_item_edit", args=[cast.project_a.pk, "eia"])
    staff_client.post(url, _form_data(staff_client.get(url), planned_date="2025-03-31"))
    staff_client.post(
        url, _form_data(staff_client.get(url), actual_date="2025-04-15", document_no="南环审〔2025〕12号")
    )
    # Saved again unchanged: no third entry.
    staff_client.post(url, _form_data(staff_client.get(url)))

    item = PrelimItem.objects.get(project=cast.project_a, kind="eia")
    entries = list(AuditEntry.objects.filter(project=cast.project_a).order_by("id"))
    assert [e.action for e in entries] == [AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE]
    assert {e.object_id for e in entries} == {str(item.pk)}
    assert entries[1].changes == {
        "实际完成日期": ["", "2025-04-15"],
        "批复文号": ["", "南环审〔2025〕12号"],
    }
    history = _history(staff_client, cast.project_a)
    assert "staff 修改 环评" in history
    assert "实际完成日期：（空） → 2025-04-15" in history
    assert "staff 新增 环评" in history


def test_it_records_adding_and_deleting_a_factor_need(client, cast):
    client.force_login(cast.owner)
    response = client.post(
        reverse("factor_need_create", args=[cast.project_a.pk]),
        {
            "kind": "funds",
            "fund_source": "special_bond",
            "need_yuan": "30000",
            "secured_yuan": "12000.5",
        },
    )
    assert response.status_code == 302
    need = FactorNeed.objects.get(project=cast.project_a)
    assert (need.need_yuan, need.secured_yuan) == (300_000_000, 120_005_000)

    client.post(reverse("factor_need_delete", args=[cast.project_a.pk, need.pk]))

    assert not FactorNeed.objects.filter(pk=need.pk).exists()
    created, deleted = AuditEntry.objects.filter(project=cast.project_a).order_by("id")
    assert (created.action, deleted.action) == (AuditEntry.Action.CREATE, AuditEntry.Action.DELETE)
    assert deleted.user == cast.owner
    assert deleted.changes["需求资金（万元）"] == ["30,000", ""]
    history = _history(client, cast.project_a)
    assert "owner 新增 资金（万元） · 专项债" in history
    assert "owner 删除 资金（万元） · 专项债" in history
    assert "需求资金（万元）：30,000 → （空）" in history


def test_it_keeps_the_history_when_the_factor_need_is_gone(cast, client):
    need = FactorNeed.objects.create(project=cast.project_a, kind="land", need_quantity=120)
    client.force_login(cast.staff)
    client.post(reverse("factor_need_delete", args=[cast.project_a.pk, need.pk]))
    entry = AuditEntry.objects.get(project=cast.project_a)
    assert entry.object_repr == "用地（亩）"
    assert entry.changes["需求量"] == ["120.00", ""]


def test_it_shows_only_the_projects_own_history(staff_client, cast):
    _edit(staff_client, cast.project_b, location="西乡塘区北湖路")
    assert "北湖路" not in _history(staff_client, cast.project_a)
    assert "北湖路" in _history(staff_client, cast.project_b)
