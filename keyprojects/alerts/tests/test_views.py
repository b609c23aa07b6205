"""The warning centre's pages, rule settings, operating projects and reminders, as users meet them."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.alerts.models import (
    Level,
    OperatingActual,
    OperatingTarget,
    ProjectWarning,
    WarningDirty,
    WarningRule,
)
from keyprojects.alerts.services import warnings_recompute_all
from keyprojects.audit.models import AuditEntry
from keyprojects.notifications.models import Kind, Notification
from keyprojects.projects.models import PrelimItem, Project, Sector, Stage
from keyprojects.projects.services import project_update
from keyprojects.tasks.models import Task
from keyprojects.test import make_project

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def late_items(cast, count, *, project=None):
    """COUNT projects (or PROJECT) with a preliminary item far past its planned date: red warnings."""
    projects = [project] if project else []
    if not project:
        start = Project.objects.count()
        projects = Project.objects.bulk_create(
            Project(
                name=f"预警测试项目{i}",
                owner=cast.owner_a,
                district=cast.district_a if i % 2 else cast.district_b,
                sector=cast.sector,
                total_investment=10_000_000,
                start_year=2025,
                end_year=2027,
            )
            for i in range(start, start + count)
        )
    PrelimItem.objects.bulk_create(
        PrelimItem(project=p, kind="eia", planned_date=dt.date(2026, 6, 1)) for p in projects
    )
    warnings_recompute_all()


def test_it_shows_counts_by_rule_and_level_and_the_warnings(client, cast):
    late_items(cast, 0, project=cast.project_a)
    client.force_login(cast.staff)
    response = client.get(reverse("warning_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "预警中心" in html
    assert "前期事项“环评”计划2026-06-01完成" in html
    assert response.context["totals"]["red"] == 1
    assert 'id="warning-chart"' in html


def test_it_filters_warnings_by_district_rule_and_level(client, cast):
    late_items(cast, 0, project=cast.project_a)
    late_items(cast, 0, project=cast.project_b)
    client.force_login(cast.staff)
    response = client.get(reverse("warning_list"), {"district": cast.district_b.pk})
    assert [w.project for w in response.context["page"]] == [cast.project_b]
    response = client.get(reverse("warning_list"), {"rule": "task"})
    assert list(response.context["page"]) == []
    response = client.get(reverse("warning_list"), {"level": "yellow"})
    assert list(response.context["page"]) == []


def test_it_shows_a_district_only_its_own_warnings(client, cast):
    late_items(cast, 0, project=cast.project_a)
    late_items(cast, 0, project=cast.project_b)
    client.force_login(cast.district)
    response = client.get(reverse("warning_list"))
    assert [w.project for w in response.context["page"]] == [cast.project_a]
    assert response.context["totals"]["red"] == 1
    other = ProjectWarning.objects.get(project=cast.project_b)
    assert client.get(reverse("warning_detail", args=[other.pk])).status_code == 404
    # Its filters offer no other district (nor 全部城区), and its table has no 城区 column; the office's
    # offer every district and name each light's.
    html = response.content.decode()
    assert 'name="district"' not in html and ">城区</th>" not in html
    assert [
        w.project
        for w in client.get(reverse("warning_list"), {"district": cast.district_b.pk}).context["page"]
    ] == [cast.project_a]
    client.force_login(cast.staff)
    html = client.get(reverse("warning_list")).content.decode()
    assert 'name="district"' in html and ">城区</th>" in html and cast.district_b.label in html


def test_it_lists_few_and_many_warnings_with_the_same_queries(client, cast):
    def count():
        client.force_login(cast.staff)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("warning_list")).status_code == 200
            assert (
                client.get(
                    reverse("warning_list"), {"category": "new_start", "sector": cast.sector.pk}
                ).status_code
                == 200
            )
        return len(queries)

    late_items(cast, 3)
    few = count()
    late_items(cast, 120)
    assert ProjectWarning.objects.count() > 100
    assert count() == few


def test_it_exports_the_filtered_warnings_to_excel(client, cast):
    late_items(cast, 0, project=cast.project_a)
    PrelimItem.objects.filter(project=cast.project_a).update(note="x")
    client.force_login(cast.staff)
    response = client.get(reverse("warning_export"), {"level": "red"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("规则", "等级", "项目名称")
    assert rows[1][0] == "前期工作事项" and rows[1][1] == "红灯"
    assert rows[1][2] == cast.project_a.name


def test_it_shows_a_warning_with_its_history(client, cast):
    item = PrelimItem.objects.create(project=cast.project_a, kind="eia", planned_date=dt.date(2026, 11, 1))
    warnings_recompute_all()  # 19 days: yellow
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, tzinfo=SHANGHAI), tick=False):
        warnings_recompute_all()  # red
        item.actual_date = dt.date(2026, 12, 4)
        item.save()
        warnings_recompute_all()  # done: green again
    warning = ProjectWarning.objects.get()
    client.force_login(cast.owner)
    html = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert html.count("badge text-bg-") >= 5  # the light, new yellow, yellow → red, red → green
    assert [c.to_level for c in warning.changes.all()] == [Level.YELLOW, Level.RED, Level.GREEN]


def test_it_shows_the_thresholds_that_fired_a_light_after_the_office_changed_them(client, cast):
    item = PrelimItem.objects.create(project=cast.project_a, kind="eia", planned_date=dt.date(2026, 10, 1))
    warnings_recompute_all()  # 50 days late: red, more than 30
    item.actual_date = dt.date(2026, 11, 20)
    item.save()
    warnings_recompute_all()  # done: green again, keeping the 30 it was red on
    WarningRule.objects.filter(code="prelim").update(params={"red_after_days": 60})
    warning = ProjectWarning.objects.get()
    client.force_login(cast.staff)
    response = client.get(reverse("warning_detail", args=[warning.pk]))
    assert [(t["label"], t["value"], t["now"]) for t in response.context["thresholds"]] == [
        ("计划日期过后超过天数（红灯）", 30, 60)
    ]
    html = response.content.decode()
    assert "（现行阈值已改为 60）" in html
    history = [c.threshold_rows for c in response.context["changes"]]
    assert [[(t["label"], t["value"]) for t in rows] for rows in history] == [
        [("计划日期过后超过天数（红灯）", 30)],
        [("计划日期过后超过天数（红灯）", 30)],
    ]
    assert html.count("计划日期过后超过天数（红灯）：30") == 2


def test_it_lets_the_office_change_a_threshold_audited_and_applied_at_once(client, cast):
    PrelimItem.objects.create(project=cast.project_a, kind="eia", planned_date=dt.date(2026, 11, 1))
    warnings_recompute_all()
    assert ProjectWarning.objects.get().level == Level.YELLOW
    rule = WarningRule.objects.get(code="prelim")
    client.force_login(cast.staff)
    data = {
        "version": rule.version,
        "is_active": "on",
        "remind": "on",
        "remind_workdays_before": 3,
        "red_after_days": 10,
    }
    response = client.post(reverse("warning_rule_edit", args=[rule.pk]), data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.params == {"red_after_days": 10}
    assert ProjectWarning.objects.get().level == Level.RED
    assert AuditEntry.objects.filter(model="alerts.WarningRule", object_id=str(rule.pk)).exists()
    # A second edit on the old version is refused, not applied.
    response = client.post(reverse("warning_rule_edit", args=[rule.pk]), {**data, "red_after_days": 50})
    assert response.status_code == 200
    assert "其他人已修改" in response.content.decode()
    rule.refresh_from_db()
    assert rule.params == {"red_after_days": 10}


def test_it_refuses_a_red_threshold_below_the_yellow_one(client, cast):
    rule = WarningRule.objects.get(code="investment")
    client.force_login(cast.staff)
    data = {
        "version": rule.version,
        "is_active": "on",
        "remind_workdays_before": 3,
        "yellow_points": 20,
        "red_points": 15,
    }
    response = client.post(reverse("warning_rule_edit", args=[rule.pk]), data)
    assert "红灯阈值不能小于黄灯阈值" in response.content.decode()


def test_it_turns_the_statistics_warning_green_when_the_project_is_registered(cast):
    project = cast.project_b
    project.stage = Stage.CONSTRUCTION
    project.start_date = dt.date(2026, 6, 1)
    project.save()
    warnings_recompute_all()
    assert ProjectWarning.objects.get(rule__code="statistics").level == Level.RED
    project_update(
        project=project,
        by=cast.staff,
        expected_version=project.version,
        statistics_registered=True,
        statistics_date=dt.date(2026, 11, 18),
    )
    assert ProjectWarning.objects.get(rule__code="statistics").level == Level.GREEN


def test_it_refuses_a_registration_without_its_date(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="须填写入统日期"):
        project_update(
            project=cast.project_b,
            by=cast.staff,
            expected_version=cast.project_b.version,
            statistics_registered=True,
        )


def completed_industry(cast):
    industry = Sector.objects.create(name="先进制造产业")
    project = make_project(
        name="新能源电池产业园",
        owner=cast.owner_a,
        district=cast.district_a,
        sector=industry,
        stage=Stage.COMPLETED,
        start_date=dt.date(2024, 3, 1),
        completion_date=dt.date(2026, 2, 10),
    )
    return project


def test_it_sets_targets_and_enters_monthly_actuals_of_an_operating_project(client, cast):
    project = completed_industry(cast)
    warnings_recompute_all()
    assert (
        ProjectWarning.objects.get(rule__code="operating").level == Level.YELLOW
    )  # 9 months, default limit 6
    client.force_login(cast.owner)
    response = client.post(
        reverse("operating_target", args=[project.pk]),
        {"output_value": "12000", "tax": "600", "jobs": "300", "months_to_produce": "12"},
    )
    assert response.status_code == 302
    assert OperatingTarget.objects.get(project=project).output_value == 120_000_000
    assert ProjectWarning.objects.get(rule__code="operating").level == Level.GREEN  # 9 of 12 months
    response = client.post(
        reverse("operating_actual", args=[project.pk]),
        {"year": 2026, "month": 10, "output_value": "800.5", "tax": "40", "jobs": "120"},
    )
    assert response.status_code == 302
    actual = OperatingActual.objects.get(project=project)
    assert (actual.output_value, actual.jobs) == (8_005_000, 120)
    html = client.get(reverse("operating_detail", args=[project.pk])).content.decode()
    assert "800.5" in html and 'id="operating-chart"' in html


def test_it_refuses_a_future_month_and_a_silent_overwrite(client, cast):
    project = completed_industry(cast)
    client.force_login(cast.owner)
    url = reverse("operating_actual", args=[project.pk])
    data = {"year": 2026, "month": 12, "output_value": "1", "tax": "0", "jobs": "1"}
    assert "不能填报未来月份" in client.post(url, data).content.decode()
    client.post(url, {**data, "month": 10})
    response = client.post(url, {**data, "month": 10, "output_value": "2"})  # opened before the first save
    assert "其他人已修改" in response.content.decode()
    assert OperatingActual.objects.get().output_value == 10_000


def test_it_reminds_a_task_before_its_deadline_and_when_missed_once(cast):
    task = Task.objects.create(
        project=cast.project_a,
        title="办理施工许可",
        responsible_unit=cast.department,
        deadline=dt.date(2026, 11, 25),
        created_by=cast.staff,
    )
    call_command("send_reminders", stdout=io.StringIO())
    call_command("send_reminders", stdout=io.StringIO())
    due = Notification.objects.filter(kind=Kind.TASK_DUE)
    assert [n.recipient for n in due] == [cast.department_user]
    with time_machine.travel(dt.datetime(2026, 11, 26, 9, tzinfo=SHANGHAI), tick=False):
        call_command("send_reminders", stdout=io.StringIO())
        call_command("send_reminders", stdout=io.StringIO())
    assert (
        Notification.objects.filter(kind=Kind.TASK_OVERDUE, key__startswith=f"task:{task.pk}:").count() == 1
    )


def test_it_sends_no_task_reminders_when_the_office_switched_them_off(cast):
    WarningRule.objects.filter(code="task").update(remind=False)
    Task.objects.create(
        project=cast.project_a,
        title="办理施工许可",
        responsible_unit=cast.department,
        deadline=dt.date(2026, 11, 20),
        created_by=cast.staff,
    )
    call_command("send_reminders", stdout=io.StringIO())
    assert not Notification.objects.filter(kind__in=[Kind.TASK_DUE, Kind.TASK_OVERDUE]).exists()


def test_it_tells_the_district_and_the_office_of_a_red_warning_once(cast):
    late_items(cast, 0, project=cast.project_a)
    call_command("recompute_warnings", stdout=io.StringIO())
    call_command("send_reminders", stdout=io.StringIO())
    call_command("send_reminders", stdout=io.StringIO())
    told = set(Notification.objects.filter(kind=Kind.WARNING).values_list("recipient__username", flat=True))
    assert told == {"admin", "staff", "district"}
    assert Notification.objects.filter(kind=Kind.WARNING).count() == 3


def test_it_turns_the_reporting_light_green_once_the_missing_report_is_handed_in(
    cast, django_capture_on_commit_callbacks
):
    from keyprojects.plans.models import MonthlyReport
    from keyprojects.plans.report_services import monthly_report_save
    from keyprojects.plans.tests.cast import plans_cast

    world = plans_cast(cast)
    world.batch.published_at = dt.datetime(2025, 12, 20, tzinfo=SHANGHAI)
    world.batch.save()
    for month in range(1, 10):
        MonthlyReport.objects.create(entry=world.entry_b, month=month, amount=1_000_000, status="approved")
    warnings_recompute_all()
    assert ProjectWarning.objects.get(rule__code="reporting", project=world.project_b).level == Level.YELLOW
    with django_capture_on_commit_callbacks(execute=True):
        monthly_report_save(
            entry=world.entry_b,
            month=10,
            by=world.owner_b_user,
            amount=1_000_000,
            progress="主体完工",
            submit=True,
        )
    # The submission only marks the project; the job a minute later turns the light.
    assert ProjectWarning.objects.get(rule__code="reporting", project=world.project_b).level == Level.YELLOW
    call_command("refresh_dirty_warnings", stdout=io.StringIO())
    assert ProjectWarning.objects.get(rule__code="reporting", project=world.project_b).level == Level.GREEN
    assert not WarningDirty.objects.exists()
