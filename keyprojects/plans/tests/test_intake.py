"""项目申报: districts and owners propose their projects for next year's list; a draft may be incomplete,
submitting checks what is required; the office puts it in the reserve, on the list, or returns it with
a reason the proposer acts on."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.plans import services
from keyprojects.plans.models import AnnualEntry, Category, Proposal
from keyprojects.plans.services import Decision
from keyprojects.plans.tests.list_support import WAN, counts, form_data, make_world, text
from keyprojects.projects.models import Stage
from keyprojects.test import make_project

NEXT_YEAR = 2027  # the cast's today is in 2026

COMPLETE = {
    "category": "new_start",
    "planned_investment": "6000",
    "planned_start_month": "4",
    "goal": "完成桩基和主体结构",
    "reason": "用地、规划手续已办结，资金落实",
}


@pytest.fixture
def world(cast):
    world = make_world(cast)
    world.project_c = make_project(
        name="青秀区智慧物流园", owner=world.owner_a, district=world.district_a, sector=world.sector
    )
    world.project_c.departments.add(world.department)
    world.batch_2027 = services.batch_create(year=NEXT_YEAR, by=world.staff)
    return world


def _propose(world, user=None, project=None, submit=False, **fields):
    values = {"category": Category.NEW_START, **fields}
    return services.proposal_save(
        by=user or world.owner, project=project or world.project_c, submit=submit, **values
    )


def _complete(world, **fields):
    values = {
        "planned_investment": 6_000 * WAN,
        "planned_start_month": 4,
        "goal": "完成桩基",
        "reason": "条件成熟",
        **fields,
    }
    return _propose(world, submit=True, **values)


# Proposing


def test_it_saves_an_incomplete_draft_for_next_year(world):
    proposal = _propose(world)

    assert (proposal.year, proposal.status, proposal.proposed_by) == (NEXT_YEAR, "draft", world.owner)
    assert proposal.planned_investment is None and proposal.goal == ""
    record = AuditEntry.objects.get(model="plans.Proposal")
    assert (record.action, record.project) == ("create", world.project_c)
    assert record.changes["状态"] == ["", "草稿"]


def test_it_checks_what_is_required_when_submitting_in_chinese(world):
    proposal = _propose(world)
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.proposal_submit(proposal=proposal, by=world.owner)

    assert caught.value.message_dict == {
        "planned_investment": ["“新开工”项目必须填写年度计划投资（万元）；只有“预备”项目可以不填。"],
        "planned_start_month": ["“新开工”项目必须填写计划开工月份。"],
        "goal": ["请填写年度形象进度目标。"],
        "reason": ["请填写申报理由。"],
    }
    assert counts() == before
    assert Proposal.objects.get(pk=proposal.pk).status == "draft"


@pytest.mark.parametrize(
    ("category", "extra", "missing"),
    [
        (Category.COMPLETING, {"planned_investment": 100}, "planned_completion_month"),
        (Category.CONTINUING, {}, "planned_investment"),
        (Category.PREPARATORY, {}, None),
    ],
)
def test_it_checks_each_categorys_rules_on_submission(world, category, extra, missing):
    proposal = _propose(world, category=category, goal="目标", reason="理由", **extra)

    if missing is None:
        assert services.proposal_submit(proposal=proposal, by=world.owner).status == "submitted"
        return
    with pytest.raises(ValidationError) as caught:
        services.proposal_submit(proposal=proposal, by=world.owner)
    assert list(caught.value.message_dict) == [missing]


def test_it_refuses_a_month_outside_1_to_12_even_in_a_draft(world):
    with pytest.raises(ValidationError) as caught:
        _propose(world, planned_start_month=13)

    assert caught.value.message_dict == {
        "planned_start_month": ["计划开工月份应为 1 至 12 之间的月份，不能是“13”。"]
    }
    assert not Proposal.objects.exists()


def test_it_refuses_a_project_already_on_the_list_or_proposed_twice(world):
    services.entry_create(
        annual_list=world.batch_2027.annual_list,
        batch=world.batch_2027,
        project=world.project_a,
        by=world.staff,
        category=Category.CONTINUING,
        planned_investment=1,
    )
    with pytest.raises(ValidationError) as caught:
        _complete(world, project=world.project_a)
    assert caught.value.message_dict == {"__all__": ["该项目已在2027年清单中，无需申报。"]}

    _complete(world)
    with pytest.raises(ValidationError) as caught:
        _complete(world, user=world.district)
    assert caught.value.message_dict == {
        "__all__": ["该项目已有2027年的申报正在审核或已列入清单，不能重复申报。"]
    }
    assert Proposal.objects.count() == 1


def test_it_lets_owners_propose_only_their_own_projects(client, world):
    client.force_login(world.owner)
    url = reverse("proposal_create")
    page = client.get(url)
    options = page.context["project_options"]
    assert "青秀区智慧物流园" in options and "西乡塘区老旧小区改造项目" not in options

    response = client.post(url, {**COMPLETE, "project": "西乡塘区老旧小区改造项目", "action": "submit"})

    assert "或您无权选择它" in response.context["form"].errors["project"][0]
    assert not Proposal.objects.exists()


def test_it_lets_districts_propose_their_districts_projects(client, world):
    client.force_login(world.district)
    options = client.get(reverse("proposal_create")).context["project_options"]

    assert set(options) == {"2411-450100-04-01-637015 南宁市轨道交通5号线二期工程", "青秀区智慧物流园"}


def test_it_submits_from_the_form_or_saves_nothing(client, world):
    client.force_login(world.district)
    url = reverse("proposal_create")

    refused = client.post(url, {"project": "青秀区智慧物流园", "category": "new_start", "action": "submit"})
    assert refused.status_code == 200
    assert "请填写申报理由。" in text(refused)
    assert not Proposal.objects.exists()

    response = client.post(url, {"project": "青秀区智慧物流园", **COMPLETE, "action": "submit"})
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("proposal_detail", args=[proposal.pk])
    assert (proposal.status, proposal.proposed_by, proposal.planned_investment) == (
        "submitted",
        world.district,
        6_000 * WAN,
    )
    assert proposal.submitted_at is not None


def test_it_saves_a_draft_and_lists_what_is_missing(client, world):
    client.force_login(world.owner)
    client.post(
        reverse("proposal_create"),
        {"project": "青秀区智慧物流园", "category": "continuing", "action": "save"},
    )
    proposal = Proposal.objects.get()

    page = client.get(reverse("proposal_detail", args=[proposal.pk]))

    assert proposal.status == "draft"
    assert "提交申报前还需完善" in text(page)
    assert "请填写申报理由。" in text(page)

    response = client.post(reverse("proposal_submit", args=[proposal.pk]), follow=True)
    assert "未能申报：" in text(response)
    assert response.redirect_chain[-1][0] == reverse("proposal_edit", args=[proposal.pk])


def test_it_keeps_the_others_out(client, world):
    proposal = _propose(world)
    client.force_login(world.owner_b_user)
    assert client.get(reverse("proposal_detail", args=[proposal.pk])).status_code == 404
    assert proposal.pk not in [p.pk for p in client.get(reverse("proposal_list")).context["page"]]
    client.force_login(world.department_user)
    assert client.get(reverse("proposal_detail", args=[proposal.pk])).status_code == 200
    assert client.get(reverse("proposal_edit", args=[proposal.pk])).status_code == 403


# Reviewing


def test_it_puts_a_proposal_into_the_reserve_and_leaves_the_stage(world):
    proposal = _complete(world)
    stage = world.project_c.stage

    reviewed = services.proposal_review(
        proposal=proposal, by=world.staff, decision=Decision.RESERVE, note="储备"
    )

    assert (reviewed.status, reviewed.reviewed_by, reviewed.review_note) == ("reserve", world.staff, "储备")
    world.project_c.refresh_from_db()
    assert world.project_c.stage == stage == Stage.RESERVE
    assert not AnnualEntry.objects.filter(project=world.project_c).exists()


def test_it_puts_a_proposal_on_the_list_in_the_chosen_draft_batch(world):
    proposal = _complete(world)

    reviewed = services.proposal_review(
        proposal=proposal, by=world.staff, decision=Decision.LIST, batch=world.batch_2027
    )

    entry = reviewed.entry
    assert reviewed.status == "listed"
    assert (
        entry.annual_list.year,
        entry.batch,
        entry.category,
        entry.planned_investment,
        entry.planned_start_month,
    ) == (
        NEXT_YEAR,
        world.batch_2027,
        "new_start",
        6_000 * WAN,
        4,
    )
    assert (entry.goal, list(entry.departments.all())) == ("完成桩基", [world.department])
    actions = list(AuditEntry.objects.filter(project=world.project_c).values_list("model", "action"))
    assert ("plans.AnnualEntry", "create") in actions and ("plans.Proposal", "update") in actions


def test_it_writes_nothing_when_listing_fails(world):
    proposal = _complete(world)
    published = services.batch_create(year=NEXT_YEAR, by=world.staff)
    services.entry_create(
        annual_list=published.annual_list,
        batch=published,
        project=world.project_b,
        by=world.staff,
        category=Category.CONTINUING,
        planned_investment=1,
    )
    services.batch_publish(batch=published, by=world.staff)
    before = counts()

    for batch, message in [
        (published, {"batch": ["“第二批”已发布，新增项目只能放入草稿批次。"]}),
        (world.draft, {"batch": ["请选择2027年清单的一个草稿批次。"]}),
        (None, {"batch": ["请选择2027年清单的一个草稿批次。"]}),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.proposal_review(proposal=proposal, by=world.staff, decision=Decision.LIST, batch=batch)
        assert caught.value.message_dict == message

    assert counts() == before
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_it_returns_a_proposal_only_with_a_reason(world):
    proposal = _complete(world)

    with pytest.raises(ValidationError) as caught:
        services.proposal_review(proposal=proposal, by=world.staff, decision=Decision.RETURN, note="  ")
    assert caught.value.message_dict == {"note": ["退回时请写明退回原因，申报单位将据此修改。"]}

    reviewed = services.proposal_review(
        proposal=proposal, by=world.staff, decision=Decision.RETURN, note="计划投资偏大，请按可完成量申报"
    )
    assert reviewed.status == "returned"


def test_it_reviews_submitted_proposals_only(world):
    proposal = _propose(world)

    with pytest.raises(ValidationError) as caught:
        services.proposal_review(proposal=proposal, by=world.staff, decision=Decision.RESERVE)

    assert caught.value.message_dict == {"__all__": ["该申报当前为“草稿”，不在待审核状态。"]}


def test_it_takes_a_proposal_round_the_loop_through_the_pages(client, world):
    """The owner submits, the office returns it, the owner reads the reason, fixes, resubmits; the office
    lists it into a draft batch."""
    client.force_login(world.owner)
    client.post(reverse("proposal_create"), {"project": "青秀区智慧物流园", **COMPLETE, "action": "submit"})
    proposal = Proposal.objects.get()

    client.force_login(world.staff)
    queue = client.get(reverse("proposal_list"))
    assert [p.pk for p in queue.context["page"]] == [proposal.pk]
    review_url = reverse("proposal_review", args=[proposal.pk])
    refused = client.post(review_url, {"decision": "return", "note": ""})
    assert refused.context["form"].errors["note"] == ["退回时请写明退回原因，申报单位将据此修改。"]
    client.post(review_url, {"decision": "return", "note": "年度计划投资偏大，请按可完成量申报"})

    client.force_login(world.owner)
    detail = text(client.get(reverse("proposal_detail", args=[proposal.pk])))
    assert "已退回" in detail and "年度计划投资偏大，请按可完成量申报" in detail
    edit_url = reverse("proposal_edit", args=[proposal.pk])
    page = client.get(edit_url)
    assert "退回原因" in text(page)
    response = client.post(edit_url, form_data(page, planned_investment="4500", action="submit"))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.planned_investment) == ("submitted", 4_500 * WAN)
    assert client.get(edit_url).status_code == 302  # submitted: no more changes

    client.force_login(world.staff)
    client.post(review_url, {"decision": "list", "batch": str(world.batch_2027.pk), "note": "同意"})
    proposal.refresh_from_db()
    assert proposal.status == "listed" and proposal.entry.planned_investment == 4_500 * WAN
    assert [
        r.changes.get("状态") for r in AuditEntry.objects.filter(model="plans.Proposal").order_by("id")
    ] == [
        ["", "已申报"],
        ["已申报", "已退回"],
        ["已退回", "已申报"],
        ["已申报", "列入清单"],
    ]
    client.force_login(world.owner)
    assert "查看2027年清单项目" in text(client.get(reverse("proposal_detail", args=[proposal.pk])))


def test_it_refuses_a_later_edit_of_a_proposal(world):
    from django.test import Client

    proposal = _propose(world)
    first, second = Client(), Client()
    first.force_login(world.owner)
    second.force_login(world.district)
    url = reverse("proposal_edit", args=[proposal.pk])
    page_1, page_2 = first.get(url), second.get(url)

    assert first.post(url, form_data(page_1, goal="业主写的", action="save")).status_code == 302
    refused = second.post(url, form_data(page_2, goal="城区写的", action="save"))

    assert "其他人已修改" in text(refused)
    assert Proposal.objects.get(pk=proposal.pk).goal == "业主写的"
