"""Tasks that someone must act on reach them: assigned (again, after a reassignment back), generated,
reopened or restored. Each message links to a page its recipient can open; no one outside the
responsible unit (nor the one who acted) hears of it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from keyprojects.notifications.models import Kind, Notification, OutboxMessage
from keyprojects.tasks import services
from keyprojects.tasks.models import Task, TaskTemplate

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ), tick=False):
        yield


def _task(cast, **kwargs):
    fields = {"title": "取得施工许可", "responsible_unit": cast.department, "deadline": dt.date(2026, 12, 15)}
    return services.task_create(by=cast.staff, project=cast.project_a, **{**fields, **kwargs})


def _opens(note) -> bool:
    client = Client()
    client.force_login(note.recipient)
    return client.get(note.url).status_code == 200


def _heard(kind) -> dict:
    return {
        n.recipient.username: n for n in Notification.objects.filter(kind=kind).select_related("recipient")
    }


def test_it_tells_the_responsible_unit_of_a_new_task_with_a_link_it_can_open(cast):
    task = _task(cast)
    heard = _heard(Kind.TASK_ASSIGNED)
    assert set(heard) == {"department"}
    assert heard["department"].url == reverse("task_detail", args=[task.pk])
    assert _opens(heard["department"])


def test_it_tells_a_unit_each_time_a_task_is_assigned_to_it(cast):
    task = _task(cast)
    task = services.task_update(
        by=cast.staff, task=task, expected_version=task.version, responsible_unit=cast.district_a
    )
    services.task_update(
        by=cast.staff, task=task, expected_version=task.version, responsible_unit=cast.department
    )

    received = Notification.objects.filter(kind=Kind.TASK_ASSIGNED).values_list(
        "recipient__username", flat=True
    )
    assert sorted(received) == ["department", "department", "district"]


def test_it_links_every_unit_given_generated_tasks_to_a_page_it_can_open(cast):
    services.tasks_generate_from_template(
        by=cast.staff,
        project=cast.project_a,
        template=TaskTemplate.objects.get(category="new_start"),
        planned_start=dt.date(2026, 12, 1),
    )
    heard = _heard(Kind.TASK_ASSIGNED)
    assert set(heard) == {"owner", "department"}
    assert all(_opens(note) for note in heard.values())


def test_it_tells_the_office_staff_of_the_offices_tasks_but_not_the_leader(cast):
    _task(cast, responsible_unit=cast.office)
    heard = _heard(Kind.TASK_ASSIGNED)
    assert set(heard) == {"admin", "staff"}  # a leader of the office's organisation reads tasks only
    assert all(_opens(note) for note in heard.values())


@pytest.mark.parametrize("finished", [Task.Status.DONE, Task.Status.CANCELLED])
def test_it_tells_the_responsible_unit_that_a_task_is_back_on_its_list(cast, finished):
    task = _task(cast, responsible_user=cast.department_user)
    done = {"completed_date": dt.date(2026, 11, 19)} if finished == Task.Status.DONE else {}
    task = services.task_set_status(by=cast.staff, task=task, status=finished, note="已办结", **done)
    Notification.objects.all().delete()
    OutboxMessage.objects.all().delete()

    client = Client()
    client.force_login(cast.district)
    response = client.post(
        reverse("task_status", args=[task.pk]),
        {"status": Task.Status.DOING, "note": "施工许可证缺少附件，请补办", "version": task.version},
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.DOING
    heard = _heard(Kind.TASK_REOPENED)
    assert set(heard) == {"department"}
    assert Notification.objects.count() == 1
    note = heard["department"]
    assert note.title == "任务重新打开：南宁市轨道交通5号线二期工程 · 取得施工许可"
    assert "施工许可证缺少附件，请补办" in note.body
    assert note.url == reverse("task_detail", args=[task.pk])
    assert _opens(note)


def test_it_does_not_tell_the_unit_of_its_own_reopening(cast):
    task = _task(cast)
    task = services.task_set_status(
        by=cast.department_user,
        task=task,
        status=Task.Status.DONE,
        completed_date=dt.date(2026, 11, 19),
        note="完成",
    )
    services.task_set_status(by=cast.department_user, task=task, status=Task.Status.TODO)
    assert not Notification.objects.filter(kind=Kind.TASK_REOPENED).exists()
