"""The annual list pages: the year's totals and entries with their filters, the 超亿元 view, the entry
page, the office's edit (with the monthly curve) and additions, batches; drafts only for the office."""

import pytest
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.plans import services
from keyprojects.plans.models import AnnualEntry, AnnualList, Batch, Category
from keyprojects.plans.tests.list_support import WAN, counts, form_data, make_world, text
from keyprojects.test import make_project


@pytest.fixture
def world(cast):
    world = make_world(cast)
    world.project_c = make_project(
        name="青秀区智慧物流园", owner=world.owner_a, district=world.district_a, sector=world.sector
    )
    world.entry_c = services.entry_create(
        annual_list=world.annual_list,
        batch=world.draft,
        project=world.project_c,
        by=world.staff,
        category=Category.PREPARATORY,
    )
    return world


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def _rows(response) -> list[str]:
    return [e.project.name for e in response.context["page"]]


# The list


def test_it_shows_the_current_years_list_with_totals_by_category(client, world):
    response = _get(client, world.staff, "annual_list")

    assert response.status_code == 200
    assert response.context["year"] == 2026
    totals = response.context["totals"]
    assert [(r["label"], r["count"], r["planned"]) for r in totals["by_category"]] == [
        ("新开工", 1, 120_000 * WAN),
        ("续建", 1, 5_000 * WAN),
        ("竣工投产", 0, 0),
        ("预备", 1, 0),
    ]
    assert (totals["count"], totals["planned"]) == (3, 125_000 * WAN)
    page = text(response)
    assert "合计 3 125,000 12.50" in page
    assert response.context["chart"] == {
        "categories": [
            {"name": "新开工", "value": "120000.0000"},
            {"name": "续建", "value": "5000.0000"},
            {"name": "竣工投产", "value": "0.0000"},
            {"name": "预备", "value": "0.0000"},
        ]
    }
    assert 'id="annual-chart-data"' in response.content.decode()
    assert "vendor/echarts/echarts.min.js" in response.content.decode()


def test_it_lists_entries_in_the_offices_order_with_links(client, world):
    response = _get(client, world.staff, "annual_list")

    assert _rows(response) == ["南宁市轨道交通5号线二期工程", "西乡塘区老旧小区改造项目", "青秀区智慧物流园"]
    html = response.content.decode()
    assert reverse("entry_detail", args=[world.entry_a.pk]) in html
    assert "3月开工" in html


def test_it_shows_drafts_to_the_office_only(client, world):
    assert "青秀区智慧物流园" in _rows(_get(client, world.staff, "annual_list"))
    for user in (world.leader, world.district, world.owner, world.department_user):
        response = _get(client, user, "annual_list")
        assert "青秀区智慧物流园" not in _rows(response), user
        assert response.context["totals"]["count"] == len(_rows(response))
        assert [b.name for b in response.context["form"].fields["batch"].queryset] == ["第一批"]
        assert _get(client, user, "entry_detail", world.entry_c.pk).status_code == 404


def test_it_counts_an_entry_without_a_batch_as_unpublished(client, world):
    AnnualEntry.objects.filter(pk=world.entry_b.pk).update(batch=None)

    assert "西乡塘区老旧小区改造项目" not in _rows(_get(client, world.owner_b_user, "annual_list"))
    assert _get(client, world.owner_b_user, "entry_detail", world.entry_b.pk).status_code == 404
    staff = _get(client, world.staff, "entry_detail", world.entry_b.pk)
    assert "未分批 草稿，未发布" in text(staff)


