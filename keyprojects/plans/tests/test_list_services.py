"""The rules of an annual entry: what each category must carry, months, the monthly curve, the
departments the scoping gate relies on, the published plan that only a plan change may move."""

import pytest
from django.core.exceptions import ValidationError

from keyprojects.audit.models import AuditEntry
from keyprojects.lib.locking import EditConflict
from keyprojects.plans import services
from keyprojects.plans.access import entries_visible_to, reports_visible_to
from keyprojects.plans.models import AnnualEntry, Batch, Category, MonthlyReport
from keyprojects.plans.tests.list_support import WAN, counts, make_world
from keyprojects.projects.models import Project
from keyprojects.test import Role, make_project, make_user


@pytest.fixture
def world(cast):
    world = make_world(cast)
    world.project_c = make_project(
        name="青秀区智慧物流园", owner=world.owner_a, district=world.district_a, sector=world.sector
    )
    return world


def _create(world, **fields):
    values = {
        "annual_list": world.annual_list,
        "batch": world.draft,
        "project": world.project_c,
        "by": world.staff,
        "category": Category.CONTINUING,
        "planned_investment": 3_000 * WAN,
        **fields,
    }
    return services.entry_create(**values)


def _refused(call) -> dict:
    before = counts()
    with pytest.raises(ValidationError) as caught:
        call()
    assert counts() == before, "a refused call wrote something"
    return caught.value.message_dict


def test_it_puts_a_project_on_the_list_in_a_draft_batch_and_records_it(world):
    entry = _create(world, goal="完成主体", note="随报随审")

    assert (entry.annual_list, entry.batch, entry.version) == (world.annual_list, world.draft, 1)
    record = AuditEntry.objects.get(model="plans.AnnualEntry", object_id=str(entry.pk))
    assert (record.action, record.user, record.project) == ("create", world.staff, world.project_c)
    assert record.changes["年度计划投资（万元）"] == ["", "3,000"]
    assert record.changes["分月计划"] == ["", "平均分配"]


def test_it_lets_a_preparatory_entry_go_without_planned_investment(world):
    entry = _create(world, category=Category.PREPARATORY, planned_investment=None)

    assert entry.planned_investment is None
    assert entry.planned_through(12) == 0


@pytest.mark.parametrize(
    ("category", "label"),
    [(Category.NEW_START, "新开工"), (Category.CONTINUING, "续建"), (Category.COMPLETING, "竣工投产")],
)
def test_it_requires_planned_investment_for_every_other_category(world, category, label):
    errors = _refused(
        lambda: _create(
            world,
            category=category,
            planned_investment=None,
            planned_start_month=3,
            planned_completion_month=9,
        )
    )

    assert errors == {
        "planned_investment": [f"“{label}”项目必须填写年度计划投资（万元）；只有“预备”项目可以不填。"]
    }


def test_it_takes_zero_as_a_planned_investment(world):
    assert _create(world, planned_investment=0).planned_investment == 0


def test_it_requires_a_start_month_for_a_new_start(world):
    errors = _refused(lambda: _create(world, category=Category.NEW_START))

    assert errors == {"planned_start_month": ["“新开工”项目必须填写计划开工月份。"]}


def test_it_requires_a_completion_month_for_a_project_to_complete(world):
    errors = _refused(lambda: _create(world, category=Category.COMPLETING))

    assert errors == {"planned_completion_month": ["“竣工投产”项目必须填写计划竣工月份。"]}


@pytest.mark.parametrize("month", [0, 13, -1, 100])
def test_it_refuses_months_outside_1_to_12(world, month):
    errors = _refused(
        lambda: _create(
            world, category=Category.NEW_START, planned_start_month=month, planned_completion_month=month
        )
    )

    assert errors["planned_start_month"] == [f"计划开工月份应为 1 至 12 之间的月份，不能是“{month}”。"]
    assert errors["planned_completion_month"] == [f"计划竣工月份应为 1 至 12 之间的月份，不能是“{month}”。"]


