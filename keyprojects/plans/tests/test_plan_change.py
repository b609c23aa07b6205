"""计划调整: owners and districts ask to change an official entry's planned investment; the office
decides; the published figure stays as the baseline beside the adjusted one."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.plans import services
from keyprojects.plans.models import AnnualEntry, Category, PlanChange
from keyprojects.plans.tests.list_support import WAN, counts, make_world, text
from keyprojects.test import make_project


@pytest.fixture
def world(cast):
    return make_world(cast)


def _request(world, amount_wan, entry=None, by=None, reason="征地提前完成"):
    return services.plan_change_request(
        entry=entry or world.entry_a, by=by or world.owner, new_amount=amount_wan * WAN, reason=reason
    )


def _refused(call) -> dict:
    before = counts()
    with pytest.raises(ValidationError) as caught:
        call()
    assert counts() == before, "a refused call wrote something"
    return caught.value.message_dict


def test_it_records_a_request_with_the_plan_it_would_replace(world):
    change = _request(world, 130_000)

    assert (change.status, change.old_amount, change.new_amount, change.requested_by) == (
        "pending",
        120_000 * WAN,
        130_000 * WAN,
        world.owner,
    )
    assert AnnualEntry.objects.get(pk=world.entry_a.pk).planned_investment == 120_000 * WAN
    record = AuditEntry.objects.get(model="plans.PlanChange")
    assert record.changes == {
        "原计划（万元）": ["", "120,000"],
        "调整后计划（万元）": ["", "130,000"],
        "调整理由": ["", "征地提前完成"],
        "状态": ["", "待审批"],
    }


def test_it_changes_the_plan_on_approval_and_keeps_the_baseline(world):
    change = _request(world, 130_000)

    services.plan_change_decide(change=change, by=world.staff, approve=True, note="同意")

    entry = AnnualEntry.objects.get(pk=world.entry_a.pk)
    assert (entry.planned_investment, entry.baseline_investment, entry.version) == (
        130_000 * WAN,
        120_000 * WAN,
        2,
    )
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == ("approved", world.staff, "同意")
    record = AuditEntry.objects.get(model="plans.AnnualEntry")
    assert record.changes == {"年度计划投资（万元）": ["120,000", "130,000"]}

    second = _request(world, 110_000, by=world.district)
    services.plan_change_decide(change=second, by=world.staff, approve=True)
    entry.refresh_from_db()
    assert (entry.planned_investment, entry.baseline_investment) == (110_000 * WAN, 120_000 * WAN)
    second.refresh_from_db()
    assert second.old_amount == 130_000 * WAN


def test_it_takes_the_baseline_at_the_first_change_when_none_was_kept(world):
    AnnualEntry.objects.filter(pk=world.entry_b.pk).update(baseline_investment=None)
    change = _request(world, 6_000, entry=world.entry_b, by=world.owner_b_user)

    services.plan_change_decide(change=change, by=world.staff, approve=True)

    entry = AnnualEntry.objects.get(pk=world.entry_b.pk)
    assert (entry.planned_investment, entry.baseline_investment) == (6_000 * WAN, 5_000 * WAN)
    assert AuditEntry.objects.get(model="plans.AnnualEntry").changes["原计划投资（万元）"] == ["", "5,000"]


def test_it_keeps_no_baseline_invented_for_a_preparatory_entry(world):
    AnnualEntry.objects.filter(pk=world.entry_b.pk).update(
        category=Category.PREPARATORY, planned_investment=None, baseline_investment=None
    )
    services.plan_change_decide(
        change=_request(world, 100, entry=world.entry_b), by=world.staff, approve=True
    )
    services.plan_change_decide(
        change=_request(world, 300, entry=world.entry_b), by=world.staff, approve=True
    )

    entry = AnnualEntry.objects.get(pk=world.entry_b.pk)
    assert (entry.planned_investment, entry.baseline_investment) == (300 * WAN, None)


def test_it_puts_a_curve_made_for_the_old_plan_back_to_an_even_split(world):
    AnnualEntry.objects.filter(pk=world.entry_a.pk).update(monthly_plan=[10_000 * WAN] * 12)

    services.plan_change_decide(change=_request(world, 132_000), by=world.staff, approve=True)

    entry = AnnualEntry.objects.get(pk=world.entry_a.pk)
    assert entry.monthly_plan is None
    assert entry.planned_through(6) == 66_000 * WAN


def test_it_rejects_only_with_a_note_and_leaves_the_plan(world):
    change = _request(world, 130_000)

    errors = _refused(lambda: services.plan_change_decide(change=change, by=world.staff, approve=False))
    assert errors == {"note": ["驳回时请写明理由。"]}

    services.plan_change_decide(change=change, by=world.staff, approve=False, note="依据不足")
    change.refresh_from_db()
    assert (change.status, change.decision_note) == ("rejected", "依据不足")
    entry = AnnualEntry.objects.get(pk=world.entry_a.pk)
    assert (entry.planned_investment, entry.version) == (120_000 * WAN, 1)


def test_it_decides_once(world):
    change = _request(world, 130_000)
    services.plan_change_decide(change=change, by=world.staff, approve=True)

    errors = _refused(
        lambda: services.plan_change_decide(change=change, by=world.admin, approve=False, note="x")
    )

    assert errors == {"__all__": ["该申请已审批（已批准），不能再次审批。"]}


@pytest.mark.parametrize(
    ("amount", "reason", "expected"),
    [
        (None, "理由", {"new_amount": ["请填写调整后的年度计划投资（万元）。"]}),
        (-1, "理由", {"new_amount": ["调整后的计划投资不能为负数。"]}),
        (120_000 * WAN, "理由", {"new_amount": ["调整后计划与现行计划相同（120,000 万元），无需调整。"]}),
        (1, "  ", {"reason": ["请填写调整理由。"]}),
    ],
)
def test_it_checks_the_request(world, amount, reason, expected):
    errors = _refused(
        lambda: services.plan_change_request(
            entry=world.entry_a, by=world.owner, new_amount=amount, reason=reason
        )
    )

    assert errors == expected


def test_it_takes_one_pending_request_at_a_time(world):
    _request(world, 130_000)

    errors = _refused(lambda: _request(world, 140_000, by=world.district))

    assert errors == {"__all__": ["该项目已有一条待审批的计划调整申请，请等待重点办审批后再提交。"]}


def test_it_sends_draft_entries_to_the_office_edit_instead(world):
    project = make_project(
        name="草稿项目", owner=world.owner_a, district=world.district_a, sector=world.sector
    )
    entry = services.entry_create(
        annual_list=world.annual_list,
        batch=world.draft,
        project=project,
        by=world.staff,
        category=Category.CONTINUING,
        planned_investment=100,
    )

    errors = _refused(lambda: _request(world, 5, entry=entry, by=world.staff))

    assert errors == {"__all__": ["“第二批”尚未发布，草稿中的计划由重点办直接修改，无需申请调整。"]}

    AnnualEntry.objects.filter(pk=entry.pk).update(batch=None)
    errors = _refused(lambda: _request(world, 5, entry=entry, by=world.staff))
    assert errors == {"__all__": ["“未分批”尚未发布，草稿中的计划由重点办直接修改，无需申请调整。"]}


# Through the pages


def test_it_shows_the_original_plan_beside_the_adjusted_one(client, world):
    client.force_login(world.owner)
    url = reverse("plan_change_create", args=[world.entry_a.pk])
    page = client.get(url)
    assert "现行计划：120,000 万元" in text(page)

    response = client.post(url, {"new_amount": "125000.5", "reason": "设备提前到货"})
    assert response["Location"] == reverse("entry_detail", args=[world.entry_a.pk])
    detail = client.get(reverse("entry_detail", args=[world.entry_a.pk]))
    assert "申请将年度计划投资调整为 125,000.5 万元，待重点办审批" in text(detail)
    assert (
        reverse("plan_change_create", args=[world.entry_a.pk]) not in detail.content.decode()
    )  # one at a time

    client.force_login(world.staff)
    change = PlanChange.objects.get()
    assert [c.pk for c in client.get(reverse("plan_change_list"), {"status": "pending"}).context["page"]] == [
        change.pk
    ]
    decide = reverse("plan_change_decide", args=[change.pk])
    assert client.post(decide, {"decision": "reject"}).context["form"].errors["note"] == [
        "驳回时请写明理由。"
    ]
    assert client.post(decide, {"decision": "approve", "note": "同意"}).status_code == 302

    client.force_login(world.owner)
    page = text(client.get(reverse("entry_detail", args=[world.entry_a.pk])))
    assert "原计划（万元） 120,000 调整后计划（万元） 125,000.5" in page
    assert "120,000 → 125,000.5 万元 已批准" in page
    assert client.get(decide).status_code == 403


def test_it_lets_districts_request_and_keeps_departments_and_leaders_to_reading(client, world):
    client.force_login(world.district)
    assert (
        client.post(
            reverse("plan_change_create", args=[world.entry_a.pk]), {"new_amount": "1", "reason": "调减"}
        ).status_code
        == 302
    )

    for user in (world.department_user, world.leader):
        client.force_login(user)
        assert client.get(reverse("plan_change_create", args=[world.entry_a.pk])).status_code == 403
        assert len(client.get(reverse("plan_change_list")).context["page"]) == 1
    client.force_login(world.owner_b_user)
    assert len(client.get(reverse("plan_change_list")).context["page"]) == 0


def test_it_refuses_a_change_beyond_what_is_left_of_the_total(world):
    total_wan = world.project_a.total_investment // WAN
    errors = _refused(lambda: _request(world, total_wan + 1))
    assert errors["new_amount"] == [f"年度计划投资 {total_wan + 1:,} 万元超过项目总投资 {total_wan:,} 万元。"]


def test_it_refuses_to_approve_a_change_the_total_no_longer_allows(world):
    change = _request(world, 130_000)
    # The registry's total was corrected down after the request.
    type(world.project_a).objects.filter(pk=world.project_a.pk).update(total_investment=125_000 * WAN)
    errors = _refused(lambda: services.plan_change_decide(change=change, by=world.staff, approve=True))
    assert errors["__all__"] == ["年度计划投资 130,000 万元超过项目总投资 125,000 万元。"]
    assert PlanChange.objects.get(pk=change.pk).status == PlanChange.Status.PENDING
