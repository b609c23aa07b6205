"""The task pages as users meet them: lists with countdowns and filters, the project's list and
timeline, generating from a template, marking done with evidence, reopening, downloads, exports,
templates; and a fixed number of queries whatever the number of tasks."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from keyprojects.plans.models import AnnualEntry, AnnualList, Category
from keyprojects.tasks import services
from keyprojects.tasks.models import Task, TaskEvidence, TaskTemplate

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 20)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ), tick=True):
        yield


def _task(cast, project=None, unit=None, **kwargs):
    fields = {"title": "取得施工许可", "deadline": dt.date(2026, 11, 24)}
    return services.task_create(
        by=cast.staff,
        project=project or cast.project_a,
        responsible_unit=unit or cast.department,
        **{**fields, **kwargs},
    )


def _as(client, user):
    client.force_login(user)
    return client


def test_it_lists_the_tasks_with_working_day_countdowns(client, cast):
    _task(cast)  # 23 and 24 November remain
    _task(cast, title="完成征地", deadline=dt.date(2026, 11, 13), unit=cast.owner_a)
    page = _as(client, cast.staff).get(reverse("task_list")).content.decode()
    assert "剩余 2 个工作日" in page
    assert "逾期 5 个工作日" in page  # 16–20 November
    assert "南宁市轨道交通5号线二期工程" in page


def test_it_filters_overdue_and_due_within_n_working_days(client, cast):
    _task(cast, title="近期任务", deadline=dt.date(2026, 11, 24))
    _task(cast, title="较远任务", deadline=dt.date(2026, 12, 30))
    _task(cast, title="逾期任务", deadline=dt.date(2026, 11, 2))
    client = _as(client, cast.staff)
    page = client.get(reverse("task_list"), {"status": "overdue"}).content.decode()
    assert "逾期任务" in page and "近期任务" not in page
    page = client.get(reverse("task_list"), {"due_within": 3}).content.decode()
    assert "近期任务" in page and "较远任务" not in page and "逾期任务" not in page


def test_it_filters_by_category_and_district(client, cast):
    annual = AnnualList.objects.create(year=2026)
    AnnualEntry.objects.create(annual_list=annual, project=cast.project_a, category=Category.NEW_START)
    _task(cast, title="新开工任务")
    _task(cast, project=cast.project_b, unit=cast.owner_b, title="B 的任务")
    client = _as(client, cast.staff)
    page = client.get(reverse("task_list"), {"category": "new_start"}).content.decode()
    assert "新开工任务" in page and "B 的任务" not in page
    page = client.get(reverse("task_list"), {"district": cast.district_b.pk}).content.decode()
    assert "B 的任务" in page and "新开工任务" not in page


def test_it_shows_each_unit_its_own_tasks(client, cast):
    _task(cast, title="发改委的任务")
    _task(cast, title="业主的任务", unit=cast.owner_a)
    page = _as(client, cast.department_user).get(reverse("task_mine")).content.decode()
    assert "发改委的任务" in page and "业主的任务" not in page


def test_it_keeps_other_districts_tasks_out_of_view(client, cast):
    _task(cast, project=cast.project_b, unit=cast.owner_b, title="西乡塘的任务")
    page = _as(client, cast.district).get(reverse("task_list")).content.decode()
    assert "西乡塘的任务" not in page
    task = Task.objects.get()
    assert client.get(reverse("task_detail", args=[task.pk])).status_code == 404


def test_it_swaps_only_the_table_for_htmx(client, cast):
    _task(cast)
    response = _as(client, cast.staff).get(reverse("task_list"), {"q": "施工"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="tasks"' in body and "取得施工许可" in body


def test_it_exports_the_list_as_excel(client, cast):
    _task(cast, title='=HYPERLINK("http://x")')
    response = _as(client, cast.staff).get(reverse("task_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["D4"].value == '=HYPERLINK("http://x")' and ws["D4"].data_type == "s"
    assert ws["L4"].value == "剩余 2 个工作日"
    assert ws["I4"].value.date() == dt.date(2026, 11, 24)


def test_it_shows_the_project_list_and_timeline(client, cast):
    _task(cast, start_date=dt.date(2026, 11, 2))
    client = _as(client, cast.owner)
    page = client.get(reverse("task_project", args=[cast.project_a.pk])).content.decode()
    assert "取得施工许可" in page and "从模板生成任务清单" not in page
    page = client.get(reverse("task_timeline", args=[cast.project_a.pk])).content.decode()
    assert 'id="today-line"' in page and "kp-gantt-bar" in page
    detail = client.get(reverse("project_detail", args=[cast.project_a.pk])).content.decode()
    assert reverse("task_project", args=[cast.project_a.pk]) in detail


def test_it_generates_from_a_template_through_the_page(client, cast):
    annual = AnnualList.objects.create(year=2026)
    AnnualEntry.objects.create(
        annual_list=annual, project=cast.project_a, category=Category.NEW_START, planned_start_month=12
    )
    client = _as(client, cast.staff)
    url = reverse("task_generate", args=[cast.project_a.pk])
    form = client.get(url).content.decode()
    assert 'value="2026-12"' in form and "新开工项目标准任务清单" in form
    template = TaskTemplate.objects.get(category="new_start")
    response = client.post(url, {"template": template.pk, "planned_start": "2026-12"}, follow=True)
    assert "已从模板生成 11 项任务" in response.content.decode()
    assert Task.objects.filter(project=cast.project_a).count() == 11
    # Generating for a planned start in 2027, a provisional year, is accepted (deadlines shown 暂定).
    response = client.post(url, {"template": template.pk, "planned_start": "2027-03"}, follow=True)
    assert response.status_code == 200
    assert Task.objects.filter(project=cast.project_a).count() == 11  # the same items are skipped


def test_it_marks_a_task_done_with_evidence_and_reopens_it(client, cast):
    task = _task(cast)
    client = _as(client, cast.department_user)
    detail = client.get(task.get_absolute_url()).content.decode()
    assert 'id="mark-done"' in detail and "标记完成" in detail
    response = client.post(
        reverse("task_done", args=[task.pk]),
        {
            "completed_date": "2026-11-19",
            "version": task.version,
            "files": [SimpleUploadedFile("施工许可证.pdf", PDF, content_type="application/pdf")],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已标记完成" in page and "施工许可证.pdf" in page and "按期完成" in page
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.completed_date == dt.date(2026, 11, 19)
    evidence = TaskEvidence.objects.get()
    download = client.get(reverse("task_evidence_download", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    response = client.post(
        reverse("task_status", args=[task.pk]),
        {"status": "doing", "note": "证照有误", "version": task.version},
        follow=True,
    )
    task.refresh_from_db()
    assert task.status == Task.Status.DOING and task.completed_date is None
    assert "证照有误" in response.content.decode()  # the history stays on the page


def test_it_shows_the_reason_when_done_is_refused(client, cast):
    task = _task(cast)
    client = _as(client, cast.department_user)
    response = client.post(
        reverse("task_done", args=[task.pk]),
        {"completed_date": "2026-11-25", "files": [SimpleUploadedFile("x.exe", b"MZ" + b"0" * 20)]},
    )
    page = response.content.decode()
    assert "完成日期（2026-11-25）不能晚于今天（2026-11-20）。" in page
    assert "文件“x.exe”的类型不允许上传。" in page
    assert Task.objects.get().status == Task.Status.TODO


def test_it_uploads_evidence_from_the_detail_page(client, cast):
    task = _task(cast)
    client = _as(client, cast.owner)
    response = client.post(
        reverse("task_evidence_add", args=[task.pk]),
        {"files": [SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 40)], "note": "现场照片"},
        follow=True,
    )
    assert "已添加 2 份佐证材料" in response.content.decode()


def test_it_creates_and_edits_a_task_through_the_form(client, cast):
    client = _as(client, cast.district)
    url = reverse("task_create", args=[cast.project_a.pk])
    response = client.post(
        url,
        {
            "title": "完成交地",
            "responsible_unit": cast.owner_a.pk,
            "start_date": "2026-09-30",
            "deadline_workdays": 3,
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.deadline == dt.date(2026, 10, 10)
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        {
            "title": "完成交地",
            "responsible_unit": cast.owner_a.pk,
            "start_date": "2026-12-01",
            "deadline": "2026-11-30",
            "version": task.version,
        },
    )
    assert "不能早于开始日期" in response.content.decode()
    stale = {"title": "改名", "responsible_unit": cast.owner_a.pk, "deadline": "2026-12-30", "version": 0}
    response = client.post(reverse("task_edit", args=[task.pk]), stale)
    assert "其他人已修改了这条记录" in response.content.decode()
    assert Task.objects.get().title == "完成交地"


def test_it_lets_the_office_edit_templates(client, cast):
    client = _as(client, cast.staff)
    data = {
        "name": "续建（水利）",
        "category": "continuing",
        "is_active": "on",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-0-title": "完成年度投资",
        "items-0-responsible": "owner",
        "items-0-offset_workdays": "200",
        "items-1-responsible": "owner",
        "items-2-responsible": "owner",
    }
    response = client.post(reverse("task_template_create"), data)
    assert response.status_code == 302
    template = TaskTemplate.objects.get(name="续建（水利）")
    assert list(template.items.values_list("title", flat=True)) == ["完成年度投资"]
    assert "续建（水利）" in client.get(reverse("task_template_list")).content.decode()


def _bulk_tasks(cast, n):
    Task.objects.bulk_create(
        Task(
            project=cast.project_a if i % 2 else cast.project_b,
            title=f"任务{i}",
            responsible_unit=cast.department if i % 3 else cast.owner_a,
            deadline=dt.date(2026, 10, 1) + dt.timedelta(days=i % 120),
            status=Task.Status.DONE if i % 7 == 0 else Task.Status.TODO,
            completed_date=dt.date(2026, 11, 1) if i % 7 == 0 else None,
            created_by=cast.staff,
        )
        for i in range(n)
    )


@pytest.mark.parametrize(
    ("name", "user", "args"),
    [
        ("task_list", "staff", []),
        ("task_list", "district", []),
        ("task_mine", "department_user", []),
        ("task_project", "staff", ["project_a"]),
        ("task_timeline", "staff", ["project_a"]),
        ("task_export", "staff", []),
    ],
)
def test_it_keeps_list_queries_fixed_whatever_the_number_of_tasks(client, cast, name, user, args):
    client = _as(client, getattr(cast, user))
    url = reverse(name, args=[getattr(cast, a).pk for a in args])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _bulk_tasks(cast, 5)
    small = count()
    _bulk_tasks(cast, 200)
    assert count() == small
    assert small <= 12


def test_it_previews_the_deadlines_before_generating(client, cast):
    template = TaskTemplate.objects.get(category="new_start")
    client = _as(client, cast.district)
    url = reverse("task_generate", args=[cast.project_a.pk])
    response = client.get(url, {"template": template.pk, "planned_start": "2026-12"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="preview-table"' in body
    assert "2026-12-01" in body  # 开工: the first day of the planned start month
    response = client.get(url, {"template": template.pk, "planned_start": "2027-03"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "2027-03-01" in body and "kp-provisional" in body  # a provisional year's deadlines: 暂定
    assert not Task.objects.exists()


def test_each_row_links_to_its_task_and_its_project_and_names_its_status(client, cast):
    import re

    first = _task(cast)
    second = _task(cast, project=cast.project_b, unit=cast.owner_b, title="完成征地")
    services.task_set_status(task=second, by=cast.staff, status=Task.Status.DOING)
    page = _as(client, cast.staff).get(reverse("task_list")).content.decode()
    for task, status in ((first, "未开始"), (second, "推进中")):
        row = re.search(rf'<tr id="task-{task.pk}"(.*?)</tr>', page, re.S).group(1)
        assert f'href="{reverse("task_detail", args=[task.pk])}"' in row
        assert f'href="{reverse("task_project", args=[task.project_id])}"' in row
        assert f">{status}</span>" in row