@pytest.mark.parametrize("month", [1, 12])
def test_it_takes_the_first_and_the_last_month(world, month):
    entry = _create(world, category=Category.COMPLETING, planned_completion_month=month)

    assert entry.planned_completion_month == month


def test_it_refuses_a_negative_plan(world):
    errors = _refused(lambda: _create(world, planned_investment=-1))

    assert errors == {"planned_investment": ["年度计划投资不能为负数。"]}


def test_it_takes_a_monthly_curve_that_adds_up_to_the_plan_exactly(world):
    curve = [0, 0, 100 * WAN, 200 * WAN, 300 * WAN, 300 * WAN, 300 * WAN, 300 * WAN]
    curve += [500 * WAN, 500 * WAN, 500 * WAN, 1]
    plan = sum(curve)

    entry = _create(world, planned_investment=plan, monthly_plan=curve)

    assert entry.monthly_plan == curve
    assert entry.planned_through(3) == 100 * WAN
    assert entry.planned_through(12) == plan


@pytest.mark.parametrize(
    ("last_month", "message"),
    [
        (
            1_000 * WAN - 1,
            "12 个月计划合计 11,999.9999 万元，比年度计划投资 12,000 万元少 0.0001 万元，两者须完全相等。",
        ),
        (1_250 * WAN, "12 个月计划合计 12,250 万元，比年度计划投资 12,000 万元多 250 万元，两者须完全相等。"),
    ],
)
def test_it_names_the_difference_when_the_curve_misses_the_plan(world, last_month, message):
    curve = [1_000 * WAN] * 11 + [last_month]

    errors = _refused(lambda: _create(world, planned_investment=12_000 * WAN, monthly_plan=curve))

    assert errors == {"monthly_plan": [message]}


@pytest.mark.parametrize(
    ("curve", "message"),
    [
        ([100] * 11, "分月计划应为 1 至 12 月共 12 个金额。"),
        ([100] * 11 + [1.5], "分月计划应为 1 至 12 月共 12 个金额。"),
        ([-100, 1300] + [0] * 10, "分月计划的金额不能为负数。"),
    ],
)
def test_it_refuses_a_curve_that_is_not_twelve_amounts(world, curve, message):
    errors = _refused(lambda: _create(world, planned_investment=1200, monthly_plan=curve))

    assert errors == {"monthly_plan": [message]}


def test_it_refuses_a_curve_without_an_annual_plan(world):
    errors = _refused(
        lambda: _create(world, category=Category.PREPARATORY, planned_investment=None, monthly_plan=[0] * 12)
    )

    assert errors == {"monthly_plan": ["没有年度计划投资的项目不能填写分月计划。"]}


def test_it_refuses_a_project_already_on_the_years_list(world):
    errors = _refused(lambda: _create(world, project=world.project_a))

    assert errors == {"project": ["“南宁市轨道交通5号线二期工程”已在2026年清单中。"]}


def test_it_adds_to_draft_batches_only(world):
    errors = _refused(lambda: _create(world, batch=world.batch))

    assert errors == {"batch": ["“第一批”已发布，新增项目只能放入草稿批次。"]}


def test_it_refuses_a_batch_of_another_year(world):
    other = services.batch_create(year=2027, by=world.staff)

    errors = _refused(lambda: _create(world, batch=other))

    assert errors == {"batch": ["请选择2026年清单的一个草稿批次。"]}


def test_it_refuses_an_owner_as_a_responsible_department(world):
    errors = _refused(lambda: _create(world, departments=[world.owner_a]))

    assert errors == {"departments": ["责任单位只能选择市直部门。"]}


def test_it_reports_every_broken_rule_at_once(world):
    errors = _refused(
        lambda: _create(
            world,
            project=world.project_a,
            category=Category.NEW_START,
            planned_investment=None,
            batch=world.batch,
        )
    )

    assert set(errors) == {"planned_investment", "planned_start_month", "batch", "project"}


# The scoping gate lets a department see an entry through the PROJECT's departments.


