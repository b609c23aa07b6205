"""Reminders go out from the hour the office set (系统设置), not at midnight when the hourly job first runs;
the default (0) is what the system always did."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from keyprojects.alerts.services import reminders_send
from keyprojects.notifications.models import Kind, Notification
from keyprojects.orgs.models import OfficeSettings
from keyprojects.tasks.models import Task

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def task(cast):
    with time_machine.travel(dt.datetime(2026, 11, 20, 0, 5, tzinfo=SHANGHAI), tick=False):
        return Task.objects.create(
            project=cast.project_a,
            title="办理施工许可",
            responsible_unit=cast.department,
            deadline=dt.date(2026, 11, 24),
            created_by=cast.staff,
        )


def test_it_reminds_from_midnight_by_default(task):
    sent = reminders_send(now=dt.datetime(2026, 11, 20, 0, 5, tzinfo=SHANGHAI))
    assert sent["task_due"] == 1


def test_it_holds_the_reminders_until_the_hour_the_office_set(cast, task):
    OfficeSettings.objects.create(office=cast.office, reminder_hour=8)

    early = reminders_send(now=dt.datetime(2026, 11, 20, 7, 59, tzinfo=SHANGHAI))
    assert early["task_due"] == 0 and not Notification.objects.filter(kind=Kind.TASK_DUE).exists()

    on_time = reminders_send(now=dt.datetime(2026, 11, 20, 8, 0, tzinfo=SHANGHAI))
    assert on_time["task_due"] == 1
    assert [n.recipient for n in Notification.objects.filter(kind=Kind.TASK_DUE)] == [cast.department_user]