def test_it_scopes_the_list_by_role(client, world):
    assert _rows(_get(client, world.district, "annual_list")) == ["南宁市轨道交通5号线二期工程"]
    assert _rows(_get(client, world.owner_b_user, "annual_list")) == ["西乡塘区老旧小区改造项目"]
    assert _rows(_get(client, world.department_user, "annual_list")) == ["南宁市轨道交通5号线二期工程"]
    assert _rows(_get(client, world.leader, "annual_list")) == [
        "南宁市轨道交通5号线二期工程",
        "西乡塘区老旧小区改造项目",
    ]
    outsider = _get(client, world.outsider, "annual_list")
    assert _rows(outsider) == [] and outsider.context["totals"]["planned"] == 0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "continuing"}, ["西乡塘区老旧小区改造项目"]),
        ({"district": "B"}, ["西乡塘区老旧小区改造项目"]),
        ({"department": "D"}, ["南宁市轨道交通5号线二期工程"]),
        ({"leader": "L"}, ["南宁市轨道交通5号线二期工程"]),
        ({"batch": "draft"}, ["青秀区智慧物流园"]),
        ({"over_yi": "on"}, ["南宁市轨道交通5号线二期工程"]),
        ({"q": "5hx"}, ["南宁市轨道交通5号线二期工程"]),
        ({"q": "gdjt"}, ["南宁市轨道交通5号线二期工程", "青秀区智慧物流园"]),
        ({"q": "老旧小区"}, ["西乡塘区老旧小区改造项目"]),
        ({"q": "2411-450100"}, ["南宁市轨道交通5号线二期工程"]),
        ({"q": "没有这个"}, []),
    ],
)
def test_it_filters_the_list(client, world, params, expected):
    ids = {
        "B": world.district_b.pk,
        "D": world.department.pk,
        "L": world.leader.pk,
        "draft": world.draft.pk,
    }
    response = _get(client, world.staff, "annual_list", **{k: ids.get(v, v) for k, v in params.items()})

    assert not response.context["form"].errors
    assert _rows(response) == expected
    assert response.context["totals"]["count"] == len(expected)


def test_it_shows_the_over_yi_projects_with_their_own_totals(client, world):
    response = _get(client, world.staff, "annual_list", over_yi="on")

    assert response.context["over_yi"] is True
    assert response.context["totals"]["planned"] == 120_000 * WAN
    assert "超亿元项目合计" in text(response)
    assert "<title>超亿元项目 ·" in response.content.decode()


def test_it_takes_an_entry_of_exactly_one_yi_as_over_yi(client, world):
    AnnualEntry.objects.filter(pk=world.entry_b.pk).update(planned_investment=10_000 * WAN)
    AnnualEntry.objects.filter(pk=world.entry_a.pk).update(planned_investment=10_000 * WAN - 1)

    assert _rows(_get(client, world.staff, "annual_list", over_yi="on")) == ["西乡塘区老旧小区改造项目"]