def test_it_adds_the_entrys_departments_to_its_project(world):
    ecology = make_user("ecology", world.other_department, Role.DEPARTMENT)
    assert not entries_visible_to(ecology).exists()
    version = world.project_c.version

    entry = _create(world, departments=[world.other_department, world.department])
    # Outside the office only published entries are seen; publish, so the department's scope is the question.
    Batch.objects.filter(pk=world.draft.pk).update(status=Batch.Status.PUBLISHED)

    project = Project.objects.get(pk=world.project_c.pk)
    assert set(project.departments.all()) == {world.other_department, world.department}
    assert list(entries_visible_to(ecology)) == [entry]
    report = MonthlyReport.objects.create(entry=entry, month=1, amount=1)
    assert list(reports_visible_to(ecology)) == [report]
    # An edit of the project opened before would put the departments back without these: it is stale now.
    assert project.version == version + 1
    record = AuditEntry.objects.get(model="projects.Project", object_id=str(project.pk))
    assert record.changes == {"责任单位": ["", "市发展和改革委员会、市生态环境局"]}


def test_it_adds_departments_given_in_an_edit_too(world):
    entry = world.entry_b
    assert not world.project_b.departments.exists()

    services.entry_update(
        entry=entry, by=world.staff, expected_version=entry.version, departments=[world.other_department]
    )

    assert list(world.project_b.departments.all()) == [world.other_department]
    assert list(entry.departments.all()) == [world.other_department]


def test_it_leaves_the_project_alone_when_it_already_has_the_departments(world):
    version = world.project_a.version

    services.entry_update(
        entry=world.entry_a,
        by=world.staff,
        expected_version=world.entry_a.version,
        departments=[world.department],
    )

    assert Project.objects.get(pk=world.project_a.pk).version == version
    assert not AuditEntry.objects.filter(model="projects.Project").exists()


# Editing


def test_it_keeps_the_published_plan_for_plan_changes(world):
    entry = world.entry_a

    errors = _refused(
        lambda: services.entry_update(
            entry=entry, by=world.staff, expected_version=entry.version, planned_investment=1
        )
    )

    assert errors == {
        "planned_investment": [
            "该项目已在正式清单中，年度计划投资只能通过“计划调整”申请变更，以保留原计划（120,000 万元）。"
        ]
    }


def test_it_changes_the_curve_and_the_goal_of_a_published_entry(world):
    entry = world.entry_a
    curve = [10_000 * WAN] * 12

    services.entry_update(
        entry=entry, by=world.staff, expected_version=1, monthly_plan=curve, goal="完成主体结构和站点装修"
    )

    entry.refresh_from_db()
    assert (entry.monthly_plan, entry.goal, entry.version) == (curve, "完成主体结构和站点装修", 2)
    record = AuditEntry.objects.get(model="plans.AnnualEntry", action="update")
    assert record.changes["分月计划"] == ["平均分配", "、".join(f"{m}月10,000" for m in range(1, 13))]
    assert record.changes["年度形象进度目标"] == ["完成主体结构施工", "完成主体结构和站点装修"]


def test_it_changes_the_plan_of_a_draft_entry(world):
    entry = _create(world)

    services.entry_update(entry=entry, by=world.staff, expected_version=1, planned_investment=4_000 * WAN)

    assert AnnualEntry.objects.get(pk=entry.pk).planned_investment == 4_000 * WAN


def test_it_moves_a_draft_entry_between_draft_batches_only(world):
    entry = _create(world)
    third = services.batch_create(year=2026, by=world.staff)

    services.entry_update(entry=entry, by=world.staff, expected_version=1, batch=third)
    assert AnnualEntry.objects.get(pk=entry.pk).batch == third

    errors = _refused(
        lambda: services.entry_update(entry=entry, by=world.staff, expected_version=2, batch=world.batch)
    )
    assert errors == {"batch": ["只能移到2026年清单的草稿批次。"]}

    errors = _refused(
        lambda: services.entry_update(
            entry=world.entry_a, by=world.staff, expected_version=1, batch=world.draft
        )
    )
    assert errors == {"batch": ["“第一批”已发布，其中的项目不能移到其他批次。"]}


