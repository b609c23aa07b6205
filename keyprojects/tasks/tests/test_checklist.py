"""A task generated from a preliminary item and the project's record of that item are one fact:
completing either completes both, on the same date with the same document number, and a task whose
item the checklist already shows done is never counted overdue."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyprojects.audit.models import AuditEntry
from keyprojects.projects import services as project_services
from keyprojects.projects.models import PrelimItem
from keyprojects.tasks import selectors, services
from keyprojects.tasks.models import Task

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 20)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ), tick=False):
        yield


def _task(cast, kind, title, deadline=dt.date(2026, 12, 15)):
    return services.task_create(
        by=cast.staff,
        project=cast.project_a,
        title=title,
        responsible_unit=cast.department,
        deadline=deadline,
        source=Task.Source.TEMPLATE,
        prelim_kind=kind,
    )


def _item(cast, kind):
    return PrelimItem.objects.filter(project=cast.project_a, kind=kind).first()


def test_it_records_the_item_on_the_checklist_when_its_task_is_done_through_the_page(client, cast):
    task = _task(cast, "feasibility", "可研批复")
    client.force_login(cast.department_user)
    url = reverse("task_done", args=[task.pk])
    assert "批复文号" in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "completed_date": "2026-11-18",
            "document_no": "南发改投资〔2026〕88号",
            "version": task.version,
            "files": SimpleUploadedFile("可研批复.pdf", PDF, content_type="application/pdf"),
        },
    )

    assert response.status_code == 302
    item = _item(cast, "feasibility")
    assert item.actual_date == dt.date(2026, 11, 18)
    assert item.document_no == "南发改投资〔2026〕88号"
    assert AuditEntry.objects.filter(model="projects.PrelimItem", object_id=str(item.pk)).exists()
    detail = client.get(reverse("project_detail", args=[cast.project_a.pk])).content.decode()
    assert "南发改投资〔2026〕88号" in detail
    page = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "已于 2026-11-18 办结" in page and "南发改投资〔2026〕88号" in page


def test_it_completes_the_task_when_the_item_is_recorded_done(cast):
    task = _task(cast, "eia", "环评")
    item = PrelimItem(
        project=cast.project_a, kind="eia", actual_date=dt.date(2026, 11, 10), document_no="南环审〔2026〕5号"
    )

    project_services.prelim_item_save(item=item, by=cast.staff)

    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert task.completed_date == dt.date(2026, 11, 10)
    assert "南环审〔2026〕5号" in task.evidence.get().note
    assert task.status_changes.last().by == cast.staff
    assert AuditEntry.objects.filter(model="tasks.Task", object_id=str(task.pk), action="update").exists()

    # A later correction of the date on the checklist moves the task's date with it.
    item.actual_date = dt.date(2026, 11, 9)
    project_services.prelim_item_save(item=item, by=cast.staff, expected_version=item.version)
    task.refresh_from_db()
    assert task.completed_date == dt.date(2026, 11, 9)


def test_it_does_not_count_a_task_overdue_once_the_permit_is_granted(cast):
    # An enterprise project files no 可研批复; its construction permit, the checklist's last item, was
    # granted long ago, so nothing of the feasibility task is left to do.
    PrelimItem.objects.create(
        project=cast.project_a,
        kind="construction_permit",
        actual_date=dt.date(2025, 3, 28),
        document_no="施许-1",
    )
    stale = Task.objects.create(
        project=cast.project_a,
        title="可研批复",
        responsible_unit=cast.department,
        deadline=dt.date(2025, 10, 23),
        prelim_kind="feasibility",
        source=Task.Source.TEMPLATE,
        created_by=cast.staff,
    )
    # Recording the checklist settles what was left open before.
    project_services.prelim_item_save(
        item=PrelimItem(project=cast.project_a, kind="tender", actual_date=dt.date(2025, 2, 1)), by=cast.staff
    )
    later = _task(cast, "land_planning", "用地规划许可", deadline=dt.date(2025, 11, 5))

    for task in (stale, later):
        task.refresh_from_db()
        (shown,) = selectors.with_countdowns([task], today=TODAY)
        assert task.status == Task.Status.DONE and task.completed_date == dt.date(2025, 3, 28)
        assert shown.countdown.state != "overdue"
    tasks = Task.objects.filter(project=cast.project_a)
    assert selectors.task_status_counts(tasks, today=TODAY)["overdue"] == 0


def test_it_leaves_a_task_open_while_its_item_is_not_done(cast):
    task = _task(cast, "energy", "节能审查")
    project_services.prelim_item_save(
        item=PrelimItem(project=cast.project_a, kind="energy", planned_date=dt.date(2026, 12, 1)),
        by=cast.staff,
    )
    task.refresh_from_db()
    assert task.status == Task.Status.TODO