def test_it_answers_htmx_with_the_results_only(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("annual_list"), {"category": "new_start"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html and 'id="entries"' in html and 'id="totals"' in html
    assert "annual-chart-data" in html


def test_it_switches_years_and_offers_the_office_a_first_batch(client, world):
    response = _get(client, world.staff, "annual_list", year="2027")

    assert response.context["annual"] is None
    assert "2027年清单尚未建立。" in text(response)
    assert reverse("batch_create", args=[2027]) in response.content.decode()
    assert 2026 in response.context["years"]
    assert (
        reverse("batch_create", args=[2027])
        not in _get(client, world.owner, "annual_list", year="2027").content.decode()
    )


@pytest.mark.parametrize("year", ["abc", "1800", ""])
def test_it_falls_back_to_the_current_year(client, world, year):
    assert _get(client, world.staff, "annual_list", year=year).context["year"] == 2026


def test_it_shows_the_office_its_batches_and_what_waits(client, world):
    response = _get(client, world.staff, "annual_list")

    batches = response.context["batches"]
    assert [(b.name, b.entry_count, b.planned) for b in batches] == [
        ("第一批", 2, 125_000 * WAN),
        ("第二批", 1, None),
    ]
    assert response.context["pending"] == {"proposals": 0, "plan_changes": 0}
    assert "batches" not in _get(client, world.district, "annual_list").context


# The entry page


def test_it_shows_the_entry_with_its_plan_curve_departments_and_history(client, world):
    response = _get(client, world.department_user, "entry_detail", world.entry_a.pk)

    assert response.status_code == 200
    page = text(response)
    assert "年度计划投资（万元） 120,000" in page
    assert "计划开工月份 3月" in page
    assert "责任单位 市发展和改革委员会" in page
    assert "联系市领导 leader" in page
    rows = response.context["month_rows"]
    assert [r["amount"] for r in rows] == [10_000 * WAN] * 12
    assert (rows[5]["through"], rows[5]["percent"]) == (60_000 * WAN, 50.0)
    assert "未填分月计划，按 12 个月平均分配" in page
    assert world.project_a.get_absolute_url() in response.content.decode()
    assert "编辑" not in page.split("项目档案")[1].split("计划")[0]  # a department reads


def test_it_shows_the_completion_month_of_a_project_to_complete(client, world):
    AnnualEntry.objects.filter(pk=world.entry_b.pk).update(
        category=Category.COMPLETING, planned_completion_month=11
    )

    page = text(_get(client, world.owner_b_user, "entry_detail", world.entry_b.pk))

    assert "计划竣工月份 11月" in page
    assert "计划开工月份" not in page


def test_it_shows_the_entrys_history(client, world):
    client.force_login(world.staff)
    url = reverse("entry_edit", args=[world.entry_a.pk])
    client.post(url, form_data(client.get(url), goal="完成盾构区间"))

    history = text(client.get(reverse("entry_detail", args=[world.entry_a.pk]))).split("修改记录")[1]

    assert "staff 修改 2026 南宁市轨道交通5号线二期工程" in history
    assert "年度形象进度目标：完成主体结构施工 → 完成盾构区间" in history


# Editing an entry, with its monthly curve


def test_it_saves_a_monthly_curve_that_adds_up(client, world):
    client.force_login(world.staff)
    url = reverse("entry_edit", args=[world.entry_a.pk])
    months = {f"m{m}": "10000" for m in range(1, 12)}
    months["m12"] = "10000.0000"

    response = client.post(url, form_data(client.get(url), **months))

    assert response.status_code == 302
    assert AnnualEntry.objects.get(pk=world.entry_a.pk).monthly_plan == [10_000 * WAN] * 12


def test_it_names_the_difference_when_the_curve_misses_and_saves_nothing(client, world):
    client.force_login(world.staff)
    url = reverse("entry_edit", args=[world.entry_a.pk])
    months = {f"m{m}": "10000" for m in range(1, 13)}
    months["m12"] = "9999.5"
    before = counts()

    response = client.post(url, form_data(client.get(url), **months))

    assert response.status_code == 200
    assert response.context["form"].errors["monthly_plan"] == [
        "12 个月计划合计 119,999.5 万元，比年度计划投资 120,000 万元少 0.5 万元，两者须完全相等。"
    ]
    assert "比年度计划投资 120,000 万元少 0.5 万元" in text(response)
    assert 'name="m12" value="9999.5"' in response.content.decode()
    assert counts() == before


def test_it_asks_for_all_twelve_months_or_none(client, world):
    client.force_login(world.staff)
    url = reverse("entry_edit", args=[world.entry_a.pk])

    response = client.post(url, form_data(client.get(url), m1="60000", m2="60000"))

    assert response.context["form"].errors["monthly_plan"] == [
        "分月计划请把 12 个月都填上（未填：3、4、5、6、7、8、9、10、11、12 月；没有安排的月份填 0），"
        "或全部留空按平均分配。"
    ]


def test_it_goes_back_to_an_even_split_when_the_months_are_emptied(client, world):
    AnnualEntry.objects.filter(pk=world.entry_a.pk).update(monthly_plan=[10_000 * WAN] * 12)
    client.force_login(world.staff)
    url = reverse("entry_edit", args=[world.entry_a.pk])
    page = client.get(url)
    assert 'name="m1" value="10000"' in page.content.decode()

    response = client.post(url, form_data(page, **{f"m{m}": "" for m in range(1, 13)}))

    assert response.status_code == 302
    assert AnnualEntry.objects.get(pk=world.entry_a.pk).monthly_plan is None


def test_it_refuses_a_later_edit_of_the_same_version_and_keeps_the_input(world):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(world.staff)
    second.force_login(world.admin)
    url = reverse("entry_edit", args=[world.entry_a.pk])
    page_1, page_2 = first.get(url), second.get(url)

    assert first.post(url, form_data(page_1, goal="甲的目标")).status_code == 302
    refused = second.post(url, form_data(page_2, goal="乙的目标"))

    assert refused.status_code == 200
    assert "其他人已修改" in text(refused) and 'id="conflict"' in refused.content.decode()
    assert "乙的目标" in refused.content.decode()
    assert AnnualEntry.objects.get(pk=world.entry_a.pk).goal == "甲的目标"
    assert second.post(url, refused.context["form"].data).status_code == 302  # a deliberate second save


def test_it_offers_no_plan_field_change_on_a_published_entry(client, world):
    client.force_login(world.staff)
    url = reverse("entry_edit", args=[world.entry_a.pk])

    response = client.post(url, form_data(client.get(url), planned_investment="130000"))

    assert response.status_code == 200
    assert "只能通过“计划调整”申请变更" in text(response)
    assert "batch" not in response.context["form"].fields


def test_it_moves_a_draft_entry_to_another_draft_batch(client, world):
    third = services.batch_create(year=2026, by=world.staff)
    client.force_login(world.staff)
    url = reverse("entry_edit", args=[world.entry_c.pk])
    page = client.get(url)
    assert [b.name for b in page.context["form"].fields["batch"].queryset] == ["第二批", "第三批"]

    assert client.post(url, form_data(page, batch=str(third.pk))).status_code == 302
    assert AnnualEntry.objects.get(pk=world.entry_c.pk).batch == third


# Adding a project to a year's list


def test_it_adds_a_project_by_its_code_or_name_into_the_chosen_draft_batch(client, world):
    project = make_project(
        name="五象新区综合管廊",
        owner=world.owner_b,
        district=world.district_b,
        sector=world.sector,
        code="2501-450100-04-01-123456",
    )
    client.force_login(world.staff)
    url = reverse("entry_create", args=[2026])
    page = client.get(url, {"batch": world.draft.pk})
    assert "2501-450100-04-01-123456 五象新区综合管廊" in page.content.decode()  # a suggestion
    assert "南宁市轨道交通5号线二期工程" not in page.content.decode()  # already on the list

    response = client.post(
        url,
        form_data(
            page,
            project="2501-450100-04-01-123456 五象新区综合管廊",
            category="new_start",
            planned_investment="8000",
            planned_start_month="6",
            departments=[str(world.other_department.pk)],
        ),
    )

    entry = AnnualEntry.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == reverse("entry_detail", args=[entry.pk])
    assert (entry.batch, entry.category, entry.planned_investment, entry.planned_start_month) == (
        world.draft,
        "new_start",
        8_000 * WAN,
        6,
    )
    assert list(project.departments.all()) == [world.other_department]

    other = make_project(
        name="邕江综合整治", owner=world.owner_b, district=world.district_b, sector=world.sector
    )
    response = client.post(
        url, form_data(page, project="邕江综合整治", category="preparatory", batch=str(world.draft.pk))
    )
    assert response.status_code == 302, response.context["form"].errors
    assert AnnualEntry.objects.filter(project=other).exists()


def test_it_explains_what_is_missing_when_adding(client, world):
    client.force_login(world.staff)
    url = reverse("entry_create", args=[2026])
    before = counts()

    response = client.post(
        url,
        {"project": "南宁市轨道交通5号线二期工程", "category": "new_start", "batch": str(world.draft.pk)},
    )

    errors = response.context["form"].errors
    assert errors["project"] == [
        "找不到项目“南宁市轨道交通5号线二期工程”，或您无权选择它（已在清单中的项目不能重复加入）。请从下拉建议中选择。"
    ]
    assert counts() == before


def test_it_asks_for_a_draft_batch_before_adding(client, world):
    services.batch_publish(batch=world.draft, by=world.staff)
    client.force_login(world.staff)

    page = client.get(reverse("entry_create", args=[2026]))

    assert "2026年清单没有草稿批次" in text(page)


def test_it_answers_404_for_a_year_without_a_list(client, world):
    assert _get(client, world.staff, "entry_create", 2030).status_code == 404


# Batches on their page


def test_it_creates_a_batch_from_its_page_and_publishes_it(client, world):
    client.force_login(world.staff)
    page = client.get(reverse("batch_create", args=[2027]))
    assert page.context["form"]["name"].value() == "第一批"

    response = client.post(reverse("batch_create", args=[2027]), {"name": ""})

    batch = Batch.objects.get(annual_list__year=2027)
    assert response["Location"] == reverse("batch_detail", args=[batch.pk])
    assert AnnualList.objects.get(year=2027).title == "2027年重点项目清单"

    response = client.post(reverse("batch_publish", args=[batch.pk]), follow=True)
    assert "“第一批”中还没有项目，不能发布。" in text(response)

    detail = client.get(reverse("batch_detail", args=[world.draft.pk]))
    assert _rows(detail) == ["青秀区智慧物流园"]
    response = client.post(reverse("batch_publish", args=[world.draft.pk]), follow=True)
    assert "第二批已发布，其中的项目列入正式清单。" in text(response)
    assert "青秀区智慧物流园" in _rows(_get(client, world.owner, "annual_list"))
    assert AuditEntry.objects.filter(
        model="plans.Batch", object_id=str(world.draft.pk), action="update"
    ).exists()