def test_it_refuses_an_edit_made_on_an_outdated_version(world):
    entry = world.entry_a
    services.entry_update(entry=entry, by=world.staff, expected_version=1, goal="第一人")
    stale = AnnualEntry.objects.get(pk=entry.pk)
    stale.version = 1

    before = counts()
    with pytest.raises(EditConflict):
        services.entry_update(entry=stale, by=world.admin, expected_version=1, goal="第二人")

    assert counts() == before
    assert AnnualEntry.objects.get(pk=entry.pk).goal == "第一人"


def test_it_checks_the_rules_against_the_new_values_and_the_stored_ones(world):
    entry = world.entry_a  # 新开工 in March

    errors = _refused(
        lambda: services.entry_update(
            entry=entry, by=world.staff, expected_version=1, planned_start_month=None
        )
    )

    assert errors == {"planned_start_month": ["“新开工”项目必须填写计划开工月份。"]}


# Batches


def test_it_numbers_the_batches_of_a_year_and_names_them_in_chinese(world):
    third = services.batch_create(year=2026, by=world.staff)
    first_2027 = services.batch_create(year=2027, by=world.staff)
    named = services.batch_create(year=2027, by=world.staff, name="第二批（随报随审）")

    assert (third.number, third.name) == (3, "第三批")
    assert (first_2027.number, first_2027.name, first_2027.annual_list.title) == (
        1,
        "第一批",
        "2027年重点项目清单",
    )
    assert (named.number, named.name, named.status) == (2, "第二批（随报随审）", Batch.Status.DRAFT)
    assert AuditEntry.objects.filter(model="plans.AnnualList").count() == 1
    assert AuditEntry.objects.filter(model="plans.Batch", action="create").count() == 3


@pytest.mark.parametrize("number", [10, 12, 20, 21, 99])
def test_it_writes_batch_numbers_as_officials_do(number):
    expected = {10: "第十批", 12: "第十二批", 20: "第二十批", 21: "第二十一批", 99: "第九十九批"}
    assert services.batch_default_name(number) == expected[number]


def test_it_refuses_a_batch_name_twice_and_a_year_out_of_range(world):
    errors = _refused(lambda: services.batch_create(year=2026, by=world.staff, name="第一批"))
    assert errors == {"name": ["2026年清单已有“第一批”。"]}

    errors = _refused(lambda: services.batch_create(year=1999, by=world.staff))
    assert errors == {"year": ["年度应在 2000 至 2100 之间。"]}


def test_it_publishes_a_batch_and_keeps_each_plan_as_the_baseline(world):
    entry = _create(world)
    services.entry_update(entry=entry, by=world.staff, expected_version=1, planned_investment=3_500 * WAN)

    batch = services.batch_publish(batch=world.draft, by=world.staff)

    assert (batch.status, batch.published_by) == (Batch.Status.PUBLISHED, world.staff)
    assert batch.published_at is not None
    entry = AnnualEntry.objects.get(pk=entry.pk)
    assert entry.baseline_investment == 3_500 * WAN
    # An edit form opened on the draft plays by the published rules now.
    assert entry.version == 3
    record = AuditEntry.objects.get(model="plans.Batch", action="update")
    assert record.changes["状态"] == ["草稿", "已发布"]


def test_it_refuses_to_publish_twice_or_an_empty_batch(world):
    errors = _refused(lambda: services.batch_publish(batch=world.batch, by=world.staff))
    assert errors["__all__"][0].startswith("“第一批”已于 ")
    assert errors["__all__"][0].endswith(" 发布，不能重复发布。")

    errors = _refused(lambda: services.batch_publish(batch=world.draft, by=world.staff))
    assert errors == {"__all__": ["“第二批”中还没有项目，不能发布。"]}
